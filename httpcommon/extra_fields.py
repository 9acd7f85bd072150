"""More typed values and declaration helpers for the routes of credit, payments, approvals,
tiers and the mini-program (beside httpcommon.fields, in the same style)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, PlainValidator, WithJsonSchema

from domain.errors import Invalid
from httpcommon.fields import Amount, bad
from httpcommon.params import parse_date

# a money amount a caller gives: not negative, up to 2 decimals (to_amount also takes more)
MONEY_IN = {"type": "string", "pattern": r"^\d{1,14}(\.\d{1,2})?$", "description": "CNY"}
UnsignedAmount = Annotated[Amount, WithJsonSchema(MONEY_IN)]


def _optional_day(value: Any) -> date | None:
    """None for null or "", else a date written YYYY-MM-DD."""
    if value is None or value == "":
        return None
    try:
        return parse_date(value, "")
    except Invalid as exc:
        raise bad(exc.code, exc.message.strip()) from None


OptionalDay = Annotated[date | None, PlainValidator(_optional_day),
                        WithJsonSchema({"type": "string", "format": "date",
                                        "pattern": r"^\d{4}-\d{2}-\d{2}$"})]


def required_too(*names: str):
    """``json_schema_extra``: the document lists ``names`` as required though the parser lets
    them default, because the use case refuses a missing one with its own error code."""
    def extra(schema: dict) -> None:
        required = schema.setdefault("required", [])
        required.extend(name for name in names if name not in required)
    return extra


def also(status: int, model: type[BaseModel], description: str) -> dict:
    """A second documented answer of a route (``responses=``) with the same body ``model``."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {str(status): {"description": description,
                          "content": {"application/json": {"schema": ref}}}}
