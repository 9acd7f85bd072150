"""Pure statement rules: seed 000's action table, the totals, and answer outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from domain.common_errors import BAD_RANGE
from domain.documents.rules import PAYING, signed_amount
from domain.money import ZERO
from domain.statements.errors import ACTION_NOT_ALLOWED, ALREADY_ANSWERED

UNCONFIRMED, MATCHED, MISMATCHED = "unconfirmed", "matched", "mismatched"
STATUS_LABELS = {UNCONFIRMED: "未确认", MATCHED: "符合", MISMATCHED: "不符合"}

# Actions of the back office, named as seed 000 names the buttons.
RECEIVE, MISMATCH, MATCH, FEEDBACK, SHARE, DELETE, CANCEL = (
    "receive", "mismatch", "match", "feedback", "share", "delete", "cancel",
)
ACTION_LABELS = {
    RECEIVE: "收款", MISMATCH: "不符合确认", MATCH: "符合确认", FEEDBACK: "反馈内容",
    SHARE: "分享", DELETE: "删除", CANCEL: "取消确认",
}

# Seed 000's six cases: (status, money already received?) -> allowed actions, in button order.
_ACTION_TABLE: dict[tuple[str, bool], tuple[str, ...]] = {
    (UNCONFIRMED, False): (RECEIVE, MISMATCH, MATCH, FEEDBACK, SHARE, DELETE),
    (UNCONFIRMED, True): (MISMATCH, MATCH, FEEDBACK, SHARE, DELETE),
    (MATCHED, False): (RECEIVE, CANCEL, FEEDBACK, SHARE, DELETE),
    (MATCHED, True): (CANCEL, FEEDBACK, SHARE, DELETE),
    (MISMATCHED, False): (RECEIVE, CANCEL, FEEDBACK, SHARE, DELETE),
    (MISMATCHED, True): (CANCEL, FEEDBACK, SHARE, DELETE),
}


def allowed_actions(status: str, received: Decimal) -> tuple[str, ...]:
    return _ACTION_TABLE[(status, received > 0)]


def check_action(action: str, status: str, received: Decimal) -> None:
    """Refuse an action the table does not allow in this state, naming the state."""
    if action not in allowed_actions(status, received):
        money = "已收金额 > 0" if received > 0 else "已收金额 = 0"
        raise ACTION_NOT_ALLOWED(
            f"对账单状态为{STATUS_LABELS[status]}（{money}）时不能{ACTION_LABELS[action]}",
            action=action, status=status, received_amount=str(received),
            )


def status_after(action: str) -> str | None:
    return {MATCH: MATCHED, MISMATCH: MISMATCHED, CANCEL: UNCONFIRMED}.get(action)


def check_period(date_from: date | None, date_to: date | None) -> None:
    """Refuse a period that starts after it ends (an open end is no period to check)."""
    if date_from and date_to and date_from > date_to:
        raise BAD_RANGE("开始日期不能晚于结束日期")


# A share link's state: it opens the statement until it is revoked or expires.
LIVE, REVOKED, EXPIRED = "live", "revoked", "expired"
LINK_STATE_LABELS = {LIVE: "有效", REVOKED: "已吊销", EXPIRED: "已过期"}


class LinkTimes(Protocol):
    """A share link's times (a ``ShareLink``); read only."""

    @property
    def expires_at(self) -> datetime: ...
    @property
    def revoked_at(self) -> datetime | None: ...


def link_state(link: LinkTimes, now: datetime) -> str:
    if link.revoked_at is not None:
        return REVOKED
    return LIVE if link.expires_at > now else EXPIRED


@dataclass(frozen=True)
class LineValues:
    doc_type: str
    amount: Decimal
    owed: Decimal


@dataclass(frozen=True)
class Totals:
    opening: Decimal
    increase: Decimal
    receipts: Decimal
    closing: Decimal
    line_count: int
    owed_total: Decimal


def statement_totals(opening: Decimal, lines: Iterable[LineValues]) -> Totals:
    """期初应收 + 本期增加 (sales-out − returns) − 本期收款 (receipts, prepaid draws) = 期末应收;
    欠款 = Σ 本单欠."""
    increase = receipts = owed = ZERO
    count = 0
    for line in lines:
        count += 1
        owed += line.owed
        if line.doc_type in PAYING:
            receipts += line.amount
        else:
            increase += signed_amount(line.doc_type, line.amount)
    return Totals(opening, increase, receipts, opening + increase - receipts, count, owed)


def answer_outcome(status: str, answer: str) -> bool:
    """Whether a customer's answer changes the statement: False for a repeat, 409 for a change."""
    if status == UNCONFIRMED:
        return True
    if status == answer:
        return False
    raise ALREADY_ANSWERED(f"对账单已确认为{STATUS_LABELS[status]}，如需更改请联系业务员取消确认",
                           status=status,
                           )
