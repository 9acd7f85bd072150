"""Pure statement rules: the action table, the totals, and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.documents.rules import signed_amount
from domain.errors import Conflict, Invalid
from domain.statements import rules
from domain.statements.rules import LineValues


def test_the_action_table_is_seed_000s():
    zero, some = Decimal("0"), Decimal("1000")
    assert rules.allowed_actions("unconfirmed", zero) == (
        "receive", "mismatch", "match", "feedback", "share", "delete")
    assert rules.allowed_actions("unconfirmed", some) == (
        "mismatch", "match", "feedback", "share", "delete")
    for status in ("matched", "mismatched"):
        assert rules.allowed_actions(status, zero) == (
            "receive", "cancel", "feedback", "share", "delete")
        assert rules.allowed_actions(status, some) == ("cancel", "feedback", "share", "delete")


def test_a_refused_action_names_the_state():
    with pytest.raises(Conflict) as caught:
        rules.check_action("cancel", "unconfirmed", Decimal("0"))
    assert "未确认" in caught.value.message and "取消确认" in caught.value.message


def test_totals_follow_opening_plus_increase_minus_receipts():
    lines = [LineValues("sales_out", Decimal("32000"), Decimal("32000")),
             LineValues("sales_return", Decimal("1000"), Decimal("-1000")),
             LineValues("receipt", Decimal("100"), Decimal("-100"))]
    totals = rules.statement_totals(Decimal("5000"), lines)
    assert totals.increase == Decimal("31000")
    assert totals.receipts == Decimal("100")
    assert totals.closing == Decimal("35900")
    assert totals.owed_total == Decimal("30900")
    assert totals.line_count == 3


def test_a_prepaid_draw_counts_as_received_so_the_closing_is_what_is_owed():
    lines = [LineValues("bill", Decimal("1300.00"), Decimal("300.00")),
             LineValues("prepaid_draw", Decimal("1000.00"), Decimal("0.00"))]
    totals = rules.statement_totals(Decimal("0.00"), lines)
    assert (totals.increase, totals.receipts) == (Decimal("1300.00"), Decimal("1000.00"))
    assert totals.closing == totals.owed_total == Decimal("300.00")
    assert signed_amount("prepaid_draw", Decimal("1000.00")) == Decimal("-1000.00")


def test_answers_repeat_silently_and_a_change_of_mind_conflicts():
    assert rules.answer_outcome("unconfirmed", "matched") is True
    assert rules.answer_outcome("matched", "matched") is False
    with pytest.raises(Conflict):
        rules.answer_outcome("matched", "mismatched")


@dataclass
class _Link:
    expires_at: datetime
    revoked_at: datetime | None = None


def test_a_share_link_is_live_until_revoked_or_expired():
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    later, earlier = now + timedelta(seconds=1), now - timedelta(days=1)
    assert rules.link_state(_Link(later), now) == rules.LIVE
    assert rules.link_state(_Link(now), now) == rules.EXPIRED  # expired from expires_at on
    assert rules.link_state(_Link(later, revoked_at=earlier), now) == rules.REVOKED
    assert rules.link_state(_Link(earlier, revoked_at=earlier), now) == rules.REVOKED


def test_a_period_may_not_start_after_it_ends():
    first, last = date(2026, 11, 1), date(2026, 11, 23)
    for period in ((first, last), (first, first), (None, last), (first, None), (None, None)):
        rules.check_period(*period)
    with pytest.raises(Invalid) as caught:
        rules.check_period(last, first)
    assert caught.value.code == "bad_range" and "开始日期不能晚于结束日期" in caught.value.message
