"""The hand-over views (交款交账, seed 001 §3.1–3.10): the employee list (员工交账列表) and one
person's day report (日报汇总), JSON-ready: money as "0.00" strings, dates ISO.

Every section comes from domain.handover.scope and is fetched set-based: one query per section,
one for every settlement of the day's receipts, one for which settled documents are confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from tortoise.expressions import RawSQL, Subquery

from domain.actors import SALES, Actor
from domain.common_errors import BAD_QUERY, STAFF_NOT_FOUND
from domain.documents.models import DayClose, Document, ReceiptSettlement
from domain.documents.rules import (
    AUDIT_LABELS,
    DOC_TYPE_LABELS,
    RECEIPT,
    RECEIPT_KIND_LABELS,
    SALE,
    SALES_OUT,
    Settled,
    signed_amount,
)
from domain.documents.settings import confirm_audits
from domain.handover import scope
from domain.handover.errors import NOT_YOUR_HANDOVER
from domain.handover.rules import (
    DOCUMENT,
    EXCHANGE,
    EXPENSE,
    OTHER_INCOME,
    expense_unsettled,
    receipt_actions,
    split_receipt,
)
from domain.limits import column_length
from domain.money import ZERO, fmt
from domain.names import name_sort_key
from domain.org.models import Staff
from domain.sql import as_date, exact_sum_sql, sum_amount

PENDING, DONE = "pending", "done"
STATUS_LABELS = {PENDING: "待对账", DONE: "已对账"}

# 对账确认状态 filter of the other-income section (seed 3.6).
ALL, YES, NO = "all", "yes", "no"
CONFIRMED_FILTERS = {ALL: "全部状态", NO: "待确认", YES: "已确认"}

SECTIONS = ("sales", "receipts", "expenses", "other_incomes", "exchanges", "deliveries")
SECTION_LABELS = {"sales": "销售单据", "receipts": "收款单据", "expenses": "费用单据",
                  "other_incomes": "其他收入单", "exchanges": "兑换货物",
                  "customers": "客户汇总", "deliveries": "配送单据"}

_COMMON = ("id", "number", "date", "salesperson_id", "customer_id", "customer__name",
           "audit_status", "remark", "confirmed_at", "confirmed_by")
_DOCUMENT = (*_COMMON, "doc_type", "erp_type", "amount", "owed", "account", "receipt_kind",
             "discount", "to_prepaid", "driver_id", "delivered_on")
_FIELDS = {
    EXPENSE: (*_COMMON, "items", "total", "paid", "settled", "account"),
    OTHER_INCOME: (*_COMMON, "items", "amount", "account"),
    EXCHANGE: (*_COMMON, "items", "amount", "submitted_at"),
}


# ----- one person's day (日报汇总) --------------------------------------------------------------


async def day_report(staff_id: int, day: date, *, confirmed: str = ALL) -> dict:
    """Everything of one person's hand-over on one day; ``confirmed`` (all|yes|no) filters the
    other-income rows only, the summary always counts the whole day."""
    if confirmed not in CONFIRMED_FILTERS:
        raise BAD_QUERY(f"confirmed 必须是 {'、'.join(CONFIRMED_FILTERS)} 之一")
    staff = await Staff.get_or_none(id=staff_id)
    if staff is None:
        raise STAFF_NOT_FOUND(f"员工 {staff_id} 不存在")
    sections = (await _sections([staff_id], [day])).get((staff_id, day)) or _no_sections()
    pairs = await _receipt_days(staff_id, day, sections["receipts"])
    closed = await _closed({(staff_id, day), *(pair for both in pairs.values() for pair in both)})
    await _add_receipt_actions(sections["receipts"], pairs, closed)
    summary = _summary(sections)
    report = {
        "staff": staff_view(staff), "day": day, "closed": (staff_id, day) in closed,
        **_status(summary["unconfirmed"]), "summary": summary,
        "confirmed_filter": confirmed,
        "sections": {**sections, "customers": _customers(sections),
                     "other_incomes": _filtered(sections["other_incomes"], confirmed)},
    }
    return jsonable(report)


async def readable_day_report(actor: Actor, userid: str, day: date, *,
                              confirmed: str = ALL) -> dict:
    """The day report of the person with that DingTalk userid as the actor may read it: 404
    for nobody, 403 for another salesperson's."""
    staff = await staff_by_userid(userid)
    readable_staff(actor, [staff.id])
    return await day_report(staff.id, day, confirmed=confirmed)


