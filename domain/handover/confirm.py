"""Finance's hand-over confirmation (对账确认) of documents, one by one or every document of
chosen people and days at once, and its undo; seed 001's 交款交账参数 makes confirming a fund
document (收款单, 费用单, 其他收入单) audit it too. Also the receipt audit actions and the
remarks finance appends (批量追加备注).

The marks themselves are the document's (``domain.documents.confirmation``): allowed on closed
days, never bumping a version, one UPDATE per kind (a day can hold thousands of documents)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain.credit_limit import check_credit_limits
from domain.documents import day_close
from domain.documents.confirmation import clear_confirmed, confirm_unconfirmed, mark_unconfirmed
from domain.documents.models import Document
from domain.documents.rules import (
    APPROVED,
    CONFIRM,
    PENDING,
    RECEIPT,
    UNCONFIRM,
    VOID,
    receipt_audit_change,
    receipt_confirmed_error,
)
from domain.documents.settings import confirm_audits
from domain.handover import scope
from domain.handover.errors import (
    BAD_KIND,
    BAD_REMARK,
    DOCUMENT_NOT_FOUND,
    HANDOVER_DOCUMENT_NOT_FOUND,
    NOT_IN_HANDOVER,
    RECEIPT_CHANGED,
    RECEIPT_NOT_FOUND,
    RECEIPT_VOID,
)
from domain.handover.rules import (
    CLOSED,
    CONFIRMED,
    DOCUMENT,
    FUND_KINDS,
    KIND_LABELS,
    KINDS,
    RECEIPT_ACTION_LABELS,
    RECEIPT_ACTIONS,
    VOIDED,
    receipt_refusal,
)
from domain.sql import execute, id_chunks
from domain.statements.service import mark_source_changed

Ref = tuple[str, int]  # (kind, id), kind in rules.KINDS
REMARK_SEPARATOR = "；"


# ----- confirming a query, fund documents audited along ----------------------------------------


def _funds(kind: str, query: QuerySet) -> QuerySet | None:
    """The fund documents (资金单据) among the query's rows; None when the kind has none."""
    if kind == DOCUMENT:
        return query.filter(doc_type=RECEIPT)
    return query if kind in FUND_KINDS else None


async def _confirm_query(kind: str, query: QuerySet, *, by: str, now: datetime,
                         audits: bool) -> dict:
    """Confirm the query's unconfirmed rows; with the 交款交账参数 on, audit first the pending
    fund documents among them (un-confirming never un-audits)."""
    audited = 0
    funds = _funds(kind, query) if audits else None
    if funds is not None:
        audited = await funds.filter(confirmed_at__isnull=True, audit_status=PENDING).update(
            audit_status=APPROVED)
    return {"confirmed": await confirm_unconfirmed(query, by=by, now=now), "audited": audited}


def _add(total: dict, part: dict) -> dict:
    return {key: total.get(key, 0) + value for key, value in part.items()}


# ----- by references ---------------------------------------------------------------------------


async def confirm(refs: list[Ref], *, by: str, now: datetime) -> dict:
    """Confirm the named documents: {"confirmed": n, "audited": m}."""
    groups = await _checked(refs, undo=False)
    audits = await confirm_audits()
    counts = {"confirmed": 0, "audited": 0}
    async with in_transaction():
        for kind, ids in groups.items():
            for chunk in id_chunks(ids):
                counts = _add(counts, await _confirm_query(
                    kind, scope.MODELS[kind].filter(id__in=chunk), by=by, now=now,
                    audits=audits))
    return counts


async def unconfirm(refs: list[Ref], *, by: str, now: datetime) -> dict:
    """Drop the confirmation of the named documents: {"unconfirmed": n}."""
    groups = await _checked(refs, undo=True)
    count = 0
    async with in_transaction():
        for kind, ids in groups.items():
            count += await mark_unconfirmed(scope.MODELS[kind], ids)
    return {"unconfirmed": count}


