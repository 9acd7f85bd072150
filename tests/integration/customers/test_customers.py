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


async def _names(client, admin, query: str = "") -> list[str]:
    listed = await (await client.get(f"{API}{query}", headers=admin)).json()
    return [c["name"] for c in listed["items"]]


async def test_customers_are_listed_by_name_in_pinyin_order_page_by_page(client, admin):
    """Seed 001 sorts customers by name the way Chinese readers do: by pinyin."""
    names = ["张家港贸易", "阿里巴巴", "周氏商行", "李记批发", "北京联想", "重庆百货"]
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": f"K{n}", "name": name} for n, name in enumerate(names)]})
    expected = ["阿里巴巴", "北京联想", "重庆百货", "李记批发", "张家港贸易", "周氏商行"]

    assert await _names(client, admin) == expected
    pages = [await _names(client, admin, f"?limit=4&offset={offset}") for offset in (0, 4)]
    assert pages == [expected[:4], expected[4:]]

    # A renamed customer moves to its new place.
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "K1", "name": "邹记粮行"}]})
    assert await _names(client, admin) == [*expected[1:], "邹记粮行"]
