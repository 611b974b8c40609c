"""Tape leaders on generated masters and the shared programme: the probe finds bars and tone,
black, slate and tail black to the frame, and the shots and speech stages read the programme alone.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from regie.asr.audio import SAMPLE_RATE, read_windows
from regie.fetch import fetch
from regie.leader import LeaderRules
from regie.probe import ProbeOptions, probe, probe_file
from regie.programme import TimeSpan, seek_options
from regie.shots.stage import detect_shots
from regie.stage import StageContext
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
