"""赊销总览 (seed 002, 2.12) and the debt figures the chat bots show.

(一) credit used / left / percent: the enterprise annual total, each sales org's budget and the
lines by type; (二) lending (放款 = debt amounts by debt date) by salesperson and customer;
(三) what is still to collect (待收欠款) and the collection list by customer (催收明细);
(四) overdue by salesperson and by customer as of a date. Lines count only while in force on that
date (an expired line has nothing left); a debt withdrawn by 出库反审核 counts nowhere.

Every figure is one SQL aggregate (GROUP BY), never a query per customer. Money sums are exact:
PostgreSQL sums NUMERIC; SQLite keeps DecimalField as text and would sum through floats, so there
each value is summed as integer cents. Sales see only their own and shared customers (a manager
also their team's; the enterprise and org budgets are not theirs to see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from tortoise.connection import get_connection

from domain.access import visible_customer_ids
from domain.actors import SALES, Actor
from domain.common_errors import BAD_RANGE
from domain.credit.lines import as_rule
from domain.credit.models import CreditBudget, CreditLine, Debt, SalesOrg
from domain.credit.orders import DEBT_REVERSED
from domain.credit.rules import (
    DUE_SOON,
    DUE_SOON_DAYS,
    LINE_TYPES,
    OVERDUE,
    PAID,
    TYPE_LABELS,
    debt_status,
)
from domain.money import ZERO, fmt
from domain.sql import as_date, exact_sum_sql, is_postgres, sum_amount

MAX_DAYS = 366
HUNDRED = Decimal(100)
# A debt withdrawn by 出库反审核 was never lent: it counts in no figure (SQL condition on ``d``).
LENT = f"d.status <> '{DEBT_REVERSED}'"


class _Sql:
    """One query's text and parameters in the connection's dialect."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.pg = is_postgres(connection)
        self.values: list = []

    def p(self, value) -> str:
        if isinstance(value, date) and not self.pg:
            value = value.isoformat()
        self.values.append(value)
        return f"${len(self.values)}" if self.pg else "?"

    def money(self, column: str) -> str:
        """An exact SUM: NUMERIC on PostgreSQL, integer cents on SQLite."""
        return exact_sum_sql(column)

    def amount(self, value) -> Decimal:
        return sum_amount(value)

    async def rows(self, sql: str) -> list[dict]:
        return await self.connection.execute_query_dict(sql, self.values)


def _sql() -> _Sql:
    return _Sql(get_connection("default"))


def _visible(q: _Sql, actor: Actor | None, customer: str = "c") -> str:
    """SQL condition: the customer row ``customer`` is one ``actor`` may see."""
    if actor is None or actor.kind != "staff" or actor.role != SALES:
        return "1 = 1"
    staff = sorted(actor.sales_staff_ids)  # themself, and a manager's team
    if not staff:
        return "1 = 0"
    own = ", ".join(q.p(staff_id) for staff_id in staff)
    shared = ", ".join(q.p(staff_id) for staff_id in staff)
    return (f"({customer}.salesperson_id IN ({own}) OR {customer}.id IN "
            f"(SELECT customer_id FROM customer_share WHERE staff_id IN ({shared})))")


