"""SMPTE timecodes from frame counts, drop-frame for 29.97 and 59.94 fps as editors expect."""

from __future__ import annotations

from fractions import Fraction


def is_drop_frame(rate: Fraction) -> bool:
    return rate.denominator == 1001 and round(rate) in (30, 60)


def timecode(frames: int, rate: Fraction) -> str:
    """``HH:MM:SS:FF`` (``HH:MM:SS;FF`` in drop-frame) of a frame count at ``rate``."""
    nominal = round(rate)
    if is_drop_frame(rate):
        frames = _drop_frame_number(frames, nominal)
    ff = frames % nominal
    ss = frames // nominal % 60
    mm = frames // (nominal * 60) % 60
    hh = frames // (nominal * 3600)
    separator = ";" if is_drop_frame(rate) else ":"
    return f"{hh:02d}:{mm:02d}:{ss:02d}{separator}{ff:02d}"


def frames_of(text: str | None, rate: Fraction) -> int:
    """Frame count of a timecode ``HH:MM:SS:FF`` (``;`` or ``.`` before FF in drop-frame)."""
    if not text:
        return 0
    hh, mm, ss, ff = (int(part) for part in text.replace(";", ":").replace(".", ":").split(":"))
    nominal = round(rate)
    frames = ((hh * 60 + mm) * 60 + ss) * nominal + ff
    if is_drop_frame(rate):
        dropped = 2 if nominal == 30 else 4
        minutes = hh * 60 + mm
        frames -= dropped * (minutes - minutes // 10)
    return frames


def frame_at(seconds: Fraction, rate: Fraction) -> int:
    """Nearest frame count at ``rate`` to a time in seconds."""
    return round(seconds * rate)


def timecode_at(seconds: Fraction, rate: Fraction, start: str | None = None) -> str:
    """Timecode of the frame shown at ``seconds``, counted from the master's ``start``."""
    return timecode(frames_of(start, rate) + frame_at(seconds, rate), rate)


def _drop_frame_number(frames: int, nominal: int) -> int:
    """Add the frame numbers skipped at each minute except every tenth (SMPTE 12M)."""
    dropped = 2 if nominal == 30 else 4
    per_ten_minutes = nominal * 600 - dropped * 9
    per_minute = nominal * 60 - dropped
    tens, rest = divmod(frames, per_ten_minutes)
    skipped = dropped * 9 * tens
    if rest > dropped:
        skipped += dropped * ((rest - dropped) // per_minute)
    return frames + skipped