async def _receipt_days(staff_id: int, day: date,
                       receipts: list[dict]) -> dict[int, list[tuple[int | None, date | None]]]:
    """Each receipt's (person, day) pairs a close refuses its audit actions on: its
    salesperson's day and its driver's (as ``confirm.change_receipt_audit`` checks)."""
    if not receipts:
        return {}
    return {row["id"]: [(row["salesperson_id"], row["date"]),
                        (row["driver_id"], row["delivered_on"])]
            for row in await scope.receipts_of([staff_id], [day]).values(
                "id", "salesperson_id", "date", "driver_id", "delivered_on")}


async def _closed(pairs: set[tuple[int | None, date | None]]) -> set[Pair]:
    """Those of the (person, day) pairs that are closed, in one read."""
    wanted = {(staff_id, day) for staff_id, day in pairs if staff_id and day}
    rows = await DayClose.filter(staff_id__in={s for s, _ in wanted},
                                 day__in={d for _, d in wanted}).values_list("staff_id", "day")
    return set(rows) & wanted


async def _add_receipt_actions(receipts: list[dict], days: dict[int, list], closed: set[Pair],
                               ) -> None:
    """Each receipt row's audit actions (``rules.receipt_actions``), as the actions would
    refuse them."""
    audits = await confirm_audits() if receipts else False
    for row in receipts:
        row["actions"] = receipt_actions(
            row["audit_status"], confirmed=row["confirmed"], confirm_audits=audits,
            closed=any(pair in closed for pair in days.get(row["id"], [])))


async def day_summaries(day: date) -> dict[int, dict]:
    """Everyone's day as the day report sums it up, by staff id: {"closed", "summary"}; one
    set-based read for all of them."""
    table = await _sections(None, [day])
    closed = set(await DayClose.filter(day=day, staff_id__in=[s for s, _ in table]).values_list(
        "staff_id", flat=True))
    return {staff_id: jsonable({"closed": staff_id in closed, "summary": _summary(sections)})
            for (staff_id, _), sections in table.items()}


Pair = tuple[int, date]


def _no_sections() -> dict[str, list[dict]]:
    return {name: [] for name in SECTIONS}


async def _sections(staff_ids: Collection[int] | None,
                    days: Collection[date]) -> dict[Pair, dict[str, list[dict]]]:
    """Every section's rows of those people (None: everyone) on those days, by (person, day):
    a salesperson's rows by their date, a driver's deliveries by the day delivered."""
    days = list(days)
    table: dict[Pair, dict[str, list[dict]]] = defaultdict(_no_sections)

    def put(section: str, rows: list[dict], make: Callable[[dict], dict],
            whose: str = "salesperson_id", which_day: str = "date") -> None:
        for row in rows:
            table[(row[whose], row[which_day])][section].append(make(row))

    put("sales", await _documents(scope.sales_of(staff_ids, days)), _sale)
    receipts = scope.receipts_of(staff_ids, days)
    put("receipts", await _documents(receipts), await _receipt_maker(receipts))
    put("expenses", await _others(EXPENSE, staff_ids, days), _expense)
    put("other_incomes", await _others(OTHER_INCOME, staff_ids, days), _income)
    put("exchanges", await _others(EXCHANGE, staff_ids, days), _exchange)
    put("deliveries", await _documents(scope.deliveries_of(staff_ids, days)), _delivery,
        "driver_id", "delivered_on")
    return table


async def _documents(query) -> list[dict]:
    return await query.order_by("number").values(*_DOCUMENT)


async def _others(kind: str, people: Collection[int] | None, days: list[date]) -> list[dict]:
    query = scope.others_of(kind, people, days)
    order = ("-submitted_at", "-id") if kind == EXCHANGE else ("number",)
    return await query.order_by(*order).values(*_FIELDS[kind])


def _base(kind: str, row: dict) -> dict:
    return {
        "id": row["id"], "kind": kind, "number": row["number"], "date": row["date"],
        "customer_id": row["customer_id"], "customer": row["customer__name"] or "",
        "audit_status": row["audit_status"],
        "audit_label": AUDIT_LABELS.get(row["audit_status"], row["audit_status"]),
        "remark": row["remark"], "confirmed": row["confirmed_at"] is not None,
        "confirmed_at": row["confirmed_at"], "confirmed_by": row["confirmed_by"],
    }