def percent(part: Decimal, whole: Decimal) -> str:
    if whole <= 0:
        return "0.00"
    return str((part * HUNDRED / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def usage(total: Decimal, used: Decimal, frozen: Decimal) -> dict:
    """used/frozen/left and the share occupied (used + frozen) of a total."""
    occupied = used + frozen
    return {"total": fmt(total), "used": fmt(used), "frozen": fmt(frozen),
            "left": fmt(max(total - occupied, ZERO)), "percent": percent(occupied, total)}


def _days(on: date, earliest) -> int:
    return max((on - as_date(earliest)).days, 0)


# ----- (一) credit used and left ----------------------------------------------------------------


async def enterprise_usage(year: int) -> dict | None:
    """The enterprise annual total (企业年度总额) of ``year``, if one is set."""
    [row] = await CreditBudget.filter(year=year).values("total", "used", "frozen") or [None]
    if row is None:
        return None
    return {"year": year, **usage(row["total"], row["used"], row["frozen"])}


async def org_usage() -> list[dict]:
    """Each sales org's budget (销区总额) and what its customers occupy of it."""
    rows = await SalesOrg.all().order_by("code").values(
        "id", "code", "name", "enabled", "budget", "used", "frozen")
    return [{"org_id": r["id"], "code": r["code"], "name": r["name"], "enabled": r["enabled"],
             **usage(r["budget"], r["used"], r["frozen"])} for r in rows]


def _in_force(q: _Sql, on: date) -> str:
    """SQL condition: line ``a`` is in force on ``on`` — ``rules.LineState.is_valid_on`` as
    SQL. A line expires after its end date whatever its stored status says, so no figure waits
    for someone to mark it expired."""
    return (f"a.status = 'active' AND (a.valid_from IS NULL OR a.valid_from <= {q.p(on)}) "
            f"AND (a.valid_to IS NULL OR a.valid_to >= {q.p(on)})")


async def type_usage(actor: Actor | None, on: date) -> list[dict]:
    """Lines in force on ``on`` by type: limits granted, used, frozen, left (every type, zeros
    too)."""
    q = _sql()
    limit = q.money('a."limit"')
    rows = await q.rows(
        f"SELECT a.type, COUNT(*) AS accounts, {limit} AS total, "
        f"{q.money('a.used')} AS used, {q.money('a.frozen')} AS frozen "
        "FROM credit_account a JOIN customer c ON c.id = a.customer_id "
        f"WHERE {_in_force(q, on)} AND {_visible(q, actor)} GROUP BY a.type")
    found = {r["type"]: r for r in rows}
    result = []
    for kind in LINE_TYPES + tuple(sorted(set(found) - set(LINE_TYPES))):
        r = found.get(kind, {"accounts": 0, "total": 0, "used": 0, "frozen": 0})
        result.append({"type": kind, "label": TYPE_LABELS.get(kind, kind),
                       "accounts": r["accounts"],
                       **usage(q.amount(r["total"]), q.amount(r["used"]),
                               q.amount(r["frozen"]))})
    return result


# ----- (二) lending ----------------------------------------------------------------------------


async def lending(actor: Actor | None, date_from: date, date_to: date, top: int) -> dict:
    """Debt amounts (放款) by debt date in the period, by salesperson and by customer."""
    by_staff = _sql()
    period = f"d.debt_date >= {by_staff.p(date_from)} AND d.debt_date <= {by_staff.p(date_to)}"
    staff_rows = await by_staff.rows(
        f"SELECT d.salesperson_id, s.name, COUNT(*) AS debts, "
        f"COUNT(DISTINCT d.customer_id) AS customers, {by_staff.money('d.amount')} AS amount "
        "FROM debt d JOIN customer c ON c.id = d.customer_id "
        "LEFT JOIN staff s ON s.id = d.salesperson_id "
        f"WHERE {period} AND {LENT} AND {_visible(by_staff, actor)} "
        "GROUP BY d.salesperson_id, s.name")
    by_customer = _sql()
    period = (f"d.debt_date >= {by_customer.p(date_from)} "
              f"AND d.debt_date <= {by_customer.p(date_to)}")
    customer_rows = await by_customer.rows(
        f"SELECT d.customer_id, c.name, s.name AS salesperson, COUNT(*) AS debts, "
        f"{by_customer.money('d.amount')} AS amount "
        "FROM debt d JOIN customer c ON c.id = d.customer_id "
        "LEFT JOIN staff s ON s.id = c.salesperson_id "
        f"WHERE {period} AND {LENT} AND {_visible(by_customer, actor)} "
        "GROUP BY d.customer_id, c.name, s.name")
    salespeople = sorted(({"salesperson_id": r["salesperson_id"], "salesperson": r["name"] or "",
                           "debts": r["debts"], "customers": r["customers"],
                           "amount": by_staff.amount(r["amount"])} for r in staff_rows),
                         key=lambda r: (-r["amount"], r["salesperson"]))
    customers = sorted(({"customer_id": r["customer_id"], "customer": r["name"],
                         "salesperson": r["salesperson"] or "", "debts": r["debts"],
                         "amount": by_customer.amount(r["amount"])} for r in customer_rows),
                       key=lambda r: (-r["amount"], r["customer_id"]))
    total = sum((r["amount"] for r in salespeople), ZERO)
    return {"date_from": date_from, "date_to": date_to, "total": fmt(total),
            "debts": sum(r["debts"] for r in salespeople),
            "by_salesperson": _money_rows(salespeople), "by_customer": _money_rows(
                customers[:top])}


def _money_rows(rows: list[dict], *names: str) -> list[dict]:
    for row in rows:
        for name in ("amount", "outstanding", *names):
            if name in row:
                row[name] = fmt(row[name])
    return rows


# ----- (三) outstanding, (四) overdue ---------------------------------------------------


async def collection(actor: Actor | None, owed: list[dict], top: int) -> dict:
    """What is lent and still owed overall (待收欠款占比) and the customers owing most."""
    totals = _sql()
    [row] = await totals.rows(
        f"SELECT COUNT(*) AS debts, {totals.money('d.amount')} AS amount, "
        f"{totals.money('d.returned')} AS returned, {totals.money('d.repaid')} AS repaid, "
        f"{totals.money('d.outstanding')} AS outstanding "
        "FROM debt d JOIN customer c ON c.id = d.customer_id "
        f"WHERE {LENT} AND {_visible(totals, actor)}")
    amount, returned = totals.amount(row["amount"]), totals.amount(row["returned"])
    repaid, outstanding = totals.amount(row["repaid"]), totals.amount(row["outstanding"])
    return {"debts": row["debts"], "amount": fmt(amount), "returned": fmt(returned),
            "repaid": fmt(repaid), "outstanding": fmt(outstanding),
            "outstanding_percent": percent(outstanding, amount - returned),
            "ranking": _ranking(owed, top, overdue_only=False)}


async def _owed_by_customer(actor: Actor | None, on: date) -> list[dict]:
    """Every customer with open debts: what it owes, how much of it (in how many debts) is
    overdue on ``on``, its earliest due date. One query serves both customer rankings."""
    q = _sql()  # parameters in the order they appear: SQLite's markers are positional
    overdue_sum = q.money(f"CASE WHEN d.due_date < {q.p(on)} THEN d.outstanding ELSE 0 END")
    overdue_count = f"COUNT(CASE WHEN d.due_date < {q.p(on)} THEN 1 END)"
    rows = await q.rows(
        f"SELECT d.customer_id, c.name, s.name AS salesperson, s.id AS salesperson_id, "
        f"COUNT(*) AS debts, {overdue_count} AS overdue_debts, "
        f"{q.money('d.outstanding')} AS outstanding, {overdue_sum} AS overdue, "
        "MIN(d.due_date) AS earliest "
        "FROM debt d JOIN customer c ON c.id = d.customer_id "
        "LEFT JOIN staff s ON s.id = c.salesperson_id "
        f"WHERE d.status = 'open' AND {_visible(q, actor)} "
        "GROUP BY d.customer_id, c.name, s.name, s.id")
    return [{"customer_id": r["customer_id"], "customer": r["name"],
             "salesperson_id": r["salesperson_id"], "salesperson": r["salesperson"] or "",
             "debts": r["debts"], "overdue_debts": r["overdue_debts"],
             "outstanding": q.amount(r["outstanding"]), "overdue": q.amount(r["overdue"]),
             "earliest_due": as_date(r["earliest"]),
             "max_days_overdue": _days(on, r["earliest"])} for r in rows]


def _ranking(owed: list[dict], top: int, *, overdue_only: bool) -> list[dict]:
    """Customers by what they owe (on their overdue debts only, if asked), most first. The
    earliest due date is an overdue one whenever a customer has any."""
    key = "overdue" if overdue_only else "outstanding"
    found = sorted((r for r in owed if r[key] > 0), key=lambda r: (-r[key], r["customer_id"]))
    rows = []
    for r in found[:top]:
        row = {k: v for k, v in r.items() if k != "overdue_debts"}
        if overdue_only:
            row.update(debts=r["overdue_debts"], outstanding=r["overdue"])
        rows.append(row)
    return _money_rows(rows, "overdue")


async def overdue(actor: Actor | None, on: date, owed: list[dict], top: int) -> dict:
    """Open debts past their due date on ``on``: by salesperson and by customer."""
    q = _sql()
    rows = await q.rows(
        f"SELECT d.salesperson_id, s.name, COUNT(*) AS debts, "
        f"COUNT(DISTINCT d.customer_id) AS customers, "
        f"{q.money('d.outstanding')} AS outstanding, MIN(d.due_date) AS earliest "
        "FROM debt d JOIN customer c ON c.id = d.customer_id "
        "LEFT JOIN staff s ON s.id = d.salesperson_id "
        f"WHERE d.status = 'open' AND d.due_date < {q.p(on)} AND {_visible(q, actor)} "
        "GROUP BY d.salesperson_id, s.name")
    salespeople = [{"salesperson_id": r["salesperson_id"], "salesperson": r["name"] or "",
                    "debts": r["debts"], "customers": r["customers"],
                    "outstanding": q.amount(r["outstanding"]),
                    "max_days_overdue": _days(on, r["earliest"])} for r in rows]
    salespeople = [r for r in salespeople if r["outstanding"] > 0]
    salespeople.sort(key=lambda r: (-r["outstanding"], r["salesperson"]))
    total = sum((r["outstanding"] for r in salespeople), ZERO)
    return {"date": on, "outstanding": fmt(total),
            "debts": sum(r["debts"] for r in salespeople),
            "by_salesperson": _money_rows(salespeople),
            "by_customer": _ranking(owed, top, overdue_only=True)}


# ----- the report ---------------------------------------------------------------------------------


async def credit_overview(actor: Actor, on: date, date_from: date, date_to: date,
                          top: int = 20) -> dict:
    """The whole 赊销总览 for ``actor`` as of ``on``, lending over [date_from, date_to]."""
    if date_from > date_to:
        raise BAD_RANGE("开始日期不能晚于结束日期")
    if (date_to - date_from).days >= MAX_DAYS:
        raise BAD_RANGE(f"查询区间不能超过 {MAX_DAYS} 天")
    await visible_customer_ids(actor)  # refuses roles that may not see customers
    sales = actor.kind == "staff" and actor.role == SALES
    owed = await _owed_by_customer(actor, on)
    return {
        "date": on,
        "credit": {
            "enterprise": None if sales else await enterprise_usage(on.year),
            "orgs": [] if sales else await org_usage(),
            "by_type": await type_usage(actor, on),
        },
        "lending": await lending(actor, date_from, date_to, top),
        "collection": await collection(actor, owed, top),
        "overdue": await overdue(actor, on, owed, top),
    }


# ----- for the chat bots ------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerCredit:
    """A customer's credit lines on a day: how many there are, how many are in force (active
    and within their validity), and the limit and what is still available of those."""

    lines: int = 0
    in_force: int = 0
    limit: Decimal = ZERO
    available: Decimal = ZERO


async def customer_credit(customer_id: int, on: date) -> CustomerCredit:
    """What ``customer_id`` may still buy on credit on ``on`` (可用额度: every line in force,
    limit − used − frozen), read in one query."""
    states = [as_rule(row) for row in await CreditLine.filter(customer_id=customer_id)]
    in_force = [s for s in states if s.is_valid_on(on)]
    return CustomerCredit(lines=len(states), in_force=len(in_force),
                          limit=sum((s.limit for s in in_force), ZERO),
                          available=sum((s.available(on) for s in in_force), ZERO))


@dataclass(frozen=True)
class CustomerDebts:
    """A customer's open credit debts on a day: all, due within ``soon_days``, overdue."""

    outstanding: Decimal = ZERO
    count: int = 0
    due_soon: Decimal = ZERO
    due_soon_count: int = 0
    earliest_soon: date | None = None
    overdue: Decimal = ZERO
    overdue_count: int = 0
    max_days_overdue: int = 0


async def customer_debts(customer_id: int, on: date,
                         soon_days: int = DUE_SOON_DAYS) -> CustomerDebts:
    """One customer's open debts on ``on`` (a customer has a handful: summed here), each
    classed by ``rules.debt_status``."""
    rows = await Debt.filter(customer_id=customer_id, status="open").values_list(
        "due_date", "outstanding")
    states = [(due, Decimal(left), debt_status(due, on, Decimal(left), soon_days))
              for due, left in rows]
    owed = [(due, left, state) for due, left, state in states if state.status != PAID]
    soon = [(due, left) for due, left, state in owed if state.status == DUE_SOON]
    late = [(left, state.days_overdue) for _, left, state in owed if state.status == OVERDUE]
    return CustomerDebts(
        outstanding=sum((left for _, left, _ in owed), ZERO), count=len(owed),
        due_soon=sum((left for _, left in soon), ZERO), due_soon_count=len(soon),
        earliest_soon=min((due for due, _ in soon), default=None),
        overdue=sum((left for left, _ in late), ZERO), overdue_count=len(late),
        max_days_overdue=max((days for _, days in late), default=0),
    )
