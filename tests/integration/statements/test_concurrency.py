"""Two people acting on one statement at the same moment: exactly one wins, the other is told;
the same batch posted twice at once lands once."""

from __future__ import annotations

import asyncio

from domain.customers.models import Contact, Customer
from domain.documents.models import Exchange, Expense, OtherIncome
from domain.org.models import Staff
from domain.statements.models import Statement, StatementEvent
from tests.support import INGEST, make_statement, post_ok, seed

BO = "/api/backoffice/v1/statements"


async def test_two_simultaneous_different_answers_one_wins_one_conflicts(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    share = await post_ok(client, f"{BO}/{statement['id']}/share", admin, status=201)
    url = share["url"].removeprefix("http://tally.test") + "/answer"
    for _ in range(5):
        responses = await asyncio.gather(
            client.post(url, json={"answer": "matched"}),
            client.post(url, json={"answer": "mismatched", "description": "金额不对"}),
        )
        statuses = sorted(r.status for r in responses)
        assert statuses == [200, 409]
        row = await Statement.get(id=statement["id"])
        winner = next(r for r in responses if r.status == 200)
        assert row.status == (await winner.json())["status"]
        assert await StatementEvent.filter(statement_id=row.id, action="answer").count() == 1
        await post_ok(client, f"{BO}/{statement['id']}/cancel", admin)
        await StatementEvent.filter(statement_id=row.id, action="answer").delete()


async def test_two_simultaneous_receipts_record_the_money_once(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    responses = await asyncio.gather(*(
        client.post(f"{BO}/{statement['id']}/receive", json={"amount": "100.00"}, headers=admin)
        for _ in range(4)))
    assert sorted(r.status for r in responses) == [200, 409, 409, 409]
    assert str((await Statement.get(id=statement["id"])).received_amount) == "100.00"


EXCHANGED = {"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "兑出"}


async def _posted_at_once(client, headers, kind: str, items: list[dict]) -> list[dict]:
    responses = await asyncio.gather(*(
        client.post(f"{INGEST}/{kind}", json={"items": items}, headers=headers)
        for _ in range(4)))
    bodies = [await r.json() for r in responses]
    assert [r.status for r in responses] == [200] * 4, bodies
    return bodies


async def test_every_ingest_posted_several_times_at_once_lands_once_and_answers_each(
        client, erp):
    """Staff, customers, contacts, expenses, other income and exchanges: the ERP's retry racing
    its first try gets what a resend gets (everything unchanged), never a duplicate key."""
    batches = [
        ("staff", [{"userid": f"s-{i}", "name": f"员工{i}"} for i in range(20)]),
        ("customers", [{"code": f"K{i}", "name": f"客户{i}", "salesperson": "s-1"}
                       for i in range(20)]),
        ("contacts", [{"external_id": f"P{i}", "customer_code": f"K{i}", "name": f"联系人{i}"}
                      for i in range(20)]),
        ("expenses", [{"number": f"FY-{i}", "date": "2026-11-23", "salesperson": "s-1",
                       "items": [{"type": "差旅", "amount": "80.00"}]} for i in range(20)]),
        ("other_incomes", [{"number": f"QT-{i}", "date": "2026-11-23", "salesperson": "s-1",
                            "customer_code": "K1", "items": [{"type": "废品", "amount": "3.00"}]}
                           for i in range(20)]),
        ("exchanges", [{"number": f"DH-{i}", "date": "2026-11-23", "salesperson": "s-1",
                        "customer_code": "K1", "items": [EXCHANGED]} for i in range(20)]),
    ]
    for kind, items in batches:
        bodies = await _posted_at_once(client, erp, kind, items)
        assert sorted((b["created"], b["unchanged"]) for b in bodies) == [
            (0, 20), (0, 20), (0, 20), (20, 0)], (kind, bodies)
    assert (await Staff.all().count(), await Customer.all().count(),
            await Contact.all().count(), await Expense.all().count(),
            await OtherIncome.all().count(), await Exchange.all().count()) == (20,) * 6
