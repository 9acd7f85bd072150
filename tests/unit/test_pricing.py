"""Pricing rules of seed 004 (销售调价): tier boundaries are inclusive, stage (阶段价) prices the
whole quantity at the tier the total reaches, tiered (阶梯价) prices each slice at its own tier,
one half-up rounding to 0.01 at the end; price tables are validated strictly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.billing.assess import assess
from domain.billing.pricing import (
    STAGE,
    TIERED,
    UNIFORM,
    PriceTableError,
    Slice,
    StoredPrice,
    bill_amount,
    exact_amount,
    parse_period,
    parse_tiers,
    period_end,
    previous_period,
    price_in_force,
    statement_days_billed_on,
    tier_slices,
    tiers_json,
)
from domain.dates import add_months

# up to 100 at 0.10, 101..1000 at 0.08, above 1000 at 0.05
TABLE = [{"up_to": 100, "price": "0.10"}, {"up_to": 1000, "price": "0.08"},
         {"up_to": None, "price": "0.05"}]
TIERS = parse_tiers(STAGE, TABLE)


@pytest.mark.parametrize(("quantity", "amount"), [
    (0, "0.00"),
    (1, "0.10"),
    (100, "10.00"),      # q = up_to stays in the first tier
    (101, "8.08"),       # up_to + 1: the whole quantity at the second tier's price
    (1000, "80.00"),
    (1001, "50.05"),
    (5000, "250.00"),
])
def test_stage_prices_the_whole_quantity_at_the_tier_reached(quantity, amount):
    assert bill_amount(STAGE, TIERS, quantity) == Decimal(amount)


@pytest.mark.parametrize(("quantity", "amount"), [
    (0, "0.00"),
    (1, "0.10"),
    (100, "10.00"),          # 100 × 0.10
    (101, "10.08"),          # 100 × 0.10 + 1 × 0.08
    (1000, "82.00"),         # 10 + 900 × 0.08
    (1001, "82.05"),         # + 1 × 0.05
    (5000, "282.00"),        # 82 + 4000 × 0.05
])
def test_tiered_prices_each_slice_at_its_own_tier(quantity, amount):
    assert bill_amount(TIERED, TIERS, quantity) == Decimal(amount)


def test_tier_slices_are_what_the_graduated_amount_sums():
    assert tier_slices(TIERS, 1001) == (Slice(1, 100, 100, Decimal("0.10")),
                                        Slice(101, 1000, 900, Decimal("0.08")),
                                        Slice(1001, None, 1, Decimal("0.05")))
    assert tier_slices(TIERS, 100) == (Slice(1, 100, 100, Decimal("0.10")),)
    assert sum(s.amount for s in tier_slices(TIERS, 5000)) == exact_amount(TIERED, TIERS, 5000)


def test_a_priced_bill_details_each_account_and_its_exact_slices():
    usage = {"a": 4, "b": 2, "idle": 0}
    tiers = [{"up_to": 3, "price": "0.001666"}, {"up_to": None, "price": "0.001667"}]
    priced = assess(usage, usage, [StoredPrice(date(2026, 1, 1), TIERED, tiers)],
                    date(2026, 10, 1))
    assert priced.amount == Decimal("0.01")
    assert priced.detail() == {
        "price_type": "tiered", "quantity": 6, "unit_price": None,
        "accounts": [{"account": "a", "quantity": 4}, {"account": "b", "quantity": 2},
                     {"account": "idle", "quantity": 0}],
        "slices": [
            {"from": 1, "to": 3, "quantity": 3, "price": "0.001666", "amount": "0.004998"},
            {"from": 4, "to": None, "quantity": 3, "price": "0.001667", "amount": "0.005001"}]}
    stage = assess(["a"], {"a": 101}, [StoredPrice(date(2026, 1, 1), STAGE, TABLE)],
                   date(2026, 10, 1))
    assert (stage.detail()["unit_price"], stage.detail()["slices"]) == ("0.080000", [])


def test_uniform_is_one_price_for_every_unit():
    tiers = parse_tiers(UNIFORM, [{"up_to": None, "price": "0.035"}])
    assert bill_amount(UNIFORM, tiers, 12345) == Decimal("432.08")  # 432.075 half-up


def test_amount_is_rounded_once_half_up_at_the_end():
    tiers = parse_tiers(TIERED, [{"up_to": 3, "price": "0.001666"},
                                 {"up_to": None, "price": "0.001667"}])
    exact = exact_amount(TIERED, tiers, 6)
    assert exact == Decimal("0.009999")
    assert bill_amount(TIERED, tiers, 6) == Decimal("0.01")
    half = parse_tiers(UNIFORM, [{"up_to": None, "price": "0.000005"}])
    assert bill_amount(UNIFORM, half, 1000) == Decimal("0.01")  # 0.005 -> 0.01


def test_six_decimal_prices_are_kept_and_shown_with_six_places():
    tiers = parse_tiers(UNIFORM, [{"up_to": None, "price": "0.123456"}])
    assert tiers[0].price == Decimal("0.123456")
    assert tiers_json(tiers) == [{"up_to": None, "price": "0.123456"}]


@pytest.mark.parametrize(("price_type", "table", "message"), [
    (UNIFORM, [{"up_to": None, "price": "0.1234567"}], "6 位小数"),
    (UNIFORM, [{"up_to": 10, "price": "0.1"}, {"up_to": None, "price": "0.1"}], "统一价"),
    (UNIFORM, [{"up_to": 10, "price": "0.1"}], "最后一档"),
    (STAGE, [{"up_to": 100, "price": "0.1"}, {"up_to": 100, "price": "0.1"},
             {"up_to": None, "price": "0.1"}], "严格递增"),
    (STAGE, [{"up_to": 100, "price": "0.1"}, {"up_to": 50, "price": "0.1"},
             {"up_to": None, "price": "0.1"}], "严格递增"),
    (STAGE, [{"up_to": None, "price": "0.1"}, {"up_to": None, "price": "0.1"}], "没有上限"),
    (TIERED, [{"up_to": 0, "price": "0.1"}, {"up_to": None, "price": "0.1"}], "正整数"),
    (TIERED, [{"up_to": "10", "price": "0.1"}, {"up_to": None, "price": "0.1"}], "正整数"),
    (TIERED, [{"up_to": None, "price": "-0.1"}], "0 到"),
    (TIERED, [{"up_to": None, "price": 0.1}], "字符串或整数"),
    (TIERED, [{"up_to": None, "price": "abc"}], "不是数字"),
    (TIERED, [{"up_to": None}], "up_to"),
    (TIERED, [], "非空"),
    (TIERED, "0.1", "非空"),
    ("volume", [{"up_to": None, "price": "0.1"}], "价格类型"),
])
def test_bad_price_tables_are_refused_with_a_reason(price_type, table, message):
    with pytest.raises(PriceTableError, match=message):
        parse_tiers(price_type, table)


def test_price_in_force_is_the_latest_effective_by_the_periods_last_day():
    prices = [StoredPrice(date(2026, 8, 1), UNIFORM, []),
              StoredPrice(date(2026, 10, 15), STAGE, []),   # mid-month: prices all October
              StoredPrice(date(2026, 11, 1), TIERED, [])]
    assert price_in_force(prices, date(2026, 10, 1)).price_type == STAGE
    assert price_in_force(prices, date(2026, 9, 1)).price_type == UNIFORM
    assert price_in_force(prices, date(2026, 7, 1)) is None


def test_periods_and_months():
    assert parse_period("2026-10") == date(2026, 10, 1)
    for bad in ("2026-13", "2026-1", "26-10", "2026-10-01", 202610, None):
        with pytest.raises(ValueError):
            parse_period(bad)
    assert period_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert previous_period(date(2026, 1, 5)) == date(2025, 12, 1)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 5), 12) == date(2027, 11, 5)


def test_statement_days_beyond_the_month_bill_on_its_last_day():
    assert statement_days_billed_on(date(2026, 11, 5)) == [5]
    assert statement_days_billed_on(date(2026, 11, 30)) == [30, 31]
    assert statement_days_billed_on(date(2026, 2, 28)) == [28, 29, 30, 31]
    assert statement_days_billed_on(date(2026, 12, 31)) == [31]
