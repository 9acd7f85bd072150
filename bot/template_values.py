"""The values a WeChat notice can show, per notice kind, and how each reads in every field type
that can hold it (``bot.wechat_fields``).

A template's configuration maps its typed fields to these names (``{"thing1": "customer",
"amount3": "closing"}``); ``bot.templates`` refuses at start a name the kind does not have or a
field type the value cannot go into (a customer's name into an ``amount``). The message shows
only what fits; every detail (the documents, the debts one by one) is behind the link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.money import yuan
from domain.notices.catalogue import Kind

Payload = Mapping[str, Any]
Read = Callable[[Payload], str]


@dataclass(frozen=True)
class Source:
    """One value a notice can show: its text for each field type that can hold it."""

    reads: Mapping[str, Read]
    means: str  # what it is, for the configuration's error messages


# ----- readings ---------------------------------------------------------------------------------


def chinese_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_thing(start: date, end: date) -> str:
    """A statement period in a thing's 20 characters, as a customer says it:
    2021年12月1日至12月22日; across a new year 2021年12月15日至2022年1月14日 (or 至次年1月14日);
    longer spans by month."""
    full = f"{chinese_day(start)}至{chinese_day(end)}"
    if start.year == end.year:
        return f"{chinese_day(start)}至{end.month}月{end.day}日"
    if len(full) <= 20:
        return full
    if end.year == start.year + 1:
        return f"{chinese_day(start)}至次年{end.month}月{end.day}日"
    return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


def amount_text(value: Any) -> str:
    """An ``amount`` field's value: 1234.50元 (WeChat allows no thousands separator and, per its
    rule, no minus sign: a negative amount is refused by ``fit``)."""
    cents = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{abs(cents) if cents == 0 else cents}元"


def _day(payload: Payload, key: str) -> date:
    return date.fromisoformat(str(payload.get(key, "")))


LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司")  # longest first


def company(name: str, limit: int = 20) -> str:
    """A company's name for a short field: without its legal form (有限公司 …) when the whole
    name is too long, as people shorten it; ``fit`` cuts what is still too long."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    for form in LEGAL_FORMS:
        if name.endswith(form) and len(name) > len(form):
            return name.removesuffix(form)
    return name


def customer() -> Source:
    return Source({"thing": lambda p: company(str(p.get("customer", "")))}, "the customer's name")


def money(key: str, means: str) -> Source:
    return Source({"amount": lambda p: amount_text(p.get(key)),
                   "thing": lambda p: yuan(p.get(key))}, means)


def day(key: str, means: str) -> Source:
    return Source({"date": lambda p: chinese_day(_day(p, key)),
                   "thing": lambda p: chinese_day(_day(p, key)),
                   "character_string": lambda p: _day(p, key).isoformat()}, means)


def words(read: Read, means: str, *, phrase: bool = False) -> Source:
    """A sentence (thing); ``phrase`` when it is always ≤ 5 Chinese characters."""
    return Source({"thing": read, **({"phrase": read} if phrase else {})}, means)


def count(key: str, thing: Read, means: str) -> Source:
    return Source({"number": lambda p: str(int(p.get(key) or 0)), "thing": thing}, means)


PERIOD = Source({
    "thing": lambda p: period_thing(_day(p, "date_from"), _day(p, "date_to")),
    "date": lambda p: f"{chinese_day(_day(p, 'date_from'))}~{chinese_day(_day(p, 'date_to'))}",
}, "the statement period")


# ----- per kind ---------------------------------------------------------------------------------


def _debts(payload: Payload) -> int:
    return int(payload.get("count") or 1)


def _due_in(payload: Payload) -> str:
    days = int(payload.get("days_to_due") or 0)
    return f"{days} 天后到期" if days else "今日到期"


def _overdue_for(payload: Payload) -> str:
    days = int(payload.get("days_overdue") or 0)
    return f"已逾期 {days} 天" if days else "今日到期"


def _reminder_state(payload: Payload) -> str:
    """共 3 笔，最早 7 天后到期 / 7 天后到期."""
    many = _debts(payload) > 1
    return f"共 {_debts(payload)} 笔，最早 {_due_in(payload)}" if many else _due_in(payload)


def _overdue_state(payload: Payload) -> str:
    """共 3 笔，最长已逾期 10 天 / 已逾期 10 天 / 今日到期."""
    many = _debts(payload) > 1
    if many and int(payload.get("days_overdue") or 0):
        return f"共 {_debts(payload)} 笔，最长{_overdue_for(payload)}"
    return f"共 {_debts(payload)} 笔，{_overdue_for(payload)}" if many else _overdue_for(payload)


def _debts_title(payload: Payload, title: str, state: str) -> str:
    """还款提醒 for one debt; 还款提醒：您有 3 笔欠款即将到期 when a reminder lists several."""
    return f"{title}：您有 {_debts(payload)} 笔欠款{state}" if _debts(payload) > 1 else title


def _constant(value: str) -> Read:
    return lambda p: value


def _debt_sources(title: str, state: str, status: Read, summary: Read, hint: str
                  ) -> dict[str, Source]:
    return {
        "customer": customer(),
        "amount": money("amount", "the amount owed"),
        "due_date": day("due_date", "the earliest due date"),
        "days_to_due": count("days_to_due", _due_in, "days until the earliest due date"),
        "days_overdue": count("days_overdue", _overdue_for, "days the oldest debt is overdue"),
        "debt_count": count("count", lambda p: f"{_debts(p)} 笔欠款", "how many debts"),
        "debts": words(summary, "the debts in a few words"),
        "status": words(status, "the state in ≤ 5 characters", phrase=True),
        "title": words(lambda p: _debts_title(p, title, state), "the message's title"),
        "hint": words(_constant(hint), "what to do"),
    }


STATEMENT_ISSUED: dict[str, Source] = {
    "customer": customer(),
    "period": PERIOD,
    "closing": money("closing", "the closing balance"),
    "owed_total": money("owed_total", "the total owed"),
    "statement_no": Source({"character_string": lambda p: str(p.get("statement_id", "")),
                            "number": lambda p: str(p.get("statement_id", ""))},
                           "the statement's number"),
    "status": words(_constant("待确认"), "the state in ≤ 5 characters", phrase=True),
    "title": words(_constant("您有一份新的对账单，请核对"), "the message's title"),
    "hint": words(_constant("点击查看明细，并确认是否相符"), "what to do"),
}
REPAYMENT_REMINDER = _debt_sources("还款提醒", "即将到期", _constant("即将到期"),
                                   _reminder_state, "请按期付款，如已付款请忽略")
OVERDUE_NOTICE = _debt_sources(
    "逾期提醒", "已到期",
    lambda p: "已逾期" if int(p.get("days_overdue") or 0) else "今日到期",
    _overdue_state, "请尽快付款，如有疑问请联系业务员")

# The TEMPLATE renderer of each WeChat kind (tests/unit/test_notice_catalogue.py checks them).
SOURCES: dict[Kind, dict[str, Source]] = {
    Kind.STATEMENT_ISSUED: STATEMENT_ISSUED,
    Kind.REPAYMENT_REMINDER: REPAYMENT_REMINDER,
    Kind.OVERDUE_NOTICE: OVERDUE_NOTICE,
}
# Kinds whose message must carry its link: the message shows a summary, the link the rest.
LINKED = frozenset({Kind.STATEMENT_ISSUED})
