"""Shared test support: seed 000's 联想 example pushed through the real ingest API, and the one
caller of the back-office API. Helpers by context live beside this in the package: approvals,
billing (month-end set-up), cli (the `tally` command or a line of Python in a child process),
credit, debts (debts written directly), delivery (the outbox dispatcher against the fakes),
dingtalk (stream steps), handover, payments, statements (a statement's view for the renderers),
tiers. Fixtures shared by the integration tests are in their conftest."""

from __future__ import annotations

API = "/api/backoffice/v1"
INGEST = f"{API}/ingest"
# Credentials that are not the demo's: `tally serve` outside sandbox mode refuses the demo ones.
REAL_CREDENTIALS = {
    "TALLY_WECHAT_CALLBACK_TOKEN": "k3Jx9-real-token", "TALLY_WECHAT_APPID": "wx1234567890",
    "TALLY_WECHAT_SECRET": "real-official-secret", "TALLY_MP_APPID": "wx0987654321",
    "TALLY_MP_SECRET": "real-miniapp-secret", "TALLY_DINGTALK_CLIENT_ID": "dingabcdef",
    "TALLY_DINGTALK_CLIENT_SECRET": "real-dingtalk-secret",
    "TALLY_DINGTALK_ROBOT_CODE": "dingabcdef", "TALLY_DINGTALK_CORP_ID": "ding1a2b3c4d5e6f",
    "TALLY_DINGTALK_CARD_TEMPLATES": (
        '{"approval": {"template_id": "a1b2-approval.schema", "comment_input": true}, '
        '"dispute": {"template_id": "a1b2-dispute.schema"}, '
        '"handover": {"template_id": "a1b2-handover.schema"}}'),
}
STAFF = [
    {"userid": "mgr-zhao", "name": "赵经理"},
    {"userid": "sales-li", "name": "李业务", "manager_userid": "mgr-zhao"},
    {"userid": "sales-wang", "name": "王业务", "manager_userid": "mgr-zhao"},
]
CUSTOMERS = [
    {"code": "C001", "name": "联想", "salesperson": "sales-li"},
    {"code": "C002", "name": "明辉商贸", "salesperson": "sales-wang"},
]
CONTACTS = [
    {"external_id": "P001", "customer_code": "C001", "name": "陈会计"},
    {"external_id": "P002", "customer_code": "C002", "name": "周出纳"},
]
DOCUMENTS = [
    {"number": "XS-2021-11-30-0009", "type": "sales_out", "date": "2021-11-30",
     "customer_code": "C001", "amount": "5000.00", "owed": "0.00"},
    {"number": "XS-2021-12-01-0001", "type": "sales_out", "date": "2021-12-01",
     "customer_code": "C001", "salesperson": "sales-li", "amount": "32000.00",
     "owed": "32000.00"},
    {"number": "XS-2021-12-15-0004", "type": "销售出库单", "date": "2021-12-15",
     "customer_code": "C001", "amount": "17876.00", "owed": "17876.00"},
    {"number": "XT-T-2021-12-22-0002", "type": "销售退货单", "date": "2021-12-22",
     "customer_code": "C001", "amount": "1000.00", "owed": "-1000.00"},
    {"number": "XS-T-2021-12-22-0001", "type": "收款单", "date": "2021-12-22",
     "customer_code": "C001", "amount": "100.00", "owed": "-100.00",
     "account": "银行存款-中国银行"},
    {"number": "MH-2021-12-10-0001", "type": "sales_out", "date": "2021-12-10",
     "customer_code": "C002", "amount": "8800.00"},
]


async def post_ok(client, path, headers, json=None, status=200):
    resp = await client.post(path, json=json or {}, headers=headers)
    body = await resp.json()
    assert resp.status == status, body
    return body


async def call(client, method: str, path: str, headers: dict, json=None, status: int = 200, *,
               base: str = API):
    """One back-office call (``path`` below ``base``), asserting the status; the JSON body."""
    resp = await client.request(method, base + path, json=json, headers=headers)
    body = await resp.json()
    assert resp.status == status, body
    return body


async def seed(client, headers, reader=None) -> dict:
    """Push staff, customers, contacts and documents; returns customers by code."""
    for kind, rows in (("staff", STAFF), ("customers", CUSTOMERS), ("contacts", CONTACTS),
                       ("documents", DOCUMENTS)):
        result = await post_ok(client, f"{INGEST}/{kind}", headers, {"items": rows})
        assert result["rejected"] == [], result
    resp = await client.get("/api/backoffice/v1/customers", headers=reader or headers)
    return {c["code"]: c for c in (await resp.json())["items"]}


async def make_statement(client, headers, customer_id, **extra) -> dict:
    body = {"customer_id": customer_id, "date_from": "2021-12-01", "date_to": "2021-12-22",
            **extra}
    return await post_ok(client, "/api/backoffice/v1/statements", headers, body, status=201)


async def shared_statement(client, headers) -> tuple[dict, str]:
    """Seed 000's data, a statement of 联想 and its share link: (statement, the link's path)."""
    customers = await seed(client, headers)
    statement = await make_statement(client, headers, customers["C001"]["id"])
    share = await post_ok(client, f"/api/backoffice/v1/statements/{statement['id']}/share",
                          headers, status=201)
    return statement, share["url"].removeprefix("http://tally.test")
