"""The daily hand-over job with fixed dates: the run of 2026-11-23 hands over 2026-11-22 — every
salesperson or driver with documents that day gets the day summary, nobody else; each finance
member gets one card listing exactly the people with unconfirmed documents over the week; a
forced re-run sends nothing twice. Then the notices through the real dispatcher to the fake
DingTalk, and the card's buttons pressed on the fake stream: a row confirms exactly that
(person, day) as the finance member, 全部确认 the rows still open and nothing that came in
since, a second press changes nothing, a row confirmed meanwhile is harmless."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from domain.documents.models import Document, Expense
from domain.handover import confirm
from domain.handover.notices import lookback
from domain.notices.catalogue import Kind
from domain.notices.models import CardInstance, OutboxMessage
from domain.org.models import StaffRole
from jobs.handover import run_handover
from jobs.schedule import DAILY_JOBS, run_job
from tests.conftest import SHANGHAI
from tests.support import handover as hs
from tests.support.dingtalk import drain, press, shown

RUN = date(2026, 11, 23)  # the job's business date
DAY = date(2026, 11, 22)  # the day it hands over
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
async def world(client):
    """李业务 with a full day on the 22nd, 张司机 who delivered that day, 王业务 with a sale
    left unconfirmed on the 18th (and one on the 10th, before the week), 马业务 idle; finance:
    吴会计 and 周会计 (role 财务), 孙出纳 (出纳 only)."""
    staff = {key: await hs.make_staff(userid, name) for key, userid, name in (
        ("li", "sales-li", "李业务"), ("wang", "sales-wang", "王业务"),
        ("zhang", "drv-zhang", "张司机"), ("ma", "sales-ma", "马业务"),
        ("wu", "fin-wu", "吴会计"), ("zhou", "fin-zhou", "周会计"),
        ("sun", "cashier-sun", "孙出纳"))}
    for key, role in (("wu", "财务"), ("zhou", "财务"), ("sun", "出纳")):
        await StaffRole.create(staff=staff[key], role=role)
    lenovo = await hs.make_customer(staff["li"], "联想")
    await hs.full_day(staff["li"], DAY, lenovo)
    await hs.delivery(staff["zhang"], DAY, amount="300.00")
    await hs.sale(staff["wang"], date(2026, 11, 18), "800.00")
    await hs.sale(staff["wang"], date(2026, 11, 10), "900.00")
    return staff


async def notices(kind: str) -> dict[str, dict]:
    return {m.recipient_name: m.payload
            for m in await OutboxMessage.filter(kind=kind).order_by("id")}


def pending_rows(world) -> list[dict]:
    """What the finance card must list: by day, then name."""
    rows = [(world["wang"], "2026-11-18", 1), (world["li"], "2026-11-22", 6),
            (world["zhang"], "2026-11-22", 1)]
    return sorted(({"staff_id": s.id, "name": s.name, "day": d, "unconfirmed": n}
                   for s, d, n in rows), key=lambda r: (r["day"], r["name"]))


async def confirmed_by(staff, day: date) -> set[str]:
    """Who confirmed the documents of ``staff`` on ``day`` ('' for unconfirmed ones)."""
    rows = await Document.filter(salesperson_id=staff.id, date=day).values_list(
        "confirmed_by", flat=True)
    rows += await Document.filter(driver_id=staff.id, delivered_on=day).values_list(
        "confirmed_by", flat=True)
    rows += await Expense.filter(salesperson_id=staff.id, date=day).values_list(
        "confirmed_by", flat=True)
    return set(rows)


# ----- queuing -----


def test_the_job_is_in_the_daily_table():
    assert DAILY_JOBS["handover"] is run_handover


async def test_the_people_with_documents_the_day_before_get_their_summary(world, settings):
    counts = await run_handover(RUN, NOW, settings)

    assert counts == {"date": "2026-11-22", "people": 2, "pending_rows": 3, "finance_staff": 2,
                      "summaries": 2, "finance_cards": 2}
    summaries = await notices(Kind.HANDOVER_SUMMARY)
    assert set(summaries) == {"李业务", "张司机"}  # not 王业务 (other days), not 马业务
    li = summaries["李业务"]
    assert (li["date"], li["closed"], li["staff_id"]) == ("2026-11-22", False, world["li"].id)
    assert {k: li["summary"][k] for k in ("sales_total", "receipts_amount", "same_day",
                                          "expenses_total", "documents", "unconfirmed")} == {
        "sales_total": "500.00", "receipts_amount": "500.00", "same_day": "500.00",
        "expenses_total": "80.00", "documents": 6, "unconfirmed": 6}
    assert summaries["张司机"]["summary"]["deliveries_total"] == "300.00"


async def test_each_finance_member_gets_one_card_listing_exactly_the_pending_people(
        world, settings):
    await run_handover(RUN, NOW, settings)

    cards = await notices(Kind.HANDOVER_PENDING)
    assert set(cards) == {"吴会计", "周会计"}  # 孙出纳 holds another role
    for payload in cards.values():
        assert payload == {"date": "2026-11-22", "from": "2026-11-16",
                           "rows": pending_rows(world), "more": 0}


async def test_the_finance_role_is_a_setting(world, settings):
    await run_handover(RUN, NOW, replace(settings, handover_finance_role="出纳"))
    assert set(await notices(Kind.HANDOVER_PENDING)) == {"孙出纳"}


async def test_a_forced_rerun_sends_nothing_twice(world, settings, clock):
    first = await run_job(settings, "handover", RUN, clock)
    before = await OutboxMessage.all().count()
    again = await run_job(settings, "handover", RUN, clock, force=True)

    assert first.counts["summaries"] == 2 and first.counts["finance_cards"] == 2
    assert again.status == "finished"
    assert (again.counts["summaries"], again.counts["finance_cards"]) == (0, 0)
    assert await OutboxMessage.all().count() == before == 4


async def test_nobody_hears_anything_when_there_is_nothing_to_say(client, settings):
    fin = await hs.make_staff("fin-wu", "吴会计")
    await StaffRole.create(staff=fin, role="财务")
    await hs.sale(await hs.make_staff("sales-li", "李业务"), date(2026, 11, 1))  # long before

    counts = await run_handover(RUN, NOW, settings)

    assert (counts["summaries"], counts["finance_cards"]) == (0, 0)
    assert await OutboxMessage.all().count() == 0


async def test_when_everything_is_confirmed_finance_gets_no_card(world, settings):
    await confirm.confirm_days(None, lookback(DAY), by="财务", now=NOW)
    counts = await run_handover(RUN, NOW, settings)
    assert (counts["summaries"], counts["finance_cards"]) == (2, 0)
    assert (await notices(Kind.HANDOVER_SUMMARY))["李业务"]["summary"]["unconfirmed"] == 0


# ----- in DingTalk -----


@pytest.fixture
async def sent(world, settings, fake, stream, deliver):
    """The job run and its notices delivered; the finance cards by userid."""
    await run_handover(RUN, NOW, settings)
    await deliver()
    return {c.staff_id: c.out_track_id for c in await CardInstance.filter(kind="handover")}


def buttons(fake, track: str) -> list[str]:
    return shown(fake, track)["buttons"]


def row_texts(fake, track: str) -> list[str]:
    """The card's row blocks (each starts with the person's name, struck through once done)."""
    blocks = shown(fake, track)["markdown"].split("\n\n")
    return [text for text in blocks if text.startswith(("**", "~~"))]


def row_of(world, key: str) -> str:
    """The button of a person's row on the card."""
    index = [r["staff_id"] for r in pending_rows(world)].index(world[key].id)
    return f"p{index}"


