"""A credit line's life (授信账户): application check, grant, limit change, status change; and
a debt's term.

The approval flows and the back office call these by name; money received and repayments are
``domain.credit.repayment``.

直签使用 (direct_use): a direct-sign customer re-grants part of its 直签 line to a downstream
project customer. The grant carves the new line's limit out of the parent line: the parent's
limit drops by it (a `limit` operation on the parent, which must have that much available), and
the downstream customer uses its own one-shot line from then on. Closing the downstream line
gives what it never used back to the parent's limit. Nothing is counted twice in the org budget
because each amount sits on exactly one line.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from domain import audit
from domain.actors import Actor
from domain.common_errors import AMOUNT_NOT_POSITIVE, BAD_FIELD, BAD_STATUS
from domain.credit import rules
from domain.credit.errors import (
    ACCOUNT_CLOSED,
    ACCOUNT_EXPIRED,
    ACCOUNT_HAS_FROZEN,
    BAD_CREDIT_TYPE,
    BAD_VALIDITY,
    CREDIT_INSUFFICIENT,
    DEBT_NOT_FOUND,
    DEBT_NOT_OPEN,
    DIRECT_USE_LIMIT_FIXED,
    LIMIT_BELOW_USE,
    NOT_EXPIRED,
    ORG_DISABLED,
    ORG_NOT_FOUND,
    PARENT_NOT_ALLOWED,
    PARENT_NOT_DIRECT,
    PARENT_OTHER_ORG,
    PARENT_REQUIRED,
    PARENT_SAME_CUSTOMER,
    PROJECT_REQUIRED,
    TEMPORARY_NOT_ALLOWED,
)
from domain.credit.lines import GRANT, LIMIT, STATUS, Ref, as_rule, lock_line, move, record, save
from domain.credit.models import CreditLine, Debt, SalesOrg
from domain.credit.orgs import check_term_days
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer
from domain.errors import Conflict
from domain.events.catalogue import CreditLineChanged, EventType, customer_ref
from domain.events.publish import NewEvent, publish
from domain.money import ZERO, fmt, yuan

__all__ = [
    "change_limit", "check_application", "grant_directly", "grant_line", "set_debt_term",
    "set_line_status",
]

ACTIVE, FROZEN, EXPIRED, CLOSED = "active", "frozen", "expired", "closed"
STATUS_LABELS = {ACTIVE: "正常", FROZEN: "停用", EXPIRED: "已过期", CLOSED: "已关闭"}


async def _customer(customer_id: int) -> Customer:
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    return customer


async def _enabled_org(org_id: int) -> SalesOrg:
    org = await SalesOrg.get_or_none(id=org_id)
    if org is None:
        raise ORG_NOT_FOUND(f"销区 {org_id} 不存在")
    if not org.enabled:
        raise ORG_DISABLED(f"销区 {org.name} 已禁用，不能申请授信")
    return org


def _check_kind(type: str, amount: Decimal, project: str | None) -> None:
    if type not in rules.LINE_TYPES:
        raise BAD_CREDIT_TYPE(f"授信类型不正确: {type}（可选 "
                              f"{', '.join(rules.LINE_TYPES)}）")
    if amount <= 0:
        raise AMOUNT_NOT_POSITIVE("授信金额必须大于0", amount=fmt(amount))
    if type == rules.PROJECT and not (project or "").strip():
        raise PROJECT_REQUIRED("项目授信必须填写项目")


async def check_application(*, customer_id: int, org_id: int, type: str, amount: Decimal,
                            project: str | None, on: date) -> None:
    """Refuse an application that may not start (seed 002: a temporary line only when the
    customer has no other credit available)."""
    await _check_parties(customer_id, org_id, type, amount, project)
    refusal = await _temporary_refusal(customer_id, org_id, type, project, on)
    if refusal is not None:
        raise refusal


async def _temporary_refusal(customer_id: int, org_id: int, type: str, project: str | None,
                             on: date) -> Conflict | None:
    """Seed 002 (额度使用优先级): 客户没有其他额度可用的时候才允许申请临时额度."""
    if type != rules.TEMPORARY:
        return None
    lines = await CreditLine.filter(customer_id=customer_id, org_id=org_id)
    left = rules.other_credit_available([as_rule(a) for a in lines], on, project)
    if left <= 0:
        return None
    return TEMPORARY_NOT_ALLOWED(f"客户还有其他授信额度可用（{yuan(left)}），不能申请临时授信",
                                 available=fmt(left))


async def grant_directly(*, override_reason: str | None, actor: Actor, now: datetime,
                         **terms) -> CreditLine:
    """直接授信 by an admin: the application rules of the approval path hold here too. A
    temporary line while other credit is available needs an explicit override with a reason,
    kept in the audit trail."""
    reason = _override_reason(override_reason)
    await _check_parties(terms["customer_id"], terms["org_id"], terms["type"], terms["limit"],
                         terms.get("project"))
    refusal = await _temporary_refusal(terms["customer_id"], terms["org_id"], terms["type"],
                                       terms.get("project"), now.date())
    if refusal is not None and reason is None:
        hint = "（确需授信请填写 override_reason 说明原因）"
        raise TEMPORARY_NOT_ALLOWED(refusal.message + hint, **refusal.detail)
    async with in_transaction():
        line = await grant_line(**terms, actor=actor.label, now=now)
        if refusal is not None:
            await audit.record(actor, "grant_override", "credit_account", line.id, now,
                               rule=refusal.code, type=line.type, limit=fmt(line.limit),
                               available=refusal.detail["available"], number=line.number,
                               reason=reason)
    return line


async def _check_parties(customer_id: int, org_id: int, type: str, amount: Decimal,
                         project: str | None) -> None:
    """What every application needs: a known type and amount, the customer, an enabled org."""
    _check_kind(type, amount, project)
    await _customer(customer_id)
    await _enabled_org(org_id)


def _override_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    if not reason.strip():
        raise BAD_FIELD("override_reason 不能为空：请说明为何强制授信")
    return reason.strip()


async def grant_line(*, customer_id: int, org_id: int, type: str, limit: Decimal,
                     valid_from: date | None, valid_to: date | None,
                     project: str | None = None, term_days: int | None = None,
                     parent_id: int | None = None, actor: str,
                     now: datetime) -> CreditLine:
    """Open a credit line (after its application was approved) and record the grant."""
    _check_kind(type, limit, project)
    if valid_from and valid_to and valid_from > valid_to:
        raise BAD_VALIDITY("有效期开始日期不能晚于结束日期")
    if term_days is not None:
        check_term_days(term_days)
    if (type == rules.DIRECT_USE) != (parent_id is not None):
        raise (PARENT_REQUIRED if parent_id is None else PARENT_NOT_ALLOWED)(
            "直签使用授信必须指定上游客户的直签授信账户（且只有它可以指定）")
    await _customer(customer_id)
    await _enabled_org(org_id)
    async with in_transaction():
        # the parent first: an unknown one is a 404 before anything refers to it
        parent = None if parent_id is None else await lock_line(parent_id)
        line = await CreditLine.create(
            number=_new_number(now), customer_id=customer_id, org_id=org_id, type=type,
            limit=limit, valid_from=valid_from, valid_to=valid_to,
            project=(project or "").strip() or None, term_days=term_days,
            parent_id=parent_id, created_at=now)
        ref = Ref("grant", line.number, actor, now)
        if parent is not None:
            await _carve_from_parent(parent, line, ref)
        operation = await record(line, GRANT, limit, ref)
        await _publish(line, "granted", operation, actor, now)
    return line


def _new_number(now: datetime) -> str:
    return f"CA{now:%Y%m%d}{secrets.token_hex(3).upper()}"


async def _carve_from_parent(parent: CreditLine, child: CreditLine, ref: Ref) -> None:
    if parent.type != rules.PARENT_TYPE:
        raise PARENT_NOT_DIRECT(f"上游账户 {parent.number} 不是直签授信")
    if parent.customer_id == child.customer_id:
        raise PARENT_SAME_CUSTOMER("直签使用授信须授给上游客户的下游客户")
    if parent.org_id != child.org_id:
        raise PARENT_OTHER_ORG("直签使用授信须与上游直签授信同属一个销区")
    left = as_rule(parent).available(ref.now.date())
    if child.limit > left:
        raise CREDIT_INSUFFICIENT(f"上游直签授信 {parent.number} 可用额度{yuan(left)}，"
                                  f"不足以授出{yuan(child.limit)}", available=fmt(left))
    await move(parent, LIMIT, -child.limit, ref, limit=-child.limit)


async def change_limit(*, line_id: int, limit: Decimal, actor: str,
                       now: datetime) -> CreditLine:
    """Raise or lower a line's limit; never below what it has used and frozen."""
    if limit <= 0:
        raise AMOUNT_NOT_POSITIVE("授信额度必须大于0", amount=fmt(limit))
    async with in_transaction():
        line = await lock_line(line_id)
        if line.status == CLOSED:
            raise ACCOUNT_CLOSED(f"授信账户 {line.number} 已关闭")
        if limit < line.used + line.frozen:
            raise LIMIT_BELOW_USE(
                f"新额度{yuan(limit)}低于已占用的{yuan(line.used + line.frozen)}",
                used=fmt(line.used), frozen=fmt(line.frozen))
        if line.type == rules.DIRECT_USE:
            raise DIRECT_USE_LIMIT_FIXED("直签使用授信的额度来自上游，不能单独调整")
        delta = limit - line.limit
        if delta:
            operation = await move(line, LIMIT, delta, Ref("limit", line.number, actor, now),
                                   limit=delta)
            await _publish(line, "limit_changed", operation, actor, now)
    return line


