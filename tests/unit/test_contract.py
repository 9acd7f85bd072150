"""A route's body and query types parse as the handlers did and refuse with the same codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import pytest
from pydantic import PlainValidator
from pydantic_core import PydanticCustomError

from domain.common_errors import BAD_FIELD, BAD_QUERY, BAD_STATUS
from domain.errors import ErrorCode, Invalid
from httpcommon.contract import validated
from httpcommon.fields import (
    Body,
    Code,
    Day,
    Flag,
    Id,
    NotNull,
    PositiveAmount,
    Query,
    query_int,
    text,
)


class Receipt(Body):
    customer_id: Annotated[Id, NotNull]
    on: Day
    amount: PositiveAmount
    note: text(10) = ""
    urgent: Annotated[Flag, Code(BAD_STATUS)] = False


class Page(Query):
    limit: query_int(1, 500) = 50


def _code(model, data: dict, default: ErrorCode = BAD_FIELD) -> str:
    with pytest.raises(Invalid) as refused:
        validated(model, data, default)
    return refused.value.code


GOOD = {"customer_id": 7, "on": "2026-11-05", "amount": "12.50"}


def test_a_valid_body_is_typed_and_extra_fields_are_ignored():
    body = validated(Receipt, {**GOOD, "note": None, "other": 1}, BAD_FIELD)
    assert (body.customer_id, body.on, body.amount, body.note) == (
        7, date(2026, 11, 5), Decimal("12.50"), "")


def test_a_number_with_a_zero_fraction_is_an_integer_and_a_bool_is_not():
    assert validated(Receipt, {**GOOD, "customer_id": Decimal("7.0")}, BAD_FIELD).customer_id == 7
    assert _code(Receipt, {**GOOD, "customer_id": True}) == "bad_field"


@pytest.mark.parametrize("change,code", [
    ({"customer_id": None}, "missing_field"),
    ({"customer_id": "7"}, "bad_field"),
    ({"on": "20261105"}, "bad_date"),
    ({"amount": 1.5}, "bad_amount"),
    ({"amount": "1.234"}, "bad_amount"),
    ({"note": "x" * 11}, "bad_field"),
    ({"urgent": "yes"}, "bad_status"),
])
def test_a_bad_value_answers_the_code_the_handler_answered(change, code):
    assert _code(Receipt, {**GOOD, **change}) == code


def test_a_missing_field_answers_missing_field():
    assert _code(Receipt, {"customer_id": 1, "on": "2026-11-05"}) == "missing_field"


def test_a_query_value_is_read_from_text_and_empty_means_the_default():
    assert validated(Page, {"limit": ""}, BAD_QUERY).limit == 50
    assert validated(Page, {"limit": "20"}, BAD_QUERY).limit == 20
    assert _code(Page, {"limit": "²"}, BAD_QUERY) == "bad_query"
    assert _code(Page, {"limit": "501"}, BAD_QUERY) == "bad_query"


def _odd(value: object) -> object:
    raise PydanticCustomError("odd", "不认识")  # a custom refusal not made by fields.bad


class Odd(Body):
    value: Annotated[object, PlainValidator(_odd)]


def test_a_custom_refusal_without_a_declared_code_answers_the_default_code():
    assert _code(Odd, {"value": 1}) == "bad_field"
