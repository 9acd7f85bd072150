"""The rows of an ERP batch, whatever they describe: one row's clean values and what is wrong
with it, the batch's rejections, the split into rows to apply and rows to report, and the upsert
by natural key. `domain.ingest`, `domain.documents.ingest` and the other ingests (tiers,
hand-over) build on these."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from domain.common_errors import BAD_ITEMS, BATCH_REJECTED
from domain.customers.models import Customer
from domain.money import to_amount
from domain.org.models import Staff
from domain.sql import lock_keys

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass
class Rejection:
    index: int
    key: str
    errors: list[str]


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": [r.__dict__ for r in self.rejected],
        }


class Row:
    """Collects the clean values of one input row and what is wrong with it."""

    def __init__(self, raw, index: int = 0):
        self.raw = raw if isinstance(raw, dict) else {}
        self.errors: list[str] = [] if isinstance(raw, dict) else ["行必须是 JSON 对象"]
        self.clean: dict = {}
        self.index = index  # the row's place in its batch

    def text(self, name, *, required=False, max_len=200, default=""):
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.errors.append(f"{name}: 必填")
            self.clean[name] = default
            return
        if isinstance(value, dict | list | bool):
            self.errors.append(f"{name}: 必须是文本")
            value = ""
        value = str(value).strip()
        if len(value) > max_len:
            self.errors.append(f"{name}: 超过 {max_len} 个字符")
        if "\x00" in value:
            self.errors.append(f"{name}: 不能包含 NUL 字符")
        self.clean[name] = value

    def convert(self, name, parse: Callable, *, required=False, default=None):
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                self.errors.append(f"{name}: 必填")
            self.clean[name] = default
            return
        try:
            self.clean[name] = parse(value)
        except (ValueError, TypeError, KeyError) as exc:
            self.errors.append(f"{name}: {exc}")

    def given(self, name) -> bool:
        """Whether the row sends a value for ``name`` (a blank CSV cell sends none)."""
        value = self.raw.get(name)
        return value is not None and not (isinstance(value, str) and not value.strip())

    @property
    def key(self) -> str:
        return str(self.clean.get("_key") or "")


def one_of(aliases: dict, problem: str) -> Callable[[object], str]:
    """A parser of a value among ``aliases`` (their keys, trimmed); ``problem`` names what is
    wrong, the value appended."""

    def parse(value) -> str:
        try:
            return aliases[str(value).strip()]
        except KeyError:
            raise ValueError(f"{problem}: {value!r}") from None

    return parse


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()[:10] if isinstance(value, str) else ""
    try:
        if not ISO_DATE.fullmatch(text):  # a bare number such as 20261105 is not a date
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"不是日期 (YYYY-MM-DD): {value!r}"[:200]) from None


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "是", "y"}:
        return True
    if text in {"0", "false", "no", "否", "n"}:
        return False
    raise ValueError(f"不是布尔值: {value!r}")


def json_list(value) -> list:
    """A list as JSON sends it, or as JSON text in a CSV cell (numbers kept as Decimal)."""
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except ValueError:
            raise ValueError("不是合法的 JSON 数组") from None
    if not isinstance(value, list):
        raise ValueError("必须是数组")
    return value


def non_negative(value) -> Decimal:
    amount = to_amount(value)
    if amount < 0:
        raise ValueError("金额不能为负")
    return amount


def line_value(position: int, line, name: str, parse: Callable):
    """One field of a row's item list (its lines, settlements …), an error naming the item."""
    if not isinstance(line, dict):
        raise ValueError(f"第 {position} 项必须是对象")
    try:
        return parse(line.get(name))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"第 {position} 项 {name}: {exc}") from None


def bounded_text(value, max_len: int, *, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValueError("必填")
    if len(text) > max_len:
        raise ValueError(f"超过 {max_len} 个字符")
    return text


async def staff_by_userid(userids) -> dict[str, Staff]:
    wanted = {u for u in userids if u}
    if not wanted:
        return {}
    return {s.dingtalk_userid: s for s in await Staff.filter(dingtalk_userid__in=wanted)}


async def customers_by_code(codes) -> dict[str, Customer]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {c.code: c for c in await Customer.filter(code__in=wanted, deleted_at=None)}


def _check_batch(rows: list[Row]) -> None:
    seen: set[str] = set()
    for row in rows:
        if row.key and row.key in seen:
            row.errors.append(f"同一批次中重复: {row.key}")
        seen.add(row.key)


def split_rows(rows: list[Row], atomic: bool, result: IngestResult) -> list[Row]:
    for index, row in enumerate(rows):
        if row.errors:
            result.rejected.append(Rejection(index, row.key, row.errors))
    if atomic and result.rejected:
        raise BATCH_REJECTED(f"{len(result.rejected)} 行有错误，整批未写入",
                             rejected=[r.__dict__ for r in result.rejected],
                             )
    return [row for row in rows if not row.errors]


def require_ref(row: Row, name: str, table: dict, label: str) -> None:
    value = row.clean.get(name)
    if value and value not in table:
        row.errors.append(f"{name}: 未知{label} {value!r}")


def apply_fields(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _check_size(raws: list) -> None:
    if not isinstance(raws, list):
        raise BAD_ITEMS("items 必须是数组")


def read_rows(raws, validate: Callable[[object], Row]) -> list[Row]:
    """Every row of a batch validated, a key repeated within the batch marked as an error."""
    _check_size(raws)
    rows = [validate(r) for r in raws]
    for index, row in enumerate(rows):
        row.index = index
    _check_batch(rows)
    return rows


async def with_customers(rows: list[Row]) -> dict[str, Customer]:
    """The customers the rows name by ``customer_code``; a row naming no customer is marked."""
    customers = await customers_by_code({r.clean.get("customer_code") for r in rows})
    for row in rows:
        require_ref(row, "customer_code", customers, "客户")
    return customers


async def upsert(model, key: str, good: list[Row], values_of: Callable[[dict], dict],
                 result: IngestResult, **on_create) -> None:
    """Upsert ``model`` by its natural ``key`` (each row's ``_key``): create the new rows in
    bulk (with ``on_create`` besides their values), save the changed ones, count the rest."""
    keys = [r.clean["_key"] for r in good]
    new = []
    async with in_transaction():
        # the same batch posted twice at once: the second waits and finds the first's rows
        await lock_keys(model._meta.db_table, keys)
        existing = {getattr(o, key): o for o in await model.filter(**{f"{key}__in": keys})}
        for row in good:
            values = values_of(row.clean)
            found = existing.get(row.clean["_key"])
            if found is None:
                new.append(model(**{key: row.clean["_key"]}, **values, **on_create))
            elif apply_fields(found, values):
                await found.save()
                result.updated += 1
            else:
                result.unchanged += 1
        if new:
            await model.bulk_create(new, batch_size=500)
    result.created += len(new)
