"""Issuing many statements at once (the month-end run): the same statements, lines, events,
share links and STATEMENT_ISSUED notices as ``service.create_statement``, written with a
few multi-row inserts per batch instead of a handful of queries per statement.

The caller holds the transaction and passes documents that already have ids. Opening
receivables come from one query per distinct start date (summed in Python: SQLite keeps
decimals as text); totals from ``rules.statement_totals``.

What a statement, its lines, its event and its share link hold is decided by
``domain.statements.issuing``, the rule ``create_statement`` uses too. Rows are plain tuples
shaped by ``domain.bulk_rows`` from the models' metadata (columns and defaults) and go in
through ``domain.sql.insert_rows`` (one ``INSERT … VALUES (…), (…)`` per chunk, ``RETURNING`` the
ids where they are needed), not model objects: at 100k customers tortoise's per-object work
(model construction, ``to_db_value``, ``bulk_create``) cost more than the SQL. Values are bound
as Python objects: tortoise registers the SQLite adapters (Decimal → text, date/datetime → ISO
text), so the rows stored are the ones the ORM stores.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from domain.actors import Actor
from domain.bulk_rows import BulkTable
from domain.documents.rules import signed_amount
from domain.money import CENT, ZERO
from domain.notices import outbox
from domain.notices.catalogue import Kind, contact_recipient, statement_issued_key
from domain.sharing import sign_share_token
from domain.sql import as_date, as_decimal, insert_rows, select_in
from domain.statements import issuing, rules
from domain.statements.models import ShareLink, Statement, StatementEvent, StatementLine
from domain.statements.rules import LineValues
from domain.statements.service import ShareSettings, issued_payload
from domain.statements.settings import counted_audit_states


class DocumentLine(NamedTuple):
    """A stored document as a statement line shows it."""
    id: int
    number: str
    doc_type: str
    date: date
    amount: Decimal
    owed: Decimal
    account: str
    version: int
    department: str = ""


@dataclass(frozen=True)
class StatementToIssue:
    customer_id: int
    customer_name: str
    date_from: date
    date_to: date
    documents: tuple[DocumentLine, ...]  # in line order


@dataclass
class IssuedStatement:
    """What callers and the notice need of a statement written here."""
    customer_id: int
    date_from: date
    date_to: date
    totals: rules.Totals
    id: int = 0

    @property
    def closing(self) -> Decimal:
        return self.totals.closing

    @property
    def owed_total(self) -> Decimal:
        return self.totals.owed_total


async def issue_statements(
    issues: list[StatementToIssue], actor: Actor, share: ShareSettings, now: datetime, tx,
) -> dict[tuple[int, date], IssuedStatement]:
    """Create and issue the statements; returns them by (customer id, date_from)."""
    if not issues:
        return {}
    openings = await _openings(issues, tx)
    statements = [_statement(i, openings[i.customer_id, i.date_from]) for i in issues]
    await _insert_statements(statements, actor, now, tx)
    lines = LINES.rows(issuing.line_fields(statement.id, n, d)
                       for issue, statement in zip(issues, statements, strict=True)
                       for n, d in enumerate(issue.documents))
    await insert_rows(tx, LINES.table, LINES.columns, lines)
    events = EVENTS.rows(issuing.created_event_fields(s.id, actor, now) for s in statements)
    await insert_rows(tx, EVENTS.table, EVENTS.columns, events)
    await _issue_to_contacts(issues, statements, actor, share, now, tx)
    return {(s.customer_id, s.date_from): s for s in statements}


STATEMENTS, LINES = BulkTable(Statement), BulkTable(StatementLine)
EVENTS, LINKS = BulkTable(StatementEvent), BulkTable(ShareLink)


async def _openings(issues: list[StatementToIssue], tx) -> dict[tuple[int, date], Decimal]:
    """期初应收 of every issue: one query per distinct start date over its customers."""
    by_start: dict[date, set[int]] = defaultdict(set)
    for issue in issues:
        by_start[issue.date_from].add(issue.customer_id)
    openings: dict[tuple[int, date], Decimal] = {}
    counted = list(await counted_audit_states())  # the same documents as any statement's
    states = ", ".join(f"{{{i}}}" for i in range(1, len(counted) + 1))
    for start, customer_ids in by_start.items():
        for customer_id in customer_ids:
            openings[customer_id, start] = ZERO
        rows = await select_in(
            tx, "SELECT customer_id, doc_type, amount FROM document WHERE date < {0} "
                f"AND audit_status IN ({states}) AND customer_id IN ({{in}})",
            [start, *counted], sorted(customer_ids))
        for customer_id, doc_type, amount in rows:
            openings[customer_id, start] += signed_amount(doc_type, as_decimal(amount))
    return openings


def _statement(issue: StatementToIssue, opening: Decimal) -> IssuedStatement:
    totals = rules.statement_totals(
        opening, (LineValues(d.doc_type, d.amount, d.owed) for d in issue.documents))
    return IssuedStatement(issue.customer_id, issue.date_from, issue.date_to, totals)


async def _insert_statements(statements: list[IssuedStatement], actor: Actor, now,
                             tx) -> None:
    """Insert them and take their ids from ``RETURNING`` (one customer has at most one
    statement per start date in a batch)."""
    rows = STATEMENTS.rows(issuing.statement_fields(
        s.customer_id, s.date_from, s.date_to, s.totals, actor, now) for s in statements)
    returned = await insert_rows(tx, STATEMENTS.table, STATEMENTS.columns, rows,
                                 returning=("id", "customer_id", "date_from"))
    ids = {(customer_id, as_date(date_from)): statement_id
           for statement_id, customer_id, date_from in returned}
    for statement in statements:
        statement.id = ids[statement.customer_id, statement.date_from]


async def _issue_to_contacts(issues, statements, actor: Actor, share: ShareSettings, now,
                             tx) -> None:
    """One share link per statement whose customer has a bound contact, and one
    STATEMENT_ISSUED notice per contact (one payload object per statement: encoded once)."""
    contacts = await _contacts({i.customer_id for i in issues}, tx)
    links, notices = [], []
    for issue, statement in zip(issues, statements, strict=True):
        people = contacts.get(issue.customer_id)
        if not people:
            continue
        link = issuing.share_link_fields(statement.id, actor, share.ttl_days, now)
        links.append(link)
        nonce = link["nonce"]
        url = share.url(sign_share_token(share.secret, nonce, link["expires_at"]))
        payload = issued_payload(statement, issue.customer_name, nonce, url)
        for contact_id, name in people:
            to = contact_recipient(contact_id, name)
            notices.append(outbox.NewNotice(Kind.STATEMENT_ISSUED, to, payload,
                                            statement_issued_key(statement.id, to)))
    await insert_rows(tx, LINKS.table, LINKS.columns, LINKS.rows(links))
    await outbox.insert(notices, now, tx)


async def _contacts(customer_ids: set[int], tx) -> dict[int, list[tuple[int, str]]]:
    """(id, name) of the customers' contacts bound to WeChat, in id order."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = await select_in(
        tx, "SELECT id, customer_id, name FROM contact WHERE (openid IS NOT NULL OR "
            "mp_openid IS NOT NULL) AND customer_id IN ({in}) ORDER BY id",
        [], sorted(customer_ids))
    for contact_id, customer_id, name in sorted(rows):
        found[customer_id].append((contact_id, name))
    return found


def cents(value: Decimal) -> Decimal:
    """Money as the ORM stores a DecimalField(decimal_places=2): quantized to the cent."""
    return value.quantize(CENT)
