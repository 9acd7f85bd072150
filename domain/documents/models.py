"""Tortoise models: The ERP document: statement sources, receipt settlements, the hand-over
documents and the day close that guards them all."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.model_fields import MONEY, blank, zero


class AuditStatus(StrEnum):
    """Where an ERP document stands in the ERP's audit (审核状态)."""

    PENDING = "pending"
    APPROVED = "approved"
    VOID = "void"


class Document(Model):
    """An ERP document: 销售出库单, 销售退货单 or 收款单."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    doc_type = fields.CharField(max_length=16)
    date = fields.DateField()
    customer = fields.ForeignKeyField("models.Customer", related_name="documents")
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="documents", null=True, on_delete=fields.SET_NULL
    )
    amount = fields.DecimalField(**MONEY)
    owed = fields.DecimalField(**MONEY)
    account = fields.CharField(max_length=100, default="")
    status = fields.CharField(max_length=32, default="")  # the ERP's own text, no state of ours
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # ----- daily hand-over (seed 001). Database defaults fill the rows already in and the
    # documents month-end billing writes in raw SQL.
    erp_type = fields.CharField(max_length=32, **blank())  # the ERP's own name: 车销单, 发货单 …
    audit_status = fields.CharField(max_length=16, default=AuditStatus.APPROVED,
                                    db_default=AuditStatus.APPROVED.value)  # DDL takes a str
    driver = fields.ForeignKeyField(
        "models.Staff", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    delivered_on = fields.DateField(null=True)
    reversal = fields.BooleanField(default=False, db_default=False)  # 红冲 or 被红冲
    receipt_kind = fields.CharField(max_length=16, **blank())  # sale | prepayment | deposit
    discount = fields.DecimalField(**MONEY, **zero())  # 收款优惠
    to_prepaid = fields.DecimalField(**MONEY, **zero())  # 转入预收
    remark = fields.TextField(**blank())
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, **blank())
    department = fields.CharField(max_length=100, **blank())  # the customer's, by name

    class Meta:
        table = "document"
        # Day first too: the hand-over list sums everyone's days (domain.handover.report).
        indexes = (("customer_id", "date"), ("salesperson_id", "date"),
                   ("driver_id", "delivered_on"), ("date", "salesperson_id"),
                   ("delivered_on", "driver_id"))


class ReceiptSettlement(Model):
    """What a receipt (收款单) settles: one document of the ERP (核销单据) and how much of it,
    the part paid from the customer's prepaid balance (使用预收) included."""

    id = fields.IntField(primary_key=True)
    receipt = fields.ForeignKeyField("models.Document", related_name="settlements",
                                     db_index=True)
    position = fields.IntField()
    number = fields.CharField(max_length=64)
    doc_type = fields.CharField(max_length=16)
    doc_date = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    prepaid = fields.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        table = "receipt_settlement"


class HandoverDocument(Model):
    """What the three hand-over documents (expense, other income, exchange) share: number, day,
    audit state, items, remark, version and finance's confirmation. Each keeps its own table and
    its own salesperson and customer links (their related names differ)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    date = fields.DateField()
    audit_status = fields.CharField(max_length=16, default=AuditStatus.PENDING)
    items = fields.JSONField(default=list)
    remark = fields.TextField(default="")
    version = fields.IntField(default=1)
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class Expense(HandoverDocument):
    """A salesperson's expense (费用单 / 其他支出单): paid out of an account (支出金额), or put on
    a customer's account and later settled by receipts (收款核销金额)."""

    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="expenses", null=True, on_delete=fields.SET_NULL
    )
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="expenses", null=True, on_delete=fields.SET_NULL
    )
    # items: [{"type": "差旅", "amount": "80.00"}]
    total = fields.DecimalField(**MONEY)
    paid = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    settled = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    account = fields.CharField(max_length=100, default="")
    source = fields.CharField(max_length=16, default="erp")  # | bot

    class Meta:
        table = "expense"
        indexes = (("salesperson_id", "date"), ("date", "salesperson_id"))


class OtherIncome(HandoverDocument):
    """Other income (其他收入单) a salesperson takes in: scrap sales, fees and the like."""

    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="other_incomes", null=True, on_delete=fields.SET_NULL
    )
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="other_incomes", null=True, on_delete=fields.SET_NULL
    )
    # items: [{"type": "废品", "amount": "30.00"}]
    amount = fields.DecimalField(**MONEY)
    account = fields.CharField(max_length=100, default="")

    class Meta:
        table = "other_income"
        indexes = (("salesperson_id", "date"), ("date", "salesperson_id"))


class Exchange(HandoverDocument):
    """Goods exchanged with a customer (兑换货物): what went out, what came back."""

    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="exchanges", null=True, on_delete=fields.SET_NULL
    )
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="exchanges", null=True, on_delete=fields.SET_NULL
    )
    # items: [{"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "out" | "in"}]
    amount = fields.DecimalField(**MONEY, default=Decimal("0.00"))  # difference paid, if any
    submitted_at = fields.DatetimeField()

    class Meta:
        table = "exchange"
        indexes = (("salesperson_id", "date"), ("date", "salesperson_id"))


class DayClose(Model):
    """A closed business day (关账) of one staff member: no new or changed document of theirs
    dated that day comes in, from any source, until finance reopens it."""

    id = fields.IntField(primary_key=True)
    staff = fields.ForeignKeyField("models.Staff", related_name="day_closes")
    day = fields.DateField()
    closed_at = fields.DatetimeField()
    closed_by = fields.CharField(max_length=100, default="")

    class Meta:
        table = "day_close"
        unique_together = (("staff", "day"),)
