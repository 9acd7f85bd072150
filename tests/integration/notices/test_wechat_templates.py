"""WeChat template messages under the rules in force since 2023-05-04, through the fake WeChat:
each customer notice fills typed fields within their limits (what the customer sees is asserted),
the fake refuses what WeChat refuses (47003) and hides what WeChat hides (first / remark), and a
value no field could hold is not sent but said to the managers."""

from __future__ import annotations

import json
import urllib.request

import pytest

from domain.customers.models import Contact, Customer
from domain.notices import outbox
from domain.notices.catalogue import Kind, contact_recipient
from domain.notices.models import MpSubscription, OutboxMessage
from tests.fakes.wechat import OA_APPID, OA_SECRET
from tests.support import make_statement, seed
from tests.support.delivery import drain

LONG_NAME = "深圳市前海某某某某国际供应链管理服务股份有限公司"  # 24 characters
SHORTENED = "深圳市前海某某某某国际供应链管理服务"  # without its legal form, as people say it
LONGER = "广东省深圳市南山区粤海街道某某某某电子科技研究院"  # 24, no legal form to drop
HINT = "点击查看明细，并确认是否相符"


async def issue(client, admin, *, openid=None, mp_openid=None, name=None, **period) -> None:
    """Seed 联想 (renamed to ``name``) with contact 陈会计 bound, issue one statement."""
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid=openid, mp_openid=mp_openid)
    if name:
        await Customer.filter(id=customers["C001"]["id"]).update(name=name)
    await make_statement(client, admin, customers["C001"]["id"], **period)


async def test_a_statement_notice_shows_typed_fields_that_fit_and_carries_its_link(
    client, admin, delivery_settings, make_dispatcher, fake_wechat
):
    await issue(client, admin, openid="o-chen", name=LONG_NAME)
    dispatcher = await make_dispatcher(delivery_settings)

    await dispatcher.run_until_empty()

    [message] = fake_wechat.sent
    assert message["visible"] == {
        "thing1": SHORTENED, "thing2": "2021年12月1日至12月22日",
        "amount3": "53776.00元", "phrase4": "待确认", "thing5": HINT}
    issued = await OutboxMessage.get(kind="statement_issued")
    assert message["payload"]["url"] == issued.payload["url"]
    assert issued.payload["url"].startswith("http://tally.test/s/")
    assert not {"first", "remark"} & set(message["payload"]["data"])


async def test_a_period_across_the_new_year_still_fits_one_thing(
    client, admin, delivery_settings, make_dispatcher, fake_wechat
):
    await issue(client, admin, openid="o-chen", date_from="2021-12-15", date_to="2022-01-14")
    dispatcher = await make_dispatcher(delivery_settings)

    await dispatcher.run_until_empty()

    [message] = fake_wechat.sent
    assert message["visible"]["thing2"] == "2021年12月15日至次年1月14日"


async def test_a_subscribe_message_uses_the_same_renderer(
    client, admin, delivery_settings, make_dispatcher, fake_wechat
):
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(mp_openid="mp-chen")
    await Customer.filter(id=customers["C001"]["id"]).update(name=LONGER)
    contact = await Contact.get(external_id="P001")
    await MpSubscription.create(contact=contact, template_id="demo-mp-statement-issued",
                                remaining=1)
    await make_statement(client, admin, customers["C001"]["id"])
    dispatcher = await make_dispatcher(delivery_settings)

    await dispatcher.run_until_empty()

    [message] = fake_wechat.sent
    assert message["kind"] == "subscribe"
    assert message["visible"] == {
        "thing1": "广东省深圳市南山区粤海街道某某某某电子…", "thing2": "2021年12月1日至12月22日",
        "amount3": "53776.00元", "thing4": HINT}


def debt_payload(**changes) -> dict:
    return {"customer_id": 1, "customer": "联想", "date": "2026-11-23", "amount": "2034.5",
            "due_date": "2026-11-13", "count": 1, "days_overdue": 10, "days_to_due": 0,
            "debts": [], "more": 0, **changes}


@pytest.mark.parametrize("kind, changes, visible", [
    (Kind.REPAYMENT_REMINDER, {"days_overdue": 0, "days_to_due": 7, "due_date": "2026-11-30"},
     {"thing1": "联想", "amount2": "2034.50元", "date3": "2026年11月30日",
      "thing4": "7 天后到期", "thing5": "请按期付款，如已付款请忽略"}),
    (Kind.REPAYMENT_REMINDER, {"days_overdue": 0, "days_to_due": 1, "count": 3},
     {"thing1": "联想", "amount2": "2034.50元", "date3": "2026年11月13日",
      "thing4": "共 3 笔，最早 1 天后到期", "thing5": "请按期付款，如已付款请忽略"}),
    (Kind.OVERDUE_NOTICE, {"count": 12, "customer": LONG_NAME},
     {"thing1": SHORTENED, "amount2": "2034.50元",
      "date3": "2026年11月13日", "thing4": "共 12 笔，最长已逾期 10 天",
      "thing5": "请尽快付款，如有疑问请联系业务员"}),
    (Kind.OVERDUE_NOTICE, {"days_overdue": 0},
     {"thing1": "联想", "amount2": "2034.50元", "date3": "2026年11月13日",
      "thing4": "今日到期", "thing5": "请尽快付款，如有疑问请联系业务员"}),
])
async def test_debt_notices_show_the_total_the_due_date_and_the_state(
    client, delivery_settings, make_dispatcher, fake_wechat, clock, kind, changes, visible
):
    contact = await Contact.create(name="陈会计", openid="o-chen")
    await outbox.enqueue(kind, contact_recipient(contact.id, contact.name),
                         debt_payload(**changes), "k:1", clock())
    dispatcher = await make_dispatcher(delivery_settings)

    await dispatcher.run_until_empty()

    [message] = fake_wechat.sent
    assert message["visible"] == visible


