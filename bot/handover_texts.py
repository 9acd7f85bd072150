"""DingTalk texts of the daily hand-over (交款交账): what the bot says when a salesperson records
a receipt or an expense, and the day summary (交账) a salesperson asks for or gets each morning.

The day summary is drawn from a payload alone (``domain.handover.notices.summary_payload``:
staff, date, closed, and the day report's summary figures as "0.00" strings), so the bot's reply
and the queued work notice read the same."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bot.texts import plain
from domain.handover.entry import Recorded
from domain.money import yuan

RECEIPT_USAGE = ("用法：**收款 <客户名称> <金额> [预收|订金] [日期]**，例如：收款 联想 1200；"
                 "收款 联想 500 预收 2026-11-20。不写类型即为收货款，不写日期即为今天。")
EXPENSE_USAGE = ("用法：**费用 <金额> <类型> [日期]**，例如：费用 80 差旅；"
                 "费用 35.5 油费 2026-11-20。不写日期即为今天。")
SUMMARY_USAGE = "用法：**交账 [日期]**，例如：交账；交账 2026-11-20。不写日期即为今天。"
PENDING_NOTE = "待财务审核、交账确认"


def _money(value: Any) -> str:
    return yuan(Decimal(str(value or "0")))


def _zero(value: Any) -> bool:
    return Decimal(str(value or "0")) == 0


def recorded_markdown(recorded: Recorded) -> tuple[str, str]:
    """(title, text) for a receipt or expense just recorded (or recorded before by the same
    message)."""
    if recorded.kind == "receipt":
        head = f"已记录{recorded.label}单 {recorded.number}"
        lines = [f"- 客户：{plain(recorded.customer, 40)}",
                 f"- 类型：{recorded.label}", f"- 金额：{yuan(recorded.amount)}"]
    else:
        head = f"已记录费用单 {recorded.number}"
        lines = [f"- 费用类型：{plain(recorded.label, 50)}",
                 f"- 金额：{yuan(recorded.amount)}"]
    lines += [f"- 日期：{recorded.day.isoformat()}", f"- 状态：{PENDING_NOTE}"]
    if recorded.repeated:
        lines.append("（这条消息之前已记录，未重复入账）")
    return head, "\n".join([f"### ✅ {head}", *lines])


def _receipt_lines(s: Mapping[str, Any]) -> list[str]:
    lines = [f"- 收款：{_money(s.get('receipts_amount'))}（实收）",
             f"  - 收当日货款 {_money(s.get('same_day'))}，收历史欠款 {_money(s.get('history'))}",
             f"  - 预收款 {_money(s.get('prepayment'))}，收订金 {_money(s.get('deposit'))}"]
    if not _zero(s.get("discount")):
        lines.append(f"  - 收款优惠 {_money(s.get('discount'))}")
    return lines


def _other_lines(s: Mapping[str, Any]) -> list[str]:
    lines = [f"- 费用：{_money(s.get('expenses_total'))}"]
    if not _zero(s.get("other_income_total")):
        lines.append(f"- 其他收入：{_money(s.get('other_income_total'))}")
    if s.get("exchanges"):
        lines.append(f"- 兑换货物：{s['exchanges']} 单")
    if not _zero(s.get("deliveries_total")):
        lines.append(f"- 配送：{_money(s.get('deliveries_total'))}")
    return lines


def day_summary_markdown(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(title, text): a salesperson's (or driver's) hand-over of one day, to check before
    handing over cash and documents."""
    s = payload.get("summary") or {}
    who, day = plain(payload.get("staff", ""), 40), payload.get("date", "")
    title = f"交账汇总 {day}"
    state = "已关账" if payload.get("closed") else "未关账"
    if not s.get("documents"):
        return title, f"### {who} {day} 交账汇总（{state}）\n当天没有需要交账的单据。"
    sales = f"- 销售：{_money(s.get('sales_total'))}"
    if not _zero(s.get("returns_total")):
        sales += f"，退货 {_money(s.get('returns_total'))}"
    unconfirmed = int(s.get("unconfirmed") or 0)
    tail = (f"- 单据 {s.get('documents', 0)} 张，财务已全部确认" if not unconfirmed else
            f"- 单据 {s.get('documents', 0)} 张，待财务确认 {unconfirmed} 张")
    lines = [f"### {who} {day} 交账汇总（{state}）", sales, *_receipt_lines(s),
             *_other_lines(s), tail]
    if unconfirmed:
        lines.append("\n请核对无误后向财务交款交账；如有出入请尽快联系财务。")
    return title, "\n".join(lines)