async def set_line_status(*, line_id: int, status: str, actor: str,
                          now: datetime) -> CreditLine:
    """active ↔ frozen (停用); expired once past its validity; closed for good."""
    if status not in STATUS_LABELS:
        raise BAD_STATUS(f"未知状态: {status}（可选 {', '.join(STATUS_LABELS)}）")
    async with in_transaction():
        line = await lock_line(line_id)
        if line.status == status:
            return line
        _check_transition(line, status, now.date())
        ref = Ref(STATUS, status, actor, now)
        if status == CLOSED and line.parent_id is not None:
            await _give_back_to_parent(line, ref)
        await save(line, status=status)
        operation = await record(line, STATUS, ZERO, ref)
        await _publish(line, "status_changed", operation, actor, now)
    return line


async def _publish(line: CreditLine, change: str, operation, actor: str,
                   now: datetime) -> None:
    """The ERP hears of the line's new state (``credit.line_changed``)."""
    customer = await Customer.get(id=line.customer_id)
    org = await SalesOrg.get(id=line.org_id)
    data: CreditLineChanged = {
        "change": change, "operation_id": operation.id, "by": actor,
        "customer": customer_ref(customer), "org_code": org.code,
        "line": {"id": line.id, "number": line.number, "type": line.type,
                 "limit": fmt(line.limit), "used": fmt(line.used), "frozen": fmt(line.frozen),
                 "status": line.status,
                 "valid_from": line.valid_from.isoformat() if line.valid_from else None,
                 "valid_to": line.valid_to.isoformat() if line.valid_to else None,
                 "project": line.project, "term_days": line.term_days,
                 "parent_id": line.parent_id}}
    await publish(NewEvent(EventType.CREDIT_LINE_CHANGED,
                           f"{EventType.CREDIT_LINE_CHANGED}:{operation.id}", "credit_account",
                           line.id, data, customer.id), now)


