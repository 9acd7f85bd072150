"""Closing and reopening business days (关账 / 取消关账) for chosen staff or everyone (seed 001's
显示全部员工 + 全员关账), idempotently, each call in the audit trail."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from tortoise.transactions import in_transaction

from domain.bulk_rows import BulkTable
from domain.common_errors import UNKNOWN_STAFF
from domain.documents import day_close
from domain.documents.models import DayClose
from domain.events.catalogue import DayClosed, EventType, staff_ref
from domain.events.publish import NewEvent, publish
from domain.org.models import Staff
from domain.sql import insert_rows
from domain.system.models import AuditLog

CLOSES = BulkTable(DayClose)


async def staff_ids_by_userid(userids: Collection[str]) -> list[int]:
    """The staff ids of DingTalk userids; 400 naming every unknown one."""
    wanted = set(userids)
    found = dict(await Staff.filter(dingtalk_userid__in=wanted).values_list(
        "dingtalk_userid", "id"))
    if unknown := sorted(wanted - set(found)):
        raise UNKNOWN_STAFF(f"未知员工: {'、'.join(unknown)}", unknown=unknown)
    return sorted(found.values())


async def close_days(staff_ids: list[int] | None, days: list[date], *, by: str,
                     now: datetime) -> int:
    """Close those days for those staff (None: every active staff member, documents or not);
    closing a closed day is no error. How many (person, day) pairs were newly closed."""
    people = staff_ids if staff_ids is not None else await Staff.filter(
        active=True).values_list("id", flat=True)
    rows = CLOSES.rows({"staff_id": staff_id, "day": day, "closed_at": now, "closed_by": by}
                       for staff_id in sorted(set(people)) for day in sorted(set(days)))
    async with in_transaction() as tx:
        await day_close.hold_day_closes(exclusive=True)
        new = await insert_rows(tx, CLOSES.table, CLOSES.columns, rows, returning=("id",),
                                ignore_conflicts=True) if rows else []
        entry = await _log("close_days", staff_ids, days, len(new), by=by, now=now)
        await _publish(EventType.DAY_CLOSED, entry, people, staff_ids is None, now)
    return len(new)


async def reopen_days(staff_ids: list[int] | None, days: list[date], *, by: str,
                      now: datetime) -> int:
    """Reopen those days for those staff (None: everyone); how many closed pairs were."""
    query = DayClose.filter(day__in=sorted(set(days)))
    if staff_ids is not None:
        query = query.filter(staff_id__in=sorted(set(staff_ids)))
    async with in_transaction():
        people = sorted(set(await query.values_list("staff_id", flat=True))) if days else []
        count = await query.delete() if days else 0
        entry = await _log("reopen_days", staff_ids, days, count, by=by, now=now)
        await _publish(EventType.DAY_REOPENED, entry, people, staff_ids is None, now)
    return count


async def _publish(event_type: EventType, entry: AuditLog, people: Collection[int],
                   all_staff: bool, now: datetime) -> None:
    """The ERP hears of a close or reopen that changed something (``entry``: its audit row)."""
    detail = entry.detail
    if not detail["count"]:
        return
    staff = await Staff.filter(id__in=sorted(set(people))).order_by("id")
    data: DayClosed = {"days": detail["days"], "all_staff": all_staff,
                       "staff": [staff_ref(s) for s in staff], "count": detail["count"],
                       "by": entry.actor}
    await publish(NewEvent(event_type, f"{event_type}:{entry.id}", "day_close",
                           entry.entity_id, data), now)


async def _log(action: str, staff_ids: list[int] | None, days: list[date], count: int, *,
               by: str, now: datetime) -> AuditLog:
    listed = sorted(set(days))
    span = f"{listed[0]}~{listed[-1]}" if listed else ""
    return await AuditLog.create(
        actor=by, action=action, entity="day_close", entity_id=span, created_at=now,
        detail={"staff": "all" if staff_ids is None else sorted(set(staff_ids)),
                "days": [d.isoformat() for d in listed], "count": count})


async def closed_days(date_from: date, date_to: date, staff_id: int | None = None,
                      ) -> list[dict]:
    """The closed (person, day) pairs in a date range, by day then name."""
    query = DayClose.filter(day__gte=date_from, day__lte=date_to)
    if staff_id is not None:
        query = query.filter(staff_id=staff_id)
    rows = await query.order_by("day", "staff__name", "staff_id").values(
        "staff_id", "staff__name", "staff__dingtalk_userid", "day", "closed_at", "closed_by")
    return [{"staff_id": r["staff_id"], "name": r["staff__name"],
             "userid": r["staff__dingtalk_userid"], "day": r["day"],
             "closed_at": r["closed_at"], "closed_by": r["closed_by"]} for r in rows]
