"""The rule that issues a statement: what a new statement, its lines, its "create" event and
its first share link hold. ``service.create_statement`` (one statement, through the ORM) and
``bulk.issue_statements`` (the month-end run, set-based) both build their rows here, so the
two paths cannot drift; what is not named here (status, version, view count …) is the model's
default."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol

from domain.actors import Actor
from domain.sharing import new_nonce
from domain.statements.rules import Totals


class LineSource(Protocol):
    """A document as a statement line snapshots it (a ``Document`` or a bulk ``DocumentLine``);
    read only."""

    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def doc_type(self) -> str: ...
    @property
    def date(self) -> date: ...
    @property
    def amount(self) -> Any: ...
    @property
    def owed(self) -> Any: ...
    @property
    def account(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def department(self) -> str: ...


def statement_fields(customer_id: int, date_from: date, date_to: date, totals: Totals,
                     actor: Actor, now: datetime) -> dict[str, Any]:
    """A new statement: the period, its totals, who made it and when."""
    return {
        "customer_id": customer_id, "date_from": date_from, "date_to": date_to,
        "opening": totals.opening, "increase": totals.increase, "receipts": totals.receipts,
        "closing": totals.closing, "line_count": totals.line_count,
        "owed_total": totals.owed_total, "created_by": actor.label, "created_at": now,
    }


def line_fields(statement_id: int, position: int, document: LineSource) -> dict[str, Any]:
    """A statement line: the document as it stands now (a snapshot with its version)."""
    return {
        "statement_id": statement_id, "position": position, "document_id": document.id,
        "number": document.number, "doc_type": document.doc_type, "date": document.date,
        "amount": document.amount, "owed": document.owed, "account": document.account,
        "document_version": document.version, "department": document.department,
    }


def created_event_fields(statement_id: int, actor: Actor, now: datetime) -> dict[str, Any]:
    """The statement's first event: "create", by the actor."""
    return {"statement_id": statement_id, "action": "create", "actor_kind": actor.kind,
            "actor": actor.name, "contact_id": actor.contact_id, "created_at": now}


def share_link_fields(statement_id: int, actor: Actor, ttl_days: int,
                      now: datetime) -> dict[str, Any]:
    """A fresh share link: a new nonce, expiring ``ttl_days`` from now."""
    return {"statement_id": statement_id, "nonce": new_nonce(), "created_by": actor.label,
            "created_at": now, "expires_at": now + timedelta(days=ttl_days)}
