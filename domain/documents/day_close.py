"""Day close (关账) as a guard: which (staff, day) pairs are closed, and the refusal.

On PostgreSQL the check and a close do not overlap: a writer checks under a shared
transaction-level advisory lock and a close takes it exclusively, so a close waits for the
writers already past their check, and every writer after it sees the closed day. (SQLite runs
one writer at a time.) Call the check inside the transaction that writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from tortoise.connection import get_connection

from domain.documents.models import DayClose
from domain.documents.rules import day_closed_error
from domain.org.models import Staff
from domain.sql import is_postgres

Pair = tuple[int, date]  # (staff id, business date)
DAY_CLOSE_LOCK = 0x7A11_DC  # the advisory lock key of day closes


async def hold_day_closes(*, exclusive: bool) -> None:
    """Take the day-close advisory lock for the current transaction (PostgreSQL): shared to
    check, exclusive to close."""
    connection = get_connection("default")
    if is_postgres(connection):
        kind = "" if exclusive else "_shared"
        await connection.execute_query(f"SELECT pg_advisory_xact_lock{kind}($1)",
                                       [DAY_CLOSE_LOCK])


async def closed_pairs(pairs: Iterable[Pair | tuple[None, date]]) -> set[Pair]:
    """The given (staff id, day) pairs that are closed; pairs without a staff id never are."""
    wanted = {(staff_id, day) for staff_id, day in pairs if staff_id and day}
    if not wanted:
        return set()
    await hold_day_closes(exclusive=False)
    rows = await DayClose.filter(
        staff_id__in={s for s, _ in wanted}, day__in={d for _, d in wanted},
    ).values_list("staff_id", "day")
    return {(staff_id, day) for staff_id, day in rows} & wanted


async def ensure_open(pairs: Iterable[Pair | tuple[None, date]], **detail) -> None:
    """Refuse (423, naming each closed day) when any pair is a closed day."""
    closed = await closed_pairs(pairs)
    if closed:
        names = dict(await Staff.filter(id__in={s for s, _ in closed}).values_list(
            "id", "name"))
        raise day_closed_error({(names.get(s, str(s)), d) for s, d in closed}, **detail)
