"""Credit uses racing for the last available amount: exactly one passes, the other is told
credit_insufficient, and a line never holds more than its limit. The point is PostgreSQL's row
locks (several connections at once); SQLite serialises its transactions, and runs it too."""

from __future__ import annotations

import asyncio

from domain.credit.models import CreditLine, SalesOrg
from tests.support.credit import (
    CREDIT,
    assert_books_hold,
    call,
    grant,
    setup,
    ship,
    w,
)

ROUNDS = 5


def _order(number: str, credit: str, customer: str = "C001") -> dict:
    return {"number": number, "customer_code": customer, "org_code": "YXY",
            "order_date": "2021-01-10", "amount": credit, "credit": credit}


async def _race(client, erp, bodies, path="/orders"):
    responses = await asyncio.gather(*(
        client.post(CREDIT + path, json=body, headers=erp) for body in bodies))
    return [(r.status, await r.json()) for r in responses]


async def test_two_orders_racing_for_the_last_credit_of_one_line_one_wins(client, admin, erp):
    ids = await setup(client, admin)
    for round_ in range(ROUNDS):
        line = await grant(client, admin, ids, "annual", w(100))
        results = await _race(client, erp, [_order(f"SO-{round_}-a", w(60)),
                                            _order(f"SO-{round_}-b", w(60))])
        assert sorted(status for status, _ in results) == [201, 409]
        loser = next(body for status, body in results if status == 409)
        assert loser["error"]["code"] == "credit_insufficient"
        row = await CreditLine.get(id=line["id"])
        assert (row.used + row.frozen, row.limit) == (60 * 10_000, 100 * 10_000)
        await call(client, "POST", f"/accounts/{line['id']}/status", admin,
                   {"status": "frozen"})  # out of the next round's way
    await assert_books_hold()


async def test_many_orders_racing_never_overdraw_the_line(client, admin, erp):
    ids = await setup(client, admin)
    line = await grant(client, admin, ids, "annual", w(100))
    results = await _race(client, erp, [_order(f"SO-{i}", w(30)) for i in range(8)])
    assert sorted(status for status, _ in results) == [201] * 3 + [409] * 5
    row = await CreditLine.get(id=line["id"])
    assert row.frozen == 90 * 10_000 and row.used == 0
    await assert_books_hold()


async def test_two_customers_racing_for_the_last_of_the_org_budget_one_wins(client, admin,
                                                                           erp):
    ids = await setup(client, admin, budget=w(100))
    await grant(client, admin, ids, "annual", w(100))
    await grant(client, admin, ids, "annual", w(100), customer="c2")
    await call(client, "POST", "/orders", erp, _order("SO-0", w(40)), status=201)
    results = await _race(client, erp, [_order("SO-1", w(60)),
                                        _order("SO-2", w(60), customer="C002")])
    assert sorted(status for status, _ in results) == [201, 409]
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "org_budget_exceeded"
    org = await SalesOrg.get(id=ids["org"])
    assert org.used + org.frozen == org.budget
    await assert_books_hold()


async def test_a_return_reversal_racing_an_order_for_the_same_room_one_wins(client, admin,
                                                                           erp):
    ids = await setup(client, admin)
    await grant(client, admin, ids, "annual", w(100))
    await call(client, "POST", "/orders", erp, _order("SO-0", w(100)), status=201)
    await ship(client, erp, "CK-0", "SO-0", w(100))
    await call(client, "POST", "/returns", erp, {
        "number": "TH-0", "shipment_number": "CK-0", "return_date": "2021-01-20",
        "amount": w(50)}, status=201)
    responses = await asyncio.gather(
        client.post(f"{CREDIT}/returns/TH-0/reverse", headers=erp),
        client.post(f"{CREDIT}/orders", json=_order("SO-1", w(60)), headers=erp))
    statuses = sorted(r.status for r in responses)
    assert statuses in ([200, 409], [201, 409])
    await assert_books_hold()
