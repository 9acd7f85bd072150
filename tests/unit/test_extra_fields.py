"""The extra request values parse as the credit, payments, approvals, tier and mini-program
handlers did, and refuse with the same codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import pytest

from domain.common_errors import BAD_FIELD
from domain.errors import Invalid
from httpcommon.contract import validated
from httpcommon.fields import (
    MAX_BATCH,
    BatchBody,
    Body,
    BodyId,
    OnOff,
    OptionalDay,
    OptionalPositiveAmount,
    OrEmpty,
    Query,
    UnsignedAmount,
    batch,
)


class Change(Body):
    documented_required = ("number",)

    customer_id: BodyId
    total: UnsignedAmount
    number: str = ""
    valid_from: OptionalDay = None
    part: OptionalPositiveAmount = None
    picks: Annotated[list[int], OrEmpty] = []


class Push(BatchBody):
    items: batch({"type": "object"}) = None


class Flags(Query):
    atomic: OnOff = False


GOOD = {"customer_id": 3, "total": "10.00"}


def _code(model, data: dict) -> str:
    with pytest.raises(Invalid) as refused:
        validated(model, data, BAD_FIELD)
    return refused.value.code


def test_optional_values_read_null_and_empty_as_absent():
    body = validated(Change, {**GOOD, "valid_from": "", "part": "", "picks": None}, BAD_FIELD)
    assert (body.valid_from, body.part, body.picks) == (None, None, [])
    body = validated(Change, {**GOOD, "valid_from": "2026-11-05", "part": "1.5"}, BAD_FIELD)
    assert (body.valid_from, body.part, body.total) == (
        date(2026, 11, 5), Decimal("1.50"), Decimal("10.00"))


@pytest.mark.parametrize("change,code", [
    ({"customer_id": None}, "bad_field"),
    ({"customer_id": "3"}, "bad_field"),
    ({"total": "1.234"}, "bad_amount"),
    ({"valid_from": "20261105"}, "bad_date"),
    ({"part": "x"}, "bad_amount"),
])
def test_a_bad_value_answers_the_code_the_handler_answered(change, code):
    assert _code(Change, {**GOOD, **change}) == code


def test_a_missing_id_is_bad_field_as_body_int_said():
    assert _code(Change, {"total": "1.00"}) == "bad_field"


def test_the_document_requires_what_the_use_case_refuses_when_missing():
    assert Change.model_json_schema()["required"] == ["customer_id", "total", "number"]
    assert Push.model_json_schema()["required"] == ["items"]


def test_a_batch_passes_its_rows_through_and_refuses_too_many():
    assert validated(Push, {"items": [{"x": 1}, 2]}, BAD_FIELD).items == [{"x": 1}, 2]
    assert validated(Push, {}, BAD_FIELD).items is None  # the import answers bad_items
    assert _code(Push, {"items": [{}] * (MAX_BATCH + 1)}) == "batch_too_large"


@pytest.mark.parametrize("raw,on", [("1", True), ("yes", True), ("TRUE", True), ("0", False),
                                    ("", False), ("no", False)])
def test_a_query_flag_is_on_for_1_true_or_yes(raw, on):
    assert validated(Flags, {"atomic": raw}, "bad_query").atomic is on
