"""Mini-program API: WeChat code login (wechatpy against the fake), binding, own statements,
answers, and Idempotency-Key."""

from __future__ import annotations

from domain.notices.models import OutboxMessage
from domain.statements.models import Statement
from tests.support import make_statement, post_ok, seed

MP = "/api/mp/v1"
BO = "/api/backoffice/v1"


async def _login(client, fake_wechat, openid: str) -> dict:
    code = f"code-{openid}"
    fake_wechat.register_code(code, openid)
    body = await post_ok(client, f"{MP}/login", {}, {"code": code})
    return {"Authorization": f"Bearer {body['token']}"}


async def _bound(client, admin, fake_wechat, customer_id, openid="o-chen"):
    session = await _login(client, fake_wechat, openid)
    bind = await post_ok(client, f"{BO}/customers/{customer_id}/bind-codes", admin, status=201)
    me = await post_ok(client, f"{MP}/bind", session, {"code": bind["code"].lower()})
    assert me["bound"] is True
    return session


async def _own_statement(client, admin, fake_wechat) -> tuple[dict, dict]:
    """Seed 000 pushed, a statement of C001 and a session bound to C001."""
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    return statement, await _bound(client, admin, fake_wechat, customers["C001"]["id"])


async def test_login_bind_list_view_and_answer(client, admin, fake_wechat):
    customers = await seed(client, admin)
    mine = await make_statement(client, admin, customers["C001"]["id"])
    await make_statement(client, admin, customers["C002"]["id"])
    session = await _bound(client, admin, fake_wechat, customers["C001"]["id"])

    listed = await (await client.get(f"{MP}/statements", headers=session)).json()
    assert [s["id"] for s in listed["items"]] == [mine["id"]]
    view = await (await client.get(f"{MP}/statements/{mine['id']}", headers=session)).json()
    assert view["closing"] == "53776.00" and view["can_answer"] is True
    assert len(view["lines"]) == 4

    answer = await post_ok(client, f"{MP}/statements/{mine['id']}/answer", session,
                           {"answer": "mismatched", "description": "退货 1000 未收到"})
    assert answer == {"status": "mismatched", "changed": True, "statement_id": mine["id"],
                      "subscribe_templates": ["demo-mp-statement-issued",
                                              "demo-mp-repayment-reminder",
                                              "demo-mp-overdue-notice"]}
    kinds = sorted(await OutboxMessage.all().values_list("kind", "recipient_name"))
    assert kinds == [("dispute_alert", "管理群"), ("dispute_alert", "赵经理"),
                     ("statement_disputed", "李业务")]


async def test_a_contact_never_sees_another_customers_statement(client, admin, fake_wechat):
    customers = await seed(client, admin)
    theirs = await make_statement(client, admin, customers["C002"]["id"])
    session = await _bound(client, admin, fake_wechat, customers["C001"]["id"])
    assert (await client.get(f"{MP}/statements/{theirs['id']}", headers=session)).status == 404
    resp = await client.post(f"{MP}/statements/{theirs['id']}/answer", headers=session,
                             json={"answer": "matched"})
    assert resp.status == 404
    assert (await Statement.get(id=theirs["id"])).status == "unconfirmed"


async def test_same_answer_again_is_a_no_op_and_a_different_one_conflicts(
    client, admin, fake_wechat
):
    statement, session = await _own_statement(client, admin, fake_wechat)
    url = f"{MP}/statements/{statement['id']}/answer"
    await post_ok(client, url, session, {"answer": "matched", "description": "无误"})
    again = await post_ok(client, url, session, {"answer": "matched"})
    assert again["changed"] is False
    resp = await client.post(url, json={"answer": "mismatched", "description": "改主意"},
                             headers=session)
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "already_answered"
    assert (await Statement.get(id=statement["id"])).status == "matched"


async def test_mismatch_needs_a_description(client, admin, fake_wechat):
    statement, session = await _own_statement(client, admin, fake_wechat)
    resp = await client.post(f"{MP}/statements/{statement['id']}/answer", headers=session,
                             json={"answer": "mismatched", "description": "   "})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "description_required"


async def test_unbound_logins_bad_codes_and_missing_sessions_are_refused(
    client, admin, fake_wechat
):
    customers = await seed(client, admin)
    session = await _login(client, fake_wechat, "o-stranger")
    resp = await client.get(f"{MP}/statements", headers=session)
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "not_bound"
    assert (await client.get(f"{MP}/statements")).status == 401
    assert (await client.get(f"{MP}/me", headers={"Authorization": "Bearer x"})).status == 401
    resp = await client.post(f"{MP}/login", json={"code": "bad-never-issued"})
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "wechat_login_failed"
    resp = await client.post(f"{MP}/login", json={"code": "code-o-stranger"})  # used already
    assert resp.status == 401
    resp = await client.post(f"{MP}/bind", json={"code": "WRONG123"}, headers=session)
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "bind_code_invalid"

    bind = await post_ok(client, f"{BO}/customers/{customers['C001']['id']}/bind-codes", admin,
                         status=201)
    await post_ok(client, f"{MP}/bind", session, {"code": bind["code"]})
    other = await _login(client, fake_wechat, "o-other")
    resp = await client.post(f"{MP}/bind", json={"code": bind["code"]}, headers=other)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "bind_code_used"


async def test_sessions_and_bind_codes_expire(client, admin, fake_wechat, clock):
    customers = await seed(client, admin)
    session = await _login(client, fake_wechat, "o-late")
    bind = await post_ok(client, f"{BO}/customers/{customers['C001']['id']}/bind-codes", admin,
                         status=201)
    clock.advance(hours=73)
    assert (await client.get(f"{MP}/me", headers=session)).status == 401
    fresh = await _login(client, fake_wechat, "o-late2")
    resp = await client.post(f"{MP}/bind", json={"code": bind["code"]}, headers=fresh)
    assert (await resp.json())["error"]["code"] == "bind_code_expired"


async def test_a_repeated_idempotency_key_replays_the_first_answer(client, admin, fake_wechat):
    statement, session = await _own_statement(client, admin, fake_wechat)
    url = f"{MP}/statements/{statement['id']}/answer"
    headers = {**session, "Idempotency-Key": "answer-1"}
    body = {"answer": "mismatched", "description": "少了一张退货单"}
    first = await client.post(url, json=body, headers=headers)
    second = await client.post(url, json=body, headers=headers)
    assert first.status == second.status == 200
    assert await first.json() == await second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert await OutboxMessage.filter(kind="statement_disputed").count() == 1
    reused = await client.post(url, json={"answer": "matched"}, headers=headers)
    assert reused.status == 409
    assert (await reused.json())["error"]["code"] == "idempotency_key_reused"


async def test_a_viewed_statement_shows_each_change_at_once(client, admin, fake_wechat):
    statement, session = await _own_statement(client, admin, fake_wechat)
    url = f"{MP}/statements/{statement['id']}"
    assert (await (await client.get(url, headers=session)).json())["status"] == "unconfirmed"
    await post_ok(client, f"{url}/answer", session, {"answer": "matched"})
    view = await (await client.get(url, headers=session)).json()
    assert view["status"] == "matched" and view["can_answer"] is False
    await post_ok(client, "/api/backoffice/v1/ingest/documents", admin, {"items": [
        {"number": "XS-2021-12-01-0001", "type": "sales_out", "date": "2021-12-01",
         "customer_code": "C001", "amount": "1.00"}]})
    assert (await (await client.get(url, headers=session)).json())["source_changed"] is True
    await client.delete(f"{BO}/statements/{statement['id']}", headers=admin)
    assert (await client.get(url, headers=session)).status == 404
