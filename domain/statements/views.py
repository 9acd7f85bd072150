"""The statement as every edge shows it: one plain dict (amounts stay Decimal)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from decimal import Decimal

from domain.customers.models import Customer
from domain.documents.rules import DOC_TYPE_LABELS
from domain.money import ZERO
from domain.statements import rules
from domain.statements.answerers import SHARE
from domain.statements.models import Statement, StatementEvent, StatementLine


def statement_summary(statement: Statement, customer: Customer | None = None) -> dict:
    view = {
        "id": statement.id,
        "customer_id": statement.customer_id,
        "date_from": statement.date_from,
        "date_to": statement.date_to,
        "opening": statement.opening,
        "increase": statement.increase,
        "receipts": statement.receipts,
        "closing": statement.closing,
        "line_count": statement.line_count,
        "owed_total": statement.owed_total,
        "received_amount": statement.received_amount,
        "status": statement.status,
        "status_label": rules.STATUS_LABELS[statement.status],
        "source_changed": statement.source_changed,
        "created_at": statement.created_at,
        "answered_at": statement.answered_at,
    }
    if customer is not None:
        view["customer"] = {"id": customer.id, "code": customer.code, "name": customer.name}
    return view


def staff_extras(statement: Statement) -> dict:
    """For staff only: who answered (a person, or 通过分享链接 with time and device), and how
    often and when the customer opened the statement (counted outside the version, so a
    customer's cached view would show it stale)."""
    return {
        "answered_by": statement.answered_by,
        "view_count": statement.view_count,
        "first_viewed_at": statement.first_viewed_at,
        "last_viewed_at": statement.last_viewed_at,
    }


def staff_view(statement: Statement, customer: Customer, lines: list[dict]) -> dict:
    """The whole statement as staff see it: who answered, views, and the actions seed 000's
    table allows in its state (the API's answer and the workbench's page)."""
    view = statement_view(statement, customer, lines)
    view.update(staff_extras(statement))
    view["actions"] = list(rules.allowed_actions(statement.status, statement.received_amount))
    return view


def history_item(statement: Statement, customer_name: str) -> dict:
    """One row of 对账单历史: the summary, the staff extras, the customer's name and the
    actions the table allows."""
    item = statement_summary(statement) | staff_extras(statement)
    item["customer_name"] = customer_name
    item["actions"] = list(rules.allowed_actions(statement.status, statement.received_amount))
    return item


def event_view(event: StatementEvent) -> dict:
    """One entry of 反馈内容 / 操作记录: what was done, with which result, by whom, when."""
    return {
        "action": event.action, "result": event.result,
        "result_label": rules.STATUS_LABELS.get(event.result, ""),
        "description": event.description, "amount": event.amount,
        "actor_kind": event.actor_kind, "actor": event.actor, "via": event.via,
        "device": event.device, "at": event.created_at,
    }


def line_view(line: StatementLine, detail: dict | None = None) -> dict:
    """One line; a usage bill's line also carries its bill's ``detail`` (see
    ``domain.billing.views.usage_detail``)."""
    view = {
        "number": line.number,
        "type": line.doc_type,
        "type_label": DOC_TYPE_LABELS[line.doc_type],
        "date": line.date,
        "amount": line.amount,
        "owed": line.owed,
        "account": line.account,
    }
    if detail is not None:
        view["detail"] = detail
    if line.department:  # only a customer with departments has lines that name one
        view["department"] = line.department
    return view


def statement_view(statement: Statement, customer: Customer, lines: list[dict]) -> dict:
    """The whole statement; `lines` are line views (see `line_view` and `LineCache`)."""
    view = statement_summary(statement, customer)
    view["lines"] = lines
    view["departments"] = department_groups(lines)
    return view


ANSWERING_ACTIONS = ("answer", rules.MATCH, rules.MISMATCH, rules.CANCEL)


def standing_answers(events: Iterable[StatementEvent], zone: tzinfo) -> list[dict]:
    """The answers that stand (those after the last 取消确认), oldest first, for the PDF's
    客户确认 block: 符合 / 不符合, who, when (in ``zone``), the dispute text; a staff 符合确认 /
    不符合确认 is marked as not the customer's own. ``events`` are a statement's answering
    events (ANSWERING_ACTIONS) in order."""
    standing: list[dict] = []
    for event in events:
        if event.action == rules.CANCEL:
            standing = []
            continue
        by_customer = event.action == "answer"
        result = event.result if by_customer else (
            rules.MATCHED if event.action == rules.MATCH else rules.MISMATCHED)
        standing.append({
            "result": result, "result_label": rules.STATUS_LABELS[result],
            "by": answerer_name(event), "by_customer": by_customer,
            "at": event.created_at.astimezone(zone),
            # staff notes on a confirmation stay internal, as on the customer's page
            "description": event.description if by_customer else "",
        })
    return standing


def answerer_name(event: StatementEvent) -> str:
    """The contact's or staff member's name; a share-link holder by the device it used."""
    if event.actor_kind == SHARE:
        return f"{event.actor}（{event.device}）" if event.device else event.actor
    return event.actor


def count_text(quantity: int) -> str:
    """A number of units for people: 1,500."""
    return f"{quantity:,}"


def tier_range_text(first: int, last: int | None) -> str:
    """The units a tier slice covers: 1-1,000, or 1,001 以上 for the last tier."""
    return f"{first:,} 以上" if last is None else f"{first:,}-{last:,}"


def exact_yuan(amount: str) -> str:
    """An exact slice amount as stored ("50.00", "0.105") for people: ¥50.00, ¥0.105."""
    return f"¥{Decimal(amount):,f}"


def unit_price_text(detail: dict) -> str:
    """What an account's units cost: the unit price, or 按阶梯 when the tiers price them."""
    return detail["unit_price"] if detail.get("unit_price") is not None else "按阶梯"


NO_DEPARTMENT = "未分部门"


def department_groups(lines: list[dict]) -> list[dict]:
    """Seed 003 case A: the lines grouped by the customer's department, each group with its
    own totals, in the order the departments first appear and lines without one last; no
    groups at all when no line names a department."""
    if not any(line.get("department") for line in lines):
        return []
    groups: dict[str, list[dict]] = {}
    for line in lines:
        groups.setdefault(line.get("department") or "", []).append(line)
    if "" in groups:
        groups[""] = groups.pop("")  # last
    return [_group(name, members) for name, members in groups.items()]


def _group(department: str, lines: list[dict]) -> dict:
    totals = rules.statement_totals(ZERO, (
        rules.LineValues(line["type"], line["amount"], line["owed"]) for line in lines))
    return {"department": department, "label": department or NO_DEPARTMENT,
            "line_count": totals.line_count, "increase": totals.increase,
            "receipts": totals.receipts, "owed_total": totals.owed_total, "lines": lines}
