"""Signed links to one approval task's page, for one approver (the card's 驳回 / 退回 button
when the card template has no comment input, and the DingTalk 待办's detail link).

A token is a share token (``domain.sharing``: ``staff.expiry.signature``) under a key of the task's
own, so it opens that task for that person only, until it expires. Holding the link is
acting as that approver (it reaches only them, in their DingTalk), like a share link."""

from __future__ import annotations

from datetime import datetime

from domain.approvals.errors import APPROVAL_LINK_EXPIRED, APPROVAL_LINK_INVALID
from domain.errors import Forbidden, Unauthorized
from domain.sharing import read_share_token, sign_share_token

PAGE_PATH = "/approvals/tasks/{task_id}"


def _link_secret(secret: str, task_id: int) -> str:
    """A key per task, so a link opens its own task only and never passes for a share link."""
    return f"{secret}:approval-task:{task_id}"


def sign_task_link(secret: str, task_id: int, staff_id: int, expires_at: datetime) -> str:
    return sign_share_token(_link_secret(secret, task_id), str(staff_id), expires_at)


def read_task_link(secret: str, token: str, task_id: int, now: datetime) -> int:
    """The staff id a genuine, unexpired token for ``task_id`` names; 403 forged, 401 expired."""
    try:
        staff = read_share_token(_link_secret(secret, task_id), token, now)
    except Unauthorized:
        raise APPROVAL_LINK_EXPIRED("审批链接已过期，请在钉钉待办或审批卡片中重新打开") from None
    except Forbidden:
        raise APPROVAL_LINK_INVALID("审批链接无效") from None
    if not staff.isdigit():
        raise APPROVAL_LINK_INVALID("审批链接无效")
    return int(staff)


def task_page_url(base_url: str, secret: str, task_id: int, staff_id: int,
                  expires_at: datetime) -> str:
    token = sign_task_link(secret, task_id, staff_id, expires_at)
    return f"{base_url.rstrip('/')}{PAGE_PATH.format(task_id=task_id)}?t={token}"
