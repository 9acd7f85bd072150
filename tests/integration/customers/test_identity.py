"""One customer identity across the official account and the mini-program: a person is known
by the unionid WeChat gives (only when both apps are bound to one open platform), following and
leaving the official account is recorded, and a person who is a contact of two customers is
never merged into one contact."""

from __future__ import annotations

import pytest

from bot.wechat_followers import refresh_followers
from domain.customers.models import Contact
from httpcommon.keys import WECHAT
from tests.support import seed
from tests.support.wechat import MP, bind_code, mp_login, post_ok, push, say


@pytest.fixture
def wechat(fake_wechat):
    fake_wechat.reset()  # the fake lives for the session: no follower of another test
    return fake_wechat


async def follow_and_bind(client, clock, admin, wechat, customer_id: int,
                          openid: str = "o-chen", unionid: str = "u-chen") -> str:
    """The person follows the official account and binds with a code there; the reply."""
    await push(client, clock, wechat.subscribe_event(openid, unionid=unionid))
    return await say(client, clock, openid, f"绑定 {await bind_code(client, admin, customer_id)}")


async def test_a_follower_bound_in_the_official_account_is_bound_in_the_mini_program(
    client, clock, admin, wechat
):
    customers = await seed(client, admin)
    assert "绑定成功" in await follow_and_bind(client, clock, admin, wechat,
                                               customers["C001"]["id"])

    session, login = await mp_login(client, wechat, "mp-chen", unionid="u-chen")

    assert login["bound"] is True and login["customer"]["name"] == "联想"
    me = await (await client.get(f"{MP}/me", headers=session)).json()
    assert me["customer"]["name"] == "联想"
    person = await Contact.filter(unionid="u-chen")
    assert [(c.openid, c.mp_openid) for c in person] == [("o-chen", "mp-chen")]
    statements = await client.get(f"{MP}/statements", headers=session)
    assert statements.status == 200


async def test_a_mini_program_contact_following_the_official_account_is_recognised(
    client, clock, admin, wechat
):
    customers = await seed(client, admin)
    session, _ = await mp_login(client, wechat, "mp-chen", unionid="u-chen")
    code = await bind_code(client, admin, customers["C001"]["id"])
    await post_ok(client, f"{MP}/bind", session, {"code": code, "name": "陈会计"})

    reply = await push(client, clock, wechat.subscribe_event("o-chen", unionid="u-chen"))

    assert reply.startswith("欢迎关注！您是客户「联想」的联系人，新的对账单会在这里通知您。")
    person = await Contact.get(mp_openid="mp-chen")
    assert (person.openid, person.customer_id) == ("o-chen", customers["C001"]["id"])
    assert "联想 当前应收余额" in await say(client, clock, "o-chen", "余额")


async def test_binding_in_the_official_account_joins_the_mini_program_contact_of_that_customer(
    client, clock, admin, wechat
):
    customers = await seed(client, admin)
    session, _ = await mp_login(client, wechat, "mp-chen", unionid="u-chen")
    await post_ok(client, f"{MP}/bind", session,
                  {"code": await bind_code(client, admin, customers["C001"]["id"])})
    await Contact.filter(mp_openid="mp-chen").update(unionid=None)  # not known by unionid yet

    await push(client, clock, wechat.subscribe_event("o-chen", unionid="u-chen"))  # no link
    await Contact.filter(mp_openid="mp-chen").update(unionid="u-chen")
    code = await bind_code(client, admin, customers["C001"]["id"])
    await say(client, clock, "o-chen", f"绑定 {code}")

    assert await Contact.filter(unionid="u-chen").count() == 1
    assert (await Contact.get(unionid="u-chen")).openid == "o-chen"


async def test_without_an_open_platform_nothing_is_linked(client, clock, admin, wechat):
    customers = await seed(client, admin)
    wechat.open_platform = False
    await follow_and_bind(client, clock, admin, wechat, customers["C001"]["id"])

    _, login = await mp_login(client, wechat, "mp-chen", unionid="u-chen")

    assert login["bound"] is False and login["subscribe_templates"] == []
    assert await Contact.filter(mp_openid="mp-chen").count() == 0


