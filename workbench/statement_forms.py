"""Reading the 对账 screens' form and query values into what the use cases take, refusing bad
input with a 400 and a message a clerk understands (the same codes the API answers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.common_errors import BAD_AMOUNT, BAD_DATE, BAD_FIELD
from domain.documents.rules import DOC_TYPES
from domain.errors import Invalid
from domain.limits import ID_MAX, check_text
from domain.money import to_amount
from domain.statements import rules
from httpcommon.params import DIGITS, parse_date

PLAIN_AMOUNT = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?")
NOTE_MAX = 2000  # the API's text(2000) for a receipt's note and a confirmation's description
SEARCH_MAX = 200  # the API's customer search (q)
PAGE_MAX = 10**6


def day(fields: Mapping[str, str], name: str, label: str) -> date | None:
    """An optional date field written YYYY-MM-DD (what <input type=date> sends)."""
    raw = (fields.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw, label)
    except Invalid:
        raise BAD_DATE(f"{label}不是有效的日期（年-月-日，如 2021-12-01）") from None


def required_day(fields: Mapping[str, str], name: str, label: str) -> date:
    found = day(fields, name, label)
    if found is None:
        raise BAD_DATE(f"请填写{label}")
    return found


def whole(fields: Mapping[str, str], name: str, label: str, *, hi: int = ID_MAX) -> int | None:
    """An optional whole number (an id, a page) of ASCII digits from 1 to ``hi``."""
    raw = (fields.get(name) or "").strip()
    if not raw:
        return None
    if not DIGITS.fullmatch(raw) or not 0 < int(raw) <= hi:
        raise BAD_FIELD(f"{label}不对")
    return int(raw)


def amount(fields: Mapping[str, str], name: str = "amount") -> Decimal:
    """A positive amount of money, at most 2 decimals (1,000.50 is read as 1000.50)."""
    raw = (fields.get(name) or "").strip()
    if not raw:
        raise BAD_AMOUNT("请填写收款金额")
    try:
        if not PLAIN_AMOUNT.fullmatch(raw):  # no 1e3, no full-width digits: what people type
            raise ValueError(raw)
        value = to_amount(raw)
    except ValueError:
        raise BAD_AMOUNT("收款金额应为数字，最多两位小数，如 1000.00") from None
    if value <= 0:
        raise BAD_AMOUNT("收款金额必须大于 0")
    return value


def note(fields: Mapping[str, str], name: str, label: str, max_len: int = NOTE_MAX) -> str:
    try:
        return check_text((fields.get(name) or "").strip(), label, max_len)
    except ValueError as exc:
        raise BAD_FIELD(str(exc)) from None


def status(fields: Mapping[str, str]) -> str | None:
    raw = (fields.get("status") or "").strip()
    if raw and raw not in rules.STATUS_LABELS:
        raise BAD_FIELD("对账单状态不对")
    return raw or None


def doc_type(fields: Mapping[str, str]) -> str | None:
    raw = (fields.get("type") or "").strip()
    if raw and raw not in DOC_TYPES:
        raise BAD_FIELD("单据类型不对")
    return raw or None


@dataclass(frozen=True)
class HistoryFilters:
    """对账单历史's filters: customer, status, a period the statements overlap, the page."""

    customer_id: int | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def query(self, **changes) -> dict[str, str]:
        """These filters (with ``changes``) as a link's query, empty ones left out."""
        values = {"customer_id": self.customer_id, "status": self.status,
                  "from": self.date_from, "to": self.date_to, "page": self.page, **changes}
        return {k: str(v) for k, v in values.items() if v and not (k == "page" and v == 1)}


def history_filters(query: Mapping[str, str]) -> HistoryFilters:
    return HistoryFilters(
        customer_id=whole(query, "customer_id", "客户"),
        status=status(query),
        date_from=day(query, "from", "开始日期"),
        date_to=day(query, "to", "结束日期"),
        page=whole(query, "page", "页码", hi=PAGE_MAX) or 1,
    )
