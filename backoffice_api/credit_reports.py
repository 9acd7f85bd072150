"""Credit report routes: 赊销总览 (seed 002) for admin and finance, and for sales over their own
customers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import Field

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.credit.overview import credit_overview
from domain.credit.rules import LINE_TYPES
from httpcommon.contract import Routes
from httpcommon.fields import DayOut, Id, Money, Query, QueryDay, Reply, query_int
from httpcommon.jsonio import json_response
from httpcommon.keys import now

routes = Routes()
Percent = Annotated[str, Field(description="percent, 2 decimals (12.50 = 12.5 %)")]


class OverviewQuery(Query):
    date: Annotated[QueryDay, Field(description="统计日（默认今天）：待收与逾期按此日计算")] = None
    from_: Annotated[QueryDay, Field(alias="from",
                                     description="放款统计开始日（默认当年 1 月 1 日）")] = None
    to: Annotated[QueryDay, Field(description="放款统计结束日（默认统计日）")] = None
    top: Annotated[query_int(1, 500), Field(
        description="客户排名条数（默认 20，最多 500）")] = 20


class Usage(Reply):
    total: Money
    used: Money
    frozen: Money
    left: Money
    percent: Percent


class EnterpriseUsage(Usage):
    year: int


class OrgUsage(Usage):
    org_id: Id
    code: str
    name: str
    enabled: bool


class TypeUsage(Usage):
    type: str = Field(description="授信类型: " + "、".join(LINE_TYPES))
    label: str
    accounts: int


class CreditUsage(Reply):
    """(一) 授信总览：使用、剩余和占比"""

    enterprise: EnterpriseUsage | None = Field(description="企业年度授信总额（销售角色不返回）")
    orgs: list[OrgUsage]
    by_type: list[TypeUsage]


class SalespersonLending(Reply):
    salesperson_id: Id | None
    salesperson: str
    debts: int
    customers: int
    amount: Money


class CustomerLending(Reply):
    customer_id: Id
    customer: str
    salesperson: str
    debts: int
    amount: Money


class Lending(Reply):
    """(二) 放款总览：期间内的借款金额"""

    date_from: DayOut
    date_to: DayOut
    total: Money
    debts: int
    by_salesperson: list[SalespersonLending]
    by_customer: list[CustomerLending]


class CustomerOwed(Reply):
    customer_id: Id
    customer: str
    salesperson_id: Id | None
    salesperson: str
    debts: int
    outstanding: Money
    overdue: Money
    earliest_due: DayOut
    max_days_overdue: int


class Collection(Reply):
    """(三) 还款总览与催收明细（待收欠款排名）"""

    debts: int
    amount: Money
    returned: Money
    repaid: Money
    outstanding: Money
    outstanding_percent: Percent
    ranking: list[CustomerOwed]


class SalespersonOverdue(Reply):
    salesperson_id: Id | None
    salesperson: str
    debts: int
    customers: int
    outstanding: Money
    max_days_overdue: int


class Overdue(Reply):
    """(四) 逾期总览：按业务员、按客户"""

    date: DayOut
    outstanding: Money
    debts: int
    by_salesperson: list[SalespersonOverdue]
    by_customer: list[CustomerOwed]


class CreditOverview(Reply):
    date: DayOut
    credit: CreditUsage
    lending: Lending
    collection: Collection
    overdue: Overdue


@routes.get("/credit/overview",
            summary="赊销总览：授信使用、放款、待收欠款排名、逾期排名（销售仅见自己的客户）",
            query=OverviewQuery, response=CreditOverview)
async def overview(request: web.Request, query: OverviewQuery) -> web.Response:
    """?date= (default today) for what is owed and overdue; ?from=&to= (default this year up
    to that date) for lending; ?top= customers in the rankings (default 20)."""
    actor = actor_with(request, ADMIN, FINANCE, SALES)
    on = query.date or now(request).date()
    date_from = query.from_ or dt.date(on.year, 1, 1)
    date_to = query.to or max(on, date_from)
    return json_response(await credit_overview(actor, on, date_from, date_to, query.top))
