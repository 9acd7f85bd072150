"""DingTalk markdown for the tiers job: a salesperson's (or department head's) digest of the
day's tier moves and notices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts import plain


def tier_digest_markdown(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(title, text): the customers that moved tier, then those with a notice only."""
    title = f"客户分级变动 {payload.get('count', 0)} 项"
    lines = [f"### {title}（{payload.get('date', '')}）",
             f"升降级 {payload.get('moves', 0)} 位，提醒 {payload.get('notices', 0)} 位", ""]
    for item in payload.get("items", []):
        who = plain(item.get("customer", ""), 40)
        if not item.get("own") and item.get("salesperson"):
            who += f"（业务员 {plain(item['salesperson'], 40)}）"
        if item.get("move"):
            change = f"{item.get('from_label', '')} → {item.get('to_label', '')}"
        else:
            change = f"{item.get('from_label', '')}，请跟进"
        lines.append(f"- **{who}** {change}：{item.get('rule_label', '')}")
    if payload.get("more"):
        lines.append(f"- ……另有 {payload['more']} 位客户，请在后台查看")
    return title, "\n".join(lines)

