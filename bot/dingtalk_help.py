"""What the DingTalk bot's 帮助 says: the commands that person may use, by their place in the
org (``domain.staff_queries.org_actor``): finance sees every customer and confirms hand-overs on
cards; a manager also sees the team's customers; a salesperson their own and shared ones.

Short lines, read on a phone."""

from __future__ import annotations

from domain.actors import FINANCE, Actor

TITLE = "**Tally 对账机器人**"
LINES = {
    "客户": "- **客户 <名称>**：应收余额、可用额度、最近一张对账单",
    "对账": "- **对账 <名称> [开始日期 结束日期]**：生成对账单并发给客户（默认本月 1 日至今，"
            "日期如 2021-12-01）",
    "收款": "- **收款 <客户> <金额> [预收|订金] [日期]**：记录收到的货款（或预收款、订金），"
            "待财务审核",
    "费用": "- **费用 <金额> <类型> [日期]**：记录一笔费用，例如：费用 80 差旅",
    "交账": "- **交账 [日期]**：我当天的交账汇总（默认今天）",
    "待办": "- **待办**：我还没处理的卡片",
    "二维码": "- **二维码 <客户>**：客户的微信绑定二维码和绑定码，转发给客户扫码绑定",
    "帮助": "- **帮助**：显示本说明",
}
SALES = ("客户", "对账", "收款", "费用", "交账", "待办", "二维码", "帮助")
FINANCE_COMMANDS = ("客户", "对账", "待办", "二维码", "帮助")
FINANCE_NOTE = "- **交账确认**：每天早上会收到待确认交账的卡片，在卡片上确认"


def help_text(actor: Actor) -> str:
    """The commands ``actor`` may use, under one line saying whose customers they see."""
    if actor.role == FINANCE:
        *lines, last = (LINES[name] for name in FINANCE_COMMANDS)
        return "\n".join([f"{TITLE}（财务）你可以查看全部客户：", *lines, FINANCE_NOTE, last])
    if actor.is_manager:
        whose = f"你可以查看自己和团队 {len(actor.team)} 人的客户"
    else:
        whose = "你可以查看自己负责的和共享给你的客户"
    return "\n".join([f"{TITLE} {whose}：", *(LINES[name] for name in SALES)])
