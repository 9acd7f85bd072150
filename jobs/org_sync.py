"""The daily org sync (``org-sync``): DingTalk's contacts read and applied to staff, departments,
heads and roles (``domain.org.sync``). Scheduled only when ``settings.dingtalk_org_sync`` is on;
``tally sync dingtalk`` runs the same on demand.

The reader of DingTalk's directory is an edge of its own (``bot.dingtalk_contacts``), which a
job may not import: the composition registers it (``tally.registries``) as a function of the
settings. A failed read raises before anything is written, so the job run records the failure
and the data stay as they were.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from domain.approvals.flows import approver_roles, flows_with_overrides
from domain.org.rules import Directory, parse_role_map, role_map
from domain.org.sync import OrgSyncSummary, sync_org
from domain.progress import QUIET, Progress

ORG_SYNC = "org-sync"
ReadDirectory = Callable[[object, dict[str, str]], Awaitable[Directory]]
_readers: dict[str, ReadDirectory] = {}


def register_directory_reader(read: ReadDirectory) -> None:
    """The function reading DingTalk's directory: ``read(settings, roles)`` (called again: the
    last one wins)."""
    _readers["dingtalk"] = read


def org_sync_enabled(settings) -> bool:
    return bool(settings.dingtalk_org_sync)


def synced_roles(settings) -> dict[str, str]:
    """DingTalk role name → Tally role: every role the approval flows and the hand-over name
    (a DingTalk role of that name becomes it) plus ``settings.dingtalk_roles``."""
    flows = flows_with_overrides(settings.approval_flows)
    named = {role for flow in flows.values() for node in flow.nodes
             for role in approver_roles(node.approver)}
    named.add(settings.handover_finance_role)
    return role_map(sorted(named), parse_role_map(settings.dingtalk_roles))


async def sync_from_dingtalk(settings) -> OrgSyncSummary:
    """Read DingTalk's directory, then apply it (nothing is written when the read fails)."""
    try:
        read = _readers["dingtalk"]
    except KeyError:
        raise RuntimeError("no DingTalk directory reader registered (build_registries)") from None
    roles = synced_roles(settings)
    directory = await read(settings, roles)
    return await sync_org(directory, roles)


async def run_org_sync(day: date, now: datetime, settings, progress: Progress = QUIET) -> dict:
    """Today's sync; a past date of a catch-up is only recorded (DingTalk tells the org as it
    is now, so syncing once for today covers the days missed)."""
    if not org_sync_enabled(settings):  # `tally jobs run org-sync` with the sync switched off
        return {"skipped": "TALLY_DINGTALK_ORG_SYNC is off"}
    if day < now.date():
        return {"skipped": "past date: the org is synced as it is today"}
    return (await sync_from_dingtalk(settings)).counts()
