"""Seed 003 E: a receivable above the credit limit alerts once per crossing."""

from __future__ import annotations

from decimal import Decimal

from domain.credit_limit import BACK_WITHIN, CROSSED, crossing

LIMIT = Decimal("1000.00")


def test_going_above_the_limit_is_a_crossing_and_staying_above_is_not():
    assert crossing(Decimal("1000.01"), LIMIT, over=False) == CROSSED
    assert crossing(Decimal("5000.00"), LIMIT, over=True) is None


def test_the_limit_itself_is_within_and_coming_back_re_arms():
    assert crossing(LIMIT, LIMIT, over=False) is None
    assert crossing(LIMIT, LIMIT, over=True) == BACK_WITHIN


def test_no_limit_never_alerts_and_removing_it_re_arms():
    assert crossing(Decimal("99999999.00"), None, over=False) is None
    assert crossing(Decimal("99999999.00"), None, over=True) == BACK_WITHIN
