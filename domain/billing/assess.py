"""Whether one product can be billed for one period, and for how much (pure).

The reasons a product is not billed are seed 004's question 5 (到了每月自动出账单时间客户却没有
自动出账): no price in force (产品当月没有调价), a malformed price table (调价表格式错误), no
usage (产品该月没有发送量) and a wrong account (产品账号填写错误 — here: the product has no
accounts; usage of accounts that belong to no product is reported by the run on its own,
and stays open — ``ACCOUNT_AFTER_BILL`` — when the account joins a product already billed for
that month: a bill, once issued, is not changed, so that usage needs a person).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.billing import pricing
from domain.billing.pricing import StoredPrice, period_label
from domain.money import CENT

NO_PRICE, BAD_PRICE_TABLE, NO_USAGE, UNKNOWN_ACCOUNT, ACCOUNT_AFTER_BILL = (
    "no_price", "bad_price_table", "no_usage", "unknown_account", "account_after_bill")
REASON_LABELS = {
    NO_PRICE: "产品当月没有调价",
    BAD_PRICE_TABLE: "调价表格式错误",
    NO_USAGE: "产品该月没有发送量",
    UNKNOWN_ACCOUNT: "产品账号填写错误",
    ACCOUNT_AFTER_BILL: "账号在产品出账后才加入，发送量未计费",
}


@dataclass(frozen=True)
class Priced:
    quantity: int
    price_type: str
    amount: Decimal
    # How it was priced, for the statement (seed 004: 账单中将精确到每个账号下的发送数量):
    # each account's quantity, and the unit price (统一价, 阶段价) or the tier slices (阶梯价).
    accounts: tuple[tuple[str, int], ...] = ()
    unit_price: Decimal | None = None
    slices: tuple[pricing.Slice, ...] = ()

    def detail(self) -> dict[str, Any]:
        """The breakdown as the bill stores it (JSON) and the statement shows it."""
        return {
            "price_type": self.price_type, "quantity": self.quantity,
            "unit_price": None if self.unit_price is None else price_text(self.unit_price),
            "accounts": [{"account": a, "quantity": q} for a, q in self.accounts],
            "slices": [{"from": s.first, "to": s.last, "quantity": s.quantity,
                        "price": price_text(s.price), "amount": exact_text(s.amount)}
                       for s in self.slices],
        }


def price_text(price: Decimal) -> str:
    return f"{price:.{pricing.PRICE_PLACES}f}"


def exact_text(amount: Decimal) -> str:
    """An exact amount with at least two decimals and no trailing zeros beyond them."""
    cents = amount.quantize(CENT)
    return f"{cents:f}" if cents == amount else f"{amount.normalize():f}"


@dataclass(frozen=True)
class Unbillable:
    reason: str
    detail: str


def assess(accounts: Iterable[str], usage: Mapping[str, int], prices: Iterable[StoredPrice],
           period: date) -> Priced | Unbillable:
    """The bill of a product whose accounts used ``usage`` in ``period``, or why there is none."""
    accounts = list(accounts)
    month = period_label(period)
    if not accounts:
        return Unbillable(UNKNOWN_ACCOUNT, "产品没有账号")
    price = pricing.price_in_force(prices, period)
    if price is None:
        return Unbillable(NO_PRICE, f"{month} 没有生效的调价")
    try:
        tiers = pricing.parse_tiers(price.price_type, price.tiers)
    except pricing.PriceTableError as exc:
        return Unbillable(BAD_PRICE_TABLE, f"{price.effective_from} 的调价表: {exc}")
    quantity = sum(usage.get(a, 0) for a in accounts)
    if quantity <= 0:
        return Unbillable(NO_USAGE, f"{month} 发送量为 0")
    graduated = price.price_type == pricing.TIERED
    return Priced(quantity, price.price_type,
                  pricing.bill_amount(price.price_type, tiers, quantity),
                  accounts=tuple((a, usage.get(a, 0)) for a in accounts),
                  unit_price=None if graduated else pricing.stage_price(tiers, quantity),
                  slices=pricing.tier_slices(tiers, quantity) if graduated else ())