async def test_the_summary_and_the_card_reach_dingtalk(world, fake, sent):
    [summary] = [s for s in fake.sent if s["kind"] == "batch" and s["user_ids"] == ["sales-li"]]
    assert summary["param"]["title"] == "交账汇总 2026-11-22"
    assert "李业务 2026-11-22 交账汇总（未关账）" in summary["param"]["text"]
    assert "待财务确认 6 张" in summary["param"]["text"]
    track = sent[world["wu"].id]
    assert fake.cards[track]["user_id"] == "fin-wu"
    assert buttons(fake, track) == [
        f"确认 {r['name']} {r['day'][5:]}" for r in pending_rows(world)] + ["全部确认"]
    assert "**李业务** 2026-11-22：待确认 6 张" in row_texts(fake, track)


async def test_a_row_confirms_exactly_that_person_and_day_and_a_second_press_changes_nothing(
        world, fake, stream, sent):
    track = sent[world["wu"].id]

    await press(fake, stream, "fin-wu", track, row_of(world, "li"))

    assert await confirmed_by(world["li"], DAY) == {"吴会计"}
    assert await confirmed_by(world["wang"], date(2026, 11, 18)) == {""}
    assert await confirmed_by(world["zhang"], DAY) == {""}
    assert "确认 李业务 11-22" not in buttons(fake, track) and len(buttons(fake, track)) == 3
    assert any("✅ 已确认 6 张" in text for text in row_texts(fake, track))
    assert (await CardInstance.get(out_track_id=track)).status == "open"
    updates = fake.cards[track]["updates"]

    await press(fake, stream, "fin-wu", track, row_of(world, "li"))

    assert fake.cards[track]["updates"] == updates
    assert await confirmed_by(world["zhang"], DAY) == {""}
    assert (await CardInstance.get(out_track_id=track)).status == "open"


