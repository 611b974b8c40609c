"""A catalogue of archive assets (CSV, Parquet or JSON lines, read with pandas), vetted row by row.

A row needs a ``uri``; ``title``, ``programme``, ``broadcast_date``, ``collection``, ``language``
and ``duration_s`` are optional. A row is invalid, with its reason, when its uri is missing, not
an archive URL, outside France, or a duplicate of an earlier row, or when its date does not
parse; the other rows go on.
"""

from __future__ import annotations

import fnmatch
import io
from collections.abc import Callable
from datetime import date
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from regie.audio_layout import PRESETS, parse_layout
from regie.errors import MediaError, PermanentError
from regie.fields import OptionalDate, OptionalText

READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".jsonl": pd.read_json}
OPTIONAL = (
    "title", "programme", "broadcast_date", "collection", "language", "duration_s", "audio_layout",
)  # fmt: skip


class CatalogueError(PermanentError):
    """A catalogue that cannot be read at all (the rows of a readable one are vetted one by one)."""


class CatalogueRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int
    uri: str
    title: str | None = None
    programme: str | None = None
    broadcast_date: date | None = None
    collection: str | None = None
    language: str | None = None
    duration_s: float | None = None
    audio_layout: str | None = Field(
        None, description="This master's audio tracks (a preset or a declaration), when the "
        "collection's layout is not the run's: 1+2:programme:fr,3+4:original:en.",
    )  # fmt: skip


class InvalidRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int
    uri: str | None
    reason: str


class RowFilter(BaseModel):
    """Which rows of the catalogue this backfill is about."""

    model_config = ConfigDict(frozen=True)

    date_from: OptionalDate = Field(None, description="First broadcast date; blank: any.")
    date_to: OptionalDate = Field(None, description="Last broadcast date; blank: any.")
    collection: OptionalText = Field(None, description="Only this collection; blank: every one.")
    glob: OptionalText = Field(
        None, description="Only object keys matching this glob, e.g. journaux/*/20h-*.mxf."
    )

    def keeps(self, row: CatalogueRow) -> bool:
        day = row.broadcast_date
        if (self.date_from or self.date_to) and day is None:
            return False
        if day and (
            (self.date_from and day < self.date_from) or (self.date_to and day > self.date_to)
        ):
            return False
        if self.collection and row.collection != self.collection:
            return False
        return not self.glob or fnmatch.fnmatchcase(urlsplit(row.uri).path.lstrip("/"), self.glob)


def read_catalogue(name: str, data: bytes) -> pd.DataFrame:
    """The catalogue's table, by the file's extension (.csv, .parquet, .jsonl)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in READERS:
        raise CatalogueError(
            name, f"unknown catalogue format {suffix!r}: use .csv, .parquet or .jsonl"
        )
    options: dict[str, Any] = {"lines": True} if suffix == ".jsonl" else {}
    options |= {"dtype": str} if suffix != ".parquet" else {}
    try:
        frame = READERS[suffix](io.BytesIO(data), **options)
    except (ValueError, OSError) as error:
        raise CatalogueError(name, f"cannot be read as {suffix} ({error})") from None
    if "uri" not in frame.columns:
        raise CatalogueError(
            name, f"no 'uri' column (columns: {', '.join(map(str, frame.columns))})"
        )
    return frame


def vet_rows(
    frame: pd.DataFrame, check_location: Callable[[str], None]
) -> tuple[list[CatalogueRow], list[InvalidRow]]:
    """Valid rows, and invalid ones with the reason; ``check_location`` raises for a URL abroad."""
    valid: list[CatalogueRow] = []
    invalid: list[InvalidRow] = []
    first_row: dict[str, int] = {}
    for number, record in enumerate(frame.to_dict("records"), start=1):
        uri = _text(record.get("uri"))
        reason = _why_invalid(uri, record, first_row, check_location)
        if reason:
            invalid.append(InvalidRow(row=number, uri=uri, reason=reason))
            continue
        assert uri is not None
        first_row[uri] = number
        fields = {name: _text(record.get(name)) for name in OPTIONAL}
        valid.append(CatalogueRow(row=number, uri=uri, **fields))
    return valid, invalid


def _why_invalid(
    uri: str | None, record: dict, first_row: dict[str, int], check_location: Callable[[str], None]
) -> str | None:
    if not uri:
        return "missing uri"
    if urlsplit(uri).scheme not in ("s3", "file"):
        return f"not an archive URL (s3:// or file://): {uri}"
    if uri in first_row:
        return f"duplicate of row {first_row[uri]}"
    try:
        check_location(uri)
    except MediaError as error:
        return error.message
    day = _text(record.get("broadcast_date"))
    if day and pd.isna(pd.to_datetime(day, errors="coerce", format="ISO8601")):
        return f"bad broadcast_date {day!r} (expected YYYY-MM-DD)"
    duration = _text(record.get("duration_s"))
    if duration and pd.isna(pd.to_numeric(duration, errors="coerce")):
        return f"bad duration_s {duration!r}"
    layout = _text(record.get("audio_layout"))
    if layout and layout not in PRESETS and layout != "auto":
        try:
            parse_layout(layout, uri)
        except PermanentError as error:
            return f"bad audio_layout: {error.message}"
    return None


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None