def _check_transition(line: CreditLine, status: str, on: date) -> None:
    label = STATUS_LABELS[line.status]
    if line.status == CLOSED:
        raise ACCOUNT_CLOSED(f"授信账户 {line.number} 已关闭，不能改为"
                             f"{STATUS_LABELS[status]}")
    if status == EXPIRED and (line.valid_to is None or line.valid_to >= on):
        raise NOT_EXPIRED(f"授信账户 {line.number} 尚在有效期内")
    if status == ACTIVE and line.valid_to is not None and line.valid_to < on:
        raise ACCOUNT_EXPIRED(f"授信账户 {line.number} 已过有效期，不能启用")
    if status == CLOSED and line.frozen > 0:
        raise ACCOUNT_HAS_FROZEN(
            f"授信账户 {line.number} 仍有{yuan(line.frozen)}冻结在未发货订单上"
            f"（当前{label}），请先关单或反审核", frozen=fmt(line.frozen))


async def _give_back_to_parent(child: CreditLine, ref: Ref) -> None:
    unused = child.limit - child.used
    if unused <= 0:
        return
    parent = await lock_line(child.parent_id)
    await move(child, LIMIT, -unused, ref, limit=-unused)
    await move(parent, LIMIT, unused, ref, limit=unused)


async def set_debt_term(*, debt_id: int, term_days: int, actor: str, now: datetime) -> Debt:
    """账期更改: the new due date is the debt date plus the new term (at most 12 months)."""
    check_term_days(term_days)
    debt = await Debt.get_or_none(id=debt_id)
    if debt is None:
        raise DEBT_NOT_FOUND(f"欠款 {debt_id} 不存在")
    if debt.status != "open":
        raise DEBT_NOT_OPEN(f"欠款 #{debt.id} 已结清或已撤销，不能更改账期")
    await save(debt, term_days=term_days, due_date=rules.due_date(debt.debt_date, term_days))
    return debt
