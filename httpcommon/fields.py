"""Typed values for request and response models (pydantic v2). Each parses the way the handlers
did and states the store's limits in the generated document, so valid generated input is
accepted. A validator that refuses a value answers the error code the handler answered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError, PydanticUseDefault

from domain.common_errors import BAD_AMOUNT, BAD_DATE, BAD_FIELD, BAD_QUERY, MISSING_FIELD
from domain.errors import ErrorCode, Invalid
from domain.limits import ID_MAX, INT_MAX, INT_MIN, TEXT_MAX, check_text, whole
from domain.money import MAX_DIGITS, to_amount
from httpcommon.error_codes import BATCH_TOO_LARGE, MISSING_QUERY
from httpcommon.params import DIGITS, ISO_DATE, parse_date

# -- JSON Schemas of the shared values ------------------------------------------------------
ID = {"type": "integer", "minimum": 0, "maximum": ID_MAX}
MONEY = {"type": "string", "pattern": rf"^-?\d{{1,{MAX_DIGITS - 2}}}\.\d{{2}}$",
         "description": "CNY, 2 decimals"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
DATE_TIME = {"type": "string", "format": "date-time"}
KEY_TEXT = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[^\x00/]+$"}
POSITIVE_AMOUNT = {"type": "string", "description": "CNY, > 0", "pattern": (
    rf"^(0*[1-9]\d{{0,{MAX_DIGITS - 3}}}(\.\d{{1,2}})?"
    rf"|0{{1,{MAX_DIGITS - 2}}}\.(0[1-9]|[1-9]\d?))$")}
# Python's whitespace (str.strip, re's \s), spelled out: JSON Schema's \s leaves out \x1c-\x1f
SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = {"type": "string", "minLength": 1, "pattern": rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"}
# a money amount a caller gives: not negative, up to 2 decimals (to_amount also takes more)
MONEY_IN = {"type": "string", "pattern": r"^\d{1,14}(\.\d{1,2})?$", "description": "CNY"}


def path_text(max_len: int) -> dict:
    """The schema of a path segment the handler strips: not blank, no "/", at most ``max_len``."""
    return {"type": "string", "minLength": 1, "maxLength": max_len,
            "pattern": rf"^[^\x00/]*[^\x00/{SPACE}][^\x00/]*$"}


# the schema of each path parameter by name (a route may state others: Routes(path=...))
PATH_PARAMS = {
    "id": {**ID, "minimum": 1}, "link_id": {**ID, "minimum": 1},
    "task_id": {**ID, "minimum": 1}, "year": {"type": "integer", "minimum": 1, "maximum": 9999},
    "date": DATE,
}


# -- models ---------------------------------------------------------------------------------
class Code:
    """Field metadata: the error code a bad or missing value of this field answers, where the
    handler answered one code for both (a validator's own code still wins for a bad value)."""

    def __init__(self, code: ErrorCode):
        self.code = code


def _state_required(schema: dict, model: type) -> None:
    """The document requires ``model.documented_required`` too (see Body)."""
    names = getattr(model, "documented_required", ())
    if names:
        schema["required"] = [*schema.get("required", ()), *names]


class Body(BaseModel):
    """A request body. Unknown fields are ignored, as the handlers' ``body.get`` did; patterns
    are Python's ``re``, as the old hand-checked schemas were. ``documented_required``: fields
    the document requires although the parser lets them out (the use case refuses their
    absence with its own code)."""

    model_config = ConfigDict(regex_engine="python-re", extra="ignore",
                              json_schema_extra=_state_required)
    documented_required: ClassVar[tuple[str, ...]] = ()


class Query(Body):
    """The query string of a route: each field one parameter (a bad value answers bad_query)."""


class Reply(BaseModel):
    """A response body, for the document and the response test (handlers render view dicts)."""

    model_config = ConfigDict(regex_engine="python-re")


Item = TypeVar("Item")


class Items(Reply, Generic[Item]):
    """A list answer: ``{"items": [...]}``."""

    items: list[Item]


CODE_KEY = "error_code"  # where a refusal's context carries its ErrorCode


def bad(code: ErrorCode, message: str, **detail) -> PydanticCustomError:
    """A refusal a validator raises: ``code`` is the error the API answers, ``detail`` its
    error's detail; the context carries the code itself (``refused_code``)."""
    return PydanticCustomError(code.code, message, {**detail, CODE_KEY: code})


def refused_code(context: dict) -> tuple[ErrorCode | None, dict]:
    """The code a validator refused with (``bad``) and the error's detail without it."""
    detail = dict(context)
    return detail.pop(CODE_KEY, None), detail


# -- body values ----------------------------------------------------------------------------
def _present(value: Any) -> Any:
    if value is None:
        raise bad(MISSING_FIELD, "不能为空")
    return value


# before a field's own check: null answers missing_field, as a missing field does
NotNull = BeforeValidator(_present)


def anything(schema: dict) -> Any:
    """Any JSON value, read as the handler always did (``x is not False``); the document states
    ``schema``, what callers are meant to send."""
    return Annotated[Any, WithJsonSchema(schema)]


def _int(lo: int, hi: int):
    def parse(value: Any) -> int:
        value = whole(value)  # read_json reads every number with a point as a Decimal
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(BAD_FIELD, "必须是整数")
        if not lo <= value <= hi:
            raise bad(BAD_FIELD, f"必须在 {lo} 到 {hi} 之间")
        return value
    return parse


read_int = _int(INT_MIN, INT_MAX)  # for a validator reading an integer inside a value


def integer(lo: int = INT_MIN, hi: int = INT_MAX) -> Any:
    """A JSON integer (not a bool; 3.0 is one, as in JSON Schema) from ``lo`` to ``hi``."""
    return Annotated[int, PlainValidator(_int(lo, hi)),
                     WithJsonSchema({"type": "integer", "minimum": lo, "maximum": hi})]


Int = integer()
Id = integer(0, ID_MAX)


def _amount(value: Any) -> Decimal:
    try:
        return to_amount(value)
    except ValueError as exc:
        raise bad(BAD_AMOUNT, str(exc)) from None


Amount = Annotated[Decimal, PlainValidator(_amount), WithJsonSchema(MONEY)]
PositiveAmount = Annotated[Decimal, PlainValidator(_amount), WithJsonSchema(POSITIVE_AMOUNT)]


def _day(value: Any) -> date:
    """A date written YYYY-MM-DD (a bare number such as 20261105 is not one)."""
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise bad(BAD_DATE, f"必须是日期 YYYY-MM-DD: {value!r}"[:200]) from None


Day = Annotated[date, PlainValidator(_day), WithJsonSchema(DATE)]
Flag = Annotated[bool, Strict()]


def _text(max_len: int, default: str = ""):
    def parse(value: Any) -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            raise bad(BAD_FIELD, "必须是字符串")
        try:
            return check_text(value, "", max_len)
        except ValueError as exc:
            raise bad(BAD_FIELD, str(exc).strip()) from None
    return parse


def text(max_len: int = 2000, default: str = "") -> Any:
    """A text of at most ``max_len`` characters; null reads as ``default`` (as body_text did)."""
    return Annotated[str, PlainValidator(_text(max_len, default)),
                     WithJsonSchema({"type": "string", "maxLength": max_len})]


def not_blank(max_len: int) -> Any:
    """A required text the use case strips: the document says not blank (the use case checks
    it with its own code), at most ``max_len`` (a column's length)."""
    return Annotated[str, PlainValidator(_text(max_len)),
                     WithJsonSchema({**NOT_BLANK, "maxLength": max_len})]


def required_text(max_len: int) -> Any:
    """A text the handler strips and requires: blank (or null) answers missing_field."""
    check = _text(max_len)

    def parse(value: Any) -> str:
        value = check(value).strip()
        if not value:
            raise bad(MISSING_FIELD, "不能为空")
        return value
    return Annotated[str, PlainValidator(parse),
                     WithJsonSchema({**NOT_BLANK, "maxLength": max_len})]


def _strings(value: Any) -> tuple[str, ...]:
    value = value or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(BAD_FIELD, "必须是字符串数组")
    return tuple(value)


Strings = Annotated[tuple[str, ...], PlainValidator(_strings),
                    WithJsonSchema({"type": "array", "items": {"type": "string"}})]
# an id read with int_value (any stored integer; the use case finds none out of range):
# missing or not an integer, both bad_field
BodyId = Annotated[Int, WithJsonSchema(ID), Code(BAD_FIELD)]
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
    return _amount(value)


OptionalPositiveAmount = Annotated[Any, PlainValidator(_optional_amount),
                                   WithJsonSchema(POSITIVE_AMOUNT)]
# a list a handler read as ``body.get(name) or []``
OrEmpty = BeforeValidator(lambda value: value or [])


# -- batches --------------------------------------------------------------------------------
MAX_BATCH = 5000  # rows a batch may carry: keeps one request's transaction and memory bounded


def batch(row: Any, verb: str = "推送", **limits) -> Any:
    """A batch's ``items`` as the rows' own validation reads them (each bad row is rejected by
    index, not the batch); more than MAX_BATCH rows are refused (batch_too_large). ``row``: the
    JSON Schema of a row, or a type whose schema the document states as pydantic writes it."""
    def parse(value: Any) -> Any:
        if isinstance(value, list) and len(value) > MAX_BATCH:
            raise bad(BATCH_TOO_LARGE, f"每批最多 {MAX_BATCH} 行，请分批{verb}")
        return value
    if not isinstance(row, dict):
        return Annotated[Any, PlainValidator(parse, json_schema_input_type=list[row])]
    return Annotated[Any, PlainValidator(parse), WithJsonSchema({
        "type": "array", "maxItems": MAX_BATCH, "items": row, **limits})]


class BatchBody(Body):
    """A batch push ``{"items": [...]}`` (declare ``items: batch(row)``): the document requires
    items; the import refuses a missing one itself (bad_items)."""

    documented_required = ("items",)


# -- query values ---------------------------------------------------------------------------
def query_int(lo: int = 0, hi: int = 1000) -> Any:
    """An integer of ASCII digits from ``lo`` to ``hi``; empty means the field's default."""
    def parse(raw: str) -> int:
        if raw == "":
            raise PydanticUseDefault()
        if not DIGITS.fullmatch(raw):
            raise bad(BAD_QUERY, "必须是整数")
        if not lo <= int(raw) <= hi:
            raise bad(BAD_QUERY, f"必须在 {lo} 到 {hi} 之间")
        return int(raw)
    return Annotated[int, PlainValidator(parse),
                     WithJsonSchema({"type": "integer", "minimum": lo, "maximum": hi})]


def _query_day(raw: str) -> date:
    if raw == "":
        raise PydanticUseDefault()
    return _day(raw)


QueryDay = Annotated[date, PlainValidator(_query_day), WithJsonSchema(DATE)]
Limit = query_int(1, 500)
Offset = query_int(0, 10**9)


def query_text(max_len: int = TEXT_MAX, schema: dict | None = None) -> Any:
    """A query value of at most ``max_len`` characters (``schema``: what the document says)."""
    def parse(raw: str) -> str:
        if len(raw) > max_len:
            raise bad(BAD_QUERY, f"不能超过 {max_len} 个字符")
        return raw
    return Annotated[str, PlainValidator(parse),
                     WithJsonSchema(schema or {"type": "string", "maxLength": max_len})]


def query_choice(*choices: str) -> Any:
    """One of ``choices`` in the document; the use case refuses others with its own code, and an
    empty value means the field's default."""
    def parse(raw: str) -> str:
        if raw == "":
            raise PydanticUseDefault()
        return raw
    return Annotated[str, PlainValidator(parse), WithJsonSchema({"enum": list(choices)})]


class Period(Query):
    """A report's period: both ends required (a span over 366 days: the use case's bad_range)."""

    from_: Annotated[QueryDay, Field(alias="from", description="必填"), Code(MISSING_QUERY)]
    to: Annotated[QueryDay, Field(description="必填；跨度不超过 366 天"), Code(MISSING_QUERY)]


def _flag(raw: str) -> bool:
    return raw.lower() in {"1", "true", "yes"}


QueryFlag = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "string"})]
# ?atomic=1 and the like (1, true or yes is on, anything else off): the document says 0 or 1
OnOff = Annotated[QueryFlag, WithJsonSchema({"type": "string", "enum": ["0", "1"]})]


def query_raw(schema: dict) -> Any:
    """A query value handed on as sent (the use case checks it); the document states ``schema``."""
    return Annotated[str, WithJsonSchema(schema)]


# -- response values ------------------------------------------------------------------------
Money = Annotated[Decimal, WithJsonSchema(MONEY)]
OptionalMoney = Annotated[Decimal | None, WithJsonSchema({"anyOf": [MONEY, {"type": "null"}]})]
DayOut = Annotated[date, WithJsonSchema(DATE)]
Moment = Annotated[str, WithJsonSchema(DATE_TIME)]
# a secret of a response (a share URL, a token): null when an Idempotency-Key replays it
Secret = Annotated[str | None, Field(description="重放（Idempotency-Key）时为 null：密文不存储")]
OptionalMoment = Annotated[str | None, WithJsonSchema({"anyOf": [DATE_TIME, {"type": "null"}]})]
