"""The tap must land: a statement notice's mini-program page (``scene=s%3D<nonce>``) opens the
statement for a logged-in contact of its customer, says clearly when it is another customer's,
and every touch (me, statement, answer) tells the page which one-time subscribe consents to ask
for."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from domain.customers.models import Contact
from domain.notices.models import OutboxMessage
from tests.support import make_statement, post_ok, seed
from tests.support.wechat import MP, bind_code, mp_login, push

ALL_TEMPLATES = ["demo-mp-statement-issued", "demo-mp-repayment-reminder",
                 "demo-mp-overdue-notice"]


@pytest.fixture
async def customers(client, admin, fake_wechat) -> dict:
    fake_wechat.reset()
    return await seed(client, admin)


async def bound_session(client, admin, fake_wechat, customer_id: int, mp_openid="mp-chen"):
    session, _ = await mp_login(client, fake_wechat, mp_openid)
    await post_ok(client, f"{MP}/bind", session,
                  {"code": await bind_code(client, admin, customer_id)})
    return session


async def scene_of(statement: dict) -> str:
    rows = await OutboxMessage.filter(kind="statement_issued")
    return next(r.payload["mp_scene"] for r in rows
                if r.payload["statement_id"] == statement["id"])


async def test_the_scene_opens_the_contacts_own_statement(client, admin, fake_wechat, customers):
    session = await bound_session(client, admin, fake_wechat, customers["C001"]["id"])
    statement = await make_statement(client, admin, customers["C001"]["id"])
    scene = await scene_of(statement)
    assert len(scene) <= 32 and scene.startswith("s=")

    by_id = await (await client.get(f"{MP}/statements/{statement['id']}", headers=session)).json()
    for path_scene in (quote(scene, safe=""), quote(quote(scene, safe=""), safe="")):
        resp = await client.get(f"{MP}/scenes/{path_scene}", headers=session)
        assert resp.status == 200, await resp.text()
        assert await resp.json() == by_id  # however the page passed the scene on
    assert by_id["id"] == statement["id"] and by_id["can_answer"] is True


async def test_another_customers_scene_is_refused_clearly(client, admin, fake_wechat, customers):
    session = await bound_session(client, admin, fake_wechat, customers["C001"]["id"])
    await Contact.filter(external_id="P002").update(openid="o-zhou")  # 周出纳 is notified
    theirs = await make_statement(client, admin, customers["C002"]["id"])

    resp = await client.get(f"{MP}/scenes/{quote(await scene_of(theirs), safe='')}",
                            headers=session)

    assert resp.status == 403
    assert (await resp.json())["error"] == {"code": "statement_not_yours",
                                            "message": "这张对账单不属于你绑定的客户"}


async def test_an_unknown_scene_is_not_found(client, admin, fake_wechat, customers):
    session = await bound_session(client, admin, fake_wechat, customers["C001"]["id"])
    for scene in ("s%3D0123456789abcdef01234567", "x", "s=not-hex"):
        resp = await client.get(f"{MP}/scenes/{scene}", headers=session)
        assert resp.status == 404 and (await resp.json())["error"]["code"] == "statement_not_found"


async def test_the_scene_needs_a_login_and_a_binding(client, admin, fake_wechat, customers):
    await Contact.filter(external_id="P001").update(openid="o-chen")  # 陈会计 is notified
    statement = await make_statement(client, admin, customers["C001"]["id"])
    path = f"{MP}/scenes/{quote(await scene_of(statement), safe='')}"

    anonymous = await client.get(path)
    stranger, _ = await mp_login(client, fake_wechat, "mp-stranger")
    unbound = await client.get(path, headers=stranger)

    assert anonymous.status == 401 and (await anonymous.json())["error"]["code"] == "bad_session"
    assert unbound.status == 401 and (await unbound.json())["error"]["code"] == "not_bound"


async def test_consents_are_asked_at_each_touch_until_given_and_again_once_used(
    client, admin, fake_wechat, delivery_settings, customers, make_dispatcher
):
    session = await bound_session(client, admin, fake_wechat, customers["C001"]["id"])
    me = await (await client.get(f"{MP}/me", headers=session)).json()
    assert me["subscribe_templates"] == ALL_TEMPLATES

    await post_ok(client, f"{MP}/subscriptions", session,
                  {"accepted": ["demo-mp-statement-issued"]})
    statement = await make_statement(client, admin, customers["C001"]["id"])
    view = await (await client.get(f"{MP}/statements/{statement['id']}", headers=session)).json()
    assert view["subscribe_templates"] == ALL_TEMPLATES[1:]  # the statement consent is held

    dispatcher = await make_dispatcher(delivery_settings)
    await dispatcher.run_until_empty()  # the notice goes as a subscribe message, using it
    assert [m["kind"] for m in fake_wechat.sent] == ["subscribe"]
    answer = await post_ok(client, f"{MP}/statements/{statement['id']}/answer", session,
                           {"answer": "matched"})
    assert answer["subscribe_templates"] == ALL_TEMPLATES  # asked again


async def test_an_official_account_follower_is_not_asked(
    client, clock, admin, fake_wechat, customers
):
    session, _ = await mp_login(client, fake_wechat, "mp-chen", unionid="u-chen")
    await post_ok(client, f"{MP}/bind", session,
                  {"code": await bind_code(client, admin, customers["C001"]["id"])})
    await push(client, clock, fake_wechat.subscribe_event("o-chen", unionid="u-chen"))

    me = await (await client.get(f"{MP}/me", headers=session)).json()
    assert me["bound"] is True and me["subscribe_templates"] == []

    await push(client, clock, fake_wechat.unsubscribe_event("o-chen"))
    me = await (await client.get(f"{MP}/me", headers=session)).json()
    assert me["subscribe_templates"] == ALL_TEMPLATES
