"""The debt reminders job with fixed dates: which stage each debt reaches, once per debt and
stage however often it runs, one message per customer listing its debts, the salesperson's
digest, the managers' alerts — and those messages delivered through the fake WeChat and
DingTalk when the outbox drains.

Debts are written directly (tests/support/debts.py), as the credit use cases would have left
them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.credit.models import Debt, DebtReminder
from domain.credit.reminders import ReminderPolicy, stage_on
from domain.customers.models import Contact
from domain.errors import Invalid
from domain.notices.models import OutboxMessage
from jobs.reminders import run_reminders
from tests.support.debts import NOW, make_customer, make_debt, make_org, make_people
from tests.support.delivery import drain, fresh_delivery_settings

DAY = date(2026, 11, 23)


async def stages() -> set[tuple[int, str, date]]:
    return {(r.debt_id, r.stage, r.sent_on) for r in await DebtReminder.all()}


async def queued(kind: str | None = None) -> list[OutboxMessage]:
    query = OutboxMessage.all() if kind is None else OutboxMessage.filter(kind=kind)
    return await query.order_by("id")


@pytest.fixture
async def world(client):
    """赵经理 manages 李业务; 联想 (2 bound contacts) is 李业务's customer."""
    people = await make_people()
    org = await make_org()
    lenovo = await make_customer("联想", people["li"], "o-chen", "o-zhou")
    return {**people, "org": org, "lenovo": lenovo}


# ----- the rule -------------------------------------------------------------------------------

POLICY = ReminderPolicy((7, 1), 7)


@pytest.mark.parametrize("due, expected", [
    (date(2026, 12, 10), None),          # 17 days ahead: nothing yet
    (date(2026, 12, 1), None),           # 8 days
    (date(2026, 11, 30), "before:7"),    # 7 days
    (date(2026, 11, 25), "before:7"),    # 2 days: still the 7-day stage
    (date(2026, 11, 24), "before:1"),    # tomorrow
    (date(2026, 11, 23), "due"),         # the due day
    (date(2026, 11, 18), "due"),         # 5 days overdue: the latest reached is still "due"
    (date(2026, 11, 16), "overdue:7"),   # 7 days overdue
    (date(2026, 11, 10), "overdue:7"),   # 13
    (date(2026, 11, 9), "overdue:14"),   # 14
    (date(2026, 8, 25), "overdue:84"),   # 90
])
def test_a_debt_is_at_the_latest_stage_it_has_reached(due, expected):
    assert stage_on(due, DAY, POLICY) == expected


def test_the_stages_follow_the_settings():
    policy = ReminderPolicy.parse("3, 10 ,1", 30)
    assert policy.before_days == (10, 3, 1)
    assert stage_on(date(2026, 12, 3), DAY, policy) == "before:10"
    assert stage_on(date(2026, 11, 26), DAY, policy) == "before:3"
    assert stage_on(date(2026, 10, 24), DAY, policy) == "overdue:30"
    assert stage_on(date(2026, 10, 25), DAY, policy) == "due"


@pytest.mark.parametrize("days, every", [("7,x", 7), ("7,0", 7), ("-1", 7), ("7,1", 0)])
def test_bad_reminder_settings_are_refused(days, every):
    with pytest.raises(Invalid) as caught:
        ReminderPolicy.parse(days, every)
    assert caught.value.code == "bad_reminder_days"


# ----- the job --------------------------------------------------------------------------------


