"""The demo data carries a credit line and a debt falling due soon, and loads twice the same."""

from __future__ import annotations

from datetime import timedelta

from domain.credit import rules
from domain.credit.models import CreditLine, CreditOperation, Debt
from domain.statements.service import ShareSettings
from tally.demo import load_demo
from tests.support.credit import assert_books_hold


async def test_demo_data_has_a_line_and_a_debt_due_soon_and_loads_idempotently(client, clock):
    share = ShareSettings("demo-secret", "http://tally.test")
    await load_demo(share, clock())
    await load_demo(share, clock())
    [line] = await CreditLine.all()
    assert (line.type, line.limit, line.used) == ("annual", 1_000_000, 30_000)
    [debt] = await Debt.all()
    assert (debt.amount, debt.due_date) == (30_000, clock().date() + timedelta(days=5))
    assert rules.debt_status(debt.due_date, clock().date(), debt.outstanding).status == "due_soon"
    assert await CreditOperation.filter(op="freeze").count() == 1
    await assert_books_hold()
