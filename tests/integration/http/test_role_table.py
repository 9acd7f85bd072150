"""Roles are a contract: every back-office route × every key role is walked against the one
declared table (httpcommon.roles), and the README's role table is that table."""

from __future__ import annotations

import re
from pathlib import Path

from domain.actors import ROLES, SALES
from domain.org.models import Staff
from httpcommon.roles import PREFIX, ROUTE_ROLES, role_table_markdown
from tests.support import INGEST, post_ok

README = Path(__file__).resolve().parents[3] / "README.md"
TABLE_START, TABLE_END = "<!-- role table: start -->", "<!-- role table: end -->"


def _routes(client) -> list[tuple[str, str]]:
    """(method, path) of every back-office route the service serves, but its document."""
    mounted = next(r for r in client.server.app.router.resources() if r.canonical == PREFIX)
    return [(route.method, resource.canonical.removeprefix(PREFIX))
            for resource in mounted._app.router.resources() if resource.name != "openapi"
            for route in resource if route.method != "HEAD"]


async def _keys(client, admin, make_key) -> dict[str, dict]:
    await post_ok(client, f"{INGEST}/staff", admin,
                  {"items": [{"userid": "sales-li", "name": "李业务"}]})
    li = await Staff.get(dingtalk_userid="sales-li")
    return {role: await make_key(role, li.id if role == SALES else None) for role in ROLES}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_every_route_is_in_the_role_table_and_nothing_else(client):
    served = {f"{method} {path}" for method, path in _routes(client)}
    assert served == set(ROUTE_ROLES)


async def test_every_route_admits_exactly_the_roles_of_the_table(client, admin, make_key):
    keys = await _keys(client, admin, make_key)
    wrong = []
    for method, path in _routes(client):
        admitted = ROUTE_ROLES[f"{method} {path}"]
        for role, key in keys.items():
            resp = await client.request(method, f"{PREFIX}{_concrete(path)}", json={},
                                        headers=key)
            refused = resp.status == 403 and (await resp.json())["error"]["code"] == (
                "role_forbidden")
            if refused == (role in admitted):
                wrong.append(f"{role} {method} {path}: {resp.status}")
    assert wrong == []


async def test_the_erp_key_reads_no_ledger_and_records_no_money(client, erp):
    for method, path in (("GET", "/credit/customers/1/ledger"), ("GET", "/credit/debts"),
                         ("POST", "/credit/payments"), ("GET", "/customers"),
                         ("POST", "/billing/customers/1/recharges"), ("GET", "/billing/bills")):
        resp = await client.request(method, f"{PREFIX}{path}", json={}, headers=erp)
        assert resp.status == 403, (method, path)
    resp = await client.get(f"{PREFIX}/credit/orders/SO-404", headers=erp)
    assert resp.status == 404  # it may read back an order it pushed


def test_the_readme_role_table_is_the_declared_one():
    text = README.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    assert text[start:end].strip() == role_table_markdown().strip(), (
        "regenerate it: .venv/bin/python -m httpcommon.roles")
