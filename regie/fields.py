"""Field types whose JSON schema reads well in a form (the Prefect UI's Custom-run and block forms).

An optional field typed ``X | None`` has the schema ``anyOf [X, null]`` with a null default,
which a form shows as a choice between X's box and a "Property is type None" box. ``Blankable[X]``
is X's box alone (a text box, a date, a block picker), with no default: left blank (or omitted),
the value is None. For fields of models (options, blocks); a flow's own parameters get their
schema from Prefect, which keeps a null default.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

T = TypeVar("T")


class _WithoutNull:
    """The JSON schema of ``X | None`` is X's; the value may still be None."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        kept = [branch for branch in json_schema.pop("anyOf", []) if branch != {"type": "null"}]
        if len(kept) > 1:
            return {**json_schema, "anyOf": kept}
        return {**json_schema, **(kept[0] if kept else {})}


def _no_null_default(schema: dict[str, Any]) -> None:
    if "default" in schema and schema["default"] is None:
        del schema["default"]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Blankable = Annotated[T | None, _WithoutNull(), Field(json_schema_extra=_no_null_default)]
OptionalText = Annotated[Blankable[str], BeforeValidator(_blank_is_none)]
OptionalDate = Annotated[Blankable[date], BeforeValidator(_blank_is_none)]
