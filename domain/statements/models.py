"""Tortoise models: Customer statements (对账单): lines, events, share links."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.model_fields import MONEY, blank


class StatementStatus(StrEnum):
    """A statement's answer: none yet, or the customer's 相符 / 不符."""

    UNCONFIRMED = "unconfirmed"
    MATCHED = "matched"
    MISMATCHED = "mismatched"


class Statement(Model):
    """A customer statement (对账单): a snapshot of documents over a date range."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="statements")
    date_from = fields.DateField()
    date_to = fields.DateField()
    opening = fields.DecimalField(**MONEY)
    increase = fields.DecimalField(**MONEY)
    receipts = fields.DecimalField(**MONEY)
    closing = fields.DecimalField(**MONEY)
    line_count = fields.IntField()
    owed_total = fields.DecimalField(**MONEY)
    received_amount = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    status = fields.CharField(max_length=16, default=StatementStatus.UNCONFIRMED)
    source_changed = fields.BooleanField(default=False)
    version = fields.IntField(default=1)
    created_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    answered_by = fields.CharField(max_length=100, default="")
    deleted_at = fields.DatetimeField(null=True)
    deleted_by = fields.CharField(max_length=100, default="")
    view_count = fields.IntField(default=0)
    first_viewed_at = fields.DatetimeField(null=True)
    last_viewed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "statement"
        indexes = (("customer_id", "created_at"),)


class StatementLine(Model):
    id = fields.IntField(primary_key=True)
    statement = fields.ForeignKeyField("models.Statement", related_name="lines", db_index=True)
    document = fields.ForeignKeyField(
        "models.Document", related_name="statement_lines", null=True, on_delete=fields.SET_NULL,
        db_index=True,
    )
    position = fields.IntField()
    number = fields.CharField(max_length=64)
    doc_type = fields.CharField(max_length=16)
    date = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    owed = fields.DecimalField(**MONEY)
    account = fields.CharField(max_length=100, default="")
    document_version = fields.IntField(default=1)
    department = fields.CharField(max_length=100, **blank())  # the document's, snapshotted

    class Meta:
        table = "statement_line"


class StatementEvent(Model):
    """Everything said or done on a statement: answers, feedback, confirmations, money, deletion."""

    id = fields.IntField(primary_key=True)
    statement = fields.ForeignKeyField("models.Statement", related_name="events", db_index=True)
    action = fields.CharField(max_length=16)
    result = fields.CharField(max_length=16, default="")
    description = fields.TextField(default="")
    amount = fields.DecimalField(**MONEY, null=True)
    actor_kind = fields.CharField(max_length=16)
    actor = fields.CharField(max_length=100)  # a person's name, or 通过分享链接
    via = fields.CharField(max_length=16, default="")  # h5 | mp for a customer's answer
    # The bound contact who answered, and the device an answer came from ("iPhone 微信").
    contact = fields.ForeignKeyField(
        "models.Contact", related_name="statement_events", null=True,
        on_delete=fields.SET_NULL)
    device = fields.CharField(max_length=32, default="", db_default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "statement_event"


class ShareLink(Model):
    id = fields.IntField(primary_key=True)
    statement = fields.ForeignKeyField(
        "models.Statement", related_name="share_links", db_index=True
    )
    nonce = fields.CharField(max_length=32, unique=True)
    created_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "share_link"
