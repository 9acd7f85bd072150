"""Reports: the daily delivery ledger (seed 000: 后台会保留每天发送的记录) and period summaries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import RawSQL

from domain.access import only_customers, visible_customer_ids
from domain.actors import Actor
from domain.common_errors import BAD_QUERY, BAD_RANGE, BAD_STATUS
from domain.delivery import no_channel_reason
from domain.money import ZERO
from domain.notices import ledger
from domain.notices.catalogue import label
from domain.notices.models import OutboxMessage, OutboxStatus
from domain.sql import exact_sum_sql, sum_amount
from domain.statements.models import Statement
from domain.statements.rules import STATUS_LABELS

MAX_DAYS = 366


def _check_period(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise BAD_RANGE("开始日期不能晚于结束日期")
    if (date_to - date_from).days >= MAX_DAYS:
        raise BAD_RANGE(f"查询区间不能超过 {MAX_DAYS} 天")


async def delivery_ledger(day: date, *, state: str | None = None, channel: str | None = None,
                          limit: int = 500, offset: int = 0) -> list[dict]:
    """Every notice queued on that business day (of one state and channel, if given), with
    whom and what it was for, how it went out and where it stands, in people's words too."""
    rows = await _ledger_query(day, state, channel).order_by("created_at", "id").offset(
        offset).limit(limit)
    return [delivery_row(m) for m in rows]


async def delivery_day_counts(day: date, channel: str | None = None) -> dict[str, int]:
    """How many of the day's notices (on one channel, if given) are in each state."""
    query = _ledger_query(day, None, channel)
    return {state: await query.filter(ledger.state_filter(state)).count()
            for state in ledger.State}


def _ledger_query(day: date, state: str | None, channel: str | None):
    query = OutboxMessage.filter(business_date=day)
    if state:
        if state not in ledger.State.__members__.values():
            raise BAD_STATUS(f"状态只能是 {'、'.join(ledger.State)} 之一", status=state[:40])
        query = query.filter(ledger.state_filter(ledger.State(state)))
    if channel:
        if channel not in ledger.CHANNEL_LABELS:
            raise BAD_QUERY(f"渠道只能是 {'、'.join(ledger.CHANNEL_LABELS)} 之一")
        query = query.filter(channel=channel)
    return query


def delivery_row(m: OutboxMessage) -> dict:
    """One ledger row (the API's Delivery)."""
    state = ledger.state_of(m.status, m.attempts, m.last_error)
    return {
        "id": m.id, "channel": m.channel, "kind": m.kind, "recipient_kind": m.recipient_kind,
        "recipient_id": m.recipient_id, "recipient_name": m.recipient_name,
        "status": m.status, "attempts": m.attempts, "queued_at": m.created_at,
        "sent_at": m.sent_at, "statement_id": m.payload.get("statement_id"),
        "last_error": m.last_error, "undelivered_reason": undelivered_reason(m),
        "kind_label": label(m.kind), "channel_label": ledger.how_sent(
            m.channel, m.kind, m.provider_ref),
        "state": state, "state_label": ledger.STATE_LABELS[state],
        "customer": _customer_name(m.payload), "reason": _reason(m, state),
        "next_attempt_at": m.next_attempt_at if state == ledger.State.RETRYING else None,
        "resendable": state in ledger.RESENDABLE,
    }


def _customer_name(payload: dict) -> str:
    """The customer a notice is about, as its payload names it ('' if about none)."""
    name = payload.get("customer") or payload.get("customer_name") or ""
    return name if isinstance(name, str) else ""


def _reason(row: OutboxMessage, state: ledger.State) -> str:
    """Why the notice is not (yet) out, in finance's words ('' when nothing went wrong)."""
    if state == ledger.State.RETRYING:
        return (f"第 {row.attempts} 次发送失败，将自动重试："
                f"{ledger.error_in_words(row.last_error)}")
    return undelivered_reason(row)


def undelivered_reason(row: OutboxMessage) -> str:
    """Why a notice given up on did not go out, in finance's words ('' unless dead): the
    sender's no-channel reason (e.g. 客户已取消关注公众号，且小程序未授权订阅消息), else the
    failure after the last try."""
    if row.status != OutboxStatus.DEAD:
        return ""
    return (no_channel_reason(row.last_error)
            or f"发送失败（已尝试 {row.attempts} 次）：{ledger.error_in_words(row.last_error)}")


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
    # one GROUP BY status, summed exactly in SQL (a month can hold tens of thousands)
    rows = await query.annotate(
        n=RawSQL("COUNT(*)"), closing_sum=RawSQL(exact_sum_sql("closing")),
        owed_sum=RawSQL(exact_sum_sql("owed_total")),
        received_sum=RawSQL(exact_sum_sql("received_amount")),
    ).group_by("status").values("status", "n", "closing_sum", "owed_sum", "received_sum")
    by_status = {s: {"status": s, "label": label, "count": 0, "closing": ZERO, "owed": ZERO,
                     "received": ZERO} for s, label in STATUS_LABELS.items()}
    for row in rows:
        by_status[row["status"]].update(
            count=row["n"], closing=sum_amount(row["closing_sum"]),
            owed=sum_amount(row["owed_sum"]), received=sum_amount(row["received_sum"]))
    total = {k: sum((b[k] for b in by_status.values()), ZERO if k != "count" else 0)
             for k in ("count", "closing", "owed", "received")}
    return {"date_from": date_from, "date_to": date_to, "by_status": list(by_status.values()),
            "total": total}
