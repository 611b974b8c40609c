"""The transcode stage on real media: ladder, key frames on cuts, loudness, packaging, bad input."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import m3u8
import pytest
from PIL import Image

from regie.errors import PermanentError, ProbeError, ToolError
from regie.fetch import fetch
from regie.probe import probe
from regie.shots.stage import detect_shots
from regie.stage import MANIFEST_NAME, StageContext
from regie.transcode.ladder import Rung
from regie.transcode.stage import TranscodeOptions, transcode
from regie.transcode.validate import probe_rendition
from tests import masters, media

SMALL_LADDER = (Rung(lines=360, bitrate_kbps=800), Rung(lines=234, bitrate_kbps=300))


def _run(path: Path, context: StageContext, options: TranscodeOptions, with_shots: bool = True):  # type: ignore[no-untyped-def]
    source = fetch(path.as_uri(), context).artefact
    info = probe(source, context).artefact
    shots = detect_shots(source, info, context) if with_shots and info.has_video else None
    return transcode(source, info, shots, context, options)


def _local(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


@pytest.fixture(scope="module")
def two_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media.cut_clip_with_quiet_tone(tmp_path_factory.mktemp("media") / "two-shots.mp4")


def test_a_wide_loudness_range_lands_on_r128_without_the_compressor(
    shared_data: Path, local_context: StageContext, tmp_path: Path
) -> None:
    """A minute of the programme's speech measuring 22.6 LU of range: loudnorm could not stay
    linear (its LRA target stops at 20) and its dynamic mode gave -21.89 LUFS, out of R128."""
    clip = tmp_path / "wide-range.mp4"
    media.ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-ss", "59", "-t", "60",
        "-i", str(shared_data / "programme" / "programme-fr.mp4"), "-map", "0:v", "-map", "1:a",
        "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", str(clip),
    )  # fmt: skip
    options = TranscodeOptions(ladder=SMALL_LADDER, ssim_step=0)
    ladder = _run(clip, local_context, options, with_shots=False).artefact
    assert ladder.loudness_in is not None and ladder.loudness_in.range_lu > 20
    assert ladder.loudness_out is not None
    assert abs(ladder.loudness_out.integrated_lufs + 23) <= 0.2  # a plain gain is exact
    assert ladder.loudness_out.range_lu == pytest.approx(ladder.loudness_in.range_lu, abs=0.5)


def test_ladder_is_aligned_on_the_cut_loud_enough_and_packaged_twice(
    two_shots: Path, local_context: StageContext
) -> None:
    outcome = _run(two_shots, local_context, TranscodeOptions(ladder=SMALL_LADDER))
    ladder = outcome.artefact
    assert ladder.encoder == "libx264" and "h264_nvenc" in ladder.encoder_reason
    assert [(r.name, r.width, r.height) for r in ladder.renditions] == [
        ("360p", 640, 360), ("234p", 416, 234),
    ]  # fmt: skip
    for rendition in ladder.renditions:
        probed = probe_rendition(_local(rendition.playlist), "test")
        assert probed.duration == 8
        # the 2 s grid and the cut at 2.6 s (0.6 s from the grid point: both kept)
        assert probed.keyframes == [0, 2, Fraction(13, 5), 4, 6]
        assert rendition.ssim is not None and rendition.ssim > 0.9
    assert ladder.keyframes == 5 and ladder.shot_cuts_aligned == 1
    assert ladder.loudness_in is not None and ladder.loudness_in.integrated_lufs < -30
    assert ladder.loudness_out is not None and abs(ladder.loudness_out.integrated_lufs + 23) <= 1


def test_hls_master_media_playlists_and_mpd_describe_the_same_segments(
    two_shots: Path, local_context: StageContext
) -> None:
    ladder = _run(two_shots, local_context, TranscodeOptions(ladder=SMALL_LADDER)).artefact
    master = m3u8.load(str(_local(ladder.hls_master)))
    assert [p.stream_info.resolution for p in master.playlists] == [(640, 360), (416, 234)]
    for variant in master.playlists:  # measured: at least the peak segment bit rate, audio too
        media = m3u8.load(variant.absolute_uri)
        folder = _local(ladder.hls_master).parent
        peak = max((folder / s.uri).stat().st_size * 8 / s.duration for s in media.segments)
        assert variant.stream_info.bandwidth > peak
    assert len(master.iframe_playlists) == 2
    assert [m.type for m in master.media] == ["AUDIO"]
    video = m3u8.load(master.playlists[0].absolute_uri)
    assert video.playlist_type == "vod" and video.is_endlist
    assert video.segment_map[0].uri == "init-0.mp4"
    assert [s.duration for s in video.segments] == [6, 2]
    assert all(s.program_date_time is None for s in video.segments)
    mpd = ElementTree.parse(_local(ladder.dash_manifest)).getroot()
    ns = {"d": "urn:mpeg:dash:schema:mpd:2011"}
    representations = mpd.findall(".//d:Representation", ns)
    # None: audio; 800: the thumbnails' sprite sheets
    assert [r.get("width") for r in representations] == ["640", "416", None, "800"]
    template = mpd.find(".//d:SegmentTemplate", ns)
    assert (
        template is not None and template.get("media") == "seg-$RepresentationID$-$Number%05d$.m4s"
    )
    for segment in video.segments:  # the MPD's template names the very files HLS lists
        assert (_local(ladder.hls_master).parent / segment.uri).is_file()


def test_poster_and_scrubbing_thumbnails(two_shots: Path, local_context: StageContext) -> None:
    ladder = _run(two_shots, local_context, TranscodeOptions(ladder=SMALL_LADDER)).artefact
    with Image.open(_local(ladder.poster)) as poster:
        assert poster.format == "JPEG" and poster.size == (640, 360)
    vtt = _local(ladder.thumbnails_vtt).read_text().splitlines()
    assert vtt[2:4] == ["00:00:00.000 --> 00:00:05.000", "sprite-0001.jpg#xywh=0,0,160,90"]
    assert vtt[5:7] == ["00:00:05.000 --> 00:00:08.000", "sprite-0001.jpg#xywh=160,0,160,90"]
    assert [Path(u).name for u in ladder.sprites] == ["sprite-0001.jpg"]
    with Image.open(_local(ladder.sprites[0])) as sheet:
        assert sheet.size == (800, 450)


def test_second_run_does_no_work(two_shots: Path, local_context: StageContext) -> None:
    options = TranscodeOptions(ladder=SMALL_LADDER, ssim_step=0)
    first = _run(two_shots, local_context, options)
    again = _run(two_shots, local_context, options)
    assert not first.reused and again.reused
    assert again.manifest_url == first.manifest_url
    assert first.artefact.renditions[0].ssim is None


def test_failed_encode_leaves_no_manifest(two_shots: Path, local_context: StageContext) -> None:
    options = TranscodeOptions(ladder=SMALL_LADDER, preset="no-such-preset")
    with pytest.raises(ToolError) as failure:
        _run(two_shots, local_context, options)
    assert "ffmpeg failed" in str(failure.value) and failure.value.argv[0] == "ffmpeg"
    work = _local(local_context.work_url)
    assert not list(work.glob(f"*/transcode/*/{MANIFEST_NAME}"))


def test_variable_frame_rate_master_becomes_constant_rate(
    shared_data: Path, local_context: StageContext
) -> None:
    ladder = _run(
        shared_data / "video" / "goldeneye-vfr-drop3.mp4", local_context,
        TranscodeOptions(ladder=SMALL_LADDER, ssim_step=0),
    ).artefact  # fmt: skip
    top = ladder.renditions[0]
    assert (top.width, top.height) == (848, 360)  # 1280x544 display aspect: 847.06, even
    probed = probe_rendition(_local(top.playlist), "test")
    frame = 1 / top.frame_rate
    assert abs(probed.duration - ladder.duration) <= frame


def test_rotated_master_is_encoded_upright(shared_data: Path, local_context: StageContext) -> None:
    path = shared_data / "video" / "issue-134-rotate.mp4"
    ladder = _run(path, local_context, TranscodeOptions(ladder=SMALL_LADDER, ssim_step=0)).artefact
    info = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "json",
             str(path)], capture_output=True, check=True,
        ).stdout
    )  # fmt: skip
    stored = info["streams"][0]
    top = ladder.renditions[0]
    assert (top.width > top.height) != (stored["width"] > stored["height"])  # turned by 90°


def test_odd_dimensions_and_no_audio(tmp_path: Path, local_context: StageContext) -> None:
    odd = tmp_path / "853x480.mp4"
    media.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=853x480:rate=25:duration=3",
                 "-c:v", "libx264", "-pix_fmt", "yuv420p", str(odd))  # fmt: skip
    ladder = _run(odd, local_context, TranscodeOptions(ssim_step=0), with_shots=False).artefact
    assert [(r.width, r.height) for r in ladder.renditions] == [(640, 360), (416, 234)]
    assert ladder.audio_playlist is None and ladder.loudness_in is None
    master = m3u8.load(str(_local(ladder.hls_master)))
    assert not master.media


def test_audio_only_asset_is_refused_clearly(tmp_path: Path, local_context: StageContext) -> None:
    audio = media.audio_only(tmp_path / "radio.m4a")
    with pytest.raises(PermanentError, match="audio-only asset"):
        _run(audio, local_context, TranscodeOptions(), with_shots=False)


def test_master_truncated_mid_stream_is_refused_before_encoding(
    two_shots: Path, tmp_path: Path, local_context: StageContext
) -> None:
    cut = media.truncated(two_shots, tmp_path / "cut.mp4", keep=0.6)
    with pytest.raises(ProbeError) as refused:
        _run(cut, local_context, TranscodeOptions(ladder=SMALL_LADDER))
    assert refused.value.kind == "truncated" and refused.value.asset.startswith("cut-")
    work = _local(local_context.work_url)
    assert not list(work.glob(f"*/transcode/*/{MANIFEST_NAME}"))


@pytest.fixture(scope="module")
def letterboxed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4:3 SD master (SAR 16:15) carrying a 16:9 picture between black bars of 72 lines."""
    path = tmp_path_factory.mktemp("media") / "letterboxed.mp4"
    media.ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=720x432:rate=25,pad=720:576:0:72:black,setsar=16/15",
        "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def _top_rows_luma(playlist: Path) -> float:
    """Mean luma of the top 4% of the first frame of a rendition."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(playlist), "-frames:v", "1",
         "-vf", "crop=iw:ih*0.04:0:0", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return sum(done.stdout) / len(done.stdout)


@pytest.mark.parametrize("crop", [False, True])
def test_a_letterbox_is_measured_and_cropped_on_request(
    letterboxed: Path, local_context: StageContext, crop: bool
) -> None:
    options = TranscodeOptions(ladder=SMALL_LADDER, ssim_step=5, crop_bars=crop)
    ladder = _run(letterboxed, local_context, options, with_shots=False).artefact
    source = fetch(letterboxed.as_uri(), local_context).artefact
    bars = probe(source, local_context).artefact.video[0].bars
    assert bars is not None and (bars.kind, bars.top, bars.bottom) == ("letterbox", 72, 72)
    top = ladder.renditions[0]
    if crop:  # the 16:9 picture inside the bars, no black line left
        assert (top.width, top.height) == (640, 360) and "crop=w=720:h=432:x=0:y=72" in (
            ladder.picture_filters or "")  # fmt: skip
        assert _top_rows_luma(_local(top.playlist)) > 40
    else:  # as aired: 4:3 in square pixels, bars kept
        assert Fraction(top.width, top.height) == Fraction(4, 3)
        assert _top_rows_luma(_local(top.playlist)) < 20
    assert all(r.ssim is not None and r.ssim > 0.95 for r in ladder.renditions)


@pytest.fixture(scope="module")
def interlaced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return masters.xdcam_hd422(tmp_path_factory.mktemp("media") / "xdcam.mxf", seconds=6)


@pytest.mark.parametrize("deinterlace", ["frame", "field"])
def test_ssim_windows_score_an_interlaced_master_as_the_whole_programme_does(
    interlaced: Path, local_context: StageContext, deinterlace: str
) -> None:
    """Seeked windows on 1080i: at 50p (a frame per field) the seek lands between two of the
    rung's frames in one master frame; a half-frame seek there paired the wrong field (0.95)."""

    def scores(windows: int) -> list[float | None]:
        options = TranscodeOptions(
            ladder=SMALL_LADDER, ssim_windows=windows, ssim_window_s=1, ssim_step=1, segment_s=1,
            keyframe_interval_s=1,
            deinterlace=deinterlace,  # type: ignore[arg-type]
        )  # fmt: skip
        ladder = _run(interlaced, local_context, options, with_shots=False).artefact
        return [r.ssim for r in ladder.renditions]

    for whole, windowed in zip(scores(0), scores(3), strict=True):
        assert whole is not None and windowed is not None
        assert windowed > 0.98 and windowed == pytest.approx(whole, abs=0.005)


def test_a_variable_frame_rate_master_is_compared_whole(
    shared_data: Path, local_context: StageContext
) -> None:
    """Its frames are off the grid a seek restarts, so windows would pair neighbours: the
    windowed options give the whole programme's SSIM."""
    clip = shared_data / "video" / "goldeneye-vfr-drop3.mp4"

    def scores(windows: int) -> list[float | None]:
        options = TranscodeOptions(
            ladder=SMALL_LADDER, ssim_windows=windows, ssim_window_s=1, ssim_step=1
        )
        return [
            r.ssim for r in _run(clip, local_context, options, with_shots=False).artefact.renditions
        ]

    windowed = scores(2)
    # two encodes differ by 1e-5 at most; windows on this clip moved it by 6e-4 and 2e-3
    assert windowed == pytest.approx(scores(0), abs=2e-4)
    assert all(s is not None and s > 0.9 for s in windowed)
