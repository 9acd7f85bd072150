"""The hand-over in DingTalk (seed 001): each morning every salesperson or driver who has
hand-over documents on the day before gets that day's summary to check, and finance gets one
card listing the people whose hand-over still waits for confirmation over the last week.

A finance card confirms exactly what it listed (the queued notice's rows), not whatever came in
since. The notices go through the outbox, keyed by the day, so a day queues them once however
often it is run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tortoise.transactions import in_transaction

from domain.handover import confirm, report
from domain.notices import outbox
from domain.notices.catalogue import (
    HandoverPending,
    HandoverSummary,
    Kind,
    handover_pending_key,
    handover_summary_key,
    staff_recipient,
)
from domain.notices.models import OutboxMessage
from domain.org.models import Staff, StaffRole

LOOKBACK_DAYS = 7  # finance hears about hand-overs left unconfirmed this long
MAX_LISTED = 15  # rows one finance card lists (and has a button for)


def lookback(day: date) -> list[date]:
    """The week up to ``day``, oldest first."""
    return [day - timedelta(days=n) for n in range(LOOKBACK_DAYS - 1, -1, -1)]


async def summary_payload(person: Staff, day: date) -> HandoverSummary:
    """What a salesperson's day summary shows: the day report's figures and whether the day is
    closed (``bot.handover_texts.day_summary_markdown`` draws it)."""
    day_report = await report.day_report(person.id, day)
    return _payload(person, day, day_report)


def _payload(person: Staff, day: date, summed: dict) -> HandoverSummary:
    return {"staff_id": person.id, "staff": person.name, "date": day.isoformat(),
            "closed": bool(summed["closed"]), "summary": summed["summary"]}


async def finance_staff(role: str) -> list[Staff]:
    """Active staff holding the finance role, reachable in DingTalk."""
    ids = await StaffRole.filter(role=role).values_list("staff_id", flat=True)
    return await Staff.filter(id__in=list(ids), active=True,
                              dingtalk_userid__isnull=False).order_by("id")


async def pending_listing(day: date) -> HandoverPending:
    """The finance card's payload: people with unconfirmed hand-over documents in the week up
    to ``day``, by day then name, at most MAX_LISTED of them."""
    days = lookback(day)
    rows = [{"staff_id": r["staff_id"], "name": r["name"], "day": r["day"],
             "unconfirmed": r["unconfirmed"]} for r in await report.pending_people(days)]
    return {"date": day.isoformat(), "from": days[0].isoformat(), "rows": rows[:MAX_LISTED],
            "more": max(len(rows) - MAX_LISTED, 0)}


async def queue_handover(day: date, now: datetime, finance_role: str) -> dict:
    """Queue ``day``'s summaries and finance cards (once per day and recipient); counts."""
    summaries = await report.day_summaries(day)
    # Active staff reachable in DingTalk with hand-over documents that day (drivers too).
    people = await Staff.filter(id__in=list(summaries), active=True,
                                dingtalk_userid__isnull=False).order_by("name", "id")
    listing = await pending_listing(day)
    finance = await finance_staff(finance_role) if listing["rows"] else []
    queued = {"summaries": 0, "finance_cards": 0}
    async with in_transaction():
        for person in people:
            payload = _payload(person, day, summaries[person.id])
            to = staff_recipient(person.id, person.name)
            if await outbox.enqueue(Kind.HANDOVER_SUMMARY, to, payload,
                                    handover_summary_key(day, to), now):
                queued["summaries"] += 1
        for member in finance:
            to = staff_recipient(member.id, member.name)
            if await outbox.enqueue(Kind.HANDOVER_PENDING, to, listing,
                                    handover_pending_key(day, to), now):
                queued["finance_cards"] += 1
    return {"date": day.isoformat(), "people": len(people), "pending_rows": len(listing["rows"]),
            "finance_staff": len(finance), **queued}


async def listed_rows(day: date, staff_id: int) -> list[dict]:
    """The rows the finance card of ``day`` sent to ``staff_id`` listed ([] if none was)."""
    notice = await OutboxMessage.get_or_none(
        kind=Kind.HANDOVER_PENDING, dedupe_key=handover_pending_key(day, staff_recipient(staff_id)))
    return list((notice.payload or {}).get("rows") or []) if notice else []


async def confirm_row(row: dict, *, by: str, now: datetime) -> int:
    """Confirm one listed (person, day) — what is unconfirmed of it now; how many documents."""
    counts = await confirm.confirm_days([int(row["staff_id"])], [date.fromisoformat(row["day"])],
                                        by=by, now=now)
    return int(counts.get("confirmed", 0))