def type_label(doc_type: str, erp_type: str = "") -> str:
    """The ERP's own name of a document (车销单, 发货单 …), else ours."""
    return erp_type or DOC_TYPE_LABELS.get(doc_type, doc_type)


def _sale(row: dict) -> dict:
    return {
        **_base(DOCUMENT, row), "type": row["doc_type"], "erp_type": row["erp_type"],
        "type_label": type_label(row["doc_type"], row["erp_type"]), "amount": row["amount"],
        "signed_amount": _signed(row["doc_type"], row["amount"]), "owed": row["owed"],
    }


def _signed(doc_type: str, amount: Decimal) -> Decimal:
    """The document's effect on the totals: the type decides the direction, whatever sign the
    ERP gave a return's amount."""
    return signed_amount(doc_type, abs(amount))


def _delivery(row: dict) -> dict:
    """发货单 count their 发货金额, returns their 入库金额 (negative in the totals)."""
    return {**_sale(row), "delivered_on": row["delivered_on"]}


async def _receipt_maker(query) -> Callable[[dict], dict]:
    """What makes a receipt row of the query's receipts: every settlement of them read in one
    query, and which settled documents are confirmed in another."""
    lines = await ReceiptSettlement.filter(
        receipt_id__in=Subquery(query.values("id")),
    ).order_by("receipt_id", "position").values(
        "receipt_id", "number", "doc_type", "doc_date", "amount", "prepaid")
    confirmed = set(await Document.filter(
        number__in=Subquery(ReceiptSettlement.filter(
            receipt_id__in=Subquery(query.values("id"))).values("number")),
        confirmed_at__isnull=False,
    ).values_list("number", flat=True))
    by_receipt: dict[int, list[dict]] = defaultdict(list)
    for line in lines:
        by_receipt[line["receipt_id"]].append(_settlement(line, confirmed))
    return lambda row: _receipt(row, by_receipt.get(row["id"], []))


def _settlement(line: dict, confirmed: set[str]) -> dict:
    return {
        "number": line["number"], "type": line["doc_type"],
        "type_label": type_label(line["doc_type"]), "date": line["doc_date"],
        "amount": line["amount"], "prepaid": line["prepaid"],
        "confirmed": line["number"] in confirmed,  # seed 3.3's 已确认 mark
    }


def _receipt(row: dict, settlements: list[dict]) -> dict:
    kind = row["receipt_kind"] or SALE
    split = split_receipt(kind, row["date"], row["amount"], row["discount"], [
        Settled(s["date"], s["amount"], s["prepaid"]) for s in settlements])
    return {
        **_base(DOCUMENT, row), "type": row["doc_type"], "erp_type": row["erp_type"],
        "type_label": type_label(row["doc_type"], row["erp_type"]),
        "receipt_kind": kind, "receipt_kind_label": RECEIPT_KIND_LABELS.get(kind, kind),
        "amount": row["amount"], "discount": row["discount"],
        "prepaid_used": sum((s["prepaid"] for s in settlements), ZERO),
        "to_prepaid": row["to_prepaid"], "account": row["account"],
        "same_day": split.same_day, "history": split.history,
        "prepayment": split.prepayment, "deposit": split.deposit,
        "settlements": settlements,
    }


def _expense(row: dict) -> dict:
    return {
        **_base(EXPENSE, row), "items": row["items"], "total": row["total"],
        "paid": row["paid"], "settled": row["settled"],
        "unsettled": expense_unsettled(row["total"], row["paid"], row["settled"]),
        "account": row["account"],
    }


def _income(row: dict) -> dict:
    return {**_base(OTHER_INCOME, row), "items": row["items"], "amount": row["amount"],
            "account": row["account"]}


def _exchange(row: dict) -> dict:
    return {**_base(EXCHANGE, row), "items": row["items"], "amount": row["amount"],
            "submitted_at": row["submitted_at"]}


def _filtered(rows: list[dict], confirmed: str) -> list[dict]:
    if confirmed == ALL:
        return rows
    return [row for row in rows if row["confirmed"] == (confirmed == YES)]


def _total(rows: Iterable[dict], name: str) -> Decimal:
    return sum((row[name] for row in rows), ZERO)


