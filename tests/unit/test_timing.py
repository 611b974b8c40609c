"""Exact times and rates survive a JSON round trip in a readable form."""

from __future__ import annotations

from fractions import Fraction

import pytest
from pydantic import BaseModel, ValidationError

from regie.timing import (
    Seconds,
    format_fraction,
    format_ratio,
    parse_fraction,
    seconds,
    seconds_from_ms,
)


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


class _Timed(BaseModel):
    at: Seconds
    ranges: list[tuple[Seconds, Seconds]] = []


@pytest.mark.parametrize(
    ("value", "exact", "written"),
    [
        (Fraction(1001, 30000), Fraction(1001, 30000), "1001/30000"),
        (Fraction(11804, 100), Fraction(11804, 100), "118.04"),
        ("7007/24000", Fraction(7007, 24000), "7007/24000"),
        (12, Fraction(12), "12"),
    ],
)
def test_seconds_round_trip_exactly(value: object, exact: Fraction, written: str) -> None:
    timed = _Timed(at=value)
    assert timed.at == exact
    assert timed.model_dump(mode="json")["at"] == written
    assert _Timed.model_validate_json(timed.model_dump_json()).at == exact


def test_seconds_read_manifests_written_with_json_numbers() -> None:
    """Transcripts and tags were float seconds: their old manifests still load, exactly as
    the decimals they print as."""
    old = _Timed.model_validate_json('{"at": 118.04, "ranges": [[0.0, 12.345], [60, 90.5]]}')
    assert old.at == Fraction(11804, 100)
    assert old.ranges == [(0, Fraction(12345, 1000)), (60, Fraction(181, 2))]
    assert old.model_dump(mode="json") == {
        "at": "118.04",
        "ranges": [["0", "12.345"], ["60", "90.5"]],
    }


@pytest.mark.parametrize("value", ["1:30", True, "soon", float("nan")])
def test_seconds_refuse_what_is_not_a_time(value: object) -> None:
    with pytest.raises(ValidationError):
        _Timed(at=value)


def test_seconds_schema_is_a_string() -> None:
    schema = _Timed.model_json_schema()["properties"]["at"]
    assert schema["type"] == "string"


def test_model_floats_become_exact_milliseconds() -> None:
    assert seconds(12.3456) == Fraction(12346, 1000)
    assert seconds(0.1 + 0.2) == Fraction(3, 10)  # the float's error does not survive
    assert seconds(2.53, resolution=25) == Fraction(63, 25)  # to the frame at 25 fps
    assert seconds_from_ms(1920) == Fraction(48, 25)