async def test_a_negative_closing_is_not_sent_as_an_amount_and_the_managers_hear_of_it(
    client, delivery_settings, make_dispatcher, fake_wechat, fake_dingtalk, clock
):
    contact = await Contact.create(name="陈会计", openid="o-chen")
    payload = {"statement_id": 7, "customer": "联想", "date_from": "2021-12-01",
               "date_to": "2021-12-22", "closing": "-120.00", "owed_total": "0",
               "url": "http://tally.test/s/x", "mp_scene": "s=x"}
    await outbox.enqueue(Kind.STATEMENT_ISSUED, contact_recipient(contact.id, contact.name),
                         payload, "s:7", clock())
    dispatcher = await make_dispatcher(delivery_settings)

    await drain(dispatcher, clock)

    row = await OutboxMessage.get(kind="statement_issued")
    assert row.status == "dead" and row.attempts == 1
    assert row.last_error.startswith("template data: statement_issued amount3 (closing): ")
    assert fake_wechat.sent == []
    [alert] = [s for s in fake_dingtalk.sent if s["kind"] == "group"]
    assert "amount3" in alert["payload"]["text"]["content"]


async def test_a_statement_notice_without_its_link_is_not_sent(
    client, delivery_settings, make_dispatcher, fake_wechat, clock
):
    contact = await Contact.create(name="陈会计", openid="o-chen")
    payload = {"statement_id": 7, "customer": "联想", "date_from": "2021-12-01",
               "date_to": "2021-12-22", "closing": "1.00", "owed_total": "1.00",
               "url": "", "mp_scene": ""}
    await outbox.enqueue(Kind.STATEMENT_ISSUED, contact_recipient(contact.id, contact.name),
                         payload, "s:7", clock())
    dispatcher = await make_dispatcher(delivery_settings)

    await dispatcher.run_until_empty()

    row = await OutboxMessage.get(kind="statement_issued")
    assert (row.status, row.last_error) == ("dead", "statement_issued without its link")
    assert fake_wechat.sent == []


# ----- the fake refuses and hides what WeChat does ----------------------------------------------


def post(fake, path: str, body: dict) -> dict:
    token_url = (f"{fake.base_url}cgi-bin/token?grant_type=client_credential"
                 f"&appid={OA_APPID}&secret={OA_SECRET}")
    with urllib.request.urlopen(token_url) as answer:
        token = json.load(answer)["access_token"]
    request = urllib.request.Request(
        f"{fake.base_url}{path}?access_token={token}",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


@pytest.mark.parametrize("path", ["cgi-bin/message/template/send",
                                  "cgi-bin/message/subscribe/send"])
@pytest.mark.parametrize("field, value, error", [
    ("thing1", "一" * 21, "data.thing1.value invalid"),
    ("thing1", "", "data.thing1.value is empty"),
    ("amount2", "¥1,234.50", "data.amount2.value invalid"),
    ("character_string3", "对账单号", "data.character_string3.value invalid"),
    ("phrase4", "已逾期十天了", "data.phrase4.value invalid"),
    ("date5", "下周一", "data.date5.value invalid"),
])
def test_the_fake_refuses_a_value_its_type_cannot_hold_like_wechat(
    fake_wechat, path, field, value, error
):
    fake_wechat.reset()
    answer = post(fake_wechat, path, {"touser": "o-1", "template_id": "t-1",
                                      "data": {field: {"value": value}}})

    assert answer["errcode"] == 47003 and answer["errmsg"].endswith(error)
    assert fake_wechat.sent == []


def test_the_fake_shows_a_historical_template_as_wechat_does_since_2023_05_04(fake_wechat):
    fake_wechat.reset()
    data = {"first": {"value": "您有一份新的对账单", "color": "#FF0000"},
            "keyword1": {"value": "一家名字非常非常非常非常非常长的客户有限公司"},
            "keyword2": {"value": "2021-12-01 至 2021-12-22"},
            "remark": {"value": "点击查看明细"}}

    answer = post(fake_wechat, "cgi-bin/message/template/send",
                  {"touser": "o-1", "template_id": "t-1", "data": data})

    assert answer["errcode"] == 0
    [message] = fake_wechat.sent
    assert message["visible"] == {"keyword1": "一家名字非常非常非常非常非常长的客户有限…",
                                  "keyword2": "2021-12-01 至 2021-12…"}
