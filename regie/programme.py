"""Where the programme lies in a master, and how every stage reads only that part.

A digitised tape opens on a leader (colour bars and line-up tone, black, a slate) and may run out
on black; the probe finds them (:mod:`regie.leader`) and records the programme's frames. Every
stage that decodes the master then opens it with the same input options, ``-ss`` and ``-t`` before
``-i``: ffmpeg decodes from the keyframe before ``-ss`` and drops every frame (and audio sample)
before it and from ``-ss + -t`` on, so the programme's first frame is frame 0 of whatever the stage
makes, and its times are programme times.
"""

from __future__ import annotations

import math
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from regie.timing import Seconds

MICROSECOND = 10**6


class TimeSpan(BaseModel):
    """A stretch of the master, ``[start, end)`` in seconds from its first frame."""

    model_config = ConfigDict(frozen=True)

    start: Seconds
    end: Seconds

    @property
    def duration(self) -> Fraction:
        return self.end - self.start


class ProgrammeRange(BaseModel):
    """The programme's frames in the master, once a leader or tail black is left out."""

    model_config = ConfigDict(frozen=True)

    first_frame: int = Field(description="The master's frame where the programme starts.")
    frames: int = Field(description="Frames of programme.")
    start: Seconds = Field(description="Seconds into the master of the first frame.")
    end: Seconds = Field(description="Seconds into the master just after the last frame.")

    @property
    def duration(self) -> Fraction:
        return self.end - self.start


class LeaderEvidence(BaseModel):
    """What each ffmpeg detector found in an analysed stretch (seconds into the master)."""

    model_config = ConfigDict(frozen=True)

    analysed: TimeSpan
    bars: list[TimeSpan] = Field(
        description="signalstats: columns repeated down the picture, saturated, full luma swing."
    )
    tone: list[TimeSpan] = Field(description="astats: a pure line-up tone at alignment level.")
    black: list[TimeSpan] = Field(description="blackdetect.")
    still: list[TimeSpan] = Field(description="freezedetect: a frozen picture (a slate...).")
    silence: list[TimeSpan] = Field(description="silencedetect.")


class LeaderReport(BaseModel):
    """The probe's decision about head leader and tail black, and the evidence behind it."""

    model_config = ConfigDict(frozen=True)

    head: TimeSpan | None = Field(description="The head leader: bars and tone, black, slate.")
    tail: TimeSpan | None = Field(description="Black and silence after the programme.")
    trimmed: bool = Field(description="The published programme leaves them out.")
    reason: str = Field(description="Why: which detector found what.")
    opening: LeaderEvidence | None = Field(None, description="The head as analysed.")
    closing: LeaderEvidence | None = Field(None, description="The end as analysed.")


def seek_options(programme: ProgrammeRange | TimeSpan | None) -> dict[str, str]:
    """ffmpeg input options reading only the programme or a span (``{}``: the whole master),
    for ffmpeg-python's ``input(path, **options)``.

    Both times are rounded down to the microsecond: ``-ss`` then lands at most 1 µs before the
    first frame (kept, as the one before it is dropped) and ``-t`` ends at most 1 µs before the
    frame after the last one (dropped, as the last one is kept).
    """
    if programme is None:
        return {}
    start, end = _floor_us(programme.start), _floor_us(programme.end)
    return {"ss": f"{float(start):.6f}", "t": f"{float(end - start):.6f}"}


def seek_argv(programme: ProgrammeRange | TimeSpan | None) -> list[str]:
    """:func:`seek_options` as arguments to place before ``-i``."""
    return [arg for key, value in seek_options(programme).items() for arg in (f"-{key}", value)]


def _floor_us(seconds: Fraction) -> Fraction:
    return Fraction(math.floor(seconds * MICROSECOND), MICROSECOND)


def programme_input(programme: ProgrammeRange | None) -> dict[str, str]:
    """The stage-key input naming the frames a stage reads; none for the whole master, so the
    keys of masters without a leader stay what they were."""
    if programme is None:
        return {}
    return {"programme": f"frames {programme.first_frame}+{programme.frames}"}