async def test_confirm_all_takes_the_open_rows_and_nothing_that_came_since(
        world, fake, stream, sent):
    track = sent[world["wu"].id]
    await press(fake, stream, "fin-wu", track, row_of(world, "li"))
    late = await hs.sale(world["ma"], DAY, "50.00")  # 马业务's 22nd: not on the card

    await press(fake, stream, "fin-wu", track, "all")

    for key, day in (("li", DAY), ("zhang", DAY), ("wang", date(2026, 11, 18))):
        assert await confirmed_by(world[key], day) == {"吴会计"}, key
    assert (await Document.get(id=late.id)).confirmed_at is None
    assert await confirmed_by(world["wang"], date(2026, 11, 10)) == {""}  # before the week
    card = await CardInstance.get(out_track_id=track)
    assert (card.status, card.action) == ("done", "all")
    assert buttons(fake, track) == []
    updates = fake.cards[track]["updates"]

    await press(fake, stream, "fin-wu", track, "all")
    await press(fake, stream, "fin-wu", track, row_of(world, "zhang"))

    assert fake.cards[track]["updates"] == updates
    assert (await Document.get(id=late.id)).confirmed_at is None


async def test_a_row_confirmed_meanwhile_is_harmless(world, fake, stream, sent):
    await confirm.confirm_days([world["zhang"].id], [DAY], by="周会计", now=NOW)
    track = sent[world["wu"].id]

    await press(fake, stream, "fin-wu", track, row_of(world, "zhang"))

    assert await confirmed_by(world["zhang"], DAY) == {"周会计"}
    assert any("已由他人确认" in text for text in row_texts(fake, track))
    assert not [s for s in fake.sent if s["kind"] == "batch" and s["user_ids"] == ["fin-wu"]]


async def test_one_finance_members_card_does_not_touch_anothers(world, fake, stream, sent):
    await press(fake, stream, "fin-wu", sent[world["wu"].id], "all")
    other = sent[world["zhou"].id]

    await press(fake, stream, "fin-zhou", other, "all")

    assert await confirmed_by(world["li"], DAY) == {"吴会计"}
    assert all("已由他人确认" in text for text in row_texts(fake, other))
    await press(fake, stream, "fin-wu", other, "all")  # not wu's card: refused
    [refusal] = [s for s in fake.sent if s["kind"] == "batch" and s["user_ids"] == ["fin-wu"]]
    assert "不是发给你的" in refusal["param"]["content"]


async def test_two_rows_pressed_at_once_are_both_confirmed_and_shown(world, fake, stream, sent):
    track = sent[world["wu"].id]
    pushed = [fake.push_card_callback("fin-wu", track, {"action": row_of(world, key)})
              for key in ("li", "zhang")]
    for message_id in pushed:
        await fake.await_ack(message_id)
    await drain(stream)

    assert await confirmed_by(world["li"], DAY) == {"吴会计"}
    assert await confirmed_by(world["zhang"], DAY) == {"吴会计"}
    card = await CardInstance.get(out_track_id=track)
    assert card.status == "open"
    assert [b["id"] for c in card.data["contents"] if c["type"] == "action"
            for b in c["actions"]] == [row_of(world, "wang"), "all"]
    assert sum("✅ 已确认" in c.get("text", "") for c in card.data["contents"]) == 2
