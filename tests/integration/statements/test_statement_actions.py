"""Seed 000's six-case table: every action in every state, over HTTP."""

from __future__ import annotations

import pytest

from tests.support import make_statement, post_ok, seed

API = "/api/backoffice/v1/statements"
ALL_ACTIONS = ("receive", "mismatch", "match", "feedback", "share", "delete", "cancel")

# state -> (status, received?) and the actions seed 000 shows for it.
CASES = {
    "①未确认_未收款": (["receive", "mismatch", "match", "feedback", "share", "delete"]),
    "②符合_未收款": (["receive", "cancel", "feedback", "share", "delete"]),
    "③不符合_未收款": (["receive", "cancel", "feedback", "share", "delete"]),
    "④未确认_已收款": (["mismatch", "match", "feedback", "share", "delete"]),
    "⑤符合_已收款": (["cancel", "feedback", "share", "delete"]),
    "⑥不符合_已收款": (["cancel", "feedback", "share", "delete"]),
}
LABEL = {"未确认": "unconfirmed", "符合": "matched", "不符合": "mismatched"}


async def _put_in_state(client, headers, statement_id, case):
    label, money = case[1:].split("_")
    if money == "已收款":
        await post_ok(client, f"{API}/{statement_id}/receive", headers, {"amount": "1000.00"})
    if label == "符合":
        await post_ok(client, f"{API}/{statement_id}/match", headers)
    if label == "不符合":
        await post_ok(client, f"{API}/{statement_id}/mismatch", headers,
                      {"description": "退货金额不对"})


async def _do(client, headers, statement_id, action):
    url = f"{API}/{statement_id}/{action}"
    if action == "feedback":
        return await client.get(url, headers=headers)
    if action == "delete":
        return await client.delete(f"{API}/{statement_id}", headers=headers)
    body = {"amount": "50.00"} if action == "receive" else {"description": "对方说有误"}
    return await client.post(url, json=body, headers=headers)


@pytest.mark.parametrize("action", ALL_ACTIONS)
@pytest.mark.parametrize("case", list(CASES))
async def test_each_action_in_each_state_is_allowed_or_refused_as_the_table_says(
    client, admin, case, action
):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    await _put_in_state(client, admin, statement["id"], case)
    state = await (await client.get(f"{API}/{statement['id']}", headers=admin)).json()
    assert state["status"] == LABEL[case[1:].split("_")[0]]
    assert state["actions"] == CASES[case]

    resp = await _do(client, admin, statement["id"], action)
    body = await resp.json()
    if action in CASES[case]:
        assert resp.status in (200, 201), body
    else:
        assert resp.status == 409, body
        assert body["error"]["code"] == "action_not_allowed"
        assert f"对账单状态为{case[1:].split('_')[0]}" in body["error"]["message"]
        after = await (await client.get(f"{API}/{statement['id']}", headers=admin)).json()
        assert after["status"] == state["status"]
        assert after["received_amount"] == state["received_amount"]


async def test_receiving_money_records_the_amount_and_closes_further_receipts(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    after = await post_ok(client, f"{API}/{statement['id']}/receive", admin,
                          {"amount": "1000.00", "note": "银行转账"})
    assert after["received_amount"] == "1000.00"
    assert "receive" not in after["actions"]
    resp = await client.post(f"{API}/{statement['id']}/receive", json={"amount": "abc"},
                             headers=admin)
    assert resp.status == 400


async def test_feedback_lists_the_descriptions_given_with_each_confirmation(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    await post_ok(client, f"{API}/{statement['id']}/mismatch", admin,
                  {"description": "此笔款我会下周付到贵公司账户"})
    await post_ok(client, f"{API}/{statement['id']}/cancel", admin)
    await post_ok(client, f"{API}/{statement['id']}/match", admin, {"description": "已核对"})
    feedback = await (await client.get(f"{API}/{statement['id']}/feedback", headers=admin)).json()
    assert [(f["action"], f["description"]) for f in feedback["items"]] == [
        ("mismatch", "此笔款我会下周付到贵公司账户"), ("cancel", ""), ("match", "已核对")]


async def test_deleting_is_soft_audited_and_hides_the_statement(client, admin):
    from domain.statements.models import Statement
    from domain.system.models import AuditLog

    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    resp = await client.delete(f"{API}/{statement['id']}", headers=admin)
    assert resp.status == 200
    assert (await client.get(f"{API}/{statement['id']}", headers=admin)).status == 404
    listed = await (await client.get(API, headers=admin)).json()
    assert listed["items"] == []
    row = await Statement.get(id=statement["id"])
    assert row.deleted_at is not None and row.deleted_by == "staff:test admin"
    assert await AuditLog.filter(entity="statement", entity_id=str(statement["id"]),
                                 action="delete").exists()
