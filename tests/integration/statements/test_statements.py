"""Building statements: the figures of seed 000, snapshots, and bad requests."""

from __future__ import annotations

import asyncio

from domain.customers.models import Contact
from domain.notices import outbox
from domain.notices.catalogue import Kind, staff_recipient
from domain.notices.models import OutboxMessage
from domain.org.models import Staff
from tests.support import INGEST, make_statement, post_ok, seed

API = "/api/backoffice/v1/statements"


async def test_a_statement_of_all_types_shows_seed_000s_figures(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    assert statement["customer"]["name"] == "联想"
    assert (statement["date_from"], statement["date_to"]) == ("2021-12-01", "2021-12-22")
    assert statement["opening"] == "5000.00"          # the November sale
    assert statement["increase"] == "48876.00"        # 32000 + 17876 − 1000
    assert statement["receipts"] == "100.00"
    assert statement["closing"] == "53776.00"         # 5000 + 48876 − 100
    assert statement["line_count"] == 4
    assert statement["owed_total"] == "48776.00"      # Σ 本单欠
    assert statement["received_amount"] == "0.00"
    assert statement["status"] == "unconfirmed" and statement["status_label"] == "未确认"
    receipt = next(line for line in statement["lines"] if line["type"] == "receipt")
    assert receipt == {"number": "XS-T-2021-12-22-0001", "type": "receipt", "type_label": "收款单",
                       "date": "2021-12-22", "amount": "100.00", "owed": "-100.00",
                       "account": "银行存款-中国银行"}


async def test_picked_documents_make_a_statement_of_just_those(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"], documents=[
        "XS-T-2021-12-22-0001", "XT-T-2021-12-22-0002"])
    assert statement["line_count"] == 2
    assert statement["increase"] == "-1000.00"
    assert statement["owed_total"] == "-1100.00"


async def test_only_chosen_types_are_taken(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"], types=["receipt"])
    assert [line["number"] for line in statement["lines"]] == ["XS-T-2021-12-22-0001"]


async def test_a_statement_is_a_snapshot_and_a_later_erp_change_marks_it(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    changed = {"number": "XS-2021-12-01-0001", "type": "sales_out", "date": "2021-12-01",
               "customer_code": "C001", "amount": "30000.00", "owed": "30000.00"}
    result = await post_ok(client, f"{INGEST}/documents", admin, {"items": [changed]})
    assert result["updated"] == 1
    after = await (await client.get(f"{API}/{statement['id']}", headers=admin)).json()
    assert after["source_changed"] is True
    assert after["increase"] == "48876.00"
    assert after["lines"][0]["amount"] == "32000.00"


async def test_a_period_without_documents_is_a_balance_confirmation_of_the_opening(
    client, admin
):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"],
                                     date_from="2022-01-01", date_to="2022-01-31")
    assert statement["opening"] == "53776.00"         # everything before January
    assert (statement["increase"], statement["receipts"]) == ("0.00", "0.00")
    assert statement["closing"] == "53776.00"
    assert (statement["line_count"], statement["owed_total"], statement["lines"]) == (
        0, "0.00", [])
    share = await post_ok(client, f"{API}/{statement['id']}/share", admin, status=201)
    page = await client.get(share["url"].removeprefix("http://tally.test"))
    assert page.status == 200 and "无单据" in await page.text()
    pdf = await client.get(f"{API}/{statement['id']}/pdf", headers=admin)
    assert pdf.status == 200 and (await pdf.read()).startswith(b"%PDF")


async def test_bad_statement_requests_are_refused_clearly_and_create_nothing(client, admin):
    customers = await seed(client, admin)
    cid = customers["C001"]["id"]
    cases = [
        ({"customer_id": cid, "date_from": "2021-12-22", "date_to": "2021-12-01"}, 400,
         "bad_range"),
        ({"customer_id": cid, "date_from": "2021-13-01", "date_to": "2021-12-22"}, 400,
         "bad_date"),
        ({"customer_id": cid, "date_from": "2021-12-01", "date_to": "2021-12-22",
          "documents": ["MH-2021-12-10-0001"]}, 400, "documents_not_found"),
        ({"customer_id": 999999, "date_from": "2021-12-01", "date_to": "2021-12-22"}, 404,
         "customer_not_found"),
        ({"date_from": "2021-12-01", "date_to": "2021-12-22"}, 400, "missing_field"),
    ]
    for body, status, code in cases:
        resp = await client.post(API, json=body, headers=admin)
        assert resp.status == status, body
        assert (await resp.json())["error"]["code"] == code
    resp = await client.post(API, data=b"{not json", headers=admin)
    assert resp.status == 400
    listed = await (await client.get(API, headers=admin)).json()
    assert listed["items"] == []


async def test_issuing_a_statement_queues_a_notice_for_each_bound_contact(client, admin):
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    statement = await make_statement(client, admin, customers["C001"]["id"])
    messages = await OutboxMessage.filter(kind="statement_issued")
    assert len(messages) == 1
    message = messages[0]
    assert message.channel == "wechat" and message.recipient_name == "陈会计"
    assert message.payload["statement_id"] == statement["id"]
    assert message.payload["url"].startswith("http://tally.test/s/")
    page = await client.get(message.payload["url"].removeprefix("http://tally.test"))
    assert page.status == 200


async def test_a_notice_is_never_queued_twice_even_when_two_writers_race(client, admin, clock):
    await seed(client, admin)
    staff = await Staff.get(dingtalk_userid="sales-li")
    results = await asyncio.gather(*(
        outbox.enqueue(Kind.STATEMENT_DISPUTED, staff_recipient(staff.id, staff.name), {"n": i},
                       "race:1:staff:" + str(staff.id), clock())
        for i in range(5)))
    assert sum(r is not None for r in results) == 1
    assert await OutboxMessage.filter(dedupe_key="race:1:staff:" + str(staff.id)).count() == 1


async def test_the_list_filters_by_period_and_status(client, admin):
    """A period (from / to) keeps the statements whose own period overlaps it."""
    customers = await seed(client, admin)
    cid = customers["C001"]["id"]
    november = await make_statement(client, admin, cid, date_from="2021-11-01",
                                     date_to="2021-11-30")
    december = await make_statement(client, admin, cid)
    await post_ok(client, f"{API}/{december['id']}/match", admin)

    async def listed(query: str) -> list[int]:
        resp = await client.get(f"{API}?{query}", headers=admin)
        assert resp.status == 200, await resp.text()
        return [s["id"] for s in (await resp.json())["items"]]

    assert await listed("from=2021-12-01&to=2021-12-31") == [december["id"]]
    assert await listed("from=2021-11-15&to=2021-12-05") == [december["id"], november["id"]]
    assert await listed("to=2021-11-30") == [november["id"]]
    assert await listed("status=unconfirmed&from=2021-11-01") == [november["id"]]
    assert await listed("status=matched&to=2021-11-30") == []
    for bad, code in (("from=2021-12-31&to=2021-12-01", "bad_range"),
                      ("from=yesterday", "bad_date"), ("status=paid", "bad_status")):
        resp = await client.get(f"{API}?{bad}", headers=admin)
        assert resp.status == 400
        assert (await resp.json())["error"]["code"] == code