async def _checked(refs: list[Ref], *, undo: bool) -> dict[str, set[int]]:
    """The refs by kind, once each is known to exist (404 naming the missing ones) and to be
    in somebody's hand-over (400; a confirmed one may still be un-confirmed)."""
    groups: dict[str, set[int]] = defaultdict(set)
    for kind, row_id in refs:
        if kind not in KINDS:
            raise BAD_KIND(f"未知的单据类别: {kind!r}（可选 {', '.join(KINDS)}）")
        groups[kind].add(row_id)
    rows = {kind: await _rows(kind, ids) for kind, ids in groups.items()}
    missing = [(kind, i) for kind, ids in groups.items() for i in sorted(ids)
               if i not in rows[kind]]
    if missing:
        raise HANDOVER_DOCUMENT_NOT_FOUND(
            f"找不到: {'、'.join(f'{KIND_LABELS[k]} {i}' for k, i in missing)}",
            missing=[{"kind": k, "id": i} for k, i in missing])
    outside = [row for kind in groups for row in await _outside(kind, rows[kind])
               if not (undo and row["confirmed_at"])]
    if outside:
        raise NOT_IN_HANDOVER(
            f"不在交款交账范围内的单据: {'、'.join(r['number'] for r in outside)}",
            outside=[{"kind": r["kind"], "id": r["id"], "number": r["number"]}
                     for r in outside])
    return dict(groups)


async def _rows(kind: str, ids: set[int]) -> dict[int, dict]:
    fields = ["id", "number", "salesperson_id", "date", "confirmed_at"]
    if kind == DOCUMENT:
        fields += ["driver_id", "delivered_on"]
    found: dict[int, dict] = {}
    for chunk in id_chunks(ids):
        for row in await scope.MODELS[kind].filter(id__in=chunk).values(*fields):
            found[row["id"]] = {**row, "kind": kind}
    return found


async def _outside(kind: str, rows: dict[int, dict]) -> list[dict]:
    """The rows in nobody's hand-over: asked of scope with the rows' own people and days, so
    a row is inside exactly when it is in its own person's day."""
    people = {r[f] for r in rows.values() for f in ("salesperson_id", "driver_id") if r.get(f)}
    days = {r[f] for r in rows.values() for f in ("date", "delivered_on") if r.get(f)}
    inside: set[int] = set()
    for chunk in id_chunks(rows):
        inside.update(await scope.of_kind(kind, people, days).filter(id__in=chunk).values_list(
            "id", flat=True))
    return [row for row_id, row in sorted(rows.items()) if row_id not in inside]


# ----- by people and days ----------------------------------------------------------------------


async def confirm_days(staff_ids: list[int] | None, days: list[date], *, by: str,
                       now: datetime) -> dict:
    """Confirm every hand-over document of those people (None: everyone) on those days,
    drivers' deliveries by the day they delivered."""
    audits = await confirm_audits()
    counts = {"confirmed": 0, "audited": 0}
    async with in_transaction():
        for kind in KINDS:
            counts = _add(counts, await _confirm_query(
                kind, scope.of_kind(kind, staff_ids, days), by=by, now=now, audits=audits))
    return counts


async def unconfirm_days(staff_ids: list[int] | None, days: list[date], *, by: str,
                         now: datetime) -> dict:
    """Drop the confirmation of every hand-over document of those people on those days."""
    count = 0
    async with in_transaction():
        for kind in KINDS:
            count += await clear_confirmed(scope.of_kind(kind, staff_ids, days))
    return {"unconfirmed": count}


# ----- receipt audit actions -------------------------------------------------------------------

