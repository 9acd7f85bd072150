"""DingTalk markdown for payments-pool notices: a customer's payment the system could not write
off by itself, and why, so the salesperson can have it matched by hand."""

from __future__ import annotations

from decimal import Decimal

from domain.money import yuan


def _plain(text, limit: int = 60) -> str:
    """One line of user text, without markdown that would change the message."""
    value = " ".join(str(text or "").split())
    for mark in ("*", "#", "[", "]", "`", ">"):
        value = value.replace(mark, " ")
    return value[:limit]


def payment_refused_markdown(payload: dict) -> tuple[str, str]:
    """(title, text): which payment, for which customer, and the reason (seed 004, question 4)."""
    customer = _plain(payload.get("customer", ""), 40)
    title = f"到款未自动销账：{customer}"
    lines = [
        f"### {title}",
        f"- 到款：{payload.get('received_on', '')} {_plain(payload.get('payer_name', ''))} "
        f"{yuan(Decimal(str(payload.get('amount', '0'))))}",
        f"- 流水号：{_plain(payload.get('reference', ''), 64)}",
        f"- 原因：{_plain(payload.get('note', ''), 100)}",
        "",
        "请联系财务在到款池中人工匹配账单销账。",
    ]
    return title, "\n".join(lines)
