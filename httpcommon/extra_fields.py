"""More typed request values for the routes of credit, payments, approvals, tiers and the
mini-program (beside httpcommon.fields, in the same style)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainValidator, WithJsonSchema

from domain.common_errors import BAD_AMOUNT, BAD_DATE, BAD_FIELD
from domain.errors import Invalid
from domain.money import to_amount
from httpcommon.error_codes import BATCH_TOO_LARGE
from httpcommon.fields import ID, POSITIVE_AMOUNT, Amount, Body, Code, Int, QueryFlag, bad
from httpcommon.params import parse_date

# an id read with int_value (any stored integer; the use case finds none out of range):
# missing or not an integer, both bad_field
BodyId = Annotated[Int, WithJsonSchema(ID), Code(BAD_FIELD)]

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
        raise bad(BAD_DATE, exc.message.strip()) from None


OptionalDay = Annotated[date | None, PlainValidator(_optional_day),
                        WithJsonSchema({"type": "string", "format": "date",
                                        "pattern": r"^\d{4}-\d{2}-\d{2}$"})]


def _optional_amount(value: Any):
    """None for null or "", else an amount (bad_amount)."""
    if value is None or value == "":
        return None
    try:
        return to_amount(value)
    except ValueError as exc:
        raise bad(BAD_AMOUNT, str(exc)) from None


OptionalPositiveAmount = Annotated[Any, PlainValidator(_optional_amount),
                                   WithJsonSchema(POSITIVE_AMOUNT)]
# a list a handler read as ``body.get(name) or []``
OrEmpty = BeforeValidator(lambda value: value or [])


# ?atomic=1 and the like (1, true or yes is on, anything else off): the document says 0 or 1
OnOff = Annotated[QueryFlag, WithJsonSchema({"type": "string", "enum": ["0", "1"]})]


MAX_BATCH = 5000  # rows a batch may carry: keeps one request's transaction and memory bounded


def batch(row: dict, verb: str = "推送", **limits) -> Any:
    """A batch's ``items`` as the rows' own validation reads them (each bad row is rejected by
    index, not the batch); more than MAX_BATCH rows are refused (batch_too_large)."""
    def parse(value: Any) -> Any:
        if isinstance(value, list) and len(value) > MAX_BATCH:
            raise bad(BATCH_TOO_LARGE, f"每批最多 {MAX_BATCH} 行，请分批{verb}")
        return value
    return Annotated[Any, PlainValidator(parse), WithJsonSchema({
        "type": "array", "maxItems": MAX_BATCH, "items": row, **limits})]


class BatchBody(Body):
    """A batch push ``{"items": [...]}`` (declare ``items: batch(row)``): the document requires
    items; the import refuses a missing one itself (bad_items)."""

    documented_required = ("items",)
