"""Sales orgs with their budgets, the enterprise annual total, and credit terms (账期)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from domain.common_errors import BAD_AMOUNT, MISSING_FIELD
from domain.credit import rules
from domain.credit.errors import (
    BAD_BUSINESS_TYPE,
    BAD_ORG_CODE,
    BAD_ORG_NAME,
    BAD_TERM_DAYS,
    BAD_YEAR,
    BUDGET_BELOW_USE,
)
from domain.credit.lines import save
from domain.credit.models import CreditBudget, CreditTerm, SalesOrg
from domain.limits import whole
from domain.money import ZERO, fmt, yuan

MAX_TERM_DAYS = 365  # 账期最多 12 个月
DEFAULT_KEY = ""  # CreditTerm.business_type of the default term


def _check_cap(what: str, cap: Decimal, used: Decimal, frozen: Decimal) -> None:
    if cap < 0:
        raise BAD_AMOUNT(f"{what}不能为负")
    if cap < used + frozen:
        raise BUDGET_BELOW_USE(
            f"{what}{yuan(cap)}低于已占用的{yuan(used + frozen)}（已用{yuan(used)}，"
            f"冻结{yuan(frozen)}）", used=fmt(used), frozen=fmt(frozen))


async def put_org(*, code: str, name: str | None, budget: Decimal | None,
                  enabled: bool | None, now: datetime) -> tuple[SalesOrg, bool]:
    """Create or update a sales org by its code; returns (org, created)."""
    code = code.strip()
    if not code or len(code) > 64:
        raise BAD_ORG_CODE("销区编号不能为空且不超过64个字符")
    if name is not None and not (name.strip() and len(name) <= 100):
        raise BAD_ORG_NAME("销区名称不能为空且不超过100个字符")
    async with in_transaction():
        org = await SalesOrg.filter(code=code).select_for_update(no_key=True).first()
        if org is None:
            if name is None:
                raise MISSING_FIELD("新建销区需要名称 name")
            _check_cap("销区授信预算", budget or ZERO, ZERO, ZERO)
            org = await SalesOrg.create(code=code, name=name.strip(), budget=budget or ZERO,
                                        enabled=True if enabled is None else enabled,
                                        created_at=now)
            return org, True
        changes: dict = {}
        if name is not None:
            changes["name"] = name.strip()
        if budget is not None:
            _check_cap("销区授信预算", budget, org.used, org.frozen)
            changes["budget"] = budget
        if enabled is not None:
            changes["enabled"] = enabled
        if changes:
            await save(org, **changes)
        return org, False


BUDGET_YEARS = (2000, 2100)  # the years an annual credit total can be set for


async def put_budget(*, year: int, total: Decimal) -> CreditBudget:
    """Set the enterprise annual credit total (企业年度授信总额)."""
    if not BUDGET_YEARS[0] <= year <= BUDGET_YEARS[1]:
        raise BAD_YEAR(f"年份不正确: {year}")
    async with in_transaction():
        budget = await CreditBudget.filter(year=year).select_for_update(no_key=True).first()
        if budget is None:
            _check_cap("企业年度授信总额", total, ZERO, ZERO)
            return await CreditBudget.create(year=year, total=total)
        _check_cap("企业年度授信总额", total, budget.used, budget.frozen)
        await save(budget, total=total)
        return budget


# --- credit terms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    default: int
    by_business_type: dict[str, int]

    def days(self, business_type: str | None, own_term: int | None = None) -> int:
        return rules.credit_term_days(business_type or None, self.by_business_type, self.default,
                                  own_term)


async def load_terms() -> Terms:
    rows = await CreditTerm.all().values_list("business_type", "days")
    table = dict(rows)
    default = table.pop(DEFAULT_KEY, rules.DEFAULT_TERM_DAYS)
    return Terms(default, table)


def check_term_days(days, what: str = "账期") -> int:
    days = whole(days)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TERM_DAYS:
        raise BAD_TERM_DAYS(f"{what}必须是1到{MAX_TERM_DAYS}天（最长12个月）: {days!r}")
    return days


async def set_terms(*, default: int | None, by_business_type: dict[str, int | None]) -> Terms:
    """Set the default term and terms by business type; None removes a business type's term."""
    if default is not None:
        check_term_days(default, "默认账期")
    for name, days in by_business_type.items():
        if not isinstance(name, str) or not name.strip() or len(name) > 32:
            raise BAD_BUSINESS_TYPE(f"业务类型不能为空且不超过32个字符: {name!r}")
        if days is not None:
            check_term_days(days, f"{name}账期")
    async with in_transaction():
        if default is not None:
            await _upsert_term(DEFAULT_KEY, default)
        for name, days in by_business_type.items():
            if days is None:
                await CreditTerm.filter(business_type=name.strip()).delete()
            else:
                await _upsert_term(name.strip(), days)
    return await load_terms()


async def _upsert_term(business_type: str, days: int) -> None:
    if not await CreditTerm.filter(business_type=business_type).update(days=days):
        await CreditTerm.create(business_type=business_type, days=days)
