"""Who is below whom in the staff organisation: a manager's team, from the reporting lines
(Staff.manager) and the departments they head (Department.head, with every sub-department).

Pure: the caller reads the rows (two queries) and passes them in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple


class Member(NamedTuple):
    id: int
    manager_id: int | None
    department: str  # the department's name ("" for none)


class Unit(NamedTuple):
    id: int
    name: str
    parent_id: int | None
    head_id: int | None


def team_below(person_id: int, members: Iterable[Member], units: Iterable[Unit]) -> frozenset[int]:
    """Everyone below ``person_id``, directly or not: their reports, the members of the
    departments they head and of those departments' sub-departments, and so on down from each
    of them. The person is never in their own team, and a cycle in the data ends the walk."""
    reports: dict[int, list[int]] = defaultdict(list)
    in_department: dict[str, list[int]] = defaultdict(list)
    for member in members:
        if member.manager_id is not None:
            reports[member.manager_id].append(member.id)
        if member.department:
            in_department[member.department].append(member.id)
    headed, children, names = _department_maps(units)
    seen, waiting = {person_id}, [person_id]
    while waiting:
        boss = waiting.pop()
        below = list(reports[boss])
        for unit_id in _subtree(headed[boss], children):
            below += in_department[names[unit_id]]
        fresh = [staff_id for staff_id in below if staff_id not in seen]
        seen.update(fresh)
        waiting += fresh
    return frozenset(seen - {person_id})


def _department_maps(
    units: Iterable[Unit],
) -> tuple[dict[int, list[int]], dict[int, list[int]], dict[int, str]]:
    """Departments by head, sub-departments by parent, names by id."""
    headed: dict[int, list[int]] = defaultdict(list)
    children: dict[int, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    for unit in units:
        names[unit.id] = unit.name
        if unit.head_id is not None:
            headed[unit.head_id].append(unit.id)
        if unit.parent_id is not None:
            children[unit.parent_id].append(unit.id)
    return headed, children, names


def _subtree(roots: Iterable[int], children: dict[int, list[int]]) -> set[int]:
    """The departments ``roots`` and every department below them."""
    found: set[int] = set()
    waiting = list(roots)
    while waiting:
        unit_id = waiting.pop()
        if unit_id not in found:
            found.add(unit_id)
            waiting += children[unit_id]
    return found
