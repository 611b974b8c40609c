"""Pure rules for broadcast masters: interlace verdicts, VBI, audio layouts, start timecodes."""

from __future__ import annotations

from fractions import Fraction

import pytest

from regie.artefacts import AudioStream, VideoStream
from regie.audio_layout import resolve_layout
from regie.errors import PermanentError
from regie.picture import decide_scan, parse_idet, progressive_chain
from regie.probe import start_timecode
from regie.shots.timecode import frames_of, timecode

IDET = (
    "[Parsed_idet_0 @ 0x5] Single frame detection: TFF:    40 BFF:     0 Progressive:    11\n"
    "[Parsed_idet_0 @ 0x5] Multi frame detection: TFF:    51 BFF:     0 Progressive:     0 "
    "Undetermined:     2\n"
)


def mono(index: int, channels: int = 1, language: str | None = None) -> AudioStream:
    return AudioStream(index=index, codec="pcm_s24le", sample_rate=48000, channels=channels,
                       language=language)  # fmt: skip


def test_idet_multi_frame_counts_are_read() -> None:
    assert parse_idet(IDET) == (51, 0, 0, 2)
    assert parse_idet("no idet here") == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("flag", "counts", "scan", "said"),
    [
        ("tt", (51, 0, 0, 2), "tff", "51 of 51 classed frames interlaced"),
        (None, (0, 75, 0, 0), "bff", "75 of 75"),  # DV flags nothing
        ("tt", (3, 0, 70, 2), "progressive", "the flag (tt) is wrong"),  # PsF flagged interlaced
        ("progressive", (60, 2, 10, 0), "tff", "the flag (progressive) is wrong"),
        ("bb", (0, 0, 0, 40), "bff", "the flag (bb) decides"),  # a still: idet cannot tell
    ],
)
def test_the_pictures_decide_and_the_flag_only_when_idet_cannot(
    flag: str | None, counts: tuple[int, int, int, int], scan: str, said: str
) -> None:
    decision = decide_scan(flag, counts)
    assert decision.scan == scan and said in decision.reason


def video(**changes: object) -> VideoStream:
    base = VideoStream(
        index=0, codec="mpeg2video", width=720, height=608, sample_aspect_ratio=Fraction(64, 45),
        display_aspect_ratio=Fraction(16, 9), display_width=1024, display_height=576,
        frame_rate=25, avg_frame_rate=25, vfr=False, time_base=Fraction(1, 25), vbi_lines=32,
        scan=decide_scan("tt", (51, 0, 0, 0)),
    )  # fmt: skip
    return base.model_copy(update=changes)


def test_vbi_is_cropped_before_the_fields_are_deinterlaced() -> None:
    assert progressive_chain(video()) == (
        "crop=w=720:h=576:x=0:y=32,bwdif=mode=send_frame:parity=tff,"
    )
    assert progressive_chain(video(vbi_lines=0), "field") == "bwdif=mode=send_field:parity=tff,"
    assert progressive_chain(video(vbi_lines=0, scan=decide_scan(None, (0, 0, 9, 0)))) == ""


def test_auto_layout_recognises_mono_tracks_stereo_streams_and_5_1() -> None:
    eight = resolve_layout([mono(n) for n in range(1, 9)], "auto", "a")
    assert eight is not None and eight.programme.tracks == [1, 2] and len(eight.channels) == 8
    assert eight.channels[1] == (1, 0)  # track 2 is the second stream's only channel
    d10 = resolve_layout([mono(1, channels=4)], "auto", "a")
    assert d10 is not None and d10.channels[:2] == [(0, 0), (0, 1)]
    surround = resolve_layout([mono(1, channels=6)], "auto", "a")
    assert surround is not None and surround.programme.tracks == [1, 2, 3, 4, 5, 6]
    dubbed = resolve_layout([mono(1, 2, "fra"), mono(2, 2, "eng")], "auto", "a")
    assert dubbed is not None
    assert [(v.role, v.language, v.tracks) for v in dubbed.versions] == [
        ("programme", "fra", [1, 2]), ("other", "eng", [3, 4]),
    ]  # fmt: skip
    assert resolve_layout([], "auto", "a") is None


def test_a_declared_layout_names_versions_languages_and_roles() -> None:
    spec = "1+2:programme:fra,3+4:original:eng,7:description:fra"
    layout = resolve_layout([mono(n) for n in range(1, 9)], spec, "a")
    assert layout is not None
    assert [(v.name, v.tracks) for v in layout.versions] == [
        ("programme-fra", [1, 2]), ("original-eng", [3, 4]), ("description-fra", [7]),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("1+2:programme,9:description", "track 9 does not exist (audio streams found: #1 "),
        ("1+2+3:programme", "is not tracks:role[:language]"),
        ("3:dub", "is not tracks:role[:language]"),
        ("1+1:programme", "is not tracks:role[:language]"),
        ("3+4:original:eng", "must start with the programme mix"),
    ],
)
def test_a_layout_that_does_not_fit_is_refused_naming_asset_and_streams(
    spec: str, said: str
) -> None:
    with pytest.raises(PermanentError, match=r"^master-1: ") as refused:
        resolve_layout([mono(n) for n in range(1, 9)], spec, "master-1")
    assert said in str(refused.value)


def test_the_start_timecode_comes_from_the_container_or_a_stream() -> None:
    assert start_timecode({"tags": {"timecode": "10:00:00:00"}}, []) == "10:00:00:00"
    tmcd = [{"codec_type": "video"}, {"codec_type": "data", "tags": {"timecode": "09:59:50;00"}}]
    assert start_timecode({}, tmcd) == "09:59:50;00"
    assert start_timecode({}, []) is None


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10:00:00:00", Fraction(25)), ("01:00:00;00", Fraction(30000, 1001)),
     ("00:10:00;00", Fraction(30000, 1001)), ("00:01:00;02", Fraction(30000, 1001))],
)  # fmt: skip
def test_timecode_text_round_trips_through_frames(text: str, rate: Fraction) -> None:
    assert timecode(frames_of(text, rate), rate) == text
