"""Departments and their heads (部门负责人), for department_head approval nodes."""

from __future__ import annotations

from dataclasses import dataclass

from domain.approvals.errors import BAD_DEPARTMENT, DEPARTMENT_CYCLE, UNKNOWN_DEPARTMENT
from domain.common_errors import UNKNOWN_STAFF
from domain.org.models import Department, Staff


@dataclass(frozen=True)
class OrgChart:
    """Every department and every active department head, read in two queries, so that many
    people's heads are found without a query each."""

    by_name: dict[str, Department]
    by_id: dict[int, Department]
    heads: dict[int, Staff]  # active heads by staff id

    @classmethod
    async def load(cls) -> OrgChart:
        departments = await Department.all()
        head_ids = {d.head_id for d in departments if d.head_id}
        heads = await Staff.filter(id__in=head_ids, active=True) if head_ids else []
        return cls({d.name: d for d in departments}, {d.id: d for d in departments},
                   {h.id: h for h in heads})

    def head_of(self, person: Staff) -> tuple[Staff | None, str]:
        """The head of the person's department, else of the nearest parent department that has
        an active one other than the person (部门总监); None and why when there is none."""
        if not person.department:
            return None, f"发起人 {person.name} 没有所属部门"
        department = self.by_name.get(person.department)
        if department is None:
            return None, f"部门「{person.department}」未登记负责人"
        seen: set[int] = set()
        while department is not None and department.id not in seen:
            seen.add(department.id)
            head = self.heads.get(department.head_id)
            if head is not None and head.id != person.id:
                return head, ""
            department = self.by_id.get(department.parent_id)
        return None, f"部门「{person.department}」及其上级部门都没有负责人"


async def set_department(name: str, *, head_userid: str | None, parent: str | None) -> dict:
    """Create or update a department: its head (a staff DingTalk user id, or none) and its
    parent department (which must exist, and not be the department itself or below it).
    Returns the department's view."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise BAD_DEPARTMENT("部门名称必须是 1 到 100 个字符")
    head = None
    if head_userid:
        head = await Staff.get_or_none(dingtalk_userid=head_userid)
        if head is None:
            raise UNKNOWN_STAFF(f"head: 未知员工 {head_userid!r}")
    department = await Department.get_or_none(name=name)
    parent_row = await _parent(parent, department) if parent else None
    if department is None:
        department = await Department.create(name=name, head=head, parent=parent_row)
    else:
        department.head_id = head.id if head else None
        department.parent_id = parent_row.id if parent_row else None
        await department.save(update_fields=["head_id", "parent_id"])
    return department_view(department, head, parent_row)


async def _parent(name: str, department: Department | None) -> Department:
    parent = await Department.get_or_none(name=name)
    if parent is None:
        raise UNKNOWN_DEPARTMENT(f"parent: 上级部门「{name}」不存在")
    walker: Department | None = parent
    seen: set[int] = set()
    while walker is not None and department is not None and walker.id not in seen:
        if walker.id == department.id:
            raise DEPARTMENT_CYCLE(f"「{name}」不能做「{department.name}」的上级部门")
        seen.add(walker.id)
        walker = await Department.get_or_none(id=walker.parent_id) if walker.parent_id else None
    return parent


def department_view(department: Department, head: Staff | None,
                    parent: Department | None) -> dict:
    return {"id": department.id, "name": department.name,
            "head": head.dingtalk_userid if head else None, "head_name": head.name if head else "",
            "parent": parent.name if parent else None}
