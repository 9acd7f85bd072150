"""Org sync: DingTalk's directory (departments, people, heads, roles) mapped onto Tally's
departments, staff, department heads, reports-to links and approval roles.

The edge reads the directory (``Directory``: plain data) and hands it to ``sync_org``, which
applies it in one transaction, so a run either lands whole or leaves everything as it was. It is
idempotent: a second run with the same directory changes nothing. People who left DingTalk (or
whose account is not active) are disabled, never deleted: their customers, statements and
approvals stay, and they come back enabled if DingTalk lists them again. Staff without a
DingTalk user id (entered by hand) are never touched. Departments are matched by DingTalk's
dept_id; one entered by hand with the same name is adopted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from tortoise.transactions import in_transaction

from domain.org.errors import EMPTY_DIRECTORY
from domain.org.models import Department, Staff, StaffRole
from domain.org.rules import (
    NAME_LIMIT,
    Directory,
    department_heads,
    department_names,
    main_department,
    manager_of,
    tally_roles,
)

log = logging.getLogger(__name__)


@dataclass
class OrgSyncSummary:
    """What a run changed: staff created / updated / disabled / enabled again, departments
    created / updated, and staff whose approval roles changed."""

    created: int = 0
    updated: int = 0
    disabled: int = 0
    enabled: int = 0
    unchanged: int = 0
    departments_created: int = 0
    departments_updated: int = 0
    roles_changed: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def text(self) -> str:
        return (f"staff: created {self.created}, updated {self.updated}, "
                f"disabled {self.disabled}, enabled {self.enabled}, "
                f"unchanged {self.unchanged}; departments: created "
                f"{self.departments_created}, updated {self.departments_updated}; "
                f"roles changed for {self.roles_changed}")


# -- the use case ------------------------------------------------------------------------------


@dataclass
class _Run:
    directory: Directory
    roles: Mapping[str, str]
    summary: OrgSyncSummary
    names: dict[int, str]
    departments: dict[int, Department]
    staff: dict[str, Staff]
    changed: set[int]
    departments_created: set[int] = field(default_factory=set)
    departments_changed: set[int] = field(default_factory=set)

    @property
    def active(self) -> set[str]:
        return {u.userid for u in self.directory.users if u.active}


async def sync_org(directory: Directory, roles: Mapping[str, str]) -> OrgSyncSummary:
    """Apply DingTalk's directory in one transaction; ``roles`` maps DingTalk role names to the
    Tally roles the sync keeps (other roles a person holds are left alone)."""
    if not any(user.active for user in directory.users):
        raise EMPTY_DIRECTORY("钉钉通讯录没有返回任何在职员工，未同步：请检查应用的通讯录权限范围")
    run = _Run(directory, roles, OrgSyncSummary(), department_names(directory.departments),
               {}, {}, set())
    async with in_transaction():
        await _sync_departments(run)
        created, enabled, disabled = await _sync_staff(run)
        disabled |= await _disable_departed(run)
        await _link_managers(run)
        await _set_heads(run)
        await _sync_roles(run)
    summary = run.summary
    summary.departments_created = len(run.departments_created)
    summary.departments_updated = len(run.departments_changed - run.departments_created)
    summary.created, summary.enabled, summary.disabled = len(created), len(enabled), len(disabled)
    summary.updated = len(run.changed - created - enabled - disabled)
    listed = {staff.id for staff in run.staff.values()}
    summary.unchanged = len(listed - created - enabled - disabled - run.changed)
    log.info("org sync: %s", summary.text())
    return summary


async def _sync_departments(run: _Run) -> None:
    """Create or rename DingTalk's departments (adopting a same-named one entered by hand),
    then link parents; a department gone from DingTalk is detached, not deleted."""
    listed = {d.dept_id for d in run.directory.departments}
    await Department.filter(dingtalk_dept_id__not_in=list(listed)).update(dingtalk_dept_id=None)
    rows = await Department.all()
    by_dingtalk = {d.dingtalk_dept_id: d for d in rows if d.dingtalk_dept_id is not None}
    by_name = {d.name: d for d in rows}
    await _free_names(run, by_dingtalk, by_name)
    for dept in run.directory.departments:
        name = run.names[dept.dept_id]
        row = by_dingtalk.get(dept.dept_id)
        holder = by_name.get(name)
        if row is None and holder is not None and holder.dingtalk_dept_id is None:
            row = holder
        elif holder is not None and holder is not row:  # a department entered by hand keeps it
            name = run.names[dept.dept_id] = f"{name}#{dept.dept_id}"[:NAME_LIMIT]
        if row is None:
            row = await Department.create(name=name, dingtalk_dept_id=dept.dept_id)
            run.departments_created.add(row.id)
        elif row.name != name or row.dingtalk_dept_id != dept.dept_id:
            row.name, row.dingtalk_dept_id = name, dept.dept_id
            await row.save(update_fields=["name", "dingtalk_dept_id"])
            run.departments_changed.add(row.id)
        by_name[name] = run.departments[dept.dept_id] = row
    await _link_parents(run)


async def _free_names(run: _Run, by_dingtalk: dict, by_name: dict) -> None:
    """Departments about to be renamed take a placeholder name first, so that two may swap
    names (names are unique) within the transaction."""
    for dept in run.directory.departments:
        row = by_dingtalk.get(dept.dept_id)
        if row is not None and row.name != run.names[dept.dept_id]:
            by_name.pop(row.name, None)
            row.name = f"#dingtalk-{dept.dept_id}"
            await row.save(update_fields=["name"])


async def _link_parents(run: _Run) -> None:
    for dept in run.directory.departments:
        row = run.departments[dept.dept_id]
        parent = run.departments.get(dept.parent_id) if dept.parent_id is not None else None
        parent_id = parent.id if parent is not None else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            await row.save(update_fields=["parent_id"])
            run.departments_changed.add(row.id)


async def _sync_staff(run: _Run) -> tuple[set[int], set[int], set[int]]:
    """Create or update each listed person; the ids created, enabled again and disabled."""
    users = run.directory.users
    existing = {s.dingtalk_userid: s for s in await Staff.filter(
        dingtalk_userid__in=[u.userid for u in users])}
    created: set[int] = set()
    enabled: set[int] = set()
    disabled: set[int] = set()
    for user in users:
        main = main_department(user, run.departments)
        values: dict[str, Any] = {"name": user.name[:100], "dingtalk_unionid": user.unionid or None,
                  "department": run.names[main] if main is not None else "",
                  "active": user.active}
        staff = existing.get(user.userid)
        if staff is None:
            staff = await Staff.create(dingtalk_userid=user.userid, **values)
            created.add(staff.id)
        else:
            was_active = staff.active
            if _apply(staff, values):
                await staff.save(update_fields=list(values))
                run.changed.add(staff.id)
            if staff.active != was_active:
                (enabled if staff.active else disabled).add(staff.id)
        run.staff[user.userid] = staff
    return created, enabled, disabled


def _apply(row, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def _disable_departed(run: _Run) -> set[int]:
    """Disable the active staff with a DingTalk user id that the directory no longer lists."""
    departed: set[int] = {staff.id for staff in await Staff.filter(
        active=True, dingtalk_userid__not_isnull=True).exclude(dingtalk_userid__in=list(run.staff))}
    if departed:
        await Staff.filter(id__in=list(departed)).update(active=False)
        log.info("org sync: disabled %d staff no longer in DingTalk", len(departed))
    return departed


def _parents(run: _Run) -> dict[int, int | None]:
    return {d.dept_id: d.parent_id for d in run.directory.departments}


async def _link_managers(run: _Run) -> None:
    active = run.active
    heads = department_heads(run.directory.departments, active)
    parents = _parents(run)
    for user in run.directory.users:
        staff = run.staff[user.userid]
        boss = manager_of(user, main_department(user, run.departments), heads, parents, active)
        manager_id = run.staff[boss].id if boss is not None else None
        if staff.manager_id != manager_id:
            staff.manager_id = manager_id
            await staff.save(update_fields=["manager_id"])
            run.changed.add(staff.id)


async def _set_heads(run: _Run) -> None:
    heads = department_heads(run.directory.departments, run.active)
    for dept in run.directory.departments:
        row = run.departments[dept.dept_id]
        head = heads.get(dept.dept_id)
        head_id = run.staff[head].id if head is not None else None
        if row.head_id != head_id:
            row.head_id = head_id
            await row.save(update_fields=["head_id"])
            run.departments_changed.add(row.id)


async def _sync_roles(run: _Run) -> None:
    """Each listed person holds exactly the synced roles their DingTalk roles map to."""
    managed = set(run.roles.values())
    if not managed:
        return
    ids = [s.id for s in run.staff.values()]
    held: dict[int, set[str]] = {staff_id: set() for staff_id in ids}
    rows = await StaffRole.filter(staff_id__in=ids, role__in=list(managed)).values_list(
        "staff_id", "role")
    for staff_id, role in rows:
        held[staff_id].add(role)
    for user in run.directory.users:
        staff_id = run.staff[user.userid].id
        wanted = tally_roles(user, run.roles)
        if wanted == held[staff_id]:
            continue
        dropped = held[staff_id] - wanted
        if dropped:
            await StaffRole.filter(staff_id=staff_id, role__in=list(dropped)).delete()
        for role in sorted(wanted - held[staff_id]):
            await StaffRole.create(staff_id=staff_id, role=role)
        run.summary.roles_changed += 1
        run.changed.add(staff_id)
