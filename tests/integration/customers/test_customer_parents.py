"""Seed 003's 上级客户: a customer can never be its own ancestor, whichever path sets the parent
(ERP ingest, the back-office update, a file import)."""

from __future__ import annotations

from domain.customers.models import Customer
from tests.support import INGEST, post_ok

API = "/api/backoffice/v1/customers"


async def _parents() -> dict[str, str | None]:
    rows = await Customer.filter(deleted_at=None).prefetch_related("parent")
    return {c.code: c.parent.code if c.parent else None for c in rows}


async def _ingest(client, headers, rows, **query):
    suffix = "?atomic=1" if query.get("atomic") else ""
    resp = await client.post(f"{INGEST}/customers{suffix}", json={"items": rows},
                             headers=headers)
    return resp.status, await resp.json()


async def test_a_parent_cannot_be_moved_under_its_own_child(client, erp):
    await post_ok(client, f"{INGEST}/customers", erp, {"items": [
        {"code": "P", "name": "青岛市某某建筑有限公司"},
        {"code": "C", "name": "青岛市某某建筑有限公司-采购部", "parent_code": "P"}]})
    status, result = await _ingest(client, erp, [
        {"code": "P", "name": "青岛市某某建筑有限公司", "parent_code": "C"}])
    assert status == 200
    assert result["created"] == result["updated"] == 0
    assert [(r["index"], r["key"]) for r in result["rejected"]] == [(0, "P")]
    assert "循环" in result["rejected"][0]["errors"][0]
    assert await _parents() == {"P": None, "C": "P"}


async def test_a_longer_cycle_through_grandparents_is_refused_too(client, erp):
    await post_ok(client, f"{INGEST}/customers", erp, {"items": [
        {"code": "A", "name": "集团"}, {"code": "B", "name": "子公司", "parent_code": "A"},
        {"code": "C", "name": "孙公司", "parent_code": "B"}]})
    _, result = await _ingest(client, erp, [{"code": "A", "name": "集团", "parent_code": "C"}])
    assert [r["key"] for r in result["rejected"]] == ["A"]
    assert await _parents() == {"A": None, "B": "A", "C": "B"}


async def test_a_batch_that_forms_a_cycle_by_itself_is_refused_and_the_rest_lands(client, erp):
    _, result = await _ingest(client, erp, [
        {"code": "X", "name": "甲", "parent_code": "Y"},
        {"code": "Y", "name": "乙", "parent_code": "Z"},
        {"code": "Z", "name": "丙", "parent_code": "X"},
        {"code": "W", "name": "丁", "parent_code": "X"},
        {"code": "V", "name": "戊"}])
    rejected = {r["key"]: r["errors"] for r in result["rejected"]}
    assert sorted(rejected) == ["W", "X", "Y", "Z"]
    assert "循环" in rejected["Z"][0]  # the row that closes the cycle
    assert all("被拒绝" in rejected[k][0] for k in "WXY")  # their parent did not land
    assert result["created"] == 1
    assert await _parents() == {"V": None}


async def test_a_batch_that_moves_a_child_away_may_then_reverse_the_pair(client, erp):
    """Rows apply in order: once C no longer sits under P, P may go under C."""
    await post_ok(client, f"{INGEST}/customers", erp, {"items": [
        {"code": "P", "name": "总公司"}, {"code": "C", "name": "分公司", "parent_code": "P"}]})
    _, result = await _ingest(client, erp, [
        {"code": "C", "name": "分公司"}, {"code": "P", "name": "总公司", "parent_code": "C"}])
    assert result["rejected"] == []
    assert await _parents() == {"P": "C", "C": None}


async def test_an_atomic_batch_with_a_cycle_writes_nothing(client, erp):
    status, body = await _ingest(client, erp, [
        {"code": "X", "name": "甲", "parent_code": "Y"},
        {"code": "Y", "name": "乙", "parent_code": "X"}], atomic=True)
    assert status == 400 and body["error"]["code"] == "batch_rejected"
    assert [r["key"] for r in body["error"]["detail"]["rejected"]] == ["X", "Y"]
    assert await _parents() == {}


async def test_the_back_office_sets_a_parent_but_never_one_that_closes_a_cycle(client, admin):
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": "P", "name": "总公司"}, {"code": "C", "name": "分公司"},
        {"code": "G", "name": "孙公司", "parent_code": "C"}]})
    ids = {c.code: c.id for c in await Customer.all()}
    resp = await client.patch(f"{API}/{ids['C']}", json={"parent_id": ids["P"]}, headers=admin)
    assert resp.status == 200 and (await resp.json())["parent_id"] == ids["P"]
    for child, parent in (("P", "G"), ("P", "C"), ("C", "C")):
        resp = await client.patch(f"{API}/{ids[child]}", json={"parent_id": ids[parent]},
                                  headers=admin)
        body = await resp.json()
        assert resp.status == 409, body
        assert body["error"]["code"] == "customer_cycle"
    assert await _parents() == {"P": None, "C": "P", "G": "C"}
    resp = await client.patch(f"{API}/{ids['C']}", json={"parent_id": None}, headers=admin)
    assert resp.status == 200 and (await resp.json())["parent_id"] is None


async def test_a_bad_parent_update_is_a_clear_4xx(client, admin, make_key):
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [{"code": "C", "name": "分"}]})
    customer = await Customer.get(code="C")
    for body, status, code in (({"parent_id": 999999}, 400, "unknown_parent"),
                               ({"parent_id": "1"}, 400, "bad_field"),
                               ({}, 400, "bad_field")):
        resp = await client.patch(f"{API}/{customer.id}", json=body, headers=admin)
        error = await resp.json()
        assert resp.status == status, error
        assert error["error"]["code"] == code
    resp = await client.patch(f"{API}/{customer.id}", json={"parent_id": None},
                              headers=await make_key("erp"))
    assert resp.status == 403
    resp = await client.patch(f"{API}/{customer.id}", json={"parent_id": None},
                              headers=await make_key("finance"))
    assert resp.status == 200
