"""Tape leaders on generated masters and the shared programme: the probe finds bars and tone,
black, slate and tail black to the frame, and the shots, speech and transcode's quality check read
the programme alone.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from regie.artefacts import EncodedRendition
from regie.asr.audio import SAMPLE_RATE, read_windows
from regie.fetch import fetch
from regie.leader import LeaderRules
from regie.probe import ProbeOptions, probe, probe_file
from regie.programme import TimeSpan, seek_options
from regie.shots.stage import detect_shots
from regie.stage import StageContext
from regie.transcode import validate
from regie.transcode.ladder import Rung
from regie.transcode.stage import TranscodeOptions, transcode
from tests import masters


@pytest.fixture(scope="module")
def tape(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return masters.tape(tmp_path_factory.mktemp("tape") / "tape.mov")


def test_the_programme_starts_after_bars_black_slate_and_black(tape: Path) -> None:
    info = probe_file(tape, "tape")
    assert info.programme is not None and info.leader is not None
    assert info.programme.first_frame == masters.PROGRAMME_FIRST_FRAME
    assert info.programme.frames == masters.PROGRAMME_FRAMES
    assert (info.leader.head, info.leader.tail) == (
        TimeSpan(start=0, end=7), TimeSpan(start=11, end=13),
    )  # fmt: skip
    assert info.leader.trimmed
    assert info.leader.reason == (
        "head leader: bars and tone 0.000-3.000 s, black 3.000-4.000 s, still 4.000-6.000 s, "
        "black 6.000-7.000 s; tail black and silence from 11.000 s"
    )
    opening = info.leader.opening
    assert opening is not None and opening.tone == [TimeSpan(start=0, end=3)]


def test_bars_longer_than_the_first_look_open_the_whole_head_window(tape: Path) -> None:
    """Bars and tone still running at the end of the opening seconds: the head window decides."""
    info = probe_file(tape, "tape", ProbeOptions(leader_rules=LeaderRules(opening_s=2)))
    assert info.programme is not None
    assert info.programme.first_frame == masters.PROGRAMME_FIRST_FRAME


def test_keep_reports_the_leader_and_publishes_everything(tape: Path) -> None:
    info = probe_file(tape, "tape", ProbeOptions(leader="keep"))
    assert info.programme is None
    assert info.leader is not None and info.leader.head is not None and not info.leader.trimmed


def test_a_programme_fading_in_from_black_is_not_cut(tmp_path: Path) -> None:
    info = probe_file(masters.fade_in_programme(tmp_path / "fade.mov"), "fade")
    assert info.programme is None and info.leader is not None
    assert info.leader.head is None and info.leader.tail is None
    assert info.leader.reason == "no colour bars in the first 1 s: no leader"
    opening = info.leader.opening
    assert opening is not None and opening.black and opening.black[0].start == 0


def test_the_shared_programme_has_no_leader(shared_data: Path) -> None:
    """It opens on a real picture: only its first seconds are analysed, nothing is cut."""
    info = probe_file(shared_data / "programme" / "programme-fr.mp4", "programme")
    assert info.programme is None and info.leader is not None and info.leader.head is None
    opening = info.leader.opening
    assert opening is not None and opening.analysed == TimeSpan(start=0, end=5)
    assert not opening.bars and not opening.tone and info.leader.closing is None


def test_shots_count_from_the_programme_in_the_masters_timecode(
    tape: Path, local_context: StageContext
) -> None:
    source = fetch(tape.as_uri(), local_context).artefact
    shots = detect_shots(source, probe(source, local_context).artefact, local_context).artefact
    assert shots.start_timecode == "10:00:07:00"
    assert [s.first_frame for s in shots.shots] == [0, 50]
    assert shots.shots[-1].last_frame == masters.PROGRAMME_FRAMES - 1
    edl = Path(shots.edl.removeprefix("file://")).read_text().splitlines()  # type: ignore[union-attr]
    events = [line.split() for line in edl if line[:3].isdigit()]
    assert [e[4:6] for e in events] == [
        ["10:00:07:00", "10:00:09:00"], ["10:00:09:00", "10:00:11:00"],
    ]  # fmt: skip


def test_speech_audio_is_the_programme_without_line_up_tone(tape: Path) -> None:
    info = probe_file(tape, "tape")
    (window,) = read_windows(tape, "tape", seek=seek_options(info.programme))
    assert window.offset_s == 0 and window.duration_s == pytest.approx(4.0, abs=0.01)
    spectrum = np.abs(np.fft.rfft(window.samples))
    hertz = np.fft.rfftfreq(len(window.samples), 1 / SAMPLE_RATE)

    def level(frequency: int) -> float:
        return float(spectrum[np.abs(hertz - frequency) < 20].max())

    assert level(masters.LINE_UP_HZ) < 0.01 * level(masters.tone(1))
    assert Fraction(len(window.samples), SAMPLE_RATE) == Fraction(4)


def test_ssim_windows_compare_the_programme_frame_for_frame(
    tape: Path, local_context: StageContext, tmp_path: Path
) -> None:
    """Three 1 s windows of the 4 s programme (7 s into the tape), each seeked on both sides,
    score as the whole programme does; the same window one frame off on the master's side does
    not (the moving pattern changes from frame to frame)."""
    source = fetch(tape.as_uri(), local_context).artefact
    info = probe(source, local_context).artefact
    ladder = (Rung(lines=180, bitrate_kbps=300),)

    def encoded(windows: int) -> EncodedRendition:
        options = TranscodeOptions(
            ladder=ladder,
            ssim_windows=windows,
            ssim_window_s=1,
            ssim_step=1,
            segment_s=1,
            keyframe_interval_s=1,
        )
        return transcode(source, info, None, local_context, options).artefact.renditions[0]

    whole, rendition = encoded(0), encoded(3)
    assert whole.ssim is not None and rendition.ssim is not None
    assert rendition.ssim > 0.95 and rendition.ssim == pytest.approx(whole.ssim, abs=0.01)

    playlist = Path(rendition.playlist.removeprefix("file://"))
    window = TimeSpan(start=Fraction(249, 100), end=Fraction(349, 100))  # frame 62, a bit early
    init, segments = validate.media_segments(playlist)
    url, seek = validate.window_input(playlist.parent, init, segments, window, "tape")
    assert [Path(part).name for part in url.removeprefix("concat:").split("|")] == [
        "init-0.mp4", "seg-0-00003.m4s", "seg-0-00004.m4s",
    ] and seek == {"ss": "0.490000", "t": "1.000000"}  # fmt: skip

    def window_score(frames_off: int) -> float | None:
        shift = 7 + Fraction(frames_off, 25)
        master = (
            str(tape),
            seek_options(TimeSpan(start=window.start + shift, end=window.end + shift)),
        )
        log = tmp_path / f"off-{frames_off}.log"
        inputs = [(url, seek)]
        subprocess.run(validate.ssim_argv(master, inputs, [rendition], 1, [log]), check=True)
        assert len(log.read_text().splitlines()) == 25
        return validate.mean_ssim(log)

    aligned, late, early = window_score(0), window_score(1), window_score(-1)
    assert aligned is not None and late is not None and early is not None
    assert aligned > 0.95 and max(late, early) < aligned - 0.03
