"""The DingTalk bot as a hand-over source (seed 001) through the fake DingTalk stream: a
salesperson records receipts (收款) and expenses (费用) — pending, numbered, once per message —
refused on a closed day with the day named and nothing written; bad input gets a clear answer
and writes nothing; 交账 answers the day summary's figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.documents.models import DayClose, Document, Expense
from domain.handover import entry
from domain.system.models import IdempotencyRecord
from tests.conftest import SHANGHAI
from tests.support import handover as hs
from tests.support.dingtalk import ask as ask_bot

TODAY = date(2026, 11, 23)  # the test clock's day
YESTERDAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
async def people(client):
    li = await hs.make_staff("sales-li", "李业务")
    wang = await hs.make_staff("sales-wang", "王业务")
    return {"li": li, "wang": wang,
            "lenovo": await hs.make_customer(li, "联想"),
            "minghui": await hs.make_customer(wang, "明辉商贸")}


async def ask(fake, stream, user_id: str, text: str) -> str:
    """Push a bot message, wait for it to be handled; the reply's markdown."""
    return (await ask_bot(fake, stream, user_id, text))["content"]


async def nothing_written() -> None:
    assert await Document.all().count() == 0
    assert await Expense.all().count() == 0


# ----- 收款 -----


async def test_a_receipt_is_recorded_pending_for_the_asker_and_their_customer(
        fake, stream, people):
    reply = await ask(fake, stream, "sales-li", "收款 联想 1200")

    [doc] = await Document.all()
    assert (doc.number, doc.doc_type, doc.receipt_kind, doc.audit_status) == (
        "DT-SK-20261123-0001", "receipt", "sale", "pending")
    assert (doc.date, doc.salesperson_id, doc.customer_id) == (
        TODAY, people["li"].id, people["lenovo"].id)
    assert (doc.amount, doc.owed, doc.discount, doc.confirmed_at) == (
        Decimal("1200.00"), Decimal("-1200.00"), Decimal("0.00"), None)
    # It settles nothing yet: the money waits as 转入预收, so seed 001's columns add up.
    assert doc.to_prepaid == Decimal("1200.00")
    for text in ("已记录收款单 DT-SK-20261123-0001", "联想", "¥1,200.00", "2026-11-23",
                 "待财务审核"):
        assert text in reply


async def test_prepayments_and_deposits_take_their_date_and_kind_in_either_order(
        fake, stream, people):
    await ask(fake, stream, "sales-li", "收款 联想 500 预收 2026-11-20")
    reply = await ask(fake, stream, "sales-li", "收款联想 300.50 2026/11/20 订金")

    rows = [(d.number, d.receipt_kind, d.date, d.amount, d.to_prepaid)
            for d in await Document.all().order_by("id")]
    assert rows == [
        ("DT-SK-20261120-0001", "prepayment", date(2026, 11, 20), Decimal("500.00"),
         Decimal("0.00")),
        ("DT-SK-20261120-0002", "deposit", date(2026, 11, 20), Decimal("300.50"),
         Decimal("0.00")),
    ]
    assert "已记录订金单 DT-SK-20261120-0002" in reply and "¥300.50" in reply


async def test_another_salespersons_customer_cannot_be_named(
        fake, stream, people):
    reply = await ask(fake, stream, "sales-li", "收款 明辉商贸 100")
    assert "没有找到你可以查看的客户「明辉商贸」" in reply
    await nothing_written()


# ----- 费用 -----


async def test_an_expense_is_recorded_pending_and_paid_out_in_full(fake, stream, people):
    reply = await ask(fake, stream, "sales-li", "费用 80 差旅")
    await ask(fake, stream, "sales-li", "费用 油费 35.5 2026-11-22")

    first, second = await Expense.all().order_by("id")
    assert (first.number, first.date, first.salesperson_id, first.source, first.audit_status) == (
        "DT-FY-20261123-0001", TODAY, people["li"].id, "bot", "pending")
    assert (first.total, first.paid, first.settled) == (
        Decimal("80.00"), Decimal("80.00"), Decimal("0.00"))
    assert first.items == [{"type": "差旅", "amount": "80.00"}]
    assert (second.number, second.date, second.total, second.items[0]["type"]) == (
        "DT-FY-20261122-0001", YESTERDAY, Decimal("35.50"), "油费")
    assert "已记录费用单 DT-FY-20261123-0001" in reply and "差旅" in reply


# ----- closed days -----


async def test_on_a_closed_day_nothing_is_recorded_and_the_day_is_named(fake, stream, people):
    await DayClose.create(staff=people["li"], day=YESTERDAY, closed_at=NOW, closed_by="财务")

    refused = [await ask(fake, stream, "sales-li", text)
               for text in ("收款 联想 100 2026-11-22", "费用 50 油费 2026-11-22")]

    for reply in refused:
        assert "李业务 2026-11-22 已关账" in reply
    await nothing_written()
    await ask(fake, stream, "sales-li", "收款 联想 100")  # today is still open
    assert await Document.filter(date=TODAY).count() == 1


