"""ERP ingest: idempotent by number, good rows applied, bad rows answered, atomic on request."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from domain.customers.models import Customer
from domain.documents.models import Document
from tests.support import CUSTOMERS, DOCUMENTS, INGEST, STAFF, post_ok, seed


async def test_pushing_the_same_batch_twice_changes_nothing_the_second_time(client, erp, admin):
    await seed(client, admin)
    again = await post_ok(client, f"{INGEST}/documents", erp, {"items": DOCUMENTS})
    assert again == {"created": 0, "updated": 0, "unchanged": len(DOCUMENTS), "rejected": []}
    assert await Document.all().count() == len(DOCUMENTS)


async def test_a_batch_with_bad_rows_applies_the_good_ones_and_names_each_bad_one(client, erp):
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})
    rows = [
        {"number": "OK-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": "10.00"},
        {"number": "BAD-1", "type": "出库", "date": "2021-12-01", "customer_code": "C001",
         "amount": "10.00"},
        {"number": "BAD-2", "type": "sales_out", "date": "2021-12-01", "customer_code": "NOPE",
         "amount": "10.00"},
        {"number": "BAD-3", "type": "receipt", "date": "12/01/2021", "customer_code": "C001",
         "amount": "1.005"},
        {"type": "receipt", "date": "2021-12-01", "customer_code": "C001", "amount": "5"},
        {"number": "OK-1", "type": "sales_out", "date": "2021-12-02", "customer_code": "C001",
         "amount": "11.00"},
        "not an object",
    ]
    result = await post_ok(client, f"{INGEST}/documents", erp, {"items": rows})
    assert result["created"] == 1
    rejected = {r["index"]: r for r in result["rejected"]}
    assert sorted(rejected) == [1, 2, 3, 4, 5, 6]
    assert "未知单据类型" in rejected[1]["errors"][0]
    assert "customer_code" in rejected[2]["errors"][0]
    assert any("date" in e for e in rejected[3]["errors"])
    assert any("amount" in e for e in rejected[3]["errors"])
    assert rejected[4]["errors"] == ["number: 必填"]
    assert "重复" in rejected[5]["errors"][0]
    assert await Document.all().values_list("number", flat=True) == ["OK-1"]
    document = await Document.get(number="OK-1")
    assert str(document.amount) == "10.00" and str(document.owed) == "10.00"


async def test_bills_are_not_the_erps_to_push(client, erp):
    """Month-end billing makes the 账单 documents; the ERP cannot add or overwrite one."""
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})
    rows = [{"number": f"BILL-{i}", "type": t, "date": "2021-12-01", "customer_code": "C001",
             "amount": "10.00"} for i, t in enumerate(("bill", "账单"))]
    result = await post_ok(client, f"{INGEST}/documents", erp, {"items": rows})
    assert [r["errors"] for r in result["rejected"]] == [
        ["type: 未知单据类型: 'bill'"], ["type: 未知单据类型: '账单'"]]
    assert not await Document.exists()


async def test_an_atomic_batch_with_one_bad_row_writes_nothing(client, erp):
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})
    rows = [
        {"number": "OK-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": "10.00"},
        {"number": "BAD-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": "-3.00"},
    ]
    resp = await client.post(f"{INGEST}/documents?atomic=1", json={"items": rows}, headers=erp)
    body = await resp.json()
    assert resp.status == 400
    assert body["error"]["code"] == "batch_rejected"
    assert body["error"]["detail"]["rejected"][0]["index"] == 1
    assert await Document.all().count() == 0


async def test_json_numbers_are_read_as_decimals_and_floats_never_creep_in(client, erp):
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})
    raw = (b'{"items": [{"number": "N-1", "type": "sales_out", "date": "2021-12-01",'
           b' "customer_code": "C001", "amount": 48876.1, "owed": 0.3}]}')
    resp = await client.post(f"{INGEST}/documents", data=raw, headers={
        **erp, "Content-Type": "application/json"})
    assert resp.status == 200, await resp.json()
    document = await Document.get(number="N-1")
    assert str(document.amount) == "48876.10" and str(document.owed) == "0.30"


async def test_customers_carry_seed_003s_fields_and_parents_within_one_batch(client, erp):
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    rows = [
        {"code": "G-1", "name": "集团子公司", "parent_code": "G-0", "settlement_mode": "现结",
         "statement_day": 25, "credit_limit": "50000", "shared_with": ["sales-wang"],
         "invoice": {"company": "集团子公司", "tax_id": "9131"}},
        {"code": "G-0", "name": "集团总部", "salesperson": "sales-li"},
        {"code": "G-2", "name": "坏月结日", "statement_day": 32},
    ]
    result = await post_ok(client, f"{INGEST}/customers", erp, {"items": rows})
    assert result["created"] == 2 and result["rejected"][0]["index"] == 2
    child = await Customer.get(code="G-1").prefetch_related("parent", "shares")
    assert child.parent.code == "G-0" and child.settlement_mode == "cash"
    assert child.statement_day == 25 and str(child.credit_limit) == "50000.00"
    assert child.invoice == {"company": "集团子公司", "tax_id": "9131"}
    assert len(child.shares) == 1


async def test_statement_days_29_to_31_are_accepted_as_the_billing_job_bills_them(client, erp):
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    rows = [{"code": f"D-{day}", "name": f"月结{day}日", "statement_day": day}
            for day in (29, 30, 31, 0, 32)]
    result = await post_ok(client, f"{INGEST}/customers", erp, {"items": rows})
    assert result["created"] == 3
    assert [r["index"] for r in result["rejected"]] == [3, 4]
    assert all("1 到 31" in r["errors"][0] for r in result["rejected"])
    days = await Customer.filter(code__startswith="D-").order_by("statement_day")
    assert [c.statement_day for c in days] == [29, 30, 31]


async def test_ingest_needs_the_erp_role_and_a_known_kind(client, finance, erp):
    resp = await client.post(f"{INGEST}/documents", json={"items": []}, headers=finance)
    assert resp.status == 403
    resp = await client.post(f"{INGEST}/invoices", json={"items": []}, headers=erp)
    assert resp.status == 404
    resp = await client.post(f"{INGEST}/documents", json={"items": "x"}, headers=erp)
    assert resp.status == 400
    resp = await client.post(f"{INGEST}/documents", json={"items": []})
    assert resp.status == 401


async def test_a_retried_push_with_the_same_idempotency_key_is_answered_from_the_first(
    client, erp
):
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})
    headers = {**erp, "Idempotency-Key": "push-42"}
    first = await client.post(f"{INGEST}/documents", json={"items": DOCUMENTS}, headers=headers)
    second = await client.post(f"{INGEST}/documents", json={"items": DOCUMENTS}, headers=headers)
    assert (await first.json())["created"] == len(DOCUMENTS)
    assert await second.json() == await first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    other = await client.post(f"{INGEST}/documents", json={"items": DOCUMENTS[:1]},
                              headers=headers)
    assert other.status == 409


async def test_a_document_without_owed_owes_its_signed_amount_a_return_takes_it_off(
        client, erp, finance):
    """An ERP that leaves 本单欠 out: a sale owes its amount, a return and a receipt take theirs
    off; the day's 销售单据 合计 of 本单欠 follows (sale 100 − return 30 = 70)."""
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})
    rows = [{"number": number, "type": doc_type, "date": "2026-11-23", "customer_code": "C001",
             "salesperson": "sales-li", "amount": amount}
            for number, doc_type, amount in (("XS-1", "sales_out", "100.00"),
                                             ("XT-1", "销售退货单", "30.00"),
                                             ("SK-1", "receipt", "40.00"))]
    result = await post_ok(client, f"{INGEST}/documents", erp, {"items": rows})
    assert result["rejected"] == []

    owed = dict(await Document.all().values_list("number", "owed"))
    assert {n: str(o) for n, o in owed.items()} == {
        "XS-1": "100.00", "XT-1": "-30.00", "SK-1": "-40.00"}
    resp = await client.get("/api/backoffice/v1/handover/days/sales-li/2026-11-23",
                            headers=finance)
    sales = (await resp.json())["sections"]["sales"]
    assert [(r["number"], r["signed_amount"], r["owed"]) for r in sales] == [
        ("XS-1", "100.00", "100.00"), ("XT-1", "-30.00", "-30.00")]
    assert sum(Decimal(r["owed"]) for r in sales) == Decimal("70.00")


async def test_the_same_batch_posted_several_times_at_once_lands_once_and_each_is_answered(
    client, erp, admin
):
    await seed(client, admin)
    batch = [{"number": f"XS-2021-12-23-{i:04d}", "type": "sales_out", "date": "2021-12-23",
              "customer_code": "C001", "amount": "10.00", "owed": "10.00"} for i in range(40)]
    for round_ in range(3):
        items = [{**row, "number": f"{row['number']}-{round_}"} for row in batch]
        responses = await asyncio.gather(*(
            client.post(f"{INGEST}/documents", json={"items": items}, headers=erp)
            for _ in range(4)))
        bodies = [await r.json() for r in responses]
        assert [r.status for r in responses] == [200] * 4, bodies
        assert sorted((b["created"], b["unchanged"]) for b in bodies) == [
            (0, 40), (0, 40), (0, 40), (40, 0)]
    assert await Document.all().count() == len(DOCUMENTS) + 120
