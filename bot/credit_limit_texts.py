"""DingTalk markdown for a customer whose receivable crossed its credit limit (seed 003 E:
exceeding it, the salesperson decides to switch the customer to 现结 or to chase the debt)."""

from __future__ import annotations

from decimal import Decimal

from bot.texts import plain
from domain.money import yuan


def credit_limit_markdown(payload: dict) -> tuple[str, str]:
    """(title, text): which customer, its limit, its receivable and by how much it is over."""
    customer = plain(payload.get("customer_name") or "", 40)
    title = f"超出信用额度：{customer}"

    def money(name: str) -> str:
        return yuan(Decimal(str(payload.get(name, "0"))))

    lines = [
        f"### {title}",
        f"- 客户编号：{plain(payload.get('customer_code') or '', 64)}",
        f"- 信用额度：{money('credit_limit')}",
        f"- 当前应收：{money('receivable')}（超出 {money('over_by')}）",
        "",
        "请视情况改为现结或针对性催款。",
    ]
    return title, "\n".join(lines)