async def test_another_salespersons_closed_day_does_not_stop_the_asker(fake, stream, people):
    await DayClose.create(staff=people["wang"], day=TODAY, closed_at=NOW)
    await ask(fake, stream, "sales-li", "费用 20 停车")
    assert await Expense.all().count() == 1


# ----- bad input -----


@pytest.mark.parametrize(("text", "answer"), [
    ("收款", "用法：**收款"),
    ("收款 联想", "用法：**收款"),
    ("收款 联想 abc", "金额「abc」无效"),
    ("收款 联想 -5", "金额 -5.00 无效"),
    ("收款 联想 0", "金额 0.00 无效"),
    ("收款 联想 1.234", "金额「1.234」无效"),
    ("收款 联想 100 2026-13-40", "日期「2026-13-40」无效"),
    ("收款 联想 100 2026-11-30", "日期 2026-11-30 还没到"),
    ("收款 不存在的客户 100", "没有找到你可以查看的客户「不存在的客户」"),
    ("收款 联想 1000000000", "过大"),
    ("费用", "用法：**费用"),
    ("费用 80", "用法：**费用"),
    ("费用 abc 差旅", "金额「abc」无效"),
    ("费用 80 差旅 2026-02-30", "日期「2026-02-30」无效"),
    ("交账 昨天", "用法：**交账"),
])
async def test_bad_input_gets_a_clear_answer_and_writes_nothing(fake, stream, people, text,
                                                                answer):
    assert answer in await ask(fake, stream, "sales-li", text)
    await nothing_written()


async def test_a_stranger_records_nothing(fake, stream, people):
    assert "没有登记为 Tally 员工" in await ask(fake, stream, "nobody", "收款 联想 100")
    await nothing_written()


# ----- once per message -----


async def test_the_same_message_records_once(people):
    li, lenovo = people["li"], people["lenovo"]
    first = await entry.record_receipt(li.id, lenovo.id, Decimal("90"), day=TODAY, now=NOW,
                                       key="msg-1")
    again = await entry.record_receipt(li.id, lenovo.id, Decimal("90"), day=TODAY, now=NOW,
                                       key="msg-1")
    other = await entry.record_expense(li.id, Decimal("12"), "停车", day=TODAY, now=NOW,
                                       key="msg-2")
    repeat = await entry.record_expense(li.id, Decimal("12"), "停车", day=TODAY, now=NOW,
                                        key="msg-2")

    assert (first.repeated, again.repeated, again.number) == (False, True, first.number)
    assert (other.repeated, repeat.repeated, repeat.number) == (False, True, other.number)
    assert await Document.all().count() == 1 and await Expense.all().count() == 1
    assert await IdempotencyRecord.filter(scope=entry.KEY_SCOPE).count() == 2
    assert repeat.label == "停车" and again.customer == "联想"


async def test_numbers_follow_on_per_day_and_kind(people):
    li, lenovo = people["li"], people["lenovo"]
    for _ in range(3):
        await entry.record_receipt(li.id, lenovo.id, Decimal("1"), day=TODAY, now=NOW)
    await entry.record_receipt(li.id, lenovo.id, Decimal("1"), day=YESTERDAY, now=NOW)
    assert [d.number for d in await Document.all().order_by("id")] == [
        "DT-SK-20261123-0001", "DT-SK-20261123-0002", "DT-SK-20261123-0003",
        "DT-SK-20261122-0001"]


# ----- 交账 -----


async def test_the_day_summary_answers_the_day_reports_figures(fake, stream, people):
    await hs.full_day(people["li"], YESTERDAY, people["lenovo"])
    await hs.receipt(people["li"], YESTERDAY, "200.00", customer=people["lenovo"],
                     kind="prepayment")

    reply = await ask(fake, stream, "sales-li", "交账 2026-11-22")

    for text in ("李业务 2026-11-22 交账汇总（未关账）", "销售：¥500.00，退货 ¥20.00",
                 "收款：¥700.00（实收）", "收当日货款 ¥500.00，收历史欠款 ¥0.00",
                 "预收款 ¥200.00，收订金 ¥0.00", "费用：¥80.00", "其他收入：¥30.00",
                 "兑换货物：1 单", "单据 7 张，待财务确认 7 张"):
        assert text in reply, text


async def test_the_summary_defaults_to_today_and_tells_a_closed_day(fake, stream, people):
    await ask(fake, stream, "sales-li", "收款 联想 150")
    today = await ask(fake, stream, "sales-li", "交账")
    assert "2026-11-23 交账汇总（未关账）" in today and "收款：¥150.00（实收）" in today
    assert "待财务确认 1 张" in today

    await DayClose.create(staff=people["li"], day=YESTERDAY, closed_at=NOW)
    closed = await ask(fake, stream, "sales-li", "交账 2026-11-22")
    assert "（已关账）" in closed and "当天没有需要交账的单据" in closed


async def test_help_lists_the_hand_over_commands(fake, stream, people):
    reply = await ask(fake, stream, "sales-li", "帮助")
    for text in ("收款 <客户> <金额> [预收|订金] [日期]", "费用 <金额> <类型> [日期]",
                 "交账 [日期]"):
        assert text in reply
