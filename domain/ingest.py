"""ERP ingest of staff, customers, contacts and documents: validate every row, then apply the
good ones in one transaction (or none, when the batch is atomic). Idempotent by natural key.
Documents are landed by ``domain.documents.ingest`` (day close checked); a change reaches the
statements holding them and the customers' credit limits here. The hand-over's own kinds
(expenses, other income, exchanges) are ingested in ``domain.handover.ingest``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from tortoise.transactions import in_transaction

from domain import customer_tree
from domain.credit_limit import check_credit_limits
from domain.customers.models import Contact, Customer, CustomerDepartment, CustomerShare
from domain.customers.service import tree_by_code
from domain.documents import ingest as documents
from domain.handover.ingest import HANDOVER_INGESTERS
from domain.ingest_rows import (
    IngestResult,
    Row,
    apply_fields,
    customers_by_code,
    one_of,
    parse_bool,
    read_rows,
    require_ref,
    split_rows,
    staff_by_userid,
    upsert,
    with_customers,
)
from domain.money import to_amount
from domain.org.models import Staff, StaffRole
from domain.sql import lock_keys
from domain.statements.service import mark_source_changed

SETTLEMENT_ALIASES = {"on_account": "on_account", "记账": "on_account", "cash": "cash",
                      "现结": "cash"}
INVOICE_FIELDS = ("company", "tax_id", "address", "phone", "bank", "account")


def _statement_day(value) -> int:
    """月结日期 1–31: a day beyond a month's length bills on its last day (``pricing``)."""
    day = int(str(value).strip())
    if not 1 <= day <= 31:
        raise ValueError("月结日期必须在 1 到 31 之间")
    return day


_settlement = one_of(SETTLEMENT_ALIASES, "结算方式必须是 记账 或 现结")


def _userids(value) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    if not isinstance(value, list):
        raise ValueError("必须是用户 id 列表")
    return [str(v).strip() for v in value]


DEPARTMENT_SEPARATORS = re.compile(r"[,，、;；]")


def _departments(value) -> list[tuple[str, str | None]]:
    """A customer's departments (seed 003 case A): a list of names or {name, code}, or text
    such as "采购部:CG，工程部" from a spreadsheet cell."""
    if isinstance(value, str):
        value = [v for v in DEPARTMENT_SEPARATORS.split(value) if v.strip()]
    if not isinstance(value, list):
        raise ValueError("必须是部门列表")
    found = [_department(v) for v in value]
    for index, what in ((0, "名称"), (1, "编号")):
        taken = [d[index] for d in found if d[index]]
        if len(set(taken)) != len(taken):
            raise ValueError(f"部门{what}重复")
    return found


def _department(value) -> tuple[str, str | None]:
    if isinstance(value, str):
        name, _, code = value.replace("：", ":").partition(":")
    elif isinstance(value, dict):
        name, code = str(value.get("name") or ""), str(value.get("code") or "")
    else:
        raise ValueError("部门必须是名称或 {name, code}")
    name, code = name.strip(), code.strip()
    if not name or len(name) > 100 or len(code) > 64:
        raise ValueError("部门名称必填（不超过 100 个字符），编号不超过 64 个字符")
    return name, code or None


def validate_staff(raw) -> Row:
    row = Row(raw)
    row.text("userid", required=True, max_len=64)
    row.text("name", required=True, max_len=100)
    row.text("department", max_len=100)
    row.text("manager_userid", max_len=64)
    if "roles" in row.raw:  # absent: the staff member's roles stay as they are
        row.convert("roles", _roles, default=[])
    row.clean["_key"] = row.clean["userid"]
    return row


def _roles(value) -> list[str]:
    """Business roles for approval nodes (财务部PFC, 营销中心总经理 …): a list of names."""
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("必须是角色名称的数组")
    roles = sorted({v.strip() for v in value if v.strip()})
    if any(len(r) > 64 for r in roles):
        raise ValueError("角色名称不能超过 64 个字符")
    return roles


def validate_customer(raw) -> Row:
    row = Row(raw)
    row.text("code", required=True, max_len=64)
    row.text("name", required=True, max_len=200)
    row.text("salesperson", max_len=64)
    row.text("sales_org", max_len=100)
    row.text("parent_code", max_len=64)
    row.text("group", max_len=100)
    row.convert("settlement_mode", _settlement, default="on_account")
    row.convert("can_prepay", parse_bool, default=False)
    row.convert("statement_day", _statement_day, default=1)
    row.convert("credit_limit", to_amount)
    if "shared_with" in row.raw:  # absent: the shares stay (the back office may add some)
        row.convert("shared_with", _userids, default=[])
    if "departments" in row.raw:  # absent: the customer's departments stay as they are
        row.convert("departments", _departments, default=[])
    invoice = row.raw.get("invoice") or {}
    if not isinstance(invoice, dict):
        row.errors.append("invoice: 必须是对象")
        invoice = {}
    row.clean["invoice"] = {k: str(invoice[k]).strip() for k in INVOICE_FIELDS if invoice.get(k)}
    row.clean["_key"] = row.clean["code"]
    return row


