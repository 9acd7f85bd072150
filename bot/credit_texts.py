"""DingTalk texts for credit alerts: a line (or a sales org's budget) taken past its limit by a
document the ERP had already booked (退货反审核), so Tally recorded it instead of refusing it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts import clip, plain
from domain.money import yuan

ADVICE = "ERP 已退货反审核，欠款已照 ERP 重新记入；请尽快安排还款或调整额度。"


def _facts(payload: Mapping[str, Any], cut) -> list[str]:
    """The document, then each line and the org past its limit, one sentence each."""
    facts = [f"单据：退货反审核 {cut(payload.get('document', ''), 64)}（发货单 "
             f"{cut(payload.get('shipment', ''), 64)}，订单 {cut(payload.get('order', ''), 64)}），"
             f"重新扣减授信{yuan(payload.get('amount', '0'))}"]
    for line in payload.get("lines", []):
        facts.append(f"{cut(line.get('type_label', ''), 20)} {cut(line.get('number', ''), 64)}："
                     f"额度{yuan(line.get('limit', '0'))}，已占用{yuan(line.get('taken', '0'))}，"
                     f"超出{yuan(line.get('over', '0'))}")
    org = payload.get("org")
    if org:
        facts.append(f"销区 {cut(org.get('name', ''), 40)}：预算{yuan(org.get('budget', '0'))}，"
                     f"已占用{yuan(org.get('taken', '0'))}，超出{yuan(org.get('over', '0'))}")
    total = payload.get("enterprise")
    if total:
        facts.append(f"企业{total.get('year', '')}年度授信总额{yuan(total.get('total', '0'))}："
                     f"已占用{yuan(total.get('taken', '0'))}，超出{yuan(total.get('over', '0'))}")
    return facts


def overuse_markdown(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(title, markdown) for the salesperson and the managers."""
    title = f"授信超额占用：{plain(payload.get('customer', ''), 40)}"
    lines = [f"### {title}", *(f"- {fact}" for fact in _facts(payload, plain)), "", ADVICE]
    return title, "\n".join(lines)


def overuse_text(payload: Mapping[str, Any]) -> str:
    """The managers' group text."""
    return "\n".join([f"【授信超额占用】{clip(payload.get('customer', ''), 40)}",
                      *_facts(payload, clip), ADVICE])
