"""Seed 003: delete only a customer with no documents; disable only one with no receivable."""

from __future__ import annotations

from tests.support import INGEST, post_ok, seed

API = "/api/backoffice/v1/customers"


async def test_a_customer_with_documents_cannot_be_deleted(client, admin):
    customers = await seed(client, admin)
    resp = await client.delete(f"{API}/{customers['C001']['id']}", headers=admin)
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "customer_has_documents"


async def test_a_customer_without_documents_is_deleted_and_its_code_can_be_reused(client, admin):
    await seed(client, admin)
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [{"code": "N1", "name": "新"}]})
    listed = await (await client.get(f"{API}?q=新", headers=admin)).json()
    new_id = listed["items"][0]["id"]
    assert (await client.delete(f"{API}/{new_id}", headers=admin)).status == 200
    assert (await client.get(f"{API}/{new_id}", headers=admin)).status == 404
    again = await post_ok(client, f"{INGEST}/customers", admin,
                          {"items": [{"code": "N1", "name": "新"}]})
    assert again["created"] == 1


async def test_disable_needs_a_zero_receivable_and_disabled_ones_are_hidden(client, admin):
    customers = await seed(client, admin)
    c1 = customers["C001"]["id"]
    resp = await client.post(f"{API}/{c1}/disable", headers=admin)
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "customer_has_receivable"

    await post_ok(client, f"{INGEST}/customers", admin, {"items": [{"code": "Z", "name": "零"}]})
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        {"number": "Z-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "Z",
         "amount": "10.00"},
        {"number": "Z-2", "type": "receipt", "date": "2021-12-02", "customer_code": "Z",
         "amount": "10.00"}]})
    zero = next(c for c in (await (await client.get(API, headers=admin)).json())["items"]
                if c["code"] == "Z")
    assert (await post_ok(client, f"{API}/{zero['id']}/disable", admin))["disabled"] is True
    codes = [c["code"] for c in (await (await client.get(API, headers=admin)).json())["items"]]
    assert "Z" not in codes
    codes = [c["code"] for c in (await (await client.get(
        f"{API}?include_disabled=1", headers=admin)).json())["items"]]
    assert "Z" in codes
    assert (await post_ok(client, f"{API}/{zero['id']}/enable", admin))["disabled"] is False
