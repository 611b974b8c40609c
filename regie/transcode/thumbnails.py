"""Scrubbing thumbnails as a WebVTT track over sprite sheets, and the poster's moment.

The ladder command writes the sprite sheets (one picture every few seconds, tiled); this module
writes the WebVTT that maps each interval to its tile (``sprite-0001.jpg#xywh=x,y,w,h``), the
convention players such as video.js, Shaka and JW Player read.
"""

from __future__ import annotations

from fractions import Fraction

from regie.artefacts import ShotList
from regie.transcode.command import SpriteSpec

SPRITE_NAME = "sprite-{:04d}.jpg"


def thumbnails_vtt(duration: Fraction, spec: SpriteSpec) -> str:
    """WebVTT cues, one per thumbnail, pointing into the sprite sheets (pure)."""
    per_sheet = spec.columns * spec.rows
    count = -(-duration // spec.interval_s)  # ceiling: the fps filter keeps a last partial interval
    lines = ["WEBVTT", ""]
    for index in range(int(count)):
        start = Fraction(index * spec.interval_s)
        end = min(duration, start + spec.interval_s)
        tile = index % per_sheet
        x, y = (tile % spec.columns) * spec.width, (tile // spec.columns) * spec.height
        sheet = SPRITE_NAME.format(index // per_sheet + 1)
        lines += [f"{_timestamp(start)} --> {_timestamp(end)}",
                  f"{sheet}#xywh={x},{y},{spec.width},{spec.height}", ""]  # fmt: skip
    return "\n".join(lines)


def sheets_needed(duration: Fraction, spec: SpriteSpec) -> int:
    """How many sprite sheets the ladder command writes for ``duration``."""
    count = -(-duration // spec.interval_s)
    return int(-(-count // (spec.columns * spec.rows)))


def poster_time(duration: Fraction, shots: ShotList | None) -> Fraction:
    """The middle of the longest shot (the programme's most representative picture), or 10% in."""
    if shots is None or not shots.shots:
        return duration / 10
    longest = max(shots.shots, key=lambda shot: shot.end - shot.start)
    return (longest.start + longest.end) / 2


def _timestamp(seconds: Fraction) -> str:
    millis = int(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
