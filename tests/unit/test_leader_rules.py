"""Tape leader decisions (pure): bars with tone open a leader, black and stills extend it, black
alone never does; the programme range is read with exact seeks and counted in the master's
timecode."""

from __future__ import annotations

from fractions import Fraction

from regie.leader import LeaderRules, Stretch, find_head, find_tail, programme_range, runs
from regie.programme import LeaderEvidence, ProgrammeRange, TimeSpan, seek_argv, seek_options
from regie.shots.detector import Detection
from regie.shots.frames import FrameTimes
from regie.shots.timecode import programme_timecode

RATE = Fraction(25)
RULES = LeaderRules()


def span(start: float, end: float) -> TimeSpan:
    return TimeSpan(start=Fraction(str(start)), end=Fraction(str(end)))


def evidence(analysed: float = 60, **found: list[TimeSpan]) -> LeaderEvidence:
    lists = {kind: found.get(kind, []) for kind in ("bars", "tone", "black", "still", "silence")}
    return LeaderEvidence(analysed=span(0, analysed), **lists)


def test_bars_with_tone_then_black_slate_black_make_the_leader() -> None:
    seen = evidence(
        bars=[span(0, 3)], tone=[span(0, 3)], black=[span(3, 4), span(6, 7)],
        still=[span(0, 3), span(3, 4), span(4, 6), span(6, 7)],
    )  # fmt: skip
    head, reason = find_head(seen, RATE, RULES)
    assert head == span(0, 7)
    assert reason.startswith("head leader: bars and tone 0.000-3.000 s, black 3.000-4.000 s")


def test_black_alone_at_the_head_is_never_a_leader() -> None:
    """A programme opening on black for its fade-in keeps every frame."""
    head, reason = find_head(evidence(black=[span(0, 1.5)], silence=[span(0, 1.5)]), RATE, RULES)
    assert head is None and "no colour bars" in reason


def test_bars_without_tone_or_late_bars_are_not_a_leader() -> None:
    assert find_head(evidence(bars=[span(0, 3)], tone=[span(0, 0.5)]), RATE, RULES)[0] is None
    late = evidence(bars=[span(2, 5)], tone=[span(2, 5)])
    assert find_head(late, RATE, RULES)[0] is None


def test_a_still_right_before_the_programme_is_left_to_it() -> None:
    """A still with no black after it may be the programme's title card."""
    seen = evidence(bars=[span(0, 3)], tone=[span(0, 3)], black=[span(3, 4)], still=[span(4, 9)])
    head, reason = find_head(seen, RATE, RULES)
    assert head == span(0, 4) and "still 4.000-9.000 s is kept" in reason


def test_a_leader_longer_than_the_window_is_not_cut() -> None:
    seen = evidence(analysed=10, bars=[span(0, 10)], tone=[span(0, 10)])
    head, reason = find_head(seen, RATE, RULES)
    assert head is None and "past the 10 s analysed" in reason


def test_tail_black_needs_silence_to_the_end() -> None:
    silent = LeaderEvidence(
        analysed=span(7, 13), bars=[], tone=[], still=[], black=[span(11, 12.96)],
        silence=[span(11.00002, 13)],
    )  # fmt: skip
    assert find_tail(silent, RATE, RULES) == span(11, 13)
    music = silent.model_copy(update={"silence": []})  # credits over black
    assert find_tail(music, RATE, RULES) is None
    short = silent.model_copy(update={"black": [span(12.5, 12.96)]})
    assert find_tail(short, RATE, RULES) is None


def test_the_programme_range_is_in_whole_frames() -> None:
    stretch = Stretch(span(0, 13), RATE, None)
    assert programme_range(span(0, 7), span(11, 13), stretch) == ProgrammeRange(
        first_frame=175, frames=100, start=Fraction(7), end=Fraction(11)
    )
    assert programme_range(span(0, 7), None, stretch).frames == 150


def test_runs_join_consecutive_times_and_bridge_one_miss() -> None:
    step = Fraction(1, 25)
    times = [Fraction(n, 25) for n in (0, 1, 2, 4, 5, 9)]
    assert runs(times, step) == [span(0, 0.24), span(0.36, 0.4)]


def test_seeks_round_down_to_the_microsecond() -> None:
    ntsc = ProgrammeRange(
        first_frame=1, frames=2, start=Fraction(1001, 30000), end=Fraction(3003, 30000)
    )
    assert seek_options(ntsc) == {"ss": "0.033366", "t": "0.066734"}
    assert seek_argv(None) == []


def test_a_detection_is_cut_to_the_programme() -> None:
    times = FrameTimes(pts=list(range(0, 13 * 512, 512)), time_base=Fraction(1, 12800))
    whole = Detection(13, cuts=[2, 5, 9], gradual=[(3, 4), (6, 7)], times=times)
    part = whole.within(5, 10)
    assert (part.frame_count, part.cuts, part.gradual) == (5, [4], [(1, 2)])
    assert part.times.seconds(0) == 0 and part.times.seconds(4) == Fraction(4, 25)


def test_the_programme_timecode_counts_the_leader() -> None:
    cut = ProgrammeRange(first_frame=175, frames=100, start=Fraction(7), end=Fraction(11))
    assert programme_timecode("10:00:00:00", RATE, cut) == "10:00:07:00"
    assert programme_timecode("10:00:00:00", RATE, None) == "10:00:00:00"
    assert programme_timecode(None, RATE, cut) == "00:00:07:00"
