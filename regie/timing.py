"""Exact time and rate values: ``Fraction`` seconds, never floats, for frame-exact work.

Serialised as a decimal string when exact (``"118.04"``) and as ``"num/den"`` otherwise
(``"30000/1001"``), so JSON stays readable and round-trips without loss.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema


def parse_fraction(value: Any) -> Fraction:
    """Parse ``"30000/1001"``, ``"118.040000"``, ``"16:9"``, ints or Fractions."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    text = str(value).strip().replace(":", "/")
    return Fraction(text)


def format_fraction(value: Fraction) -> str:
    """Shortest exact text for ``value``."""
    scaled = value * 10**6
    if scaled.denominator == 1:
        text = f"{value.numerator / value.denominator:.6f}".rstrip("0").rstrip(".")
        if Fraction(text) == value:
            return text
    return f"{value.numerator}/{value.denominator}"


Rational = Annotated[
    Fraction,
    BeforeValidator(parse_fraction),
    PlainSerializer(format_fraction, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["30000/1001", "118.04"]}),
]


def format_ratio(value: Fraction) -> str:
    """Aspect ratios the broadcast way: ``16:9``, ``1:1``."""
    return f"{value.numerator}:{value.denominator}"


AspectRatio = Annotated[
    Fraction,
    BeforeValidator(parse_fraction),
    PlainSerializer(format_ratio, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["16:9", "64:45"]}),
]
