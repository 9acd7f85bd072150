"""The daily debt reminders (SPEC §4), the ``reminders`` job's use case: before due to the
customer (WeChat) and the salesperson (DingTalk); on the due day and every N days after it also
an alert to managers.

Set-based, for 100k open debts: one query reads the open debts whose due date is within reach
(due by ``day`` + the longest before-due window), the stages are worked out in Python
(``domain.credit.reminders``), one bulk ``INSERT … ON CONFLICT DO NOTHING RETURNING`` records
them in ``debt_reminder`` and hands back only the new ones, and the notices
(``domain.notices.catalogue``: REPAYMENT_REMINDER / OVERDUE_NOTICE to contacts, DEBT_DIGEST and
OVERDUE_ALERT to staff, OVERDUE_ALERT to the managers' group) are bulk-inserted into the outbox
— all in one transaction, so a crash leaves either everything or nothing. No
query is made per debt, customer or salesperson.

Once per debt, due date and stage: the unique ``debt_reminder`` row is the guard; a re-run of a
day inserts nothing and so queues nothing. The outbox dedupe keys carry the day, the recipient
and a digest of the debts listed, so even a replay of the same new stages cannot queue twice.

A run for a past day (a catch-up, or the CLI with --date) records a stage only while it is still
the debt's current one: a later run would otherwise send a newer stage on top of a stale one.
What the messages say (days to due, days overdue) is as of today.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import cast

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain.bulk_rows import BulkTable
from domain.credit import reminders as rules
from domain.credit.models import DebtReminder as DebtReminderRow
from domain.credit.reminders import DueDebt, ReminderPolicy
from domain.customers.models import Contact
from domain.notices import outbox
from domain.notices.catalogue import (
    MANAGERS,
    DebtDigest,
    DebtReminder,
    Kind,
    Recipient,
    contact_recipient,
    debt_digest_key,
    overdue_alert_key,
    overdue_notice_key,
    repayment_reminder_key,
    staff_recipient,
)
from domain.org.models import Staff
from domain.progress import QUIET, Progress
from domain.sql import as_date, as_decimal, insert_rows, is_postgres, render

log = logging.getLogger(__name__)

ID_CHUNK = 5000
REMINDERS = BulkTable(DebtReminderRow)  # the stages sent; the notice payload is DebtReminder
DEBT_KEYS = {Kind.REPAYMENT_REMINDER: repayment_reminder_key,
             Kind.OVERDUE_NOTICE: overdue_notice_key, Kind.DEBT_DIGEST: debt_digest_key,
             Kind.OVERDUE_ALERT: overdue_alert_key}

CANDIDATES = """SELECT d.id, d.customer_id, d.salesperson_id, c.salesperson_id AS owner_id,
    c.name AS customer_name, d.debt_date, d.due_date, d.amount, d.outstanding
FROM debt d JOIN customer c ON c.id = d.customer_id
WHERE d.status = 'open' AND d.due_date <= {0}"""


async def remind_debts(day: date, now: datetime, *, before_days: str, overdue_every: int,
                       progress: Progress = QUIET) -> dict:
    """Record the stages open debts reach on ``day`` and queue their reminders; counts.
    ``before_days`` ("7,1") and ``overdue_every`` (7) are the settings' reminder stages."""
    policy = ReminderPolicy.parse(before_days, overdue_every)
    today = max(day, now.date())
    candidates, names = await _candidates(day, policy)
    progress.start("debts near a reminder stage", len(candidates))
    due = _stages(candidates, day, today, policy)
    progress.advance(len(candidates))
    counts: dict[str, object] = {"debts_considered": len(candidates),
                                 "stale": len(candidates) - len(due)}
    async with in_transaction() as tx:
        new_ids = await _record(tx, due, day)
        new = [d for d in due if d.debt_id in new_ids]
        notices = await _notices(tx, new, names, day, today)
        await outbox.save_many(notices, now, connection=tx, batch_size=1000)
    counts["stages_recorded"] = len(new)
    counts["by_stage"] = dict(sorted(Counter(d.stage for d in new).items()))
    counts["messages"] = dict(sorted(Counter(str(n.to.channel) for n in notices).items()))
    counts["customers"] = len({d.customer_id for d in new})
    log.info("reminders %s: %s", day, counts)
    return counts


# ----- reading and recording ------------------------------------------------------------------


async def _candidates(day: date, policy: ReminderPolicy) -> tuple[list[dict], dict[int, str]]:
    """Open debts due by ``day`` + the before-due window, and their customers' names."""
    connection = get_connection("default")
    horizon = day + timedelta(days=policy.window_days)
    value = horizon if is_postgres(connection) else horizon.isoformat()
    rows = await connection.execute_query_dict(render(connection, CANDIDATES, 1), [value])
    names = {r["customer_id"]: r["customer_name"] for r in rows}
    return rows, names


