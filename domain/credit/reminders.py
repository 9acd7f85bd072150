"""Repayment and overdue reminder rules (SPEC §4): which stage a debt has reached on a day, and
what one customer's or one salesperson's reminder of a day says.

Stages, in order: ``before:N`` for each configured N (days_to_due ≤ N and > 0), ``due`` on the
due day, then ``overdue:K`` every ``every`` days after it (K = 7, 14, … days overdue). A debt's
stage on a day is the latest one it has reached, so a job that was down and catches up sends
what is current rather than every stage it missed. Each stage goes out once per debt and due
date (the job records it); a changed due date starts the stages again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.credit.errors import BAD_REMINDER_DAYS
from domain.money import ZERO, fmt
from domain.notices.catalogue import Kind

DUE = "due"
BEFORE_PREFIX, OVERDUE_PREFIX = "before:", "overdue:"
MAX_LISTED = 20  # debts listed in one message; the rest are counted
MAX_CUSTOMERS_LISTED = 30  # customers listed in one staff or group message; the rest counted


@dataclass(frozen=True)
class ReminderPolicy:
    before_days: tuple[int, ...] = (7, 1)  # descending
    overdue_every: int = 7

    @classmethod
    def parse(cls, before_days: str, overdue_every: int) -> ReminderPolicy:
        """From the settings' "7,1" and 7; a bad value is refused with its reason."""
        try:
            days = {int(part) for part in before_days.split(",") if part.strip()}
        except ValueError:
            raise BAD_REMINDER_DAYS(f"提前提醒天数格式错误：{before_days!r}") from None
        if any(d <= 0 for d in days):
            raise BAD_REMINDER_DAYS("提前提醒天数必须为正整数")
        if overdue_every <= 0:
            raise BAD_REMINDER_DAYS("逾期提醒间隔天数必须为正整数")
        return cls(tuple(sorted(days, reverse=True)), overdue_every)

    @property
    def window_days(self) -> int:
        """How far ahead of a day a due date can be and still have reached a stage."""
        return max(self.before_days, default=0)


def stage_on(due: date, day: date, policy: ReminderPolicy) -> str | None:
    """The latest stage a debt due on ``due`` has reached on ``day`` (None: none yet)."""
    days_to_due = (due - day).days
    if days_to_due > 0:
        reached = [n for n in policy.before_days if days_to_due <= n]
        return f"{BEFORE_PREFIX}{min(reached)}" if reached else None
    overdue = -days_to_due
    if overdue < policy.overdue_every:
        return DUE
    return f"{OVERDUE_PREFIX}{overdue // policy.overdue_every * policy.overdue_every}"


def is_before_due(stage: str) -> bool:
    return stage.startswith(BEFORE_PREFIX)


def customer_kind(stage: str) -> Kind:
    """The customer's notice kind for a stage (a WeChat template each)."""
    return Kind.REPAYMENT_REMINDER if is_before_due(stage) else Kind.OVERDUE_NOTICE


@dataclass(frozen=True)
class DueDebt:
    """An open debt that reached a new stage, as a reminder lists it."""

    debt_id: int
    customer_id: int
    salesperson_id: int | None
    debt_date: date
    due_date: date
    amount: Decimal
    outstanding: Decimal
    stage: str


def stage_label(due: date, today: date) -> str:
    """即将到期（3 天后） / 今日到期 / 逾期 9 天, as of ``today``."""
    days_to_due = (due - today).days
    if days_to_due > 0:
        return f"即将到期（{days_to_due} 天后）"
    if days_to_due == 0:
        return "今日到期"
    return f"逾期 {-days_to_due} 天"


def debt_item(debt: DueDebt, today: date) -> dict[str, Any]:
    return {
        "debt_id": debt.debt_id, "debt_date": debt.debt_date.isoformat(),
        "due_date": debt.due_date.isoformat(), "amount": str(debt.amount),
        "outstanding": str(debt.outstanding), "stage": debt.stage,
        "days_overdue": max((today - debt.due_date).days, 0),
        "label": stage_label(debt.due_date, today),
    }


def summary(debts: Iterable[DueDebt], today: date) -> dict[str, Any]:
    """What a message about these debts says: total, earliest due date, most days overdue and
    the list (oldest due first, at most MAX_LISTED, with how many more there are)."""
    ordered = sorted(debts, key=lambda d: (d.due_date, d.debt_id))
    total = sum((d.outstanding for d in ordered), ZERO)
    earliest = ordered[0].due_date
    return {
        "amount": str(total), "due_date": earliest.isoformat(), "count": len(ordered),
        "days_overdue": max((today - earliest).days, 0),
        "days_to_due": max((earliest - today).days, 0),
        "debts": [debt_item(d, today) for d in ordered[:MAX_LISTED]],
        "more": max(len(ordered) - MAX_LISTED, 0),
    }


def staff_digest(debts: list[DueDebt], customers: dict[int, str],
                 salespeople: dict[int | None, str], today: date) -> dict[str, Any]:
    """What a salesperson's digest or a manager's alert says: per customer (earliest due
    first) the total, earliest due date and the debts listed; ``customers`` and
    ``salespeople`` name them by id."""
    by_customer: dict[int, list[DueDebt]] = defaultdict(list)
    for debt in debts:
        by_customer[debt.customer_id].append(debt)
    listed = sorted(({"customer_id": customer_id, "customer": customers[customer_id],
                      "salesperson": salespeople.get(own[0].salesperson_id, ""),
                      **summary(own, today)} for customer_id, own in by_customer.items()),
                    key=lambda c: (c["due_date"], c["customer_id"]))
    total = sum((d.outstanding for d in debts), ZERO)
    overdue = sum((d.outstanding for d in debts if not is_before_due(d.stage)), ZERO)
    return {
        "date": str(today), "customer_count": len(listed), "debt_count": len(debts),
        "amount": fmt(total), "overdue_amount": fmt(overdue),
        "customers": listed[:MAX_CUSTOMERS_LISTED],
        "more": max(len(listed) - MAX_CUSTOMERS_LISTED, 0),
    }