def validate_contact(raw) -> Row:
    row = Row(raw)
    row.text("external_id", required=True, max_len=64)
    row.text("customer_code", required=True, max_len=64)
    row.text("name", max_len=100)
    row.text("phone", max_len=32)
    row.clean["_key"] = row.clean["external_id"]
    return row


async def ingest_staff(raws: list, *, atomic: bool = False) -> IngestResult:
    rows = read_rows(raws, validate_staff)
    batch_ids = {r.clean["userid"] for r in rows if not r.errors}
    known = await staff_by_userid({r.clean.get("manager_userid") for r in rows} | batch_ids)
    for row in rows:
        manager = row.clean.get("manager_userid")
        if manager and manager not in known and manager not in batch_ids:
            row.errors.append(f"manager_userid: 未知员工 {manager!r}")
    result = IngestResult()
    good = split_rows(rows, atomic, result)
    unchanged: set[str] = set()
    roles: dict[int, list[str]] = {}
    async with in_transaction():
        await _wait_for_same_keys(Staff, batch_ids)
        known.update(await staff_by_userid(batch_ids))
        for row in good:
            c = row.clean
            staff = known.get(c["userid"])
            values = {"name": c["name"], "department": c["department"]}
            if staff is None:
                known[c["userid"]] = await Staff.create(dingtalk_userid=c["userid"], **values)
                result.created += 1
            elif apply_fields(staff, values):
                await staff.save()
                result.updated += 1
            else:
                result.unchanged += 1
                unchanged.add(c["userid"])
        for row in good:
            staff = known[row.clean["userid"]]
            manager = known.get(row.clean["manager_userid"])
            if (manager.id if manager else None) != staff.manager_id:
                staff.manager_id = manager.id if manager else None
                await staff.save(update_fields=["manager_id"])
            if "roles" in row.clean:
                roles[staff.id] = row.clean["roles"]
        changed = await _set_roles(roles)
        moved = {u for u in unchanged if known[u].id in changed}
        result.unchanged -= len(moved)
        result.updated += len(moved)
    return result


async def _wait_for_same_keys(model, keys: set[str]) -> None:
    """The same batch posted twice at once: the second waits here for the first to commit,
    then reads (again) what the first wrote instead of failing on the unique key."""
    await lock_keys(model._meta.db_table, sorted(keys))


async def _set_roles(roles: dict[int, list[str]]) -> set[int]:
    """Make each staff member hold exactly the given roles; the ids whose roles changed."""
    if not roles:
        return set()
    current: dict[int, set[str]] = {staff_id: set() for staff_id in roles}
    for staff_id, role in await StaffRole.filter(staff_id__in=list(roles)).values_list(
            "staff_id", "role"):
        current[staff_id].add(role)
    added, changed = [], set()
    for staff_id, names in roles.items():
        held, wanted = current[staff_id], set(names)
        if held - wanted:
            await StaffRole.filter(staff_id=staff_id, role__in=held - wanted).delete()
        added += [StaffRole(staff_id=staff_id, role=r) for r in sorted(wanted - held)]
        if held != wanted:
            changed.add(staff_id)
    if added:
        await StaffRole.bulk_create(added)
    return changed


async def ingest_customers(raws: list, *, atomic: bool = False,
                           now: datetime | None = None) -> IngestResult:
    """Upsert customers by code; a new credit limit below the receivable alerts (seed 003 E)."""
    rows = read_rows(raws, validate_customer)
    staff = await staff_by_userid(
        {r.clean.get("salesperson") for r in rows}
        | {u for r in rows for u in r.clean.get("shared_with") or []}
    )
    batch_codes = {r.clean["code"] for r in rows if not r.errors}
    existing = await customers_by_code(batch_codes | {r.clean.get("parent_code") for r in rows})
    for row in rows:
        require_ref(row, "salesperson", staff, "业务员")
        for userid in row.clean.get("shared_with") or []:
            if userid not in staff:
                row.errors.append(f"shared_with: 未知业务员 {userid!r}")
        parent = row.clean.get("parent_code")
        if parent and parent not in existing and parent not in batch_codes:
            row.errors.append(f"parent_code: 未知客户 {parent!r}")
        if parent and parent == row.clean.get("code"):
            row.errors.append("parent_code: 不能是客户自己")
    await _refuse_cycles(rows)
    result = IngestResult()
    good = split_rows(rows, atomic, result)
    async with in_transaction():
        await _wait_for_same_keys(Customer, batch_codes)
        existing.update(await customers_by_code(batch_codes))
        for row in good:
            await _upsert_customer(row.clean, existing, staff, result)
        for row in good:
            await _link_customer(row.clean, existing, staff)
            if "departments" in row.clean:
                await _set_departments(existing[row.clean["code"]].id, row.clean["departments"])
        await check_credit_limits([existing[row.clean["code"]].id for row in good], now)
    return result


