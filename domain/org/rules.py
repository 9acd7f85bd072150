"""The org sync's rules, on plain data: DingTalk's directory as Tally reads it, the unique
department names, each department's head, whom a person reports to, and which Tally roles their
DingTalk roles become (``domain.org.sync`` applies them to the store)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

NAME_LIMIT = 100  # Department.name / Staff.department


@dataclass(frozen=True)
class DirectoryDepartment:
    """A DingTalk department: its id, name, parent (None for the root) and managers (主管)."""

    dept_id: int
    name: str
    parent_id: int | None = None
    head_userids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DirectoryUser:
    """A DingTalk member: departments in DingTalk's order (the first known one is the main one),
    the direct manager (直属主管) when set, and the DingTalk role names held."""

    userid: str
    name: str
    unionid: str | None = None
    dept_ids: tuple[int, ...] = ()
    active: bool = True
    manager_userid: str | None = None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Directory:
    departments: tuple[DirectoryDepartment, ...]
    users: tuple[DirectoryUser, ...]


def parse_role_map(text: str) -> dict[str, str]:
    """``"财务=财务部PFC; 总经理=营销中心总经理"`` → DingTalk role name → Tally role; ValueError
    naming a bad entry."""
    mapping: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.replace("；", ";").split(";"))):
        dingtalk, equals, tally = (part.strip() for part in entry.partition("="))
        if not equals or not dingtalk or not tally:
            raise ValueError(f"{entry!r} is not DingTalk role=Tally role")
        mapping[dingtalk] = tally
    return mapping


def role_map(tally_roles: Iterable[str], overrides: Mapping[str, str]) -> dict[str, str]:
    """A DingTalk role named like a Tally role becomes that role; ``overrides`` map other
    names (and win over a same-named one)."""
    return {**{role: role for role in tally_roles if role}, **overrides}


def department_names(departments: Iterable[DirectoryDepartment]) -> dict[int, str]:
    """A unique Tally name per DingTalk department: its own name, or "上级/名称" when two
    departments share one (DingTalk allows that under different parents; Tally names are
    unique), or with its id when even that repeats."""
    departments = list(departments)
    by_id = {d.dept_id: d for d in departments}
    counts: dict[str, int] = {}
    for d in departments:
        counts[d.name] = counts.get(d.name, 0) + 1
    names = {}
    for d in departments:
        parent = by_id.get(d.parent_id) if d.parent_id is not None else None
        names[d.dept_id] = d.name if counts[d.name] == 1 or parent is None else (
            f"{parent.name}/{d.name}")
    seen: dict[str, int] = {}
    for d in departments:
        seen[names[d.dept_id]] = seen.get(names[d.dept_id], 0) + 1
    return {dept_id: (name if seen[name] == 1 else f"{name}#{dept_id}")[:NAME_LIMIT]
            for dept_id, name in names.items()}


def main_department(user: DirectoryUser, known: Mapping[int, object]) -> int | None:
    """The person's main department: the first of theirs that the directory lists."""
    return next((dept_id for dept_id in user.dept_ids if dept_id in known), None)


def department_heads(departments: Iterable[DirectoryDepartment],
                     active: set[str]) -> dict[int, str]:
    """Each department's head: its first manager (主管) who is an active member."""
    heads = {}
    for d in departments:
        head = next((userid for userid in d.head_userids if userid in active), None)
        if head is not None:
            heads[d.dept_id] = head
    return heads


def manager_of(user: DirectoryUser, main: int | None, heads: Mapping[int, str],
               parents: Mapping[int, int | None], active: set[str]) -> str | None:
    """Whom the person reports to: DingTalk's 直属主管 when set and active, else the head of
    their main department (or of the nearest department above it) other than themselves."""
    if user.manager_userid and user.manager_userid in active and (
            user.manager_userid != user.userid):
        return user.manager_userid
    seen: set[int] = set()
    dept = main
    while dept is not None and dept not in seen:
        seen.add(dept)
        head = heads.get(dept)
        if head is not None and head != user.userid:
            return head
        dept = parents.get(dept)
    return None


def tally_roles(user: DirectoryUser, roles: Mapping[str, str]) -> set[str]:
    """The Tally roles a person's DingTalk roles map to (none while not active)."""
    if not user.active:
        return set()
    return {roles[name] for name in user.roles if name in roles}
