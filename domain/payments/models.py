"""Tortoise models: The payments pool, write-offs and invoice requests (SPEC 7)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.model_fields import MONEY


class PoolPaymentStatus(StrEnum):
    """A pool payment: matched to a customer, partly or fully written off."""

    UNMATCHED = "unmatched"
    MATCHED = "matched"
    PARTLY = "partly"
    WRITTEN_OFF = "written_off"


class PoolPayment(Model):
    """A received payment finance imported (到款), until it is matched and written off."""

    id = fields.BigIntField(primary_key=True)
    reference = fields.CharField(max_length=64, unique=True)
    payer_name = fields.CharField(max_length=200)
    payer_key = fields.CharField(max_length=200, db_index=True)  # trimmed, full-width folded
    amount = fields.DecimalField(**MONEY)
    remaining = fields.DecimalField(**MONEY)
    received_on = fields.DateField()
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="pool_payments", null=True, on_delete=fields.SET_NULL,
        db_index=True,
    )
    matched_by = fields.CharField(max_length=16, default="")  # name | invoice_company | manual
    status = fields.CharField(max_length=16, default=PoolPaymentStatus.UNMATCHED)
    note = fields.TextField(default="")  # why it was not written off automatically
    version = fields.IntField(default=1)
    imported_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "pool_payment"
        indexes = (("status", "received_on"),)


class WriteOffStatus(StrEnum):
    """A write-off: in approval, done or rejected."""

    PENDING = "pending"
    DONE = "done"
    REJECTED = "rejected"


class WriteOff(Model):
    """A pool payment set against bills (销账), through a write-off flow."""

    id = fields.BigIntField(primary_key=True)
    payment = fields.ForeignKeyField("models.PoolPayment", related_name="write_offs",
                                     db_index=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="write_offs",
                                      db_index=True)
    flow = fields.ForeignKeyField(
        "models.ApprovalFlow", related_name="write_offs", null=True, on_delete=fields.SET_NULL
    )
    automatic = fields.BooleanField(default=False)
    amount = fields.DecimalField(**MONEY)
    status = fields.CharField(max_length=16, default=WriteOffStatus.PENDING)  # | done | rejected
    created_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "write_off"


class WriteOffBill(Model):
    """How much of one bill a write-off pays."""

    id = fields.BigIntField(primary_key=True)
    write_off = fields.ForeignKeyField("models.WriteOff", related_name="lines", db_index=True)
    bill = fields.ForeignKeyField("models.Bill", related_name="write_off_lines", db_index=True)
    amount = fields.DecimalField(**MONEY)

    class Meta:
        table = "write_off_bill"


class WriteOffPenalty(Model):
    """How much of one penalty charge (罚息) a write-off pays."""

    id = fields.BigIntField(primary_key=True)
    write_off = fields.ForeignKeyField("models.WriteOff", related_name="penalty_lines",
                                      db_index=True)
    penalty = fields.ForeignKeyField("models.PenaltyCharge", related_name="write_off_lines",
                                    db_index=True)
    amount = fields.DecimalField(**MONEY)

    class Meta:
        table = "write_off_penalty"


class InvoiceRequestStatus(StrEnum):
    """An invoice request's state."""

    REQUESTED = "requested"
    CANCELLED = "cancelled"


class InvoiceRequest(Model):
    """An invoice asked for bills (账单开票): 普票 (normal) or 专票 (special)."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="invoice_requests",
                                      db_index=True)
    kind = fields.CharField(max_length=16)
    amount = fields.DecimalField(**MONEY)
    invoice = fields.JSONField(default=dict)  # the invoice fields as they were asked for
    status = fields.CharField(max_length=16, default=InvoiceRequestStatus.REQUESTED)  # | cancelled
    created_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "invoice_request"


class InvoiceRequestBill(Model):
    id = fields.BigIntField(primary_key=True)
    request = fields.ForeignKeyField("models.InvoiceRequest", related_name="lines",
                                     db_index=True)
    bill = fields.ForeignKeyField("models.Bill", related_name="invoice_lines", db_index=True)
    amount = fields.DecimalField(**MONEY)

    class Meta:
        table = "invoice_request_bill"
