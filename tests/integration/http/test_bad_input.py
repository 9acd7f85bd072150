"""Bad input is a 4xx with a clear JSON error, never a 500, and nothing is half written: each
input class the schemathesis run found, driven through the HTTP API."""

from __future__ import annotations

import pytest

from domain.billing.models import UsageAccount
from domain.credit.models import CreditLine
from domain.documents.models import Document
from tests.support import make_statement, seed
from tests.support.credit import call, setup, w

BO = "/api/backoffice/v1"
LONG = "X" * 70  # longer than any key column (64)


async def _error(resp, status: int) -> dict:
    body = await resp.json()
    assert resp.status == status, body
    assert set(body["error"]) >= {"code", "message"}, body
    return body["error"]


@pytest.mark.parametrize("path", [
    "/statements/%C2%B3",  # '³': str.isdigit() says yes, int() says no
    "/statements/%D9%A3",  # '٣' (Arabic-Indic three): int() reads it as 3
    "/statements/99999999999999999999999",
    "/statements/2147483648",  # one past the store's integer range
    "/customers/%C2%B3/group",
])
async def test_an_id_that_is_not_ascii_digits_in_range_is_not_found(client, admin, path):
    await _error(await client.get(BO + path, headers=admin), 404)


@pytest.mark.parametrize("query", ["limit=%D9%A3", "customer_id=99999999999999999999999",
                                   "offset=1_000", "customer_id=%C2%B3"])
async def test_a_query_integer_must_be_ascii_digits_in_range(client, admin, query):
    await _error(await client.get(f"{BO}/statements?{query}", headers=admin), 400)


@pytest.mark.parametrize("customer_id", [True, 2**40, -2**40, "1"])
async def test_a_statement_customer_must_be_an_integer_the_store_can_hold(
        client, admin, customer_id):
    await seed(client, admin)
    resp = await client.post(f"{BO}/statements", headers=admin, json={
        "customer_id": customer_id, "date_from": "2021-12-01", "date_to": "2021-12-22"})
    await _error(resp, 400)
    assert (await (await client.get(f"{BO}/statements", headers=admin)).json())["items"] == []


async def test_a_bare_number_is_not_a_date(client, admin):
    customers = await seed(client, admin)
    resp = await client.post(f"{BO}/statements", headers=admin, json={
        "customer_id": customers["C001"]["id"], "date_from": 20211201, "date_to": "2021-12-22"})
    assert (await _error(resp, 400))["code"] == "bad_date"
    resp = await client.get(f"{BO}/statements?from=20211201", headers=admin)
    assert (await _error(resp, 400))["code"] == "bad_date"


async def test_path_and_query_text_longer_than_its_column_is_a_4xx(client, admin):
    await seed(client, admin)
    await _error(await client.get(f"{BO}/credit/orders/{LONG}", headers=admin), 404)
    await _error(await client.post(f"{BO}/credit/orders/{LONG}/cancel", headers=admin), 404)
    await _error(await client.get(f"{BO}/handover/days?staff={LONG}", headers=admin), 400)
    resp = await client.post(f"{BO}/ingest/documents", headers=admin, json={"items": [
        {"number": LONG, "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": "1.00"}]})
    assert (await resp.json())["rejected"][0]["index"] == 0


@pytest.mark.parametrize("amount", ["1e30", "1e400", "-1e400", "12345678901234567890123456.78",
                                    "100000000000000.00", "Infinity", "1e-400"])
async def test_an_amount_beyond_the_column_is_one_bad_row_and_the_good_rows_land(
        client, admin, amount):
    await seed(client, admin)
    before = await Document.all().count()
    resp = await client.post(f"{BO}/ingest/documents", headers=admin, json={"items": [
        {"number": "BIG-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": amount},
        {"number": "OK-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": "99999999999999.99"}]})
    result = await resp.json()
    assert resp.status == 200, result
    assert [r["index"] for r in result["rejected"]] == [0], result
    assert result["created"] == 1
    assert await Document.all().count() == before + 1
    assert not await Document.filter(number="BIG-1").exists()