async def test_before_due_the_customer_and_the_salesperson_hear_of_it(world, settings):
    debt = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 30),
                           amount="300000.00", debt_date=date(2026, 10, 1))

    counts = await run_reminders(DAY, NOW, settings)

    assert counts["stages_recorded"] == 1 and counts["by_stage"] == {"before:7": 1}
    assert counts["messages"] == {"dingtalk": 1, "wechat": 2}
    assert await stages() == {(debt.id, "before:7", DAY)}
    wechat = await queued("repayment_reminder")
    assert sorted(m.recipient_name for m in wechat) == ["联想联系人", "联想联系人"]
    assert {m.channel for m in wechat} == {"wechat"}
    payload = wechat[0].payload
    assert payload["customer"] == "联想" and payload["amount"] == "300000.00"
    assert payload["due_date"] == "2026-11-30" and payload["days_to_due"] == 7
    assert payload["debts"] == [{
        "debt_id": debt.id, "debt_date": "2026-10-01", "due_date": "2026-11-30",
        "amount": "300000.00", "outstanding": "300000.00", "stage": "before:7",
        "days_overdue": 0, "label": "即将到期（7 天后）"}]
    [digest] = await queued("debt_digest")
    assert digest.recipient_id == str(world["li"].id) and digest.channel == "dingtalk"
    assert digest.payload["customers"][0]["customer"] == "联想"
    assert await queued("overdue_alert") == [] and await queued("overdue_notice") == []


async def test_due_and_overdue_reach_customer_salesperson_manager_and_the_group(
    world, settings
):
    await make_debt(world["lenovo"], world["org"], due=DAY, amount="500.00")
    await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 9), amount="800.00",
                    outstanding="300.00")

    counts = await run_reminders(DAY, NOW, settings)

    assert counts["by_stage"] == {"due": 1, "overdue:14": 1}
    assert counts["messages"] == {"dingtalk": 2, "dingtalk_group": 1, "wechat": 2}
    notices = await queued("overdue_notice")
    assert len(notices) == 2  # one per bound contact, both debts in it
    payload = notices[0].payload
    assert (payload["count"], payload["amount"], payload["due_date"]) == (2, "800.00",
                                                                         "2026-11-09")
    assert payload["days_overdue"] == 14
    assert [d["label"] for d in payload["debts"]] == ["逾期 14 天", "今日到期"]
    alerts = {m.recipient_kind: m for m in await queued("overdue_alert")}
    assert set(alerts) == {"staff", "group"}
    assert alerts["staff"].recipient_id == str(world["manager"].id)
    assert alerts["group"].recipient_id == "managers"
    assert alerts["group"].payload["overdue_amount"] == "800.00"
    [digest] = await queued("debt_digest")
    assert digest.recipient_id == str(world["li"].id)


async def test_each_stage_goes_once_however_often_and_on_whichever_days_the_job_runs(
    world, settings
):
    debt = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 30))

    first = await run_reminders(DAY, NOW, settings)
    again = await run_reminders(DAY, NOW.replace(hour=15), settings)
    recorded = []
    for day in range(24, 30):
        later = date(2026, 11, day)
        counts = await run_reminders(later, NOW.replace(day=day), settings)
        recorded.append(counts["stages_recorded"])

    assert first["stages_recorded"] == 1 and again["stages_recorded"] == 0
    assert again["messages"] == {}
    assert recorded == [0, 0, 0, 0, 0, 1]  # before:1 on the 29th
    assert await stages() == {(debt.id, "before:7", DAY),
                              (debt.id, "before:1", date(2026, 11, 29))}
    assert len(await queued("repayment_reminder")) == 4  # 2 stages × 2 contacts


async def test_a_job_that_was_down_sends_what_is_current_not_every_missed_stage(
    world, settings
):
    three_over = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 20))
    seventeen_over = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 6))
    tomorrow = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 24))

    await run_reminders(DAY, NOW, settings)

    assert await stages() == {(three_over.id, "due", DAY), (seventeen_over.id, "overdue:14", DAY),
                              (tomorrow.id, "before:1", DAY)}


async def test_a_past_date_records_only_stages_that_are_still_current(world, settings):
    """Catching up 11-20 on 11-23: the debt due 11-27 reached before:7 on the 20th and is still
    there; the one due 11-21 was then at before:1 but is due by now, so today's run says so."""
    still = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 27))
    moved_on = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 21))

    past = await run_reminders(date(2026, 11, 20), NOW, settings)
    today = await run_reminders(DAY, NOW, settings)

    assert past["stale"] == 1 and past["stages_recorded"] == 1
    assert today["stages_recorded"] == 1
    assert await stages() == {(still.id, "before:7", date(2026, 11, 20)),
                              (moved_on.id, "due", DAY)}
    reminders = await queued("repayment_reminder")
    assert [m.payload["days_to_due"] for m in reminders] == [4, 4]  # as of today, not the 20th


