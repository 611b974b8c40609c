"""Scoring shot boundaries against ground truth, as ``../shared/data/README.md`` specifies.

One-to-one matching: a hard cut is found by a predicted boundary within ``tolerance`` frames, a
gradual transition by one inside ``[first - tolerance, last + tolerance]``. Each truth window is
an interval; matching them to predicted frames by earliest window end is optimal for intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

TOLERANCE = 2


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        truth = self.true_positives + self.false_negatives
        return self.true_positives / truth if truth else 1.0

    @property
    def f1(self) -> float:
        total = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / total if total else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positives + other.true_positives,
            self.false_positives + other.false_positives,
            self.false_negatives + other.false_negatives,
        )


def truth_windows(
    cuts: list[int], gradual: list[list[int]], tolerance: int = TOLERANCE
) -> list[tuple[int, int]]:
    """Acceptance window of every true boundary."""
    windows = [(cut - tolerance, cut + tolerance) for cut in cuts]
    windows += [(first - tolerance, last + tolerance) for first, last in gradual]
    return windows


def match(predicted: list[int], windows: list[tuple[int, int]]) -> list[int | None]:
    """The predicted frame matched to each truth window (one to one), or None."""
    free = sorted(predicted)
    found: list[int | None] = [None] * len(windows)
    for index in sorted(range(len(windows)), key=lambda i: windows[i][1]):
        low, high = windows[index]
        hit = next((frame for frame in free if low <= frame <= high), None)
        if hit is not None:
            free.remove(hit)
            found[index] = hit
    return found


def score(predicted: list[int], windows: list[tuple[int, int]]) -> Score:
    """Match predicted boundary frames to truth windows one to one."""
    matched = sum(hit is not None for hit in match(predicted, windows))
    return Score(matched, len(predicted) - matched, len(windows) - matched)


def score_by_kind(
    predicted: list[int], windows: list[tuple[int, int]], kinds: list[str]
) -> dict[str, Score]:
    """:func:`score` split by the kind of each truth window. A false positive counts against
    the kind of the window nearest to it (a double detection inside a dissolve is the
    dissolve's)."""
    found = match(predicted, windows)
    totals = {kind: Score(0, 0, 0) for kind in kinds}
    for kind, hit in zip(kinds, found, strict=True):
        totals[kind] += Score(1, 0, 0) if hit is not None else Score(0, 0, 1)
    for frame in _unmatched(predicted, found):
        nearest = min(range(len(windows)), key=lambda i: _distance(frame, windows[i]))
        totals[kinds[nearest]] += Score(0, 1, 0)
    return totals


def _unmatched(predicted: list[int], found: list[int | None]) -> list[int]:
    free = sorted(predicted)
    for hit in found:
        if hit is not None:
            free.remove(hit)
    return free


def _distance(frame: int, window: tuple[int, int]) -> int:
    return max(window[0] - frame, frame - window[1], 0)
