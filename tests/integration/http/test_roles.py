"""Back-office roles: admin, finance, sales (own and shared customers only), erp (ingest only)."""

from __future__ import annotations

from domain.org.models import Staff
from tests.support import INGEST, make_statement, post_ok, seed

API = "/api/backoffice/v1"


async def test_sales_see_only_their_own_and_shared_customers(client, admin, make_key):
    customers = await seed(client, admin)
    li = await Staff.get(dingtalk_userid="sales-li")
    li_key = await make_key("sales", li.id)
    mine = await make_statement(client, admin, customers["C001"]["id"])
    theirs = await make_statement(client, admin, customers["C002"]["id"])

    listed = await (await client.get(f"{API}/statements", headers=li_key)).json()
    assert [s["id"] for s in listed["items"]] == [mine["id"]]
    assert (await client.get(f"{API}/statements/{theirs['id']}", headers=li_key)).status == 404
    assert (await client.get(f"{API}/customers/{customers['C002']['id']}",
                             headers=li_key)).status == 404

    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "C002", "name": "明辉商贸", "salesperson": "sales-wang",
         "shared_with": ["sales-li"]}]})
    assert (await client.get(f"{API}/statements/{theirs['id']}", headers=li_key)).status == 200


async def test_sales_cannot_record_money_or_delete(client, admin, make_key):
    customers = await seed(client, admin)
    li = await Staff.get(dingtalk_userid="sales-li")
    li_key = await make_key("sales", li.id)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    resp = await client.post(f"{API}/statements/{statement['id']}/receive",
                             json={"amount": "1.00"}, headers=li_key)
    assert resp.status == 403
    assert (await client.delete(f"{API}/statements/{statement['id']}",
                                headers=li_key)).status == 403
    resp = await client.post(f"{API}/statements/{statement['id']}/share", headers=li_key)
    assert resp.status == 201


async def test_the_erp_key_can_only_ingest(client, admin, erp):
    await seed(client, admin)
    assert (await client.get(f"{API}/statements", headers=erp)).status == 403
    assert (await client.get(f"{API}/customers", headers=erp)).status == 403


async def test_only_admins_manage_keys_and_a_revoked_key_stops_working(client, admin, finance):
    resp = await client.post(f"{API}/api-keys", json={"name": "x", "role": "finance"},
                             headers=finance)
    assert resp.status == 403
    created = await post_ok(client, f"{API}/api-keys", admin,
                            {"name": "出纳", "role": "finance"}, status=201)
    new_key = {"Authorization": f"Bearer {created['key']}"}
    assert (await client.get(f"{API}/statements", headers=new_key)).status == 200
    await post_ok(client, f"{API}/api-keys/{created['id']}/revoke", admin)
    resp = await client.get(f"{API}/statements", headers=new_key)
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "bad_api_key"
    resp = await client.post(f"{API}/api-keys", json={"name": "x", "role": "sales"},
                             headers=admin)
    assert resp.status == 400