async def test_an_atomic_batch_with_a_huge_amount_writes_nothing(client, admin):
    await seed(client, admin)
    before = await Document.all().count()
    resp = await client.post(f"{BO}/ingest/documents?atomic=1", headers=admin, json={"items": [
        {"number": "OK-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": "1.00"},
        {"number": "BIG-1", "type": "sales_out", "date": "2021-12-01", "customer_code": "C001",
         "amount": "1e30"}]})
    assert (await _error(resp, 400))["code"] == "batch_rejected"
    assert await Document.all().count() == before


@pytest.mark.parametrize("amount", ["1e30", "1e400", "100000000000000.00"])
async def test_a_payment_amount_beyond_the_column_is_a_400(client, admin, amount):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    resp = await client.post(f"{BO}/statements/{statement['id']}/receive", headers=admin,
                             json={"amount": amount})
    assert (await _error(resp, 400))["code"] == "bad_amount"


async def test_deeply_nested_json_is_a_400(client, admin):
    body = '{"items": ' + "[" * 100_000 + "]" * 100_000 + "}"
    resp = await client.post(f"{BO}/ingest/documents", headers={
        **admin, "Content-Type": "application/json"}, data=body)
    assert (await _error(resp, 400))["code"] == "bad_json"
    nested = {"items": [{"number": "N-1", "x": []}]}
    for _ in range(40):
        nested["items"][0]["x"] = [nested["items"][0]["x"]]
    resp = await client.post(f"{BO}/ingest/documents", headers=admin, json=nested)
    assert (await _error(resp, 400))["code"] == "bad_json"


async def test_nul_characters_in_text_are_a_400_and_change_nothing(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    resp = await client.post(f"{BO}/statements/{statement['id']}/mismatch", headers=admin,
                             json={"description": "金额\x00不对"})
    await _error(resp, 400)
    view = await (await client.get(f"{BO}/statements/{statement['id']}", headers=admin)).json()
    assert view["status"] == "unconfirmed"
    resp = await client.get(f"{BO}/customers?q=%00", headers=admin)
    await _error(resp, 400)
    resp = await client.post(f"{BO}/ingest/customers", headers=admin, json={"items": [
        {"code": "C\x009", "name": "坏客户"}, {"code": "C009", "name": "好客户"}]})
    await _error(resp, 400)
    resp = await client.get(f"{BO}/customers?q=C009", headers=admin)
    assert (await resp.json())["items"] == []


async def test_null_for_a_field_that_cannot_be_null_is_a_400(client, admin, erp):
    customers = await seed(client, admin)
    product = await (await client.post(f"{BO}/billing/products", headers=erp, json={
        "customer_id": customers["C001"]["id"], "code": "SMS1", "name": "短信"})).json()
    resp = await client.post(f"{BO}/billing/products/{product['id']}/accounts", headers=erp,
                             json={"account": "acc-1", "interest_free": None})
    await _error(resp, 400)
    await client.post(f"{BO}/billing/products/{product['id']}/accounts", headers=erp,
                      json={"account": "acc-1"})
    resp = await client.put(f"{BO}/billing/accounts/acc-1", headers=erp,
                            json={"interest_free": None})
    await _error(resp, 400)
    assert (await UsageAccount.get(account="acc-1")).interest_free is False


async def test_an_unknown_parent_credit_line_is_a_404_and_nothing_is_granted(client, admin):
    ids = await setup(client, admin)
    body = {"customer_id": ids["c2"], "org_id": ids["org"], "type": "direct_use",
            "limit": w(1), "valid_from": "2021-01-01", "valid_to": "2021-12-31",
            "parent_id": 999_999}
    await call(client, "POST", "/accounts", admin, body, status=404)
    assert await CreditLine.all().count() == 0


@pytest.mark.parametrize("path,body", [
    ("/api-keys", {"name": "k", "role": "admin", "staff_id": 2**40}),
    ("/api-keys", {"name": "k", "role": "admin", "staff_id": True}),
    ("/customers/1/bind-codes", {"contact_id": 2**40}),
])
async def test_an_id_in_a_body_beyond_the_stores_range_is_a_400(client, admin, path, body):
    await seed(client, admin)
    await _error(await client.post(BO + path, headers=admin, json=body), 400)
