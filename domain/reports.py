"""Reports: the daily delivery ledger (seed 000: 后台会保留每天发送的记录) and period summaries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.access import only_customers, visible_customer_ids
from domain.actors import Actor
from domain.common_errors import BAD_RANGE
from domain.delivery import no_channel_reason
from domain.money import ZERO
from domain.notices.models import OutboxMessage, OutboxStatus
from domain.statements.models import Statement
from domain.statements.rules import STATUS_LABELS

MAX_DAYS = 366


def _check_period(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise BAD_RANGE("开始日期不能晚于结束日期")
    if (date_to - date_from).days >= MAX_DAYS:
        raise BAD_RANGE(f"查询区间不能超过 {MAX_DAYS} 天")


async def delivery_ledger(day: date, *, limit: int = 500, offset: int = 0) -> list[dict]:
    """Every notice queued on that business day, with whom it was for and where it stands."""
    rows = await OutboxMessage.filter(business_date=day).order_by("created_at", "id").offset(
        offset).limit(limit)
    return [
        {
            "id": m.id, "channel": m.channel, "kind": m.kind, "recipient_kind": m.recipient_kind,
            "recipient_id": m.recipient_id, "recipient_name": m.recipient_name,
            "status": m.status, "attempts": m.attempts, "queued_at": m.created_at,
            "sent_at": m.sent_at, "statement_id": m.payload.get("statement_id"),
            "last_error": m.last_error, "undelivered_reason": undelivered_reason(m),
        }
        for m in rows
    ]


def undelivered_reason(row: OutboxMessage) -> str:
    """Why a notice given up on did not go out, in finance's words ('' unless dead): the
    sender's no-channel reason (e.g. 客户已取消关注公众号，且小程序未授权订阅消息), else the
    failure after the last try."""
    if row.status != OutboxStatus.DEAD:
        return ""
    return (no_channel_reason(row.last_error)
            or f"发送失败（已尝试 {row.attempts} 次）：{row.last_error}")


async def delivery_summary(date_from: date, date_to: date) -> list[dict]:
    """Per day: how many notices were queued, and how many of them are in each status."""
    _check_period(date_from, date_to)
    rows = await OutboxMessage.filter(
        business_date__gte=date_from, business_date__lte=date_to
    ).values_list("business_date", "status")
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, status in rows:
        days[day][status] += 1
    return [
        {"date": day, "total": sum(counts.values()), "by_status": dict(counts)}
        for day, counts in sorted(days.items())
    ]


async def statement_summary(actor: Actor, date_from: date, date_to: date, tz: str) -> dict:
    """Statements issued in the period: count and sums (期末应收, 欠款, 已收金额) by status."""
    _check_period(date_from, date_to)
    zone = ZoneInfo(tz)
    start = datetime.combine(date_from, time.min, zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, zone)
    query = Statement.filter(deleted_at=None, created_at__gte=start, created_at__lt=end)
    query = only_customers(query, await visible_customer_ids(actor))
    rows = await query.values_list("status", "closing", "owed_total", "received_amount")
    by_status = {s: {"status": s, "label": label, "count": 0, "closing": ZERO, "owed": ZERO,
                     "received": ZERO} for s, label in STATUS_LABELS.items()}
    for status, closing, owed, received in rows:
        bucket = by_status[status]
        bucket["count"] += 1
        bucket["closing"] += Decimal(closing)
        bucket["owed"] += Decimal(owed)
        bucket["received"] += Decimal(received)
    total = {k: sum((b[k] for b in by_status.values()), ZERO if k != "count" else 0)
             for k in ("count", "closing", "owed", "received")}
    return {"date_from": date_from, "date_to": date_to, "by_status": list(by_status.values()),
            "total": total}
