"""Two people acting on one statement at the same moment: exactly one wins, the other is told."""

from __future__ import annotations

import asyncio

from domain.models import Statement, StatementEvent
from tests.support import make_statement, post_ok, seed

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