async def _refuse_cycles(rows: list[Row]) -> None:
    """Mark the rows whose parent would make a customer its own ancestor (rows apply in
    order), and the rows whose parent is a new customer of the batch that was so refused."""
    good = [r for r in rows if not r.errors]
    links = [(r.clean["code"], r.clean.get("parent_code") or None) for r in good]
    if not any(parent for _, parent in links):
        return  # taking parents away never closes a cycle
    stored = await tree_by_code({code for link in links for code in link})
    for index, why in customer_tree.refused_links(links, stored).items():
        parent = links[index][1]
        good[index].errors.append(
            f"parent_code: 上级客户 {parent!r} 是该客户自己或它的下级，不能形成循环"
            if why == customer_tree.CYCLE else f"parent_code: 上级客户 {parent!r} 在本批次中被拒绝")


async def _upsert_customer(c: dict, existing: dict, staff: dict, result: IngestResult) -> None:
    salesperson = staff.get(c["salesperson"])
    values = {
        "name": c["name"], "salesperson_id": salesperson.id if salesperson else None,
        "sales_org": c["sales_org"], "group_name": c["group"],
        "settlement_mode": c["settlement_mode"], "can_prepay": c["can_prepay"],
        "statement_day": c["statement_day"], "credit_limit": c["credit_limit"],
        "invoice": c["invoice"],
    }
    customer = existing.get(c["code"])
    if customer is None:
        existing[c["code"]] = await Customer.create(code=c["code"], **values)
        result.created += 1
    elif apply_fields(customer, values):
        await customer.save()
        result.updated += 1
    else:
        result.unchanged += 1


async def _link_customer(c: dict, existing: dict, staff: dict) -> None:
    customer = existing[c["code"]]
    parent = existing.get(c["parent_code"])
    parent_id = parent.id if parent else None
    if customer.parent_id != parent_id:
        customer.parent_id = parent_id
        await customer.save(update_fields=["parent_id"])
    if "shared_with" in c:
        await _set_shares(customer.id, {staff[u].id for u in c["shared_with"]})


async def _set_shares(customer_id: int, wanted: set[int]) -> None:
    """Make the customer shared with exactly ``wanted`` (staff ids)."""
    current = set(await CustomerShare.filter(customer_id=customer_id).values_list(
        "staff_id", flat=True))
    if wanted - current:
        await CustomerShare.bulk_create(
            [CustomerShare(customer_id=customer_id, staff_id=s) for s in wanted - current])
    if current - wanted:
        await CustomerShare.filter(customer_id=customer_id, staff_id__in=current - wanted).delete()


async def _set_departments(customer_id: int, departments: list[tuple[str, str | None]]) -> None:
    """Make the customer have exactly these departments (documents keep the names they have)."""
    current = {d.name: d for d in await CustomerDepartment.filter(customer_id=customer_id)}
    wanted = dict(departments)
    gone = [d.id for name, d in current.items() if name not in wanted]
    if gone:
        await CustomerDepartment.filter(id__in=gone).delete()
    for name, code in departments:
        found = current.get(name)
        if found is None:
            await CustomerDepartment.create(customer_id=customer_id, name=name, code=code)
        elif found.code != code:
            found.code = code
            await found.save(update_fields=["code"])


async def ingest_contacts(raws: list, *, atomic: bool = False) -> IngestResult:
    rows = read_rows(raws, validate_contact)
    customers = await with_customers(rows)
    result = IngestResult()

    def values(c: dict) -> dict:
        return {"customer_id": customers[c["customer_code"]].id, "name": c["name"],
                "phone": c["phone"]}

    await upsert(Contact, "external_id", split_rows(rows, atomic, result), values, result)
    return result


async def ingest_documents(raws: list, *, atomic: bool = False, now: datetime | None = None,
                           by: str = "") -> IngestResult:
    """Upsert documents by number; a change marks the statements holding them source_changed.
    A batch with a new or changed document of a closed day is refused whole (423)."""
    batch = await documents.read_batch(raws)
    result = IngestResult()
    async with in_transaction():
        landed = await documents.land_batch(batch, result, atomic=atomic, by=by, now=now)
        if landed.changed:
            await mark_source_changed(landed.changed)
        await check_credit_limits(landed.customers, now)
    return result


def _timeless(ingest: Callable) -> Callable:
    """An ingest that needs neither the time nor who pushes, called like the others."""

    async def run(raws: list, *, atomic: bool = False, now: datetime | None = None,
                  by: str = "") -> IngestResult:
        return await ingest(raws, atomic=atomic)

    return run


# Every kind of ERP batch: ``await INGESTERS[kind](items, atomic=…, now=…, by=…)``.
INGESTERS = {
    "staff": _timeless(ingest_staff),
    "customers": lambda raws, *, atomic=False, now=None, by="": ingest_customers(
        raws, atomic=atomic, now=now),
    "contacts": _timeless(ingest_contacts),
    "documents": ingest_documents,
    **HANDOVER_INGESTERS,
}
