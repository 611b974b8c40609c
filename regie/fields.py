"""Field types whose JSON schema reads well in a form (the Prefect UI's Custom-run form).

An optional field typed ``str | None`` has the schema ``anyOf [string, null]`` with a null
default, which a form shows as a choice between a text box and a "Property is type None" box.
These are one box instead (text, date, count), with no default: left blank (or omitted), the
value is None. For fields of models (options); a flow's own parameters get their schema from
Prefect, which keeps a null default.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _no_null_default(schema: dict[str, Any]) -> None:
    if "default" in schema and schema["default"] is None:
        del schema["default"]


def _optional(json_schema: dict[str, Any]) -> tuple[Any, ...]:
    return (
        BeforeValidator(_blank_is_none), WithJsonSchema(json_schema),
        Field(json_schema_extra=_no_null_default),
    )  # fmt: skip


OptionalText = Annotated[str | None, *_optional({"type": "string"})]
OptionalDate = Annotated[date | None, *_optional({"type": "string", "format": "date"})]
