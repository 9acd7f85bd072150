"""Approvals in DingTalk: the approver's card (同意 / 驳回 / 退回, the last two with a comment)
whose buttons call the approval engine as the staff member who pressed them, and the markdown
the initiator (outcomes) and approvers (reminders) get.

The card shows the request, the customer's credit as it stood when the task opened (可用额度,
open debts, overdue: read into the APPROVAL_TASK payload at enqueue time, so every holder sees
what the first saw and a late delivery still draws from the payload alone). The comment comes
from the card template's input; with a template without one, 驳回 / 退回 open the task's page
(``workbench.approval_page``) instead (``bot.cards.with_page_links``).

The card's buttons (``APPROVAL_CARD``) go into ``bot.cards.REGISTRY`` at composition
(``tally.registries``); ``bot.senders`` lists the builders below in its notice registries (how
outbox rows are drawn).
A press on a task that someone else already decided (any one of the role), or on a withdrawn
flow, is refused with the reason and the card is redrawn without its buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.cards import CardAction, CardKind, standard_card
from bot.texts import plain
from domain.approvals import engine
from domain.approvals.card_figures import credit_facts
from domain.money import yuan
from domain.notices.models import CardInstance
from domain.org.models import Staff

APPROVAL = "approval"  # the card kind
RESULT_LABELS = {"credit_account_number": "授信账户", "due_date": "新到期日",
                 "payment_id": "收款记录"}


def _acting(action: str):
    async def apply(card: CardInstance, staff: Staff, comment: str, now: datetime) -> None:
        await engine.ACTIONS[action](int(card.subject_id), staff.id, comment, now)

    return apply


async def _task_closed(task_id: str) -> str | None:
    return await engine.why_task_closed(int(task_id))


APPROVAL_CARD = CardKind(APPROVAL, (
    CardAction(engine.APPROVE, "同意", "已同意", apply=_acting(engine.APPROVE)),
    CardAction(engine.REJECT, "驳回", "已驳回", apply=_acting(engine.REJECT),
               comment_required=True),
    CardAction(engine.RETURN, "退回", "已退回", apply=_acting(engine.RETURN),
               comment_required=True),
), closed_reason=_task_closed)


def build_task_card(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The approver's card, drawn from the APPROVAL_TASK notice's payload alone."""
    lines = [f"**审批类型**：{payload.get('kind_label', '')}",
             f"**发起人**：{plain(payload.get('initiator', ''), 40)}",
             f"**当前节点**：{payload.get('node', '')}（第 {payload.get('step', '')} 步）"]
    lines += [f"**{label}**：{plain(value, 200)}" for label, value in payload.get("summary", [])]
    lines += _credit_lines(payload)
    if payload.get("returned_comment"):
        lines.append(f"**退回意见**：{plain(payload['returned_comment'], 300)}")
    lines.append("请选择 同意 / 驳回 / 退回（驳回、退回需填写意见）。")
    return standard_card(f"待审批：{payload.get('title', '')}", "\n\n".join(lines), APPROVAL)


def _credit_lines(payload: Mapping[str, Any]) -> list[str]:
    """The customer's credit when the task opened (a payload from before issue 14 has none)."""
    credit = payload.get("credit")
    if not credit:
        return []
    facts = "　".join(f"**{label}**：{value}" for label, value in credit_facts(credit))
    return [f"**客户**：{plain(payload.get('customer', ''), 40)}", facts]


def task_card_notice(payload: Mapping[str, Any]) -> tuple[str, str, str, dict]:
    return APPROVAL, engine.TASK_CARDS, str(payload["task_id"]), build_task_card(payload)


def task_closed_update(payload: Mapping[str, Any]) -> tuple[str, str, str]:
    """The card an APPROVAL_TASK_CLOSED notice redraws (subject type, id) and why."""
    return engine.TASK_CARDS, str(payload["task_id"]), str(payload.get("reason", ""))


def _result_lines(result: Mapping[str, Any]) -> list[str]:
    lines = [f"- {label}：{result[key]}" for key, label in RESULT_LABELS.items()
             if result.get(key) not in (None, "")]
    repaid = result.get("repayments") or []
    if repaid:
        lines.append("- 还款：" + "，".join(
            f"欠款#{r['debt_id']} {yuan(r['amount'])}" for r in repaid))
    return lines


def outcome_markdown(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(title, markdown) for the initiator: approved, rejected, or returned."""
    title, status = plain(payload.get("title", ""), 80), payload.get("status")
    by, node = plain(payload.get("by", ""), 40), payload.get("node", "")
    if status == engine.APPROVED:
        head = f"### ✅ 审批已通过：{title}"
        body = [f"- 最后审批：{by}（{node}）"]
    elif status == engine.REJECTED:
        head = f"### ❌ 审批被驳回：{title}"
        body = [f"- 驳回人：{by}（{node}）"]
    elif status == engine.RETURNED:
        head = f"### ↩️ 审批被退回给你：{title}"
        body = [f"- 退回人：{by}（{node}）", "- 请修改后重新提交，或撤回。"]
    else:
        head = f"### ↩️ 审批被退回：{title}"
        body = [f"- {by} 在「{node}」退回至「{payload.get('back_to', '')}」重新审批"]
    if payload.get("comment"):
        body.append(f"- 意见：{plain(payload['comment'], 300)}")
    body += _result_lines(payload.get("result") or {})
    return head.removeprefix("### "), "\n".join([head, *body])


def reminder_markdown(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(title, markdown) for an approver whose task has waited too long."""
    title = plain(payload.get("title", ""), 80)
    return f"审批催办：{title}", "\n".join([
        f"### ⏰ 你有一项审批待处理：{title}",
        f"- 节点：{payload.get('node', '')}",
        f"- 已等待：{payload.get('waiting_hours', '')} 小时",
        "- 请在钉钉的审批卡片上处理，或在后台审批列表中处理。",
    ])
