"""Seed 003's two shapes of one company (SPEC §2): a parent whose subsidiaries settle on their
own (each its statement, the parent a group summary of their receivables), and one customer
whose departments order but settle centrally (one statement, its lines grouped by department)."""

from __future__ import annotations

from decimal import Decimal

from domain.customers.models import CustomerDepartment
from domain.documents.models import Document
from domain.statements.models import StatementLine
from tests.support import INGEST, STAFF, make_statement, post_ok

API = "/api/backoffice/v1"


def _doc(number: str, customer: str, amount: str, type_: str = "sales_out", **extra) -> dict:
    return {"number": number, "type": type_, "date": "2021-12-10", "customer_code": customer,
            "amount": amount, **extra}


async def _ids(client, headers) -> dict[str, int]:
    listed = await (await client.get(f"{API}/customers", headers=headers)).json()
    return {c["code"]: c["id"] for c in listed["items"]}


# ----- 集团: the parent's group summary ----------------------------------------------------------


async def test_the_parent_gets_a_summary_of_its_subsidiaries_receivables(client, admin):
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "G", "name": "青岛市某某建筑有限公司"},
        {"code": "S1", "name": "青岛市某某建筑有限公司-一分公司", "parent_code": "G"},
        {"code": "S2", "name": "青岛市某某建筑有限公司-二分公司", "parent_code": "G"},
        {"code": "S11", "name": "一分公司-工程队", "parent_code": "S1"},
        {"code": "X", "name": "无关公司"}]})
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        _doc("G-1", "G", "100.00"), _doc("S1-1", "S1", "500.00"),
        _doc("S1-2", "S1", "200.00", "receipt"), _doc("S2-1", "S2", "1000.00"),
        _doc("S2-2", "S2", "0.50", "sales_return"), _doc("S11-1", "S11", "50.00"),
        _doc("X-1", "X", "9999.00")]})
    ids = await _ids(client, admin)
    resp = await client.get(f"{API}/customers/{ids['G']}/group", headers=admin)
    group = await resp.json()
    assert resp.status == 200, group
    assert group["customer"]["code"] == "G" and group["customer"]["receivable"] == "100.00"
    assert [(s["code"], s["parent_id"], s["receivable"]) for s in group["subsidiaries"]] == [
        ("S1", ids["G"], "300.00"), ("S11", ids["S1"], "50.00"), ("S2", ids["G"], "999.50")]
    assert group["subsidiaries_total"] == "1349.50"
    assert group["group_total"] == "1449.50"

    alone = await (await client.get(f"{API}/customers/{ids['X']}/group", headers=admin)).json()
    assert alone["subsidiaries"] == [] and alone["subsidiaries_total"] == "0.00"
    assert alone["group_total"] == "9999.00"
    assert (await client.get(f"{API}/customers/999999/group", headers=admin)).status == 404


async def test_each_subsidiary_still_gets_its_own_statement(client, admin):
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "G", "name": "集团"}, {"code": "S1", "name": "分公司", "parent_code": "G"}]})
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        _doc("G-1", "G", "100.00"), _doc("S1-1", "S1", "500.00")]})
    ids = await _ids(client, admin)
    view = await make_statement(client, admin, ids["S1"], types=["sales_out"])
    assert [line["number"] for line in view["lines"]] == ["S1-1"]
    assert view["closing"] == "500.00"


# ----- departments: one statement grouped by department -----------------------------------------


async def _company_with_departments(client, admin) -> int:
    await post_ok(client, f"{INGEST}/staff", admin, {"items": STAFF})
    result = await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "Q", "name": "青岛市某某建筑有限公司", "salesperson": "sales-li",
         "departments": [{"name": "采购部", "code": "CG"}, "工程部"]}]})
    assert result["rejected"] == []
    return (await _ids(client, admin))["Q"]


