"""Pure pricing rules (seed 004, 销售调价): price tables, the price in force, bill amounts,
and the calendar of billing periods. Plain values and Decimals in, decisions out.

Tier boundaries: a tier ``{"up_to": N}`` is inclusive — a quantity q belongs to the first tier
with q <= up_to; the last tier has ``up_to`` null (no ceiling).
- uniform (统一价): one tier, one price for every unit.
- stage (阶段价, "volume"): the whole quantity at the price of the tier the total reaches.
- tiered (阶梯价, "graduated"): each slice (previous up_to, up_to] at its own tier's price.
The amount is computed exactly and rounded half-up to 0.01 once, at the end.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.limits import whole
from domain.money import round_amount

UNIFORM, STAGE, TIERED = "uniform", "stage", "tiered"
PRICE_TYPES = (UNIFORM, STAGE, TIERED)
PRICE_TYPE_LABELS = {UNIFORM: "统一价", STAGE: "阶段价", TIERED: "阶梯价"}
PRICE_PLACES = 6  # seed 004, V19: unit prices have up to six decimals
MAX_PRICE = Decimal("1000000")
PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class PriceTableError(ValueError):
    """A price table that cannot be used; the message is for the person who wrote it."""


@dataclass(frozen=True)
class Tier:
    up_to: int | None  # inclusive upper bound; None = no ceiling (last tier)
    price: Decimal


def parse_price(value: object) -> Decimal:
    """A unit price: a string or integer (never a float), >= 0, at most six decimals."""
    if isinstance(value, bool) or isinstance(value, float):
        raise PriceTableError(f"单价必须是字符串或整数: {value!r}")
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise PriceTableError(f"单价不是数字: {value!r}") from None
    if not price.is_finite() or price < 0 or price >= MAX_PRICE:
        raise PriceTableError(f"单价必须在 0 到 {MAX_PRICE} 之间: {value!r}")
    if price != price.quantize(Decimal(1).scaleb(-PRICE_PLACES)):
        raise PriceTableError(f"单价最多 {PRICE_PLACES} 位小数: {value!r}")
    return price


def _up_to(value: object, index: int) -> int | None:
    if value is None:
        return None
    value = whole(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PriceTableError(f"第 {index + 1} 档 up_to 必须是正整数或 null: {value!r}")
    return value


def parse_tiers(price_type: str, raw: object) -> tuple[Tier, ...]:
    """Validate a stored or submitted table; raises PriceTableError saying what is wrong."""
    if price_type not in PRICE_TYPES:
        raise PriceTableError(f"价格类型必须是 {'/'.join(PRICE_TYPES)}: {price_type!r}")
    if not isinstance(raw, list) or not raw:
        raise PriceTableError("tiers 必须是非空数组")
    tiers = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) - {"up_to", "price"} or "price" not in item:
            raise PriceTableError(f"第 {index + 1} 档必须是 {{\"up_to\", \"price\"}}")
        tiers.append(Tier(_up_to(item.get("up_to"), index), parse_price(item["price"])))
    _check_order(tiers)
    if price_type == UNIFORM and len(tiers) != 1:
        raise PriceTableError("统一价只能有一档（up_to 为 null）")
    return tuple(tiers)


def _check_order(tiers: Sequence[Tier]) -> None:
    if tiers[-1].up_to is not None:
        raise PriceTableError("最后一档 up_to 必须为 null（无上限）")
    bounds = [t.up_to for t in tiers[:-1]]
    if any(b is None for b in bounds):
        raise PriceTableError("只有最后一档可以没有上限")
    if any(later <= earlier  # type: ignore[operator]  # no None left: checked just above
           for earlier, later in zip(bounds, bounds[1:], strict=False)):
        raise PriceTableError("各档 up_to 必须严格递增")


def tiers_json(tiers: Iterable[Tier]) -> list[dict[str, Any]]:
    """A table as stored and shown: prices as strings with six decimals."""
    return [{"up_to": t.up_to, "price": f"{t.price:.{PRICE_PLACES}f}"} for t in tiers]


def stage_price(tiers: Sequence[Tier], quantity: int) -> Decimal:
    """The price of the first tier whose up_to the quantity does not exceed."""
    for tier in tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return tier.price
    return tiers[-1].price


@dataclass(frozen=True)
class Slice:
    """The part of a 阶梯价 quantity one tier prices: units ``first``..``last`` of the tier."""
    first: int
    last: int | None  # the tier's up_to; None = no ceiling
    quantity: int
    price: Decimal

    @property
    def amount(self) -> Decimal:
        """Exact; only the bill's total is rounded."""
        return self.price * self.quantity


def tier_slices(tiers: Sequence[Tier], quantity: int) -> tuple[Slice, ...]:
    """阶梯价: each tier the quantity reaches, with the units it prices."""
    slices, floor = [], 0
    for tier in tiers:
        ceiling = quantity if tier.up_to is None else min(quantity, tier.up_to)
        if ceiling > floor:
            slices.append(Slice(floor + 1, tier.up_to, ceiling - floor, tier.price))
        if tier.up_to is None or quantity <= tier.up_to:
            break
        floor = tier.up_to
    return tuple(slices)


def exact_amount(price_type: str, tiers: Sequence[Tier], quantity: int) -> Decimal:
    if quantity < 0:
        raise ValueError("quantity must be >= 0")
    if price_type in (UNIFORM, STAGE):
        return stage_price(tiers, quantity) * quantity
    return sum((s.amount for s in tier_slices(tiers, quantity)), Decimal(0))


def bill_amount(price_type: str, tiers: Sequence[Tier], quantity: int) -> Decimal:
    """The bill's amount: exact, then rounded half-up to 0.01 once."""
    return round_amount(exact_amount(price_type, tiers, quantity))


@dataclass(frozen=True)
class StoredPrice:
    effective_from: date
    price_type: str
    tiers: object  # the raw JSON as stored


def price_in_force(prices: Iterable[StoredPrice], period: date) -> StoredPrice | None:
    """The latest adjustment effective on or before the period's last day: a mid-month
    adjustment prices that whole month."""
    last = period_end(period)
    candidates = [p for p in prices if p.effective_from <= last]
    return max(candidates, key=lambda p: p.effective_from, default=None)


# ----- the calendar ---------------------------------------------------------------------------


def parse_period(value: object) -> date:
    """"YYYY-MM" -> the month's first day."""
    match = PERIOD_PATTERN.match(str(value).strip()) if isinstance(value, str) else None
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise ValueError(f"期间必须是 YYYY-MM: {value!r}")
    return date(int(match[1]), int(match[2]), 1)


def period_label(period: date) -> str:
    return f"{period:%Y-%m}"


def period_end(period: date) -> date:
    return date(period.year, period.month, calendar.monthrange(period.year, period.month)[1])


def previous_period(day: date) -> date:
    """The calendar month before ``day``'s month (its first day)."""
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def statement_days_billed_on(day: date) -> list[int]:
    """The statement days (月结日期) whose customers are billed on ``day``: its own day, and on a
    month's last day also the days beyond that month's length (31 in a 30-day month)."""
    last = calendar.monthrange(day.year, day.month)[1]
    return list(range(day.day, 32)) if day.day == last else [day.day]