async def test_a_customer_with_several_debts_gets_one_message_listing_them(client, settings):
    people = await make_people()
    org = await make_org()
    dealer = await make_customer("明辉商贸", people["wang"], "o-mh")
    other = await make_customer("联想", people["wang"], "o-lx")
    debts = [
        await make_debt(dealer, org, due=date(2026, 11, 30), amount="1000.00",
                        debt_date=date(2026, 10, 1)),
        await make_debt(dealer, org, due=date(2026, 11, 24), amount="2500.50",
                        debt_date=date(2026, 9, 25)),
        await make_debt(dealer, org, due=date(2026, 11, 28), amount="300.00",
                        outstanding="100.00", debt_date=date(2026, 9, 29)),
    ]
    await make_debt(other, org, due=date(2026, 11, 25), amount="42.00")

    counts = await run_reminders(DAY, NOW, settings)

    assert counts["stages_recorded"] == 4 and counts["customers"] == 2
    reminders = {m.recipient_name: m.payload for m in await queued("repayment_reminder")}
    assert len(reminders) == 2
    listed = reminders["明辉商贸联系人"]
    assert (listed["count"], listed["amount"], listed["due_date"]) == (3, "3600.50",
                                                                      "2026-11-24")
    assert [d["debt_id"] for d in listed["debts"]] == [debts[1].id, debts[2].id, debts[0].id]
    assert [d["outstanding"] for d in listed["debts"]] == ["2500.50", "100.00", "1000.00"]
    assert [d["stage"] for d in listed["debts"]] == ["before:1", "before:7", "before:7"]
    [digest] = await queued("debt_digest")  # one per salesperson, both customers in it
    assert digest.recipient_id == str(people["wang"].id)
    assert [c["customer"] for c in digest.payload["customers"]] == ["明辉商贸", "联想"]
    assert digest.payload["amount"] == "3642.50" and digest.payload["debt_count"] == 4


async def test_paid_debts_and_debts_with_nothing_owed_stay_silent(world, settings):
    await make_debt(world["lenovo"], world["org"], due=DAY, status="paid", outstanding="0")
    await make_debt(world["lenovo"], world["org"], due=DAY, outstanding="0.00")

    counts = await run_reminders(DAY, NOW, settings)

    assert counts["stages_recorded"] == 0 and await queued() == []


async def test_a_changed_due_date_starts_the_stages_again(world, settings):
    debt = await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 30))
    await run_reminders(DAY, NOW, settings)

    await Debt.filter(id=debt.id).update(due_date=date(2026, 12, 10), term_days=100)
    unchanged = await run_reminders(date(2026, 11, 24), NOW.replace(day=24), settings)
    again = await run_reminders(date(2026, 12, 3), NOW.replace(month=12, day=3), settings)

    assert unchanged["stages_recorded"] == 0 and again["by_stage"] == {"before:7": 1}
    assert {(r.due_date, r.stage) for r in await DebtReminder.filter(debt_id=debt.id)} == {
        (date(2026, 11, 30), "before:7"), (date(2026, 12, 10), "before:7")}


async def test_customers_without_a_bound_contact_still_reach_the_salesperson(client, settings):
    people = await make_people()
    org = await make_org()
    unbound = await make_customer("无联系人", people["li"])
    await Contact.create(customer=unbound, name="未绑定")  # no openid yet
    await make_debt(unbound, org, due=date(2026, 11, 24))

    counts = await run_reminders(DAY, NOW, settings)

    assert counts["messages"] == {"dingtalk": 1}
    assert [m.kind for m in await queued()] == ["debt_digest"]


