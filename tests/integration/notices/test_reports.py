"""The daily delivery ledger and the period summary (seed 000: 后台会保留每天发送的记录)."""

from __future__ import annotations

from domain.customers.models import Contact
from tests.support import make_statement, post_ok, seed

BO = "/api/backoffice/v1"


async def test_the_ledger_lists_each_days_notices_with_their_recipients(client, admin, clock):
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    first = await make_statement(client, admin, customers["C001"]["id"])
    clock.advance(days=1)
    second = await make_statement(client, admin, customers["C001"]["id"])

    day1 = await (await client.get(f"{BO}/deliveries?date=2026-11-23", headers=admin)).json()
    assert [(i["kind"], i["recipient_name"], i["status"], i["statement_id"])
            for i in day1["items"]] == [("statement_issued", "陈会计", "pending", first["id"])]
    day2 = await (await client.get(f"{BO}/deliveries?date=2026-11-24", headers=admin)).json()
    assert [i["statement_id"] for i in day2["items"]] == [second["id"]]

    summary = await (await client.get(
        f"{BO}/reports/deliveries?from=2026-11-01&to=2026-11-30", headers=admin)).json()
    assert summary["items"] == [
        {"date": "2026-11-23", "total": 1, "by_status": {"pending": 1}},
        {"date": "2026-11-24", "total": 1, "by_status": {"pending": 1}},
    ]


async def test_the_period_summary_counts_and_sums_statements_by_status(client, admin, clock):
    customers = await seed(client, admin)
    a = await make_statement(client, admin, customers["C001"]["id"])
    await make_statement(client, admin, customers["C001"]["id"])
    b = await make_statement(client, admin, customers["C002"]["id"])
    await post_ok(client, f"{BO}/statements/{a['id']}/match", admin)
    await post_ok(client, f"{BO}/statements/{b['id']}/receive", admin, {"amount": "500.00"})
    summary = await (await client.get(
        f"{BO}/reports/statements?from=2026-11-01&to=2026-11-30", headers=admin)).json()
    by_status = {row["status"]: row for row in summary["by_status"]}
    assert by_status["matched"]["count"] == 1
    assert by_status["matched"]["closing"] == "53776.00"
    assert by_status["unconfirmed"]["count"] == 2
    assert by_status["unconfirmed"]["received"] == "500.00"
    assert by_status["mismatched"]["count"] == 0
    assert summary["total"]["count"] == 3
    resp = await client.get(f"{BO}/reports/statements?from=2026-12-01&to=2026-11-01",
                            headers=admin)
    assert resp.status == 400
    resp = await client.get(f"{BO}/reports/statements", headers=admin)
    assert resp.status == 400
