"""What the store can hold, read from the model fields: integer ranges and column lengths.
Input beyond them is refused where it is parsed, never handed to the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tortoise import fields

_INT = fields.IntField().constraints
INT_MIN, INT_MAX = _INT["ge"], _INT["le"]
ID_MAX = INT_MAX  # every primary key is an IntField
TEXT_MAX = 200  # a free-text query value no column is longer than this


def whole(value: Any) -> Any:
    """``value`` as an int when it is a number with a zero fraction (``Decimal("3.0")``, as the
    JSON body reader gives it): JSON Schema's integer includes 3.0. Anything else unchanged."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def column_length(model, name: str) -> int:
    """The ``max_length`` of ``model``'s text column ``name``."""
    return model._meta.fields_map[name].max_length


def check_text(value: str, name: str, max_len: int) -> str:
    """``value`` when it fits ``max_len`` characters and holds no NUL (PostgreSQL refuses it)."""
    if "\x00" in value:
        raise ValueError(f"{name} 不能包含 NUL 字符")
    if len(value) > max_len:
        raise ValueError(f"{name} 不能超过 {max_len} 个字符")
    return value
