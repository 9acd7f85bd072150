"""DingTalk markdown for payments-pool notices: a customer's payment the system could not write
off by itself, and why, so the salesperson can have it matched by hand."""

from __future__ import annotations

from decimal import Decimal

from bot.texts import plain
from domain.money import yuan


def payment_refused_markdown(payload: dict) -> tuple[str, str]:
    """(title, text): which payment, for which customer, and the reason (seed 004, question 4)."""
    customer = plain(payload.get("customer") or "", 40)
    title = f"到款未自动销账：{customer}"
    lines = [
        f"### {title}",
        f"- 到款：{payload.get('received_on', '')} {plain(payload.get('payer_name') or '', 60)} "
        f"{yuan(Decimal(str(payload.get('amount', '0'))))}",
        f"- 流水号：{plain(payload.get('reference') or '', 64)}",
        f"- 原因：{plain(payload.get('note') or '', 100)}",
        "",
        "请联系财务在到款池中人工匹配账单销账。",
    ]
    return title, "\n".join(lines)
