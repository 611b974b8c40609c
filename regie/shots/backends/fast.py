"""``fast``: hard cuts and gradual transitions from difference signals on 64x36 frames.

Cuts are frame differences that stand out from their neighbourhood (an adaptive threshold: a
multiple of the local median, so fast motion raises the bar) and after which the picture does not
come back (a flash does). Gradual transitions are runs of frames that are linear mixes of the
frames around them with a large change between the ends: that is what a dissolve or a fade to or
from black is, and what motion is not. Decisions run on whole signal arrays, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from regie.shots.colour import ColourRules, colour_changes, unseen
from regie.shots.detector import Detection
from regie.shots.frames import FrameSize, SmallFrames, prefetch
from regie.shots.geometry import GeometryRules, with_geometry
from regie.shots.signals import Signals, compute_signals
from regie.shots.transitions import (
    BlackRules,
    apply_conventions,
    drop_cuts_within,
    merge_cuts_through_black,
    runs,
)


@dataclass(frozen=True)
class FastOptions:
    """Thresholds on mean absolute RGB differences (0..1 scale)."""

    width: int = 64
    height: int = 36
    cut_min: float = 0.06
    cut_ratio: float = 3.0
    window: int = 12
    flash_return: float = 0.4
    min_shot: int = 6
    half: int = 6
    gradual_min: float = 0.06
    linearity: float = 0.25
    min_run: int = 3
    black: BlackRules = field(default_factory=BlackRules)
    colour: ColourRules = field(default_factory=ColourRules)
    geometry: GeometryRules = field(default_factory=GeometryRules)


class FastDetector:
    """Own detector on small frames; the default on CPU."""

    NAME: ClassVar[str] = "fast"
    FINDS_GRADUAL: ClassVar[bool] = True

    def __init__(self, options: FastOptions | None = None) -> None:
        self.options = options or FastOptions()

    def detect(self, path: Path, asset: str, prefilter: str = "") -> Detection:
        size = FrameSize(self.options.width, self.options.height)
        frames = SmallFrames(path, size, asset=asset, prefilter=prefilter)
        signals = compute_signals(
            prefetch(frames, depth=2), self.options.half, self.options.colour, self.options.geometry
        )
        cuts, gradual = decide(signals, self.options)
        return Detection(signals.frames, cuts, gradual, frames.times)


def decide(signals: Signals, options: FastOptions) -> tuple[list[int], list[tuple[int, int]]]:
    """Cuts and gradual transitions from the signals (pure): cuts, dissolves and fades, then
    what only the colours and the geometry show (wipes, pushes)."""
    gradual = find_gradual(signals, options)
    cuts = drop_cuts_within(find_cuts(signals, options), gradual)
    cuts, gradual = merge_cuts_through_black(cuts, gradual, signals.luma, options.black)
    changes = colour_changes(signals.colour, signals.replaced, options.colour)
    gradual = sorted(gradual + unseen(changes, cuts, gradual, options.half))
    return with_geometry(
        cuts, gradual, signals.wipes, signals.pushes, options.geometry, options.half
    )


def find_cuts(signals: Signals, options: FastOptions) -> list[int]:
    d1 = signals.back[1]
    if len(d1) < 2:
        return []
    baseline = rolling_median(d1, options.window)
    candidates = np.flatnonzero((d1 >= options.cut_min) & (d1 >= options.cut_ratio * baseline))
    kept: list[int] = []
    for frame in candidates:
        if frame == 0 or _is_flash(signals, int(frame), options.flash_return):
            continue
        if kept and frame - kept[-1] < options.min_shot:
            if d1[frame] > d1[kept[-1]]:
                kept[-1] = int(frame)
            continue
        kept.append(int(frame))
    return kept


def find_gradual(signals: Signals, options: FastOptions) -> list[tuple[int, int]]:
    span, bend = signals.span, signals.bend
    linear = (span >= options.gradual_min) & (bend <= options.linearity * span)
    transitions = [
        _extent(signals.back[1], first, last, options.half)
        for first, last in runs(linear, options.min_run)
    ]
    return apply_conventions(transitions, signals.luma, options.black)


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Median of ``values`` over ``[i - window, i + window]`` (edges padded)."""
    padded = np.pad(values, window, mode="edge")
    return np.median(sliding_window_view(padded, 2 * window + 1), axis=1)


def _extent(d1: np.ndarray, first: int, last: int, half: int) -> tuple[int, int]:
    """Grow a run of linear centres to the first and last mixed frames."""
    active = 0.2 * float(np.median(d1[first : last + 1]))
    start = first
    while start > max(first - half - 2, 1) and d1[start - 1] > active:
        start -= 1
    end = last + 1
    while end < min(last + half + 3, len(d1)) and d1[end] > active:
        end += 1
    return start, max(start, end - 2)


def _is_flash(signals: Signals, frame: int, ratio: float) -> bool:
    """A flash, or the return from one: the picture before the jump is seen again close by.

    The picture before ``frame`` comes back within three frames, or ``frame`` shows again the
    picture of two to four frames earlier.
    """
    jump = ratio * signals.back[1][frame]
    comes_back = [
        signals.back[k][frame - 1 + k] for k in (2, 3, 4) if frame - 1 + k < signals.frames
    ]
    seen_before = [signals.back[k][frame] for k in (2, 3, 4) if frame - k >= 0]
    return min([*comes_back, *seen_before], default=jump) < jump
