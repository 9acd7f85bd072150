"""Field options the models of every context share (money columns, database defaults)."""

from __future__ import annotations

from decimal import Decimal

from domain import money

MONEY = {"max_digits": money.MAX_DIGITS, "decimal_places": 2}


def blank() -> dict:
    """An empty-string default, in the database too (rows already in and raw-SQL inserts)."""
    return {"default": "", "db_default": ""}


def zero() -> dict:
    """A 0.00 default, in the database too (rows already in and raw-SQL inserts)."""
    return {"default": Decimal("0.00"), "db_default": Decimal("0.00")}