async def test_the_salesperson_of_the_debt_is_told_else_the_customers(client, settings):
    people = await make_people()
    org = await make_org()
    customer = await make_customer("联想", people["li"], "o-lx")
    await make_debt(customer, org, due=date(2026, 11, 24), salesperson=people["wang"])
    await make_debt(customer, org, due=date(2026, 11, 25))
    await Debt.filter(due_date=date(2026, 11, 25)).update(salesperson_id=None)

    await run_reminders(DAY, NOW, settings)

    digests = {m.recipient_id: m.payload["debt_count"] for m in await queued("debt_digest")}
    assert digests == {str(people["wang"].id): 1, str(people["li"].id): 1}


# ----- delivered ------------------------------------------------------------------------------


async def test_the_reminders_arrive_through_wechat_and_dingtalk(
    world, settings, fake_wechat, fake_dingtalk, make_dispatcher, clock  # noqa: F811
):
    delivery = fresh_delivery_settings(settings, fake_wechat, fake_dingtalk)
    await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 24), amount="1234.50")
    await make_debt(world["lenovo"], world["org"], due=date(2026, 11, 13), amount="800.00",
                    debt_date=date(2026, 8, 15))
    await run_reminders(DAY, clock(), delivery)
    dispatcher = await make_dispatcher(delivery)

    await drain(dispatcher, clock)

    assert {m.status for m in await queued()} == {"sent"}
    templates = {(s["payload"]["touser"], s["payload"]["template_id"]): s["visible"]
                 for s in fake_wechat.sent}
    assert set(templates) == {(o, t) for o in ("o-chen", "o-zhou") for t in (
        "demo-tpl-repayment-reminder", "demo-tpl-overdue-notice")}
    assert templates["o-chen", "demo-tpl-repayment-reminder"] == {
        "thing1": "联想", "amount2": "1234.50元", "date3": "2026年11月24日",
        "thing4": "1 天后到期", "thing5": "请按期付款，如已付款请忽略"}
    assert templates["o-zhou", "demo-tpl-overdue-notice"] == {
        "thing1": "联想", "amount2": "800.00元", "date3": "2026年11月13日",
        "thing4": "已逾期 10 天", "thing5": "请尽快付款，如有疑问请联系业务员"}

    batches = {tuple(s["user_ids"]): s["param"] for s in fake_dingtalk.sent
               if s["kind"] == "batch"}
    assert set(batches) == {("sales-li",), ("mgr-zhao",)}
    digest = batches["sales-li",]
    assert digest["title"] == "逾期欠款提醒"
    assert "**联想**" in digest["text"] and "¥2,034.50" in digest["text"]
    assert "借款日 2026-08-15，未还 ¥800.00，到期日 2026-11-13，逾期 10 天" in digest["text"]
    assert "即将到期（1 天后）" in digest["text"]
    assert "**联想（业务员 李业务）** 合计 ¥800.00" in batches["mgr-zhao",]["text"]
    assert "即将到期" not in batches["mgr-zhao",]["text"]  # managers hear of overdue only
    [group] = [s for s in fake_dingtalk.sent if s["kind"] == "group"]
    text = group["payload"]["text"]["content"]
    assert text.startswith("【逾期欠款提醒】2026-11-23")
    assert "联想：¥800.00，最长逾期 10 天，业务员 李业务" in text


async def test_a_due_day_notice_says_it_is_due_today(world, settings):
    await make_debt(world["lenovo"], world["org"], due=DAY, amount="99.00")
    await run_reminders(DAY, NOW, settings)

    from bot.templates import load_templates

    [notice, _] = await queued("overdue_notice")
    shown = load_templates("")["overdue_notice"].data(notice.payload)
    assert shown["thing4"] == {"value": "今日到期"} and shown["amount2"] == {"value": "99.00元"}


async def test_settings_change_the_stages(world, settings):
    await make_debt(world["lenovo"], world["org"], due=date(2026, 12, 3))
    ten_days = replace(settings, reminder_before_days="10,3")

    counts = await run_reminders(DAY, NOW, ten_days)

    assert counts["by_stage"] == {"before:10": 1}
