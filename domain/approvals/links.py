"""Signed links to one approval task's page, for one approver (the card's 驳回 / 退回 button
when the card template has no comment input, and the DingTalk 待办's detail link).

A token is ``staff.expiry.signature``: HMAC-SHA256 over the task, the staff member and the
expiry, so it opens that task for that person only, until it expires. Holding the link is
acting as that approver (it reaches only them, in their DingTalk), like a share link."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from domain.approvals.errors import APPROVAL_LINK_EXPIRED, APPROVAL_LINK_INVALID

PAGE_PATH = "/approvals/tasks/{task_id}"


def _signature(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"approval-task:{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_task_link(secret: str, task_id: int, staff_id: int, expires_at: datetime) -> str:
    expiry = int(expires_at.timestamp())
    return f"{staff_id}.{expiry}.{_signature(secret, f'{task_id}.{staff_id}.{expiry}')}"


def read_task_link(secret: str, token: str, task_id: int, now: datetime) -> int:
    """The staff id a genuine, unexpired token for ``task_id`` names; 403 forged, 401 expired."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise APPROVAL_LINK_INVALID("审批链接无效")
    staff, expiry, signature = parts
    expected = _signature(secret, f"{task_id}.{staff}.{expiry}")
    if not hmac.compare_digest(signature, expected):
        raise APPROVAL_LINK_INVALID("审批链接无效")
    if int(expiry) <= now.timestamp():
        raise APPROVAL_LINK_EXPIRED("审批链接已过期，请在钉钉待办或审批卡片中重新打开")
    return int(staff)


def task_page_url(base_url: str, secret: str, task_id: int, staff_id: int,
                  expires_at: datetime) -> str:
    token = sign_task_link(secret, task_id, staff_id, expires_at)
    return f"{base_url.rstrip('/')}{PAGE_PATH.format(task_id=task_id)}?t={token}"