async def test_the_same_person_at_two_customers_keeps_two_contacts(
    client, clock, admin, wechat
):
    """A bookkeeper for 联想 (in the mini-program) binds 明辉商贸 on the official account: a
    second contact, each identity showing its own customer; nothing moves or merges."""
    customers = await seed(client, admin)
    session, _ = await mp_login(client, wechat, "mp-chen", unionid="u-chen")
    await post_ok(client, f"{MP}/bind", session,
                  {"code": await bind_code(client, admin, customers["C001"]["id"])})

    reply = await follow_and_bind(client, clock, admin, wechat, customers["C002"]["id"])

    assert "您已绑定客户「明辉商贸」" in reply
    contacts = await Contact.filter(unionid="u-chen").order_by("id")
    assert [(c.customer_id, c.openid, c.mp_openid) for c in contacts] == [
        (customers["C001"]["id"], None, "mp-chen"), (customers["C002"]["id"], "o-chen", None)]
    me = await (await client.get(f"{MP}/me", headers=session)).json()
    assert me["customer"]["name"] == "联想"
    assert "明辉商贸 当前应收余额" in await say(client, clock, "o-chen", "余额")


async def test_a_unionid_on_contacts_of_two_customers_binds_neither_by_itself(
    client, clock, admin, wechat
):
    customers = await seed(client, admin)
    await follow_and_bind(client, clock, admin, wechat, customers["C001"]["id"])
    await Contact.filter(external_id="P002").update(unionid="u-chen")  # 明辉商贸's 周出纳 too

    _, login = await mp_login(client, wechat, "mp-chen", unionid="u-chen")

    assert login["bound"] is False  # a bind code decides which customer, not a guess
    assert await Contact.filter(mp_openid="mp-chen").count() == 0


async def test_unsubscribe_marks_the_follower_and_a_new_follow_restores_them(
    client, clock, admin, wechat
):
    customers = await seed(client, admin)
    await follow_and_bind(client, clock, admin, wechat, customers["C001"]["id"])

    assert await push(client, clock, wechat.unsubscribe_event("o-chen")) == ""
    left = await Contact.get(openid="o-chen")
    assert left.oa_unsubscribed_at == clock()

    clock.advance(days=3)
    reply = await push(client, clock, wechat.subscribe_event("o-chen", scene="anything"))
    assert reply.startswith("欢迎关注！")
    assert (await Contact.get(openid="o-chen")).oa_unsubscribed_at is None


async def test_a_follower_wechat_cannot_describe_is_still_welcomed(client, clock, wechat):
    xml = wechat.subscribe_event("o-nobody")
    wechat.reset()  # user/info now answers 40003 (invalid openid) for them

    reply = await push(client, clock, xml)

    assert reply.startswith("欢迎关注！\n您好，我是对账助手")


async def test_followers_bound_before_unionids_are_asked_about_once(
    client, clock, admin, app, wechat
):
    """Contacts bound on the official account before Tally recorded unionids: `tally followers
    refresh` fills them in (the mini-program then recognises the person) and marks who left."""
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    await Contact.filter(external_id="P002").update(openid="o-zhou")
    await Contact.create(customer_id=customers["C002"]["id"], name="旧", openid="o-unknown")
    wechat.subscribe_event("o-chen", unionid="u-chen")  # WeChat knows them; Tally never heard
    wechat.subscribe_event("o-zhou", unionid="u-zhou")
    wechat.unsubscribe_event("o-zhou")

    counts = await refresh_followers(app[WECHAT], clock)

    assert (counts.following, counts.gone, counts.unknown) == (1, 1, 1)
    chen, zhou = await Contact.get(openid="o-chen"), await Contact.get(openid="o-zhou")
    assert chen.unionid == "u-chen" and zhou.oa_unsubscribed_at == clock()
    _, login = await mp_login(client, wechat, "mp-chen", unionid="u-chen")
    assert login["bound"] is True and login["contact"]["name"] == "陈会计"


async def test_a_message_from_a_follower_marked_as_gone_shows_they_follow(
    client, clock, admin, wechat
):
    """The subscribe event was lost (the callback was down): their next message says it."""
    customers = await seed(client, admin)
    await follow_and_bind(client, clock, admin, wechat, customers["C001"]["id"])
    await push(client, clock, wechat.unsubscribe_event("o-chen"))

    reply = await say(client, clock, "o-chen", "对账单")

    assert reply == "暂无对账单。有新的对账单时我们会通知您。"
    assert (await Contact.get(openid="o-chen")).oa_unsubscribed_at is None