async def change_receipt_audit(receipt_id: int, action: str, *, by: str,
                               now: datetime) -> dict:
    """Audit, un-audit or void one receipt, as ``rules.receipt_refusal`` allows: refused when
    void (409), on a closed day (423) and, per the 交款交账参数, when confirmed (409); with the
    setting on it confirms or un-confirms the receipt along."""
    receipt = await Document.get_or_none(id=receipt_id, doc_type=RECEIPT)
    if receipt is None:
        raise RECEIPT_NOT_FOUND(f"收款单 {receipt_id} 不存在")
    new = RECEIPT_ACTIONS[action]
    if receipt.audit_status != new:
        async with in_transaction():
            audits = await confirm_audits()
            closed = await day_close.closed_pairs(_pairs(receipt))
            await _refuse(receipt, action, receipt_refusal(
                action, receipt.audit_status, confirmed=receipt.confirmed_at is not None,
                confirm_audits=audits, closed=bool(closed)))
            change = receipt_audit_change(receipt.number, receipt.audit_status, new,
                                          confirmed=receipt.confirmed_at is not None,
                                          confirm_audits=audits)
            await _save_audit(receipt, new, change, by=by, now=now)
    return receipt_view(receipt)


async def _refuse(receipt: Document, action: str, refusal: str | None) -> None:
    """Raise the error of the rule's refusal, if any."""
    if refusal == VOIDED:
        raise RECEIPT_VOID(f"收款单 {receipt.number} 已作废，不能{RECEIPT_ACTION_LABELS[action]}",
                           number=receipt.number)
    if refusal == CLOSED:  # names each closed day
        await day_close.ensure_open(_pairs(receipt), number=receipt.number)
    if refusal == CONFIRMED:
        raise receipt_confirmed_error(receipt.number, receipt.audit_status,
                                      RECEIPT_ACTIONS[action])


def _pairs(document: Document) -> list[tuple[int | None, date | None]]:
    return [(document.salesperson_id, document.date),
            (document.driver_id, document.delivered_on)]


async def _save_audit(receipt: Document, new: str, change: str | None, *, by: str,
                      now: datetime) -> None:
    changes = {"audit_status": new, "version": receipt.version + 1, "updated_at": now}
    if change == CONFIRM:
        changes.update(confirmed_at=now, confirmed_by=by)
    elif change == UNCONFIRM:
        changes.update(confirmed_at=None, confirmed_by="")
    async with in_transaction():
        updated = await Document.filter(id=receipt.id, version=receipt.version).update(
            **changes)
        if not updated:
            raise RECEIPT_CHANGED(f"收款单 {receipt.number} 刚被修改，请刷新后重试",
                                  number=receipt.number)
        if VOID in (new, receipt.audit_status):
            await mark_source_changed([receipt.id])
            await check_credit_limits([receipt.customer_id], now)
    for name, value in changes.items():
        setattr(receipt, name, value)


def receipt_view(receipt: Document) -> dict:
    return {"id": receipt.id, "number": receipt.number, "audit_status": receipt.audit_status,
            "confirmed": receipt.confirmed_at is not None,
            "confirmed_at": receipt.confirmed_at, "confirmed_by": receipt.confirmed_by}


# ----- remarks (批量追加备注) --------------------------------------------------------------------

MAX_REMARK = 500
_APPEND = ("UPDATE document SET remark = CASE WHEN remark = '' THEN {0} "
           "ELSE remark || {1} END WHERE id IN ({ids})")


async def append_remark(document_ids: Collection[int], remark: str) -> int:
    """Append a remark to each named document (after a separator, keeping what is there);
    finance's annotation, allowed on closed days. 404 naming missing documents."""
    remark = remark.strip()
    if not remark:
        raise BAD_REMARK("备注不能为空")
    if len(remark) > MAX_REMARK:
        raise BAD_REMARK(f"备注不能超过 {MAX_REMARK} 个字符")
    ids = set(document_ids)
    found: set[int] = set()
    for chunk in id_chunks(ids):
        found.update(await Document.filter(id__in=chunk).values_list("id", flat=True))
    if missing := sorted(ids - found):
        raise DOCUMENT_NOT_FOUND(f"单据不存在: {', '.join(map(str, missing))}",
                                 missing=missing)
    count = 0
    async with in_transaction() as tx:
        for chunk in id_chunks(ids):
            markers = ", ".join(f"{{{i}}}" for i in range(2, len(chunk) + 2))
            count += await execute(_APPEND.replace("{ids}", markers), remark,
                                   REMARK_SEPARATOR + remark, *chunk, connection=tx)
    return count
