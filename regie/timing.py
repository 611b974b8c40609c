"""Exact time and rate values: ``Fraction`` seconds, never floats, for frame-exact work.

Serialised as a decimal string when exact (``"118.04"``) and as ``"num/den"`` otherwise
(``"30000/1001"``), so JSON stays readable and round-trips without loss.

:data:`Seconds` is the one type of every time an artefact carries, instant or duration: shot
boundaries on a 1001-based frame grid and times from a model's floats alike. :data:`Rational`
is for rates and time bases, which are not times.
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


def parse_seconds(value: Any) -> Fraction:
    """Parse a time: ``"1001/30000"``, ``"118.04"``, or a JSON number from a manifest written
    before times were strings (a float is read as the decimal it prints as)."""
    if isinstance(value, bool):  # an int to Python, never a time
        raise ValueError(f"not a time in seconds: {value!r}")
    if isinstance(value, str) and ":" in value:  # "1:30" is a clock or a ratio, not 1/30 s
        raise ValueError(f"not a time in seconds: {value!r}")
    return parse_fraction(value)


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


Seconds = Annotated[
    Fraction,
    BeforeValidator(parse_seconds),
    PlainSerializer(format_fraction, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "Seconds, exact: a decimal, or num/den off the decimal grid.",
            "examples": ["118.04", "1001/30000"],
        }
    ),
]

MILLISECOND = 1000


def seconds(value: float, resolution: int = MILLISECOND) -> Fraction:
    """A model's float seconds as an exact time, rounded to ``1/resolution`` s (milliseconds:
    the resolution WebVTT and the subtitle engine work in), where it enters an artefact."""
    return Fraction(round(value * resolution), resolution)


def seconds_from_ms(ms: int) -> Fraction:
    """Integer milliseconds (the cue engine's unit) as an exact time."""
    return Fraction(ms, MILLISECOND)


def format_ratio(value: Fraction) -> str:
    """Aspect ratios the broadcast way: ``16:9``, ``1:1``."""
    return f"{value.numerator}:{value.denominator}"


AspectRatio = Annotated[
    Fraction,
    BeforeValidator(parse_fraction),
    PlainSerializer(format_ratio, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["16:9", "64:45"]}),
]
