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


def score(predicted: list[int], windows: list[tuple[int, int]]) -> Score:
    """Match predicted boundary frames to truth windows one to one."""
    free = sorted(predicted)
    matched = 0
    for low, high in sorted(windows, key=lambda window: window[1]):
        hit = next((frame for frame in free if low <= frame <= high), None)
        if hit is not None:
            free.remove(hit)
            matched += 1
    return Score(matched, len(free), len(windows) - matched)