def _summary(sections: dict[str, list[dict]]) -> dict:
    """The day's totals (销售汇总, 资金汇总, 配送汇总) and counts."""
    sales, receipts = sections["sales"], sections["receipts"]
    expenses, deliveries = sections["expenses"], sections["deliveries"]
    outs = [row for row in sales if row["type"] == SALES_OUT]
    shipped = [row for row in deliveries if row["type"] == SALES_OUT]
    refs = {(row["kind"], row["id"]): row["confirmed"]
            for name in SECTIONS for row in sections[name]}
    return {
        "sales_total": _total(outs, "amount"),
        "returns_total": _total(outs, "amount") - _total(sales, "signed_amount"),
        "net_sales": _total(sales, "signed_amount"),
        **{name: _total(receipts, name) for name in (
            "discount", "prepaid_used", "to_prepaid", "same_day", "history", "prepayment",
            "deposit")},
        "receipts_amount": _total(receipts, "amount"),
        "expenses_total": _total(expenses, "total"), "expenses_paid": _total(expenses, "paid"),
        "expenses_settled": _total(expenses, "settled"),
        "expenses_unsettled": _total(expenses, "unsettled"),
        "other_income_total": _total(sections["other_incomes"], "amount"),
        "exchanges": len(sections["exchanges"]),
        "deliveries_shipped": _total(shipped, "amount"),
        "deliveries_returned": _total(shipped, "amount") - _total(deliveries, "signed_amount"),
        "deliveries_total": _total(deliveries, "signed_amount"),
        "counts": {name: len(sections[name]) for name in SECTIONS},
        "documents": len(refs), "unconfirmed": sum(not done for done in refs.values()),
    }


_CUSTOMER_MONEY = ("sales", "returns", "net_sales", "receipts", "discount", "same_day",
                   "history", "prepayment", "deposit", "expenses", "other_income")
_RECEIPT_COLUMNS = {"receipts": "amount", **{n: n for n in (
    "discount", "same_day", "history", "prepayment", "deposit")}}


def _customers(sections: dict[str, list[dict]]) -> list[dict]:
    """客户汇总: the day's business per customer, by customer name in pinyin order (none
    last)."""
    table: dict[int | None, dict] = {}

    def entry(row: dict) -> dict:
        return table.setdefault(row["customer_id"], {
            "customer_id": row["customer_id"], "customer": row["customer"],
            **dict.fromkeys(_CUSTOMER_MONEY, ZERO), "exchanges": 0})

    for row in sections["sales"]:
        line = entry(row)
        line["sales" if row["type"] == SALES_OUT else "returns"] += abs(row["amount"])
        line["net_sales"] += row["signed_amount"]
    for row in sections["receipts"]:
        line = entry(row)
        for column, name in _RECEIPT_COLUMNS.items():
            line[column] += row[name]
    for row in sections["expenses"]:
        entry(row)["expenses"] += row["total"]
    for row in sections["other_incomes"]:
        entry(row)["other_income"] += row["amount"]
    for row in sections["exchanges"]:
        entry(row)["exchanges"] += 1
    return sorted(table.values(), key=lambda c: (c["customer_id"] is None,
                                                 name_sort_key(c["customer"]), c["customer"],
                                                 c["customer_id"] or 0))


def _status(unconfirmed: int) -> dict:
    status = PENDING if unconfirmed else DONE
    return {"status": status, "status_label": STATUS_LABELS[status]}


def staff_view(staff: Staff) -> dict:
    return {"id": staff.id, "name": staff.name, "userid": staff.dingtalk_userid or ""}


