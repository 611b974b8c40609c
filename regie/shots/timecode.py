"""SMPTE timecodes through OpenTimelineIO: drop-frame at 29.97 and 59.94 fps as editors expect.

Frame counts are at the nominal rate and offset by the master's start timecode (10:00:00:00 on
most broadcast masters), so every timecode Régie writes is one an editor finds in the master.
"""

from __future__ import annotations

from fractions import Fraction

from opentimelineio import opentime

from regie.programme import ProgrammeRange


def is_drop_frame(rate: Fraction) -> bool:
    return rate.denominator == 1001 and round(rate) in (30, 60)


def timecode(frames: int, rate: Fraction) -> str:
    """``HH:MM:SS:FF`` (``HH:MM:SS;FF`` in drop-frame) of a frame count at ``rate``."""
    return opentime.to_timecode(opentime.RationalTime(frames, float(rate)), float(rate))


def frames_of(text: str | None, rate: Fraction) -> int:
    """Frame count of a timecode (``;`` or ``.`` before the frames in drop-frame); 0 for None."""
    if not text:
        return 0
    return round(opentime.from_timecode(text.replace(".", ";"), float(rate)).value)


def frame_at(seconds: Fraction, rate: Fraction) -> int:
    """Nearest frame count at ``rate`` to a time in seconds."""
    return round(seconds * rate)


def timecode_at(seconds: Fraction, rate: Fraction, start: str | None = None) -> str:
    """Timecode of the frame shown at ``seconds``, counted from the master's ``start``."""
    return timecode(frames_of(start, rate) + frame_at(seconds, rate), rate)


def programme_timecode(
    start: str | None, rate: Fraction, programme: ProgrammeRange | None
) -> str | None:
    """The master's timecode at the programme's first frame (``start`` when nothing is cut)."""
    if programme is None or not programme.first_frame:
        return start
    return timecode(frames_of(start, rate) + programme.first_frame, rate)