def _stages(rows: list[dict], day: date, today: date, policy: ReminderPolicy) -> list[DueDebt]:
    """The debts with something owed whose stage on ``day`` is still their stage today."""
    found = []
    for row in rows:
        outstanding = as_decimal(row["outstanding"])
        if outstanding <= 0:
            continue
        due = as_date(row["due_date"])
        stage = rules.stage_on(due, day, policy)
        if stage is None or (today != day and rules.stage_on(due, today, policy) != stage):
            continue
        found.append(DueDebt(
            debt_id=row["id"], customer_id=row["customer_id"],
            salesperson_id=row["salesperson_id"] or row["owner_id"],
            debt_date=as_date(row["debt_date"]), due_date=due, amount=as_decimal(row["amount"]),
            outstanding=outstanding, stage=stage,
        ))
    return found


async def _record(tx, due: list[DueDebt], day: date) -> set[int]:
    """Insert the stages; the ids of the debts whose stage was not recorded before."""
    if not due:
        return set()
    rows = REMINDERS.rows({"debt_id": d.debt_id, "due_date": d.due_date, "stage": d.stage,
                           "sent_on": day} for d in due)
    inserted = await insert_rows(tx, REMINDERS.table, REMINDERS.columns, rows,
                                 returning=("debt_id",), ignore_conflicts=True)
    return {debt_id for (debt_id,) in inserted}


# ----- notices ----------------------------------------------------------------------------------


async def _notices(tx, new: list[DueDebt], names: dict[int, str], day: date,
                   today: date) -> list[outbox.NewNotice]:
    if not new:
        return []
    staff = await _staff(tx, {d.salesperson_id for d in new if d.salesperson_id})
    contacts = await _contacts(tx, {d.customer_id for d in new})
    notices = _Notices(day)
    by_customer_kind: dict[tuple[int, Kind], list[DueDebt]] = defaultdict(list)
    for debt in new:
        by_customer_kind[debt.customer_id, rules.customer_kind(debt.stage)].append(debt)
    for (customer_id, kind), debts in by_customer_kind.items():
        payload = cast(DebtReminder, {
            "customer_id": customer_id, "customer": names[customer_id], "date": str(day),
            **rules.summary(debts, today)})
        for person in contacts.get(customer_id, []):
            notices.add(kind, contact_recipient(person.id, person.name), payload, debts)
    _staff_notices(notices, new, names, staff, today)
    return notices.found


def _staff_notices(notices: _Notices, new: list[DueDebt], names, staff: dict[int, Staff],
                   today: date) -> None:
    """One digest per salesperson; for due and overdue debts one alert per manager and one
    summary for the managers' group."""
    sellers: dict[int | None, str] = {person.id: person.name for person in staff.values()}

    def digest(debts: list[DueDebt]) -> DebtDigest:
        return cast(DebtDigest, rules.staff_digest(debts, names, sellers, today))

    def to(staff_id: int) -> Recipient:
        return staff_recipient(staff_id, staff[staff_id].name)

    by_salesperson: dict[int, list[DueDebt]] = defaultdict(list)
    for debt in new:
        if debt.salesperson_id in staff:
            by_salesperson[debt.salesperson_id].append(debt)
    for staff_id, debts in by_salesperson.items():
        notices.add(Kind.DEBT_DIGEST, to(staff_id), digest(debts), debts)
    overdue = [d for d in new if not rules.is_before_due(d.stage)]
    if not overdue:
        return
    by_manager: dict[int, list[DueDebt]] = defaultdict(list)
    for debt in overdue:
        person = staff.get(debt.salesperson_id) if debt.salesperson_id is not None else None
        if person is not None and person.manager_id in staff:
            by_manager[person.manager_id].append(debt)
    for manager_id, debts in by_manager.items():
        notices.add(Kind.OVERDUE_ALERT, to(manager_id), digest(debts), debts)
    notices.add(Kind.OVERDUE_ALERT, MANAGERS, digest(overdue), overdue)


class _Notices:
    """The day's notices, each keyed by the debts (and stages) it lists."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.found: list[outbox.NewNotice] = []

    def add(self, kind: Kind, to: Recipient, payload, debts: list[DueDebt]) -> None:
        key = DEBT_KEYS[kind](self.day, ((d.debt_id, d.stage) for d in debts), to)
        self.found.append(outbox.NewNotice(kind, to, payload, key))


async def _staff(tx, ids: set[int]) -> dict[int, Staff]:
    """The salespeople and their managers, active ones only."""
    found: dict[int, Staff] = {}
    for chunk in _chunks(ids):
        for person in await Staff.filter(id__in=chunk, active=True).using_db(tx):
            found[person.id] = person
    managers = {p.manager_id for p in found.values() if p.manager_id} - set(found)
    for chunk in _chunks(managers):
        for person in await Staff.filter(id__in=chunk, active=True).using_db(tx):
            found[person.id] = person
    return found


async def _contacts(tx, customer_ids: set[int]) -> dict[int, list[Contact]]:
    """The customers' contacts bound to WeChat (official account or mini-program)."""
    found: dict[int, list[Contact]] = defaultdict(list)
    for chunk in _chunks(customer_ids):
        rows = await Contact.filter(customer_id__in=chunk).using_db(tx).only(
            "id", "customer_id", "name", "openid", "mp_openid")
        for contact in rows:
            if contact.openid or contact.mp_openid:
                found[contact.customer_id].append(contact)
    return found


def _chunks(ids: set[int]):
    ordered = sorted(ids)
    for start in range(0, len(ordered), ID_CHUNK):
        yield ordered[start:start + ID_CHUNK]