# What ``jsonable`` leaves as it is: most of a busy day's 100,000 values, so not even a call.
_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value):
    """Money as "0.00" strings and dates as ISO text, all the way down."""
    if isinstance(value, dict):
        return {key: item if type(item) in _PLAIN else jsonable(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [item if type(item) in _PLAIN else jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# ----- the employee list (员工交账列表) ---------------------------------------------------------

async def staff_days(days: list[date], *, staff_ids: list[int] | None = None,
                     show_all: bool = False) -> list[dict]:
    """One row per (person, day) with hand-over documents, by day then name; ``show_all``
    (显示全部员工) adds every active staff member (of ``staff_ids`` when given) on every day.

    Set-based: one GROUP BY person × day per section over the same scope as the day report,
    so the list reads a few numbers per row and never a document."""
    table = await _day_figures(staff_ids, days)
    if show_all:
        for staff_id in await _active(staff_ids):
            for day in days:
                table.setdefault((staff_id, day), _Figures())
    staff = {s.id: s for s in await Staff.filter(id__in={s for s, _ in table})}
    closed = set(await DayClose.filter(
        staff_id__in=list(staff), day__in=list(days)).values_list("staff_id", "day"))
    rows = [_list_row(staff[s], d, figures, (s, d) in closed)
            for (s, d), figures in table.items() if s in staff]
    rows.sort(key=lambda row: (row["day"], row["staff"]["name"], row["staff"]["id"]))
    return jsonable(rows)


async def _active(staff_ids: list[int] | None) -> list[int]:
    query = Staff.filter(active=True)
    if staff_ids is not None:
        query = query.filter(id__in=list(staff_ids))
    return await query.values_list("id", flat=True)


@dataclass
class _Figures:
    """What the list shows of one person's day, as the day report's summary counts it."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    money: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    waiting: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    # Sales the person also delivered the same day: one document in two sections, counted
    # once in 单据 and 待确认 (the day report counts distinct documents).
    twice: int = 0
    twice_waiting: int = 0

    def add(self, section: str, row: dict, **money: Decimal) -> None:
        """One group's count, unconfirmed count and money into ``section``."""
        self.counts[section] += int(row["n"])
        self.waiting[section] += int(row["waiting"])
        for name, value in money.items():
            self.money[name] += value

    @property
    def documents(self) -> int:
        return sum(self.counts.values()) - self.twice

    @property
    def unconfirmed(self) -> int:
        return sum(self.waiting.values()) - self.twice_waiting


def _list_row(staff: Staff, day: date, figures: _Figures, closed: bool) -> dict:
    money = figures.money
    return {
        "staff": staff_view(staff), "day": day, "counts": figures.counts,
        "sales_total": money["outs"], "returns_total": money["outs"] - money["net_sales"],
        "net_sales": money["net_sales"], "receipts_amount": money["receipts"],
        "expenses_total": money["expenses"], "other_income_total": money["other_incomes"],
        "deliveries_total": money["deliveries"], "exchanges_total": money["exchanges"],
        "documents": figures.documents, "unconfirmed": figures.unconfirmed,
        **_status(figures.unconfirmed), "closed": closed,
    }


def _sums(**money: str) -> dict[str, RawSQL]:
    """The aggregates of one GROUP BY: the count, how many are not confirmed and the exact sum
    of each ``money`` SQL expression (NUMERIC on PostgreSQL; SQLite keeps decimals as text and
    would sum through floats, so there as integer cents)."""
    return {"n": RawSQL("COUNT(*)"), "waiting": RawSQL(f"SUM({_UNCONFIRMED})"),
            **{name: RawSQL(exact_sum_sql(sql)) for name, sql in money.items()}}


_UNCONFIRMED = "CASE WHEN confirmed_at IS NULL THEN 1 ELSE 0 END"
# A driver's delivery that is also their own sale of that day.
_OWN = "salesperson_id = driver_id AND date = delivered_on"


async def _day_figures(staff_ids: Collection[int] | None,
                       days: Collection[date]) -> dict[Pair, _Figures]:
    """The list's figures of those people (None: everyone) on those days, by (person, day):
    one GROUP BY person × day (× document type) per table."""
    table: dict[Pair, _Figures] = defaultdict(_Figures)
    await _add_own_documents(table, staff_ids, days)
    for section, kind, column in (("expenses", EXPENSE, "total"),
                                  ("other_incomes", OTHER_INCOME, "amount"),
                                  ("exchanges", EXCHANGE, "amount")):
        for row in await _grouped(scope.others_of(kind, staff_ids, days), "salesperson_id",
                                  "date", **_sums(money=column)):
            table[row["pair"]].add(section, row, **{section: row["money"]})
    await _add_deliveries(table, staff_ids, days)
    return table


async def _add_own_documents(table: dict[Pair, _Figures], staff_ids: Collection[int] | None,
                             days: Collection[date]) -> None:
    """销售单据 and 收款单据 in one pass over the documents, told apart by type."""
    for row in await _grouped(scope.own_documents_of(staff_ids, days), "salesperson_id", "date",
                              "doc_type", **_sums(amount="amount", magnitude="ABS(amount)")):
        figures, doc_type = table[row["pair"]], row["doc_type"]
        if doc_type == RECEIPT:
            figures.add("receipts", row, receipts=row["amount"])
        else:
            figures.add("sales", row, outs=row["amount"] if doc_type == SALES_OUT else ZERO,
                        net_sales=_signed(doc_type, row["magnitude"]))


async def _add_deliveries(table: dict[Pair, _Figures], staff_ids: Collection[int] | None,
                          days: Collection[date]) -> None:
    """配送单据 by driver and day delivered, and which of them are also the driver's own sales
    of that day (one document in two sections: counted once in 单据 and 待确认)."""
    for row in await _grouped(
            scope.deliveries_of(staff_ids, days), "driver_id", "delivered_on", "doc_type",
            **_sums(magnitude="ABS(amount)"),
            twice=RawSQL(f"SUM(CASE WHEN {_OWN} THEN 1 ELSE 0 END)"),
            twice_waiting=RawSQL(f"SUM(CASE WHEN {_OWN} THEN {_UNCONFIRMED} ELSE 0 END)")):
        figures = table[row["pair"]]
        figures.add("deliveries", row, deliveries=_signed(row["doc_type"], row["magnitude"]))
        figures.twice += int(row["twice"])
        figures.twice_waiting += int(row["twice_waiting"])


async def _grouped(query, whose: str, which_day: str, *by: str, **sums: RawSQL) -> list[dict]:
    """The query's rows grouped by person, day and ``by``, each with its ``sums`` (money as
    Decimal) and its (person, day) as "pair"."""
    rows = await query.annotate(**sums).group_by(whose, which_day, *by).values(
        whose, which_day, *by, *sums)
    for row in rows:
        row["pair"] = (row[whose], as_date(row[which_day]))
        for name in sums.keys() - _COUNTS:
            row[name] = sum_amount(row[name])
    return rows


_COUNTS = {"n", "waiting", "twice", "twice_waiting"}


# Whose day each section's rows are in: (kind, rows of those people and days, person, day).
_SOURCES = (
    (DOCUMENT, scope.sales_of, "salesperson_id", "date"),
    (DOCUMENT, scope.receipts_of, "salesperson_id", "date"),
    (EXPENSE, partial(scope.others_of, EXPENSE), "salesperson_id", "date"),
    (OTHER_INCOME, partial(scope.others_of, OTHER_INCOME), "salesperson_id", "date"),
    (EXCHANGE, partial(scope.others_of, EXCHANGE), "salesperson_id", "date"),
    (DOCUMENT, scope.deliveries_of, "driver_id", "delivered_on"),
)


async def pending_people(days: list[date]) -> list[dict]:
    """People with unconfirmed hand-over documents on those days, by day then name (only the
    unconfirmed rows' ids are read)."""
    waiting: dict[Pair, set[tuple[str, int]]] = defaultdict(set)
    for kind, query_of, whose, which_day in _SOURCES:
        for row in await query_of(None, days).filter(confirmed_at__isnull=True).values(
                "id", whose, which_day):
            waiting[(row[whose], row[which_day])].add((kind, row["id"]))
    staff = {s.id: s for s in await Staff.filter(id__in={s for s, _ in waiting})}
    rows = [{"staff_id": s, "name": staff[s].name, "userid": staff[s].dingtalk_userid or "",
             "day": d.isoformat(), "unconfirmed": len(refs)}
            for (s, d), refs in waiting.items() if s in staff]
    return sorted(rows, key=lambda row: (row["day"], row["name"], row["staff_id"]))


# ----- who may read whose hand-over -----------------------------------------------------------


async def staff_by_userid(userid: str) -> Staff:
    # a user id longer than the column names nobody (the store would refuse the lookup)
    fits = len(userid) <= column_length(Staff, "dingtalk_userid")
    staff = await Staff.get_or_none(dingtalk_userid=userid) if fits else None
    if staff is None:
        raise STAFF_NOT_FOUND(f"员工 {userid[:40]} 不存在")
    return staff


def readable_staff(actor: Actor, staff_ids: list[int] | None) -> list[int] | None:
    """The people whose hand-over the actor may read: finance and admin everyone (None =
    everyone), a salesperson only their own (403 for anyone else's)."""
    if actor.role != SALES:
        return staff_ids
    if staff_ids is not None and set(staff_ids) - {actor.staff_id}:
        raise NOT_YOUR_HANDOVER("业务员只能查看自己的交款交账")
    return [actor.staff_id]
