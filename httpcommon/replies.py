"""Response models both APIs answer with (the statement as domain.statements.views shows it)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from httpcommon.fields import DayOut, Id, Moment, Money, OptionalMoment, Reply

StatementStatus = Literal["unconfirmed", "matched", "mismatched"]
DocType = Literal["sales_out", "sales_return", "receipt", "bill", "prepaid_draw"]


class UsageDetail(Reply):
    """Only on a usage bill's line: how it was priced (accounts, unit price or slices)."""

    price_type: Literal["uniform", "stage", "tiered"]
    price_type_label: str


class DocumentFigures(Reply):
    """What a statement line and the documents picker both show of a document."""

    number: str
    type: DocType
    type_label: str
    date: DayOut
    amount: Money
    owed: Money
    account: str


class StatementLine(DocumentFigures):
    detail: UsageDetail | None = None
    department: str | None = None


class CustomerRef(Reply):
    id: Id
    code: str
    name: str


class StatementSummary(Reply):
    id: Id
    customer_id: Id
    date_from: DayOut
    date_to: DayOut
    opening: Money
    increase: Money
    receipts: Money
    closing: Money
    line_count: Id
    owed_total: Money
    received_amount: Money
    status: StatementStatus
    status_label: str
    source_changed: bool
    created_at: Moment
    answered_at: OptionalMoment


class DepartmentGroup(Reply):
    department: str
    label: str
    line_count: Id
    increase: Money
    receipts: Money
    owed_total: Money
    lines: list[StatementLine]


class Statement(StatementSummary):
    """The whole statement: its customer, lines and department groups."""

    customer: CustomerRef
    lines: list[StatementLine]
    departments: list[DepartmentGroup]


Action = Literal["receive", "mismatch", "match", "feedback", "share", "delete", "cancel"]


class StaffExtras(Reply):
    answered_by: str = Field(description="答复人：联系人姓名，或 通过分享链接（时间，设备）")
    view_count: Id
    first_viewed_at: OptionalMoment
    last_viewed_at: OptionalMoment
    actions: list[Action]


class Deleted(Reply):
    deleted: bool


class Rejection(Reply):
    index: Id
    key: str
    errors: list[str]


class IngestResult(Reply):
    """A batch's outcome (domain.ingest_rows.IngestResult): counts and each rejected row."""

    created: Id
    updated: Id
    unchanged: Id
    rejected: list[Rejection]
