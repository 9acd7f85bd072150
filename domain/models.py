"""Tortoise models: the stored shape of the business. Rules live in the pure modules beside."""

from __future__ import annotations

from decimal import Decimal

from tortoise import fields
from tortoise.models import Model

MONEY = {"max_digits": 16, "decimal_places": 2}


class Staff(Model):
    """A salesperson, approver, manager or finance clerk, known by DingTalk user id."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    dingtalk_userid = fields.CharField(max_length=64, unique=True, null=True)
    department = fields.CharField(max_length=100, default="")
    manager = fields.ForeignKeyField(
        "models.Staff", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    key_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    role = fields.CharField(max_length=16)
    staff = fields.ForeignKeyField(
        "models.Staff", related_name="api_keys", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class Customer(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="customers", null=True, on_delete=fields.SET_NULL,
        db_index=True,
    )
    sales_org = fields.CharField(max_length=100, default="")
    parent = fields.ForeignKeyField(
        "models.Customer", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    settlement_mode = fields.CharField(max_length=16, default="on_account")
    can_prepay = fields.BooleanField(default=False)
    group_name = fields.CharField(max_length=100, default="")
    statement_day = fields.SmallIntField(default=1)
    credit_limit = fields.DecimalField(**MONEY, null=True)
    invoice = fields.JSONField(default=dict)
    tier = fields.CharField(max_length=16, default="intent")
    disabled = fields.BooleanField(default=False)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "customer"


class CustomerShare(Model):
    """A customer shared with another salesperson, who may then see it."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="shares")
    staff = fields.ForeignKeyField(
        "models.Staff", related_name="shared_customers", db_index=True
    )

    class Meta:
        table = "customer_share"
        unique_together = (("customer", "staff"),)


class Contact(Model):
    """A person at a customer, bound to at most one WeChat identity."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="contacts", null=True, db_index=True
    )
    external_id = fields.CharField(max_length=64, unique=True, null=True)
    name = fields.CharField(max_length=100, default="")
    phone = fields.CharField(max_length=32, default="")
    openid = fields.CharField(max_length=64, unique=True, null=True)
    mp_openid = fields.CharField(max_length=64, unique=True, null=True)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    bound_at = fields.DatetimeField(null=True)

    class Meta:
        table = "contact"


class BindCode(Model):
    """A one-time code that binds whoever redeems it to a customer."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="bind_codes")
    contact = fields.ForeignKeyField(
        "models.Contact", related_name="bind_codes", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by = fields.ForeignKeyField(
        "models.Contact", related_name="redeemed_codes", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "bind_code"


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
    status = fields.CharField(max_length=32, default="")
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "document"
        indexes = (("customer_id", "date"),)


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
    status = fields.CharField(max_length=16, default="unconfirmed")
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
    actor = fields.CharField(max_length=100)
    via = fields.CharField(max_length=16, default="")
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


class MpSession(Model):
    """A mini-program login: our opaque token for a WeChat openid."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    openid = fields.CharField(max_length=64, db_index=True)
    unionid = fields.CharField(max_length=64, null=True)
    session_key = fields.CharField(max_length=128, default="")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "mp_session"


class OutboxMessage(Model):
    """A notice the domain decided to send, drained by delivery."""

    # No semicolons in model docstrings: tortoise's SQLite migrations split SQL on them.

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    kind = fields.CharField(max_length=32)
    recipient_kind = fields.CharField(max_length=16)
    recipient_id = fields.CharField(max_length=64)
    recipient_name = fields.CharField(max_length=100, default="")
    payload = fields.JSONField()
    dedupe_key = fields.CharField(max_length=200, unique=True)
    status = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    business_date = fields.DateField()
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    provider_ref = fields.CharField(max_length=128, default="")

    class Meta:
        table = "outbox"
        indexes = (("status", "next_attempt_at"), ("business_date",))


class IdempotencyRecord(Model):
    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=64)
    key = fields.CharField(max_length=128)
    fingerprint = fields.CharField(max_length=64)
    status_code = fields.IntField(null=True)
    body = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency"
        unique_together = (("scope", "key"),)


class AuditLog(Model):
    id = fields.BigIntField(primary_key=True)
    actor = fields.CharField(max_length=100)
    action = fields.CharField(max_length=32)
    entity = fields.CharField(max_length=32)
    entity_id = fields.CharField(max_length=64)
    detail = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()

    class Meta:
        table = "audit_log"
        indexes = (("entity", "entity_id"),)


class WeChatToken(Model):
    """A WeChat access token shared by every replica, with the expiry WeChat gave it."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=128, unique=True)
    value = fields.TextField()
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "wechat_token"


class MpSubscription(Model):
    """How many mini-program subscribe messages of a template a contact has agreed to receive."""

    id = fields.IntField(primary_key=True)
    contact = fields.ForeignKeyField("models.Contact", related_name="subscriptions", db_index=True)
    template_id = fields.CharField(max_length=64)
    remaining = fields.IntField(default=0)

    class Meta:
        table = "mp_subscription"
        unique_together = (("contact", "template_id"),)


class CardInstance(Model):
    """An interactive DingTalk card sent to a staff member, and what they did with it."""

    id = fields.IntField(primary_key=True)
    out_track_id = fields.CharField(max_length=64, unique=True)
    kind = fields.CharField(max_length=32)
    staff = fields.ForeignKeyField("models.Staff", related_name="cards", db_index=True)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16, default="open")
    data = fields.JSONField(default=dict)
    action = fields.CharField(max_length=32, default="")
    comment = fields.TextField(default="")
    acted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "card_instance"
        indexes = (("staff_id", "status"),)


class InboundMessage(Model):
    """Bot messages and callbacks already handled: a redelivery is acknowledged, not redone."""

    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=16)
    message_id = fields.CharField(max_length=128)
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbound_message"
        unique_together = (("source", "message_id"),)
