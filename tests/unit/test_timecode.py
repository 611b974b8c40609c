"""SMPTE timecodes, including drop-frame at 29.97 and 59.94 fps."""

from __future__ import annotations

from fractions import Fraction

import pytest

from regie.shots.timecode import timecode

NTSC = Fraction(30000, 1001)


@pytest.mark.parametrize(
    ("frames", "rate", "expected"),
    [
        (0, Fraction(25), "00:00:00:00"),
        (2955, Fraction(25), "00:01:58:05"),
        (90000, Fraction(25), "01:00:00:00"),
        (1799, NTSC, "00:00:59;29"),
        (1800, NTSC, "00:01:00;02"),  # frames 00 and 01 of minute 1 are skipped
        (17982, NTSC, "00:10:00;00"),  # but not at minute 10
        (107892, NTSC, "01:00:00;00"),
        (3600, Fraction(60000, 1001), "00:01:00;04"),
        (240, Fraction(24000, 1001), "00:00:10:00"),  # 23.976 is never drop-frame
    ],
)
def test_timecode(frames: int, rate: Fraction, expected: str) -> None:
    assert timecode(frames, rate) == expected