async def test_a_customer_has_departments_that_documents_name_by_name_or_code(client, admin):
    customer_id = await _company_with_departments(client, admin)
    detail = await (await client.get(f"{API}/customers/{customer_id}", headers=admin)).json()
    assert detail["departments"] == [{"name": "采购部", "code": "CG"},
                                     {"name": "工程部", "code": None}]
    result = await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        _doc("XS-1", "Q", "100.00", department="CG"),
        _doc("XS-2", "Q", "200.00", department="工程部"),
        _doc("XS-3", "Q", "300.00"),
        _doc("XS-4", "Q", "400.00", department="财务部")]})
    assert [(r["key"], r["errors"]) for r in result["rejected"]] == [
        ("XS-4", ["department: 客户没有部门 '财务部'"])]
    assert dict(await Document.all().values_list("number", "department")) == {
        "XS-1": "采购部", "XS-2": "工程部", "XS-3": ""}


async def test_departments_pushed_again_replace_the_list_and_absent_leaves_it(client, admin):
    await _company_with_departments(client, admin)
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "Q", "name": "青岛市某某建筑有限公司", "salesperson": "sales-li"}]})
    assert await CustomerDepartment.all().count() == 2
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "Q", "name": "青岛市某某建筑有限公司", "salesperson": "sales-li",
         "departments": "工程部，安装部:AZ"}]})
    assert sorted(await CustomerDepartment.all().values_list("name", "code")) == [
        ("安装部", "AZ"), ("工程部", None)]
    result = await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "Q2", "name": "乙", "departments": ["甲部", "甲部"]}]})
    assert "重复" in result["rejected"][0]["errors"][0]


async def test_the_statement_groups_its_lines_by_department(client, admin):
    customer_id = await _company_with_departments(client, admin)
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        _doc("XS-1", "Q", "100.00", department="工程部"),
        _doc("XS-2", "Q", "200.00", department="CG"),
        _doc("XS-3", "Q", "300.00"),
        _doc("SK-1", "Q", "50.00", "receipt", department="工程部")]})
    view = await make_statement(client, admin, customer_id,
                                types=["sales_out", "sales_return", "receipt"])
    assert [(line["number"], line.get("department")) for line in view["lines"]] == [
        ("SK-1", "工程部"), ("XS-1", "工程部"), ("XS-2", "采购部"), ("XS-3", None)]
    groups = [(g["department"], [line["number"] for line in g["lines"]], g["line_count"],
               g["increase"], g["receipts"], g["owed_total"]) for g in view["departments"]]
    assert groups == [  # in the order they first appear, lines without one last
        ("工程部", ["SK-1", "XS-1"], 2, "100.00", "50.00", "50.00"),
        ("采购部", ["XS-2"], 1, "200.00", "0.00", "200.00"),
        ("", ["XS-3"], 1, "300.00", "0.00", "300.00")]
    assert view["departments"][2]["label"] == "未分部门"
    # A snapshot: the department a line was put on the statement with stays.
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        _doc("XS-1", "Q", "100.00", department="CG")]})
    assert await StatementLine.get(number="XS-1").values_list("department", flat=True) == \
        "工程部"
    again = await (await client.get(f"{API}/statements/{view['id']}", headers=admin)).json()
    assert again["source_changed"] is True
    assert [g["department"] for g in again["departments"]] == ["工程部", "采购部", ""]

    h5 = await post_ok(client, f"{API}/statements/{view['id']}/share", admin, status=201)
    page = await (await client.get(h5["url"].removeprefix("http://tally.test"))).text()
    assert page.index("工程部") < page.index("SK-1") < page.index("XS-1") \
        < page.index("采购部") < page.index("XS-2") < page.index("未分部门") < page.index("XS-3")


async def test_a_statement_without_departments_is_not_grouped(client, admin):
    customer_id = await _company_with_departments(client, admin)
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [
        _doc("XS-1", "Q", "100.00"), _doc("XS-2", "Q", "200.00")]})
    view = await make_statement(client, admin, customer_id, types=["sales_out"])
    assert view["departments"] == []
    assert view["closing"] == "300.00" and Decimal(view["owed_total"]) == Decimal("300.00")
