"""Stored credit movements: lock what changes, change it with a version compare-and-set, and
write one operation record per change of a line with its balances after it.

Lock order, the same in every use case so that two of them never wait on each other in a
circle: the customer's ledger (CreditLedger), then the document (order, debt), then the
credit lines by id, then the sales org, then the enterprise budget. On PostgreSQL the locks are
row locks, FOR NO KEY UPDATE: inserting a row that refers to a locked one (an order naming its
org) takes a key-share lock, which FOR UPDATE would wait on — and deadlock with a second order.
SQLite serialises transactions instead, and the version compare-and-set turns any write that
slipped past into a Conflict on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tortoise.models import Model

from domain.credit import rules
from domain.credit.errors import (
    CONCURRENT_CHANGE,
    CREDIT_ACCOUNT_NOT_FOUND,
    CREDIT_INSUFFICIENT,
    CREDIT_LINE_UNDERFLOW,
    ENTERPRISE_BUDGET_EXCEEDED,
    LEDGER_NOT_FOUND,
)
from domain.credit.models import (
    CreditBudget,
    CreditLedger,
    CreditLine,
    CreditOperation,
    SalesOrg,
)
from domain.money import ZERO, fmt, yuan

# Operation names (CreditOperation.op).
GRANT, LIMIT, STATUS = "grant", "limit", "status"
FREEZE, UNFREEZE, USE, RETURN = "freeze", "unfreeze", "use", "return"  # seed 002's four
UNSHIP = "unship"  # 出库反审核: used goes back to frozen on the order
RESTORE, DEDUCT = "restore", "deduct"  # 退货 gives used back, 退货反审核 takes it again


async def save(model: Model, **changes) -> None:
    """Write `changes` only if nobody changed the row since it was read (version CAS)."""
    cls = type(model)
    changes["version"] = model.version + 1
    updated = await cls.filter(id=model.id, version=model.version).update(**changes)
    if not updated:
        raise CONCURRENT_CHANGE("数据已被同时修改，请重试",
                                table=cls._meta.db_table, id=model.id)
    for name, value in changes.items():
        setattr(model, name, value)


async def lock_lines(ids) -> dict[int, CreditLine]:
    rows = await CreditLine.filter(id__in=sorted(set(ids))).order_by("id").select_for_update(
        no_key=True)
    return {row.id: row for row in rows}


async def lock_line(line_id: int) -> CreditLine:
    row = await CreditLine.filter(id=line_id).select_for_update(no_key=True).first()
    if row is None:
        raise CREDIT_ACCOUNT_NOT_FOUND(f"授信账户 {line_id} 不存在")
    return row


async def lock_org(org_id: int) -> SalesOrg:
    return await SalesOrg.filter(id=org_id).select_for_update(no_key=True).get()


async def lock_budget(year: int) -> CreditBudget | None:
    """The enterprise total of the year, if one is set (no row: no enterprise cap)."""
    return await CreditBudget.filter(year=year).select_for_update(no_key=True).first()


async def ledger_id(customer_id: int) -> int:
    """The customer's ledger row, made on first use (outside the caller's locks)."""
    row = await CreditLedger.get_or_none(customer_id=customer_id)
    if row is None:
        row, _ = await CreditLedger.get_or_create(customer_id=customer_id)
    return row.id


async def lock_ledger(customer_id: int) -> CreditLedger:
    row = await CreditLedger.filter(customer_id=customer_id).select_for_update(
        no_key=True).first()
    if row is None:  # made by ledger_id before the transaction; this is a caller's slip
        raise LEDGER_NOT_FOUND(f"客户 {customer_id} 没有还款账户")
    return row


def as_rule(row: CreditLine) -> rules.LineState:
    return rules.LineState(
        id=row.id, type=row.type, limit=row.limit, used=row.used, frozen=row.frozen,
        valid_from=row.valid_from, valid_to=row.valid_to, status=row.status, project=row.project,
    )


def available(row: CreditLine, on: date) -> Decimal:
    return as_rule(row).available(on)


@dataclass(frozen=True)
class Ref:
    """What a movement is for (an order, shipment, return, debt, grant …) and who made it."""

    type: str
    id: str
    actor: str
    now: datetime


async def move(row: CreditLine, op: str, amount: Decimal, ref: Ref, *, used=ZERO,
               frozen=ZERO, limit=ZERO, overdraw: bool = False) -> CreditOperation:
    """Change a line's limit / used / frozen by the deltas and record the operation.

    The last guard of the line invariant 0 ≤ used, 0 ≤ frozen, used + frozen ≤ limit: a
    movement that would break it is refused (the rules refuse earlier with a better message).
    ``overdraw``: the movement records what the ERP has already booked (退货反审核), so it may
    take the line past its limit — the record shows it and the caller alerts it.
    """
    new_limit, new_used, new_frozen = row.limit + limit, row.used + used, row.frozen + frozen
    if new_used < 0 or new_frozen < 0:
        raise CREDIT_LINE_UNDERFLOW("授信账户已用或冻结额度不足以退回",
                                    account_id=row.id, used=fmt(row.used), frozen=fmt(row.frozen))
    if (not overdraw and new_used + new_frozen > new_limit
            and (used + frozen > 0 or limit < 0)):
        left = max(row.limit - row.used - row.frozen, ZERO)
        raise CREDIT_INSUFFICIENT(
            f"{rules.TYPE_LABELS[row.type]} {row.number} 可用额度{yuan(left)}，"
            f"不足{yuan(used + frozen - limit)}",
            account_id=row.id, available=fmt(left))
    await save(row, limit=new_limit, used=new_used, frozen=new_frozen)
    return await record(row, op, amount, ref)


async def record(row: CreditLine, op: str, amount: Decimal, ref: Ref) -> CreditOperation:
    return await CreditOperation.create(
        account_id=row.id, op=op, amount=amount, limit_after=row.limit, used_after=row.used,
        frozen_after=row.frozen, available_after=max(row.limit - row.used - row.frozen, ZERO),
        ref_type=ref.type, ref_id=ref.id, actor=ref.actor, created_at=ref.now,
    )


async def occupy(org: SalesOrg, budget: CreditBudget | None, *, used=ZERO,
                 frozen=ZERO, overdraw: bool = False) -> None:
    """Change what the org's customers (and all customers, in the budget) occupy.

    Lines granted may exceed the budget; what is used or frozen may not (额度分配规则), except
    what the ERP has already booked (``overdraw``, see ``move``).
    """
    growth = used + frozen
    if growth > 0 and not overdraw:
        rules.check_org_budget(org.budget, org.used + org.frozen, growth)
        if budget is not None:
            check_enterprise(budget, growth)
    await save(org, used=org.used + used, frozen=org.frozen + frozen)
    if budget is not None:
        await save(budget, used=budget.used + used, frozen=budget.frozen + frozen)


class LockedLines:
    """The lines, their orgs and the budgets of the given years one use case moves, locked in
    the fixed order (lines by id, orgs by id, budgets by year)."""

    def __init__(self, lines, orgs, budgets):
        self.lines: dict[int, CreditLine] = lines
        self.orgs: dict[int, SalesOrg] = orgs
        self.budgets: dict[int, CreditBudget | None] = budgets

    @classmethod
    async def lock(cls, line_ids, years) -> LockedLines:
        lines = await lock_lines(line_ids)
        orgs = {org_id: await lock_org(org_id)
                for org_id in sorted({line.org_id for line in lines.values()})}
        budgets = {year: await lock_budget(year) for year in sorted(set(years))}
        return cls(lines, orgs, budgets)

    async def move(self, line_id: int, op: str, amount: Decimal, ref: Ref, year: int, *,
                   used=ZERO, frozen=ZERO, overdraw: bool = False) -> CreditOperation:
        """Move a line and, with it, its org's and the year's budget occupancy."""
        line = self.lines[line_id]
        await occupy(self.orgs[line.org_id], self.budgets[year], used=used, frozen=frozen,
                     overdraw=overdraw)
        return await move(line, op, amount, ref, used=used, frozen=frozen, overdraw=overdraw)


def check_enterprise(budget: CreditBudget, amount: Decimal) -> None:
    taken = budget.used + budget.frozen
    left = max(budget.total - taken, ZERO)
    if amount > left:
        raise ENTERPRISE_BUDGET_EXCEEDED(
            f"企业{budget.year}年度授信总额{yuan(budget.total)}已占用{yuan(taken)}，"
            f"剩余{yuan(left)}，不足以使用{yuan(amount)}",
            budget=fmt(budget.total), used=fmt(taken), left=fmt(left), amount=fmt(amount),
            )
