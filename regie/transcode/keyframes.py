"""Where every rendition puts an IDR frame: a fixed grid plus every shot cut.

The same list of times goes to every encoder (``-force_key_frames``) with the encoders' own
scene-cut detection off, so renditions switch cleanly at any segment boundary and a shot never
starts in the middle of a GOP. Times are exact fractions, written with microsecond precision and
rounded down to the frame that carries them, as ffmpeg picks the first frame at or after a time.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from fractions import Fraction

from regie.timing import format_fraction

KEYFRAME_INTERVAL = Fraction(2)
MIN_GAP = Fraction(1, 2)


def keyframe_times(
    duration: Fraction,
    cuts: Iterable[Fraction],
    frame_rate: Fraction,
    interval: Fraction = KEYFRAME_INTERVAL,
    min_gap: Fraction = MIN_GAP,
) -> list[Fraction]:
    """Grid times every ``interval`` and the cut times, snapped to frames, sorted, unique (pure).

    A grid time closer than ``min_gap`` to a cut is dropped: the cut's IDR serves instead, rather
    than a GOP of a few frames.

    Args:
        duration: Length of the video in seconds.
        cuts: Start times of shots after the first.
        frame_rate: Output frame rate, to snap times onto frame starts.
        interval: Grid spacing (Apple asks for an IDR every 2 s).
        min_gap: Grid times this close to a cut are dropped.
    """
    frame = 1 / frame_rate
    cut_times = sorted({_snap(t, frame) for t in cuts if 0 < t < duration})
    grid = (interval * k for k in range(int(duration / interval) + 1))
    kept = {
        _snap(t, frame)
        for t in grid
        if t == 0 or (t < duration and _distance(t, cut_times) >= min_gap)
    }
    return sorted(kept.union(cut_times))


def force_key_frames_arg(times: list[Fraction]) -> str:
    """The value of ffmpeg's ``-force_key_frames``: seconds rounded down to the microsecond.

    Rounding down keeps a time at or before its frame (29.97 fps times are not decimal), and the
    frame before is a whole frame earlier, so the key frame lands on the intended frame.
    """
    return ",".join(format_fraction(Fraction(math.floor(t * 10**6), 10**6)) for t in times)


def _distance(time: Fraction, sorted_times: list[Fraction]) -> Fraction:
    """Distance from ``time`` to the nearest of ``sorted_times`` (infinite when there is none)."""
    at = bisect.bisect_left(sorted_times, time)
    near = sorted_times[max(0, at - 1) : at + 1]
    return min((abs(time - t) for t in near), default=Fraction(10**9))


def _snap(time: Fraction, frame: Fraction) -> Fraction:
    return Fraction(round(time / frame)) * frame
