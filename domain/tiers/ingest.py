"""What the tier rules read, pushed by the ERP: contact logs (联系日志), test accounts (测试账号
申请, counted once archived) and contracts (合同评审, counted once archived and while in force);
and a customer's profile (its contact details, scored for completeness).

Batches work as the ERP ingest does (``domain.ingest``): every row is checked, the good ones are
applied in one transaction and each bad one is reported with why (``atomic``: all or nothing).
Idempotent by external id / contract number: a row sent again changes what differs, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.customers.models import Customer
from domain.ingest_rows import (
    IngestResult,
    Row,
    parse_date,
    read_rows,
    require_ref,
    split_rows,
    staff_by_userid,
    upsert,
    with_customers,
)
from domain.limits import ID_MAX, whole
from domain.money import to_amount
from domain.org.models import Staff
from domain.tiers.errors import BAD_PROFILE
from domain.tiers.models import ContactLog, Contract, TrialAccount
from domain.tiers.rules import PROFILE_FIELDS, PROFILE_LABELS, profile_filled

MAX_PROFILE_FIELD = 100


def _staff_id(value) -> int:
    value = whole(value)
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ValueError(f"必须是员工 id（整数）: {value!r}")
    number = int(str(value).strip())
    if number > ID_MAX:  # no staff has it, and the store cannot even look it up
        raise ValueError(f"员工 id 不能超过 {ID_MAX}: {number}")
    return number


def validate_contact_log(raw) -> Row:
    row = Row(raw)
    row.text("external_id", required=True, max_len=64)
    row.text("customer_code", required=True, max_len=64)
    row.text("staff", max_len=64)  # the salesperson's DingTalk user id …
    row.convert("staff_id", _staff_id)  # … or their staff id
    row.convert("contacted_on", parse_date, required=True)
    row.text("note", max_len=2000)
    row.clean["_key"] = row.clean["external_id"]
    return row


def validate_trial_account(raw) -> Row:
    row = Row(raw)
    row.text("external_id", required=True, max_len=64)
    row.text("customer_code", required=True, max_len=64)
    row.text("account", max_len=64)
    # The test-account flow's archive date; null: pending.
    row.convert("archived_on", parse_date)
    row.clean["_key"] = row.clean["external_id"]
    return row


def validate_contract(raw) -> Row:
    row = Row(raw)
    row.text("number", required=True, max_len=64)
    row.text("customer_code", required=True, max_len=64)
    row.convert("starts_on", parse_date, required=True)
    row.convert("ends_on", parse_date)  # null: no end
    # The contract-review flow's archive date; null: pending.
    row.convert("archived_on", parse_date)
    row.convert("amount", to_amount)
    starts, ends, amount = (row.clean.get(k) for k in ("starts_on", "ends_on", "amount"))
    if starts and ends and ends < starts:
        row.errors.append("ends_on: 结束日期不能早于开始日期")
    if amount is not None and amount < 0:
        row.errors.append("amount: 合同金额不能为负")
    row.clean["_key"] = row.clean["number"]
    return row


async def _apply(model, key: str, rows: list[Row], values: Callable[[dict], dict],
                 now: datetime, atomic: bool) -> IngestResult:
    """Upsert the batch's good rows (bad ones reported; ``atomic``: none when one is bad)."""
    result = IngestResult()
    await upsert(model, key, split_rows(rows, atomic, result), values, result, created_at=now)
    return result


async def ingest_contact_logs(raws, *, now: datetime, atomic: bool = False) -> IngestResult:
    rows = read_rows(raws, validate_contact_log)
    customers = await with_customers(rows)
    by_userid = await staff_by_userid({r.clean.get("staff") for r in rows})
    ids = {r.clean.get("staff_id") for r in rows} - {None}
    by_id = {s.id: s for s in await Staff.filter(id__in=ids)} if ids else {}
    for row in rows:
        require_ref(row, "staff", by_userid, "员工")
        require_ref(row, "staff_id", by_id, "员工")

    def values(c: dict) -> dict:
        staff = by_userid.get(c["staff"]) or by_id.get(c["staff_id"])
        return {"customer_id": customers[c["customer_code"]].id,
                "staff_id": staff.id if staff else None, "contacted_on": c["contacted_on"],
                "note": c["note"]}

    return await _apply(ContactLog, "external_id", rows, values, now, atomic)


async def ingest_trial_accounts(raws, *, now: datetime, atomic: bool = False) -> IngestResult:
    rows = read_rows(raws, validate_trial_account)
    customers = await with_customers(rows)
    return await _apply(TrialAccount, "external_id", rows, lambda c: {
        "customer_id": customers[c["customer_code"]].id, "account": c["account"],
        "archived_on": c["archived_on"]}, now, atomic)


async def ingest_contracts(raws, *, now: datetime, atomic: bool = False) -> IngestResult:
    rows = read_rows(raws, validate_contract)
    customers = await with_customers(rows)
    return await _apply(Contract, "number", rows, lambda c: {
        "customer_id": customers[c["customer_code"]].id, "starts_on": c["starts_on"],
        "ends_on": c["ends_on"], "archived_on": c["archived_on"], "amount": c["amount"]},
        now, atomic)


# ----- profile ----------------------------------------------------------------------------------


def clean_profile(body, *, partial: bool) -> dict:
    """The profile fields of a request body: strings (or null to clear) of known names only;
    a full replacement (``partial`` false) clears the fields it leaves out."""
    if not isinstance(body, dict):
        raise BAD_PROFILE("资料必须是对象")
    unknown = sorted(set(body) - set(PROFILE_FIELDS))
    if unknown:
        raise BAD_PROFILE(f"未知资料字段: {', '.join(unknown)}；可用: "
                          f"{', '.join(PROFILE_FIELDS)}")
    clean = {} if partial else dict.fromkeys(PROFILE_FIELDS, "")
    for name, value in body.items():
        if value is not None and not isinstance(value, str):
            raise BAD_PROFILE(f"{name}（{PROFILE_LABELS[name]}）必须是字符串")
        value = (value or "").strip()
        if len(value) > MAX_PROFILE_FIELD:
            raise BAD_PROFILE(
                f"{name}（{PROFILE_LABELS[name]}）不能超过 {MAX_PROFILE_FIELD} 个字符")
        clean[name] = value
    return clean


async def set_profile(customer: Customer, body, *, partial: bool) -> Customer:
    """Replace (or with ``partial`` merge into) the customer's profile; blank fields dropped."""
    merged = {**(customer.profile or {}), **clean_profile(body, partial=partial)} \
        if partial else clean_profile(body, partial=False)
    customer.profile = {k: v for k, v in merged.items() if k in PROFILE_FIELDS and v}
    await customer.save(update_fields=["profile"])
    return customer


def profile_view(customer: Customer) -> dict:
    profile = {k: (customer.profile or {}).get(k, "") for k in PROFILE_FIELDS}
    filled = profile_filled(customer.profile)
    return {"customer_id": customer.id, "profile": profile, "filled": filled,
            "total": len(PROFILE_FIELDS)}
