"""Randomised sequences of orders, shipments, partial returns and their reversals, cancels,
closes, payments and manual allocations, run through the use cases on the test database; after
every step seed 002's books must hold (see assert_books_hold), and each line's used / frozen
must be exactly what its orders and debts hold on it."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.contrib.test import truncate_all_models

from domain.credit import line_lifecycle, orders, orgs, repayment, rules
from domain.credit.models import (
    CreditLine,
    CreditOrder,
    Debt,
    DebtPart,
    GoodsReturn,
    OrderCredit,
    Shipment,
)
from domain.customers.models import Customer
from domain.errors import DomainError
from domain.money import ZERO
from tests.conftest import SHANGHAI
from tests.support.credit import assert_books_hold

NOW = datetime(2021, 6, 1, 10, 0, tzinfo=SHANGHAI)
DAY = date(2021, 6, 1)
CUSTOMERS = ("K1", "K2")

# (kind, weight): orders, shipments, returns and payments come more often — the rest need them.
KINDS = (("order", 5), ("ship", 5), ("return", 3), ("reverse_return", 1),
         ("reverse_shipment", 1), ("cancel", 1), ("close", 1), ("pay", 3), ("allocate", 2))


def _plan(rnd: random.Random, length: int) -> list[tuple]:
    """The steps, drawn from hypothesis's (reproducible, shrinkable) random source."""
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    steps = []
    for _ in range(length):
        kind = rnd.choice(kinds)
        amount, pick = Decimal(rnd.randint(1, 120)), rnd.randint(0, 50)
        customer = rnd.choice(CUSTOMERS)
        steps.append({
            "order": (kind, customer, amount, Decimal(rnd.choice([0, 0, 10, 30])),
                      rnd.choice([None, None, "P"])),
            "ship": (kind, pick, amount),
            "return": (kind, pick, amount),
            "pay": (kind, customer, amount / 2, Decimal(rnd.choice([0, 0, 5])), rnd.random() < .3),
            "allocate": (kind, customer, rnd.random() < .5),
        }.get(kind, (kind, pick)))
    return steps


async def _world() -> dict[str, int]:
    await truncate_all_models()
    org, _ = await orgs.put_org(code="ORG", name="销区", budget=Decimal(250), enabled=True,
                                now=NOW)
    ids = {}
    for code in CUSTOMERS:
        customer = await Customer.create(code=code, name=f"客户{code}")
        ids[code] = customer.id
        for type, limit, project in (("annual", 100, None), ("project", 50, "P"),
                                     ("temporary", 30, None)):
            await line_lifecycle.grant_line(
                customer_id=customer.id, org_id=org.id, type=type, limit=Decimal(limit),
                valid_from=None, valid_to=None, project=project, actor="test", now=NOW)
    return ids


async def _pick(model, i: int, **filters):
    """The i-th row (round the table), preferring rows the step can act on."""
    rows = await model.filter(**filters).order_by("id") or await model.all().order_by("id")
    return rows[i % len(rows)] if rows else None


async def _run(step, ids: dict[str, int], counter: list[int]) -> None:
    kind, *args = step
    counter[0] += 1
    n = counter[0]
    if kind == "order":
        code, credit, cash, project = args
        await orders.create_order(orders.NewOrder(
            number=f"SO-{n}", customer_code=code, org_code="ORG", order_date=DAY,
            amount=credit + cash, cash=cash, credit=credit, project=project), "test", NOW)
    elif kind == "ship":
        order = await _pick(CreditOrder, args[0], status="open")
        if order:
            left = order.cash_left + order.credit_left
            amount = min(args[1], left) if left > 0 else args[1]
            await orders.ship(number=f"CK-{n}", order_number=order.number, ship_date=DAY,
                              amount=amount, actor="test", now=NOW)
    elif kind == "return":
        shipment = await _pick(Shipment, args[0], status="active")
        if shipment:
            left = shipment.amount - shipment.returned
            amount = min(args[1], left) if left > 0 else args[1]
            await orders.return_goods(number=f"TH-{n}", shipment_number=shipment.number,
                                      return_date=DAY, amount=amount, actor="test", now=NOW)
    elif kind == "reverse_return":
        goods_return = await _pick(GoodsReturn, args[0], status="active")
        if goods_return:
            await orders.reverse_return(goods_return.number, "test", NOW)
    elif kind == "reverse_shipment":
        shipment = await _pick(Shipment, args[0])
        if shipment:
            await orders.reverse_shipment(shipment.number, "test", NOW)
    elif kind in ("cancel", "close"):
        order = await _pick(CreditOrder, args[0])
        if order:
            action = orders.cancel_order if kind == "cancel" else orders.close_order
            await action(order.number, "test", NOW)
    elif kind == "pay":
        code, amount, deposit, allocate = args
        await repayment.receive_credit_receipt(
            customer_id=ids[code], number=f"SK-{n}", amount=amount + deposit,
            received_on=DAY, deposit=deposit, actor="test", now=NOW, allocate=allocate)
    elif kind == "allocate":
        code, oldest_first = args
        parts = None
        if not oldest_first:
            debt = await Debt.filter(customer_id=ids[code], status="open").order_by(
                "-due_date", "-id").first()
            parts = [(debt.id, min(debt.outstanding, Decimal(7)))] if debt else [(0, 1)]
        await repayment.allocate_repayments(customer_id=ids[code], parts=parts, actor="test",
                                           now=NOW)


async def _lines_match_their_orders_and_debts() -> None:
    debts = {d.id: d for d in await Debt.exclude(status="reversed")}
    for line in await CreditLine.all():
        frozen = sum((c.frozen for c in await OrderCredit.filter(account_id=line.id)), ZERO)
        used = ZERO
        for part in await DebtPart.filter(account_id=line.id, debt_id__in=list(debts)):
            used += part.amount - part.returned
            if rules.is_revolving(line.type):
                used -= part.repaid
        assert (line.used, line.frozen) == (used, frozen), line.number


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(min_value=10, max_value=40))
async def test_the_books_hold_after_every_step_of_any_sequence(client, rnd, length):
    ids = await _world()
    counter = [0]
    plan = _plan(rnd, length)
    for done, step in enumerate(plan):
        try:
            await _run(step, ids, counter)
        except DomainError:
            pass  # a refusal changes nothing: the books must hold all the same
        try:
            await assert_books_hold()
            await _lines_match_their_orders_and_debts()
        except AssertionError as failure:
            failure.add_note(f"after step {done}: {step}\nplan: {plan[:done + 1]}")
            raise
