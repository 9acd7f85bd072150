"""Only audited ERP documents go onto statements unless finance includes pending ones; the
document picker marks them."""

from __future__ import annotations

from domain.org.models import Staff
from tests.support import INGEST, make_statement, post_ok, seed

API = "/api/backoffice/v1"
PENDING = [
    {"number": "XS-2021-11-28-0007", "type": "sales_out", "date": "2021-11-28",
     "customer_code": "C001", "amount": "700.00", "owed": "700.00", "audit_status": "待审批"},
    {"number": "XS-2021-12-20-0008", "type": "sales_out", "date": "2021-12-20",
     "customer_code": "C001", "amount": "2000.00", "owed": "2000.00", "audit_status": "待审批"},
]


async def _seeded(client, admin) -> int:
    customers = await seed(client, admin)
    result = await post_ok(client, f"{INGEST}/documents", admin, {"items": PENDING})
    assert result["rejected"] == [], result
    return customers["C001"]["id"]


async def _picker(client, headers, customer_id) -> dict:
    resp = await client.get(f"{API}/customers/{customer_id}/documents?from=2021-12-01"
                            "&to=2021-12-22", headers=headers)
    assert resp.status == 200
    return {d["number"]: d for d in (await resp.json())["items"]}


async def test_pending_documents_stay_off_statements_and_out_of_the_opening(client, admin):
    cid = await _seeded(client, admin)
    statement = await make_statement(client, admin, cid)
    assert "XS-2021-12-20-0008" not in [line["number"] for line in statement["lines"]]
    assert (statement["opening"], statement["increase"], statement["closing"]) == (
        "5000.00", "48876.00", "53776.00")
    resp = await client.post(f"{API}/statements", headers=admin, json={
        "customer_id": cid, "date_from": "2021-12-01", "date_to": "2021-12-22",
        "documents": ["XS-2021-12-01-0001", "XS-2021-12-20-0008"]})
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert error["code"] == "documents_not_audited"
    assert "XS-2021-12-20-0008" in error["message"]


async def test_the_picker_marks_pending_documents_as_not_pickable(client, admin):
    cid = await _seeded(client, admin)
    picker = await _picker(client, admin, cid)
    pending = picker["XS-2021-12-20-0008"]
    assert (pending["audit_status"], pending["audit_label"], pending["pickable"]) == (
        "pending", "待审批", False)
    audited = picker["XS-2021-12-01-0001"]
    assert (audited["audit_status"], audited["audit_label"], audited["pickable"]) == (
        "approved", "已审批", True)


async def test_finance_may_include_pending_documents(client, admin, finance, make_key):
    cid = await _seeded(client, admin)
    sales = await make_key("sales", (await Staff.get(dingtalk_userid="sales-li")).id)
    resp = await client.put(f"{API}/statements/settings", headers=sales,
                            json={"include_pending": True})
    assert resp.status == 403
    resp = await client.put(f"{API}/statements/settings", headers=finance,
                            json={"include_pending": "yes"})
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "bad_field"
    resp = await client.put(f"{API}/statements/settings", headers=finance,
                            json={"include_pending": True})
    assert resp.status == 200 and (await resp.json()) == {"include_pending": True}
    shown = await client.get(f"{API}/statements/settings", headers=admin)
    assert (await shown.json()) == {"include_pending": True}

    assert (await _picker(client, admin, cid))["XS-2021-12-20-0008"]["pickable"] is True
    statement = await make_statement(client, admin, cid)
    assert "XS-2021-12-20-0008" in [line["number"] for line in statement["lines"]]
    assert (statement["opening"], statement["increase"], statement["closing"]) == (
        "5700.00", "50876.00", "56476.00")


async def test_the_picker_refuses_a_period_back_to_front(client, admin):
    cid = await _seeded(client, admin)
    resp = await client.get(f"{API}/customers/{cid}/documents?from=2021-12-22&to=2021-12-01",
                            headers=admin)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "bad_range"
