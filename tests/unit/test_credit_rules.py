"""Pure credit rules of seed 002: use order, org budget, shipments, repayment, debt status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.credit import rules
from domain.credit.rules import Debt, LineState
from domain.errors import Conflict, Invalid

WAN = Decimal("10000")
ON = date(2021, 6, 1)
YEAR = {"valid_from": date(2021, 1, 1), "valid_to": date(2021, 12, 31)}


def wan(n) -> Decimal:
    return Decimal(n) * WAN


def apply(accounts: dict[str, LineState], allocation, on=ON) -> None:
    for account_id, amount in allocation:
        accounts[account_id] = accounts[account_id].use(amount, on)


def left(accounts: dict[str, LineState], on=ON) -> dict[str, Decimal]:
    return {key: account.available(on) for key, account in accounts.items()}


# --- accounts ---


def test_available_is_limit_less_used_less_frozen_inside_validity_when_active():
    account = LineState("a", rules.ANNUAL, wan(100), used=wan(30), frozen=wan(20), **YEAR)
    assert account.available(ON) == wan(50)
    assert account.available(date(2020, 12, 31)) == 0
    assert account.available(date(2021, 12, 31)) == wan(50)
    assert account.available(date(2022, 1, 1)) == 0
    assert LineState("b", rules.ANNUAL, wan(100), status="closed", **YEAR).available(ON) == 0


def test_freezing_20w_of_100w_leaves_80w_and_unfreezing_10w_gives_90w():
    account = LineState("a", rules.ANNUAL, wan(100), **YEAR).freeze(wan(20), ON)
    assert account.available(ON) == wan(80)
    assert account.unfreeze(wan(10)).available(ON) == wan(90)


def test_unfreezing_more_than_is_frozen_is_refused():
    account = LineState("a", rules.ANNUAL, wan(100), frozen=wan(5), **YEAR)
    with pytest.raises(Conflict) as caught:
        account.unfreeze(wan(10))
    assert caught.value.code == "unfreeze_exceeds_frozen"


def test_a_frozen_reservation_turns_into_use_when_the_order_ships():
    account = LineState("a", rules.ANNUAL, wan(100), frozen=wan(80), **YEAR)
    shipped = account.use(wan(30), ON, from_frozen=True)
    assert (shipped.used, shipped.frozen, shipped.available(ON)) == (wan(30), wan(50), wan(20))


def test_a_fixed_line_of_100w_is_available_again_after_a_50w_repayment():
    account = LineState("fixed", rules.ANNUAL, wan(100), **YEAR)
    account = account.use(wan(80), ON).use(wan(20), ON)
    assert account.available(ON) == 0
    assert account.give_back(wan(50)).available(ON) == wan(50)


def test_a_temporary_line_of_100w_stays_used_after_a_50w_repayment():
    account = LineState("temp", rules.TEMPORARY, wan(100), **YEAR)
    account = account.use(wan(80), ON).use(wan(20), ON)
    assert account.give_back(wan(50)).available(ON) == 0


def test_revolving_and_one_shot_types_are_seed_002s():
    assert {t for t in rules.LINE_TYPES if rules.is_revolving(t)} == {"annual", "direct"}
    assert rules.ONE_SHOT_TYPES == {"project", "direct_use", "temporary"}


# --- use order ---


def test_annual_50w_and_project_a_30w_are_used_annual_first_then_a_then_temporary():
    accounts = {
        "annual": LineState("annual", rules.ANNUAL, wan(50), **YEAR),
        "A": LineState("A", rules.PROJECT, wan(30), project="A", **YEAR),
    }
    first = rules.allocate_credit(accounts.values(), wan(30), ON, project="A")
    assert first == [("annual", wan(30))]
    apply(accounts, first)
    assert left(accounts) == {"annual": wan(20), "A": wan(30)}

    second = rules.allocate_credit(accounts.values(), wan(40), ON, project="A")
    assert second == [("annual", wan(20)), ("A", wan(20))]
    apply(accounts, second)
    assert left(accounts) == {"annual": 0, "A": wan(10)}

    assert rules.may_use_temporary(accounts.values(), ON, project="A") is False
    with pytest.raises(Conflict):
        rules.allocate_credit(accounts.values(), wan(20), ON, project="A")
    accounts["temp"] = LineState("temp", rules.TEMPORARY, wan(20), **YEAR)
    third = rules.allocate_credit(accounts.values(), wan(20), ON, project="A")
    assert third == [("A", wan(10)), ("temp", wan(10))]
    apply(accounts, third)
    assert left(accounts) == {"annual": 0, "A": 0, "temp": wan(10)}


def test_a_temporary_line_may_be_applied_for_only_when_nothing_else_is_available():
    annual = LineState("annual", rules.ANNUAL, wan(50), used=wan(50), **YEAR)
    temp = LineState("temp", rules.TEMPORARY, wan(20), **YEAR)
    assert rules.may_use_temporary([annual, temp], ON) is True
    assert rules.may_use_temporary([annual.give_back(wan(1)), temp], ON) is False


def test_other_credit_available_counts_lines_in_force_for_the_project_but_no_temporary_one():
    accounts = [
        LineState("annual", rules.ANNUAL, wan(50), used=wan(45), **YEAR),
        LineState("A", rules.PROJECT, wan(30), project="A", **YEAR),
        LineState("old", rules.ANNUAL, wan(80), valid_to=date(2021, 5, 31)),
        LineState("temp", rules.TEMPORARY, wan(20), **YEAR),
    ]
    assert rules.other_credit_available(accounts, ON) == wan(5)
    assert rules.other_credit_available(accounts, ON, project="A") == wan(35)
    assert rules.other_credit_available(accounts, date(2021, 5, 31)) == wan(85)


def test_over_limit_is_what_is_taken_past_a_limit_and_nothing_within_it():
    assert rules.over_limit(wan(100), wan(60), wan(60)) == wan(20)
    assert rules.over_limit(wan(100), wan(60), wan(40)) == 0
    assert rules.over_limit(wan(100), wan(10), wan(0)) == 0


def test_a_project_line_pays_only_orders_of_its_project():
    accounts = [LineState("B", rules.PROJECT, wan(30), project="B", **YEAR),
                LineState("annual", rules.ANNUAL, wan(10), **YEAR)]
    assert rules.allocate_credit(accounts, wan(10), ON, project="A") == [("annual", wan(10))]
    with pytest.raises(Conflict):
        rules.allocate_credit(accounts, wan(20), ON, project="A")
    assert rules.allocate_credit(accounts, wan(20), ON, project="B") == [
        ("annual", wan(10)), ("B", wan(10))]


def test_expired_and_inactive_accounts_are_skipped():
    accounts = [
        LineState("old", rules.ANNUAL, wan(100), valid_from=date(2020, 1, 1),
                  valid_to=date(2020, 12, 31)),
        LineState("closed", rules.ANNUAL, wan(100), status="closed", **YEAR),
        LineState("live", rules.TEMPORARY, wan(10), **YEAR),
    ]
    assert rules.allocate_credit(accounts, wan(10), ON) == [("live", wan(10))]


def test_a_short_allocation_is_refused_naming_the_shortfall_and_what_is_available():
    accounts = [LineState("annual", rules.ANNUAL, wan(20), **YEAR),
                LineState("temp", rules.TEMPORARY, wan(5), **YEAR)]
    with pytest.raises(Conflict) as caught:
        rules.allocate_credit(accounts, wan(30), ON)
    error = caught.value
    assert error.code == "credit_insufficient"
    assert error.detail["shortfall"] == "50000.00"
    assert "缺¥50,000.00" in error.message and "年度授信¥200,000.00" in error.message
    assert "临时授信¥50,000.00" in error.message


def test_a_non_positive_amount_is_invalid():
    with pytest.raises(Invalid):
        rules.allocate_credit([], Decimal("0"), ON)


# --- org budget ---


def test_an_org_with_a_1_yi_budget_may_grant_2_5_yi_but_stops_credit_orders_at_1_yi_used():
    budget = Decimal("100000000")
    granted = sum((wan(50) for _ in range(500)), Decimal("0"))
    assert granted == Decimal("250000000")  # lines granted may exceed the budget
    rules.check_org_budget(budget, budget - wan(10), wan(10))
    assert rules.org_budget_left(budget, budget) == 0
    with pytest.raises(Conflict) as caught:
        rules.check_org_budget(budget, budget, Decimal("1"))
    assert caught.value.code == "org_budget_exceeded"


# --- shipments and terms ---


def test_terms_are_60_for_zhengzhuang_30_for_retail_90_by_default_and_a_projects_own_wins():
    assert rules.credit_term_days("整装") == 60
    assert rules.credit_term_days("零售") == 30
    assert rules.credit_term_days("工程") == 90
    assert rules.credit_term_days(None) == 90
    assert rules.credit_term_days("整装", own_term=120) == 120


def test_an_order_of_100w_with_20w_cash_shipped_in_two_halves_makes_debts_of_30w_and_50w():
    term = rules.credit_term_days("整装")
    first = rules.split_shipment(wan(20), wan(80), wan(50))
    assert (first.cash, first.credit) == (wan(20), wan(30))
    assert rules.due_date(date(2021, 1, 15), term) == date(2021, 3, 16)
    second = rules.split_shipment(first.cash_left, first.credit_left, wan(50))
    assert (second.cash, second.credit) == (0, wan(50))
    assert rules.due_date(date(2021, 1, 20), term) == date(2021, 3, 21)
    assert (second.cash_left, second.credit_left) == (0, 0)


def test_an_order_of_50w_with_20w_cash_shipped_30w_then_20w_makes_debts_of_10w_and_20w():
    first = rules.split_shipment(wan(20), wan(30), wan(30))
    second = rules.split_shipment(first.cash_left, first.credit_left, wan(20))
    assert (first.credit, second.credit) == (wan(10), wan(20))


def test_shipping_more_than_the_order_has_left_is_refused():
    with pytest.raises(Conflict) as caught:
        rules.split_shipment(wan(0), wan(10), wan(11))
    assert caught.value.code == "shipment_exceeds_order"


# --- repayment ---


def _debts():
    return [
        Debt("d3", date(2021, 1, 20), date(2021, 3, 21), wan(50), "annual"),
        Debt("d2", date(2021, 1, 16), date(2021, 3, 16), wan(10), "temp"),
        Debt("d1", date(2021, 1, 15), date(2021, 3, 16), wan(30), "annual"),
        Debt("d0", date(2021, 1, 1), date(2021, 3, 1), Decimal("0"), "annual"),
    ]


def test_repayment_pays_the_oldest_due_first_ties_by_debt_date_and_the_last_partly():
    result = rules.allocate_repayment(_debts(), wan(60))
    assert result.parts == [("d1", wan(30)), ("d2", wan(10)), ("d3", wan(20))]
    assert result.leftover == 0


def test_repayment_beyond_all_debts_returns_the_leftover():
    result = rules.allocate_repayment(_debts(), wan(100))
    assert result.parts == [("d1", wan(30)), ("d2", wan(10)), ("d3", wan(50))]
    assert result.leftover == wan(10)


def test_repaying_restores_a_revolving_line_but_not_a_one_shot_line():
    accounts = [LineState("annual", rules.ANNUAL, wan(100), used=wan(80), **YEAR),
                LineState("temp", rules.TEMPORARY, wan(10), used=wan(10), **YEAR)]
    assert rules.credit_restored(accounts, {"annual": wan(50), "temp": wan(10)}) == {
        "annual": wan(50), "temp": 0}


# --- debt status ---


def test_a_debt_is_normal_then_due_soon_within_7_days_then_overdue_from_the_day_after_due():
    due = date(2021, 3, 16)
    assert rules.debt_status(due, date(2021, 3, 8)).status == rules.NORMAL
    assert rules.debt_status(due, date(2021, 3, 9)).status == rules.DUE_SOON
    assert rules.debt_status(due, due) == rules.DebtStatus(rules.DUE_SOON, 0, 0)
    assert rules.debt_status(due, date(2021, 3, 26)) == rules.DebtStatus(rules.OVERDUE, -10, 10)
    assert rules.debt_status(due, date(2021, 3, 13), soon_days=1).status == rules.NORMAL
    assert rules.debt_status(due, date(2021, 4, 1), outstanding=Decimal("0")).status == rules.PAID
