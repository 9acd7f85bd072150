"""Seed 003 【共享】 through the back-office API: the books share a customer with a salesperson,
who then sees it, and take it back; salespeople cannot share; the ERP's push keeps the shares
unless it carries its own list (``shared_with``)."""

from __future__ import annotations

from domain.customers.models import CustomerShare
from domain.org.models import Staff
from domain.system.models import AuditLog
from tests.support import API, INGEST, call, post_ok, seed


async def test_a_shared_customer_is_seen_by_the_salesperson_until_unshared(client, admin,
                                                                           finance, make_key):
    customers = await seed(client, admin)
    c002 = customers["C002"]["id"]
    li = await Staff.get(dingtalk_userid="sales-li")
    li_key = await make_key("sales", li.id)
    assert (await client.get(f"{API}/customers/{c002}", headers=li_key)).status == 404

    shared = await call(client, "POST", f"/customers/{c002}/shares", finance,
                        {"staff_id": li.id})
    assert shared == {"items": [{"staff_id": li.id, "name": "李业务", "department": ""}]}
    again = await call(client, "POST", f"/customers/{c002}/shares", finance, {"staff_id": li.id})
    assert again == shared and await CustomerShare.filter(customer_id=c002).count() == 1
    assert await AuditLog.filter(action="share").count() == 1
    assert (await client.get(f"{API}/customers/{c002}", headers=li_key)).status == 200
    assert await call(client, "GET", f"/customers/{c002}/shares", li_key) == shared

    left = await call(client, "DELETE", f"/customers/{c002}/shares/{li.id}", finance)
    assert left == {"items": []}
    assert (await client.get(f"{API}/customers/{c002}", headers=li_key)).status == 404
    gone = await call(client, "DELETE", f"/customers/{c002}/shares/{li.id}", finance,
                      status=404)
    assert gone["error"]["code"] == "share_not_found"


async def test_sharing_refuses_salespeople_the_owner_and_unknown_staff(client, admin, make_key):
    customers = await seed(client, admin)
    c001 = customers["C001"]["id"]
    li = await Staff.get(dingtalk_userid="sales-li")
    wang = await Staff.get(dingtalk_userid="sales-wang")
    li_key = await make_key("sales", li.id)
    refused = await call(client, "POST", f"/customers/{c001}/shares", li_key,
                         {"staff_id": wang.id}, status=403)
    assert refused["error"]["code"] == "role_forbidden"
    owner = await call(client, "POST", f"/customers/{c001}/shares", admin,
                       {"staff_id": li.id}, status=400)
    assert owner["error"]["code"] == "share_with_owner"
    unknown = await call(client, "POST", f"/customers/{c001}/shares", admin,
                         {"staff_id": 999999}, status=400)
    assert unknown["error"]["code"] == "unknown_staff"
    await Staff.filter(id=wang.id).update(active=False)
    left = await call(client, "POST", f"/customers/{c001}/shares", admin,
                      {"staff_id": wang.id}, status=400)
    assert left["error"]["code"] == "unknown_staff"
    missing = await call(client, "POST", "/customers/999999/shares", admin,
                         {"staff_id": wang.id}, status=404)
    assert missing["error"]["code"] == "customer_not_found"
    assert not await CustomerShare.exists()


async def test_an_erp_push_keeps_the_shares_unless_it_carries_its_own(client, admin):
    customers = await seed(client, admin)
    c002 = customers["C002"]["id"]
    li = await Staff.get(dingtalk_userid="sales-li")
    await call(client, "POST", f"/customers/{c002}/shares", admin, {"staff_id": li.id})
    row = {"code": "C002", "name": "明辉商贸", "salesperson": "sales-wang"}
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [row]})
    assert await CustomerShare.exists(customer_id=c002, staff_id=li.id)
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [{**row, "shared_with": []}]})
    assert not await CustomerShare.exists(customer_id=c002)
