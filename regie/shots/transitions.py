"""Rules every backend applies to its transitions: the annotation conventions of the archive.

A fade out and a fade in through a black dip shorter than ``black_hold`` frames is ONE
transition, and so is a cut to black followed by a fade in (or a fade out then a cut from black,
or two cuts) when a black frame separates them by fewer than ``black_hold`` frames; a longer black
hold is a segment of its own. A fade from or to fewer than
``black_hold`` black frames at the very start or end of a clip is not a boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Span = tuple[int, int]


@dataclass(frozen=True)
class BlackRules:
    black_level: float = 0.08  # mean luma (0..1) under which a frame is black
    black_hold: int = 12


def runs(mask: np.ndarray, min_length: int = 1) -> list[Span]:
    """Inclusive ``(first, last)`` of every run of True at least ``min_length`` long."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True) if e - s + 1 >= min_length]


def apply_conventions(gradual: list[Span], luma: np.ndarray, rules: BlackRules) -> list[Span]:
    """Merge fades through short black dips, then drop fades at the clip's black edges."""
    merged = merge_through_black(sorted(gradual), luma, rules)
    return [span for span in merged if not is_edge_fade(span, luma, rules)]


def drop_cuts_within(cuts: list[int], gradual: list[Span]) -> list[int]:
    """Cuts on a mixed frame, or on the first frame after a mix, belong to that transition."""
    return [cut for cut in cuts if not any(first <= cut <= last + 1 for first, last in gradual)]


def merge_cuts_through_black(
    cuts: list[int], gradual: list[Span], luma: np.ndarray, rules: BlackRules
) -> tuple[list[int], list[Span]]:
    """Cuts that a short black dip joins to a fade (or to another cut) become part of it."""
    alone = [(cut, cut) for cut in cuts]
    merged = merge_through_black(sorted([*gradual, *alone]), luma, rules)
    return [first for first, last in merged if (first, last) in alone], [
        span for span in merged if span not in alone
    ]


def merge_through_black(spans: list[Span], luma: np.ndarray, rules: BlackRules) -> list[Span]:
    merged: list[Span] = []
    for first, last in spans:
        if merged:
            previous_first, previous_last = merged[-1]
            gap = luma[previous_last + 1 : first]
            short = first - previous_last - 1 < rules.black_hold
            if first <= previous_last + 1 or (short and np.any(gap < rules.black_level)):
                merged[-1] = (previous_first, max(last, previous_last))
                continue
        merged.append((first, last))
    return merged


def is_edge_fade(span: Span, luma: np.ndarray, rules: BlackRules) -> bool:
    first, last = span
    head, tail = luma[:first], luma[last + 1 :]
    black_head = len(head) < rules.black_hold and bool(np.all(head < rules.black_level))
    black_tail = len(tail) < rules.black_hold and bool(np.all(tail < rules.black_level))
    return black_head or black_tail
