"""Usage ingest (发送量): one count per account and month, upserted by (account, period).

All or nothing: a batch with any bad row writes nothing and reports every rejected row. A row
whose account's product is already billed for that period is refused (409 when that is the
only kind of problem): a bill, once issued, is not changed by late usage.
"""

from __future__ import annotations

from datetime import date, datetime

from tortoise.transactions import in_transaction

from domain.billing.errors import USAGE_PERIOD_BILLED
from domain.billing.models import Bill, Usage, UsageAccount
from domain.billing.pricing import parse_period, period_label
from domain.common_errors import BAD_ITEMS, BATCH_REJECTED
from domain.ingest_rows import IngestResult, Rejection
from domain.sql import as_date

MAX_QUANTITY = 10**15
BILLED = "已出账单"


def _quantity(value) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value < MAX_QUANTITY:
        raise ValueError
    return value


def validate_usage(raw) -> tuple[tuple[str, date, int] | None, list[str]]:
    """The clean (account, period, quantity) of one row, or what is wrong with it."""
    if not isinstance(raw, dict):
        return None, ["行必须是 JSON 对象"]
    errors = []
    account = raw.get("account")
    account = account.strip() if isinstance(account, str) else ""
    if not account or len(account) > 64:
        errors.append("account: 必填，最多 64 个字符")
    try:
        period = parse_period(raw.get("period"))
    except ValueError:
        errors.append(f"period: 必须是 YYYY-MM: {raw.get('period')!r}")
        period = None
    try:
        quantity = _quantity(raw.get("quantity"))
    except ValueError:
        errors.append(f"quantity: 必须是大于等于 0 的整数: {raw.get('quantity')!r}")
        quantity = None
    return (None if errors else (account, period, quantity)), errors


def _key(raw) -> str:
    if not isinstance(raw, dict):
        return ""
    return f"{raw.get('account', '')}/{raw.get('period', '')}"


async def ingest_usage(raws, *, atomic: bool = True, now: datetime) -> IngestResult:
    """Upsert usage rows; refuses the whole batch if any row is bad (``atomic`` is accepted
    for the import machinery's signature and is always on)."""
    if not isinstance(raws, list):
        raise BAD_ITEMS("items 必须是数组")
    rows, rejected = _validate(raws)
    rejected += await _billed(rows)
    if rejected:
        _refuse(sorted(rejected, key=lambda r: r.index))
    result = IngestResult()
    clean = [row for row in rows if row is not None]
    existing = await _existing(clean)
    new, changed = [], []
    for account, period, quantity in clean:
        usage = existing.get((account, period))
        if usage is None:
            new.append(Usage(account=account, period=period, quantity=quantity, source="api",
                             updated_at=now))
        elif usage.quantity != quantity:
            usage.quantity, usage.updated_at = quantity, now
            changed.append(usage)
        else:
            result.unchanged += 1
    async with in_transaction():
        await Usage.bulk_create(new, batch_size=1000)
        if changed:
            await Usage.bulk_update(changed, fields=["quantity", "updated_at"], batch_size=500)
    result.created, result.updated = len(new), len(changed)
    return result


def _validate(raws: list) -> tuple[list, list[Rejection]]:
    rows, rejected, seen = [], [], set()
    for index, raw in enumerate(raws):
        row, errors = validate_usage(raw)
        if row is not None and row[:2] in seen:
            errors, row = [f"同一批次中重复: {row[0]} {period_label(row[1])}"], None
        if row is not None:
            seen.add(row[:2])
        if errors:
            rejected.append(Rejection(index, _key(raw), errors))
        rows.append(row)
    return rows, rejected


async def _billed(rows: list) -> list[Rejection]:
    """Rows whose account's product already has a bill for that period."""
    clean = [(i, r) for i, r in enumerate(rows) if r is not None]
    if not clean:
        return []
    products = dict(await UsageAccount.filter(
        account__in=list({r[0] for _, r in clean})).values_list("account", "product_id"))
    billed = {(p, as_date(d)) for p, d in await Bill.filter(
        product_id__in=list(set(products.values())), period__in=list({r[1] for _, r in clean}),
    ).values_list("product_id", "period")} if products else set()
    return [Rejection(i, f"{a}/{period_label(p)}",
                      [f"period: 账号 {a} 的产品在 {period_label(p)} {BILLED}，不能再改发送量"])
            for i, (a, p, _) in clean if (products.get(a), p) in billed]


def _refuse(rejected: list[Rejection]) -> None:
    detail = [r.__dict__ for r in rejected]
    if all(BILLED in e for r in rejected for e in r.errors):
        raise USAGE_PERIOD_BILLED(f"{len(rejected)} 行的期间已出账单，整批未写入",
                                  rejected=detail)
    raise BATCH_REJECTED(f"{len(rejected)} 行有错误，整批未写入", rejected=detail)


async def _existing(rows: list) -> dict[tuple[str, date], Usage]:
    if not rows:
        return {}
    found = await Usage.filter(account__in=list({r[0] for r in rows}),
                               period__in=list({r[1] for r in rows}))
    return {(u.account, u.period): u for u in found}
