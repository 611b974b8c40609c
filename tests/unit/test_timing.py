"""Exact times and rates survive a JSON round trip in a readable form."""

from __future__ import annotations

from fractions import Fraction

import pytest

from regie.timing import format_fraction, format_ratio, parse_fraction


@pytest.mark.parametrize(
    ("text", "value", "shown"),
    [
        ("30000/1001", Fraction(30000, 1001), "30000/1001"),
        ("25/1", Fraction(25), "25"),
        ("118.040000", Fraction(11804, 100), "118.04"),
        ("1.075000", Fraction(43, 40), "1.075"),
        ("0.000000", Fraction(0), "0"),
        ("24.023333", Fraction(24023333, 10**6), "24.023333"),
        ("16:11", Fraction(16, 11), "16/11"),
    ],
)
def test_parse_and_format(text: str, value: Fraction, shown: str) -> None:
    assert parse_fraction(text) == value
    assert format_fraction(value) == shown
    assert parse_fraction(format_fraction(value)) == value


def test_aspect_ratios_use_a_colon() -> None:
    assert format_ratio(Fraction(16, 9)) == "16:9"
    assert parse_fraction("64:45") == Fraction(64, 45)
