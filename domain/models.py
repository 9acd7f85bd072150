"""Tortoise models: the stored shape of the business. Rules live in the pure modules beside."""

from __future__ import annotations

from decimal import Decimal

from tortoise import fields
from tortoise.models import Model

from domain import money
from domain.names import name_sort_key

MONEY = {"max_digits": money.MAX_DIGITS, "decimal_places": 2}


def _blank() -> dict:
    return {"default": "", "db_default": ""}


def _zero() -> dict:
    return {"default": Decimal("0.00"), "db_default": Decimal("0.00")}


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
    tier_since = fields.DateField(null=True)
    # A salesperson whose public-pool claim is pending: the customer is out of the pool meanwhile.
    claimed_by = fields.ForeignKeyField(
        "models.Staff", related_name="pool_claims", null=True, on_delete=fields.SET_NULL
    )
    profile = fields.JSONField(default=dict)  # contact details, scored for completeness by tiers
    payment_mode = fields.CharField(max_length=16, default="postpaid")  # | prepaid | prepurchase
    prepaid_balance = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    # Seed 003 E: the receivable is above the credit limit; set when it crosses, cleared when
    # it comes back within, so the salesperson is alerted once per crossing (numbered).
    over_credit_limit = fields.BooleanField(default=False, db_default=False)
    credit_limit_crossings = fields.IntField(default=0, db_default=0)
    disabled = fields.BooleanField(default=False)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # The name's pinyin key (domain.names), kept by save() (a bulk write must fill it itself):
    # lists page in SQL in the order Chinese readers expect.
    name_sort = fields.CharField(max_length=1400, db_index=True, **_blank())

    class Meta:
        table = "customer"

    async def save(self, *args, update_fields=None, **kwargs) -> None:
        self.name_sort = name_sort_key(self.name)
        if update_fields is not None and "name" in update_fields:
            update_fields = [*update_fields, "name_sort"]
        await super().save(*args, update_fields=update_fields, **kwargs)


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


class CustomerDepartment(Model):
    """A department of a customer that orders but does not settle on its own (seed 003 case
    A): documents may name it and the customer's one statement groups its lines by it."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="departments")
    name = fields.CharField(max_length=100)
    code = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "customer_department"
        unique_together = (("customer", "name"),)


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
    # ----- daily hand-over (seed 001). Database defaults fill the rows already in and the
    # documents month-end billing writes in raw SQL.
    erp_type = fields.CharField(max_length=32, **_blank())  # the ERP's own name: 车销单, 发货单 …
    audit_status = fields.CharField(max_length=16, default="approved", db_default="approved")
    driver = fields.ForeignKeyField(
        "models.Staff", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    delivered_on = fields.DateField(null=True)
    reversal = fields.BooleanField(default=False, db_default=False)  # 红冲 or 被红冲
    receipt_kind = fields.CharField(max_length=16, **_blank())  # sale | prepayment | deposit
    discount = fields.DecimalField(**MONEY, **_zero())  # 收款优惠
    to_prepaid = fields.DecimalField(**MONEY, **_zero())  # 转入预收
    remark = fields.TextField(**_blank())
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, **_blank())
    department = fields.CharField(max_length=100, **_blank())  # the customer's, by name

    class Meta:
        table = "document"
        indexes = (("customer_id", "date"), ("salesperson_id", "date"),
                   ("driver_id", "delivered_on"))


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
    department = fields.CharField(max_length=100, **_blank())  # the document's, snapshotted

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
    request_id = fields.CharField(max_length=64, default="", db_default="")  # who caused it

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


# ----- credit sales (seed 002) ---------------------------------------------------------------


class Department(Model):
    """A department of the staff organisation, with its head (部门负责人) for approvals."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    head = fields.ForeignKeyField(
        "models.Staff", related_name="headed_departments", null=True,
        on_delete=fields.SET_NULL,
    )
    parent = fields.ForeignKeyField(
        "models.Department", related_name="children", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "department"


class StaffRole(Model):
    """A business role a staff member holds (财务PFC, 运营 …), for approval nodes."""

    id = fields.IntField(primary_key=True)
    staff = fields.ForeignKeyField("models.Staff", related_name="roles", db_index=True)
    role = fields.CharField(max_length=64, db_index=True)

    class Meta:
        table = "staff_role"
        unique_together = (("staff", "role"),)


class CreditBudget(Model):
    """The enterprise annual credit total (企业年度总额): use across all orgs stays within it."""

    id = fields.IntField(primary_key=True)
    year = fields.IntField(unique=True)
    total = fields.DecimalField(**MONEY)
    used = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    frozen = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    version = fields.IntField(default=1)

    class Meta:
        table = "credit_budget"


class SalesOrg(Model):
    """A sales org (销售组织/销区) with its credit budget and what its customers occupy of it."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=100)
    budget = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    used = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    frozen = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    enabled = fields.BooleanField(default=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()

    class Meta:
        table = "sales_org"


class PaymentTerm(Model):
    """账期 by business type, in days. business_type '' is the default (90 unless set)."""

    id = fields.IntField(primary_key=True)
    business_type = fields.CharField(max_length=32, unique=True)
    days = fields.IntField()

    class Meta:
        table = "payment_term"


class CreditAccount(Model):
    """A credit line (授信账户) of a customer in a sales org."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="credit_accounts",
                                      db_index=True)
    org = fields.ForeignKeyField("models.SalesOrg", related_name="credit_accounts",
                                 db_index=True)
    type = fields.CharField(max_length=16)
    limit = fields.DecimalField(**MONEY)
    used = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    frozen = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    valid_from = fields.DateField(null=True)
    valid_to = fields.DateField(null=True)
    status = fields.CharField(max_length=16, default="active")
    project = fields.CharField(max_length=100, null=True)
    term_days = fields.IntField(null=True)
    parent = fields.ForeignKeyField(
        "models.CreditAccount", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()

    class Meta:
        table = "credit_account"


class CreditOperation(Model):
    """One freeze / unfreeze / use / return (or grant) on a line, with its balances after it."""

    id = fields.BigIntField(primary_key=True)
    account = fields.ForeignKeyField("models.CreditAccount", related_name="operations",
                                     db_index=True)
    op = fields.CharField(max_length=16)
    amount = fields.DecimalField(**MONEY)
    limit_after = fields.DecimalField(**MONEY)
    used_after = fields.DecimalField(**MONEY)
    frozen_after = fields.DecimalField(**MONEY)
    available_after = fields.DecimalField(**MONEY)
    ref_type = fields.CharField(max_length=16, default="")
    ref_id = fields.CharField(max_length=64, default="")
    actor = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "credit_operation"


class CreditOrder(Model):
    """An ERP sales order paid in cash and credit (用信订单)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="credit_orders",
                                      db_index=True)
    org = fields.ForeignKeyField("models.SalesOrg", related_name="orders", db_index=True)
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="credit_orders", null=True, on_delete=fields.SET_NULL
    )
    business_type = fields.CharField(max_length=32, default="")
    project = fields.CharField(max_length=100, null=True)
    order_date = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    cash = fields.DecimalField(**MONEY)
    credit = fields.DecimalField(**MONEY)
    cash_left = fields.DecimalField(**MONEY)
    credit_left = fields.DecimalField(**MONEY)
    status = fields.CharField(max_length=16, default="open")
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "credit_order"


class OrderCredit(Model):
    """The part of an order's credit taken from one line: frozen until shipped, then used."""

    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("models.CreditOrder", related_name="credits", db_index=True)
    account = fields.ForeignKeyField("models.CreditAccount", related_name="order_credits",
                                     db_index=True)
    position = fields.IntField()
    amount = fields.DecimalField(**MONEY)
    frozen = fields.DecimalField(**MONEY)
    used = fields.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        table = "order_credit"


class Shipment(Model):
    """An ERP delivery (发货/出库单) against a credit order."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    order = fields.ForeignKeyField("models.CreditOrder", related_name="shipments",
                                   db_index=True)
    ship_date = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    cash = fields.DecimalField(**MONEY)
    credit = fields.DecimalField(**MONEY)
    returned = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    status = fields.CharField(max_length=16, default="active")
    created_at = fields.DatetimeField()

    class Meta:
        table = "shipment"


class GoodsReturn(Model):
    """A return (退货, partial too) against a shipment, reversible (退货反审核)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    shipment = fields.ForeignKeyField("models.Shipment", related_name="returns", db_index=True)
    return_date = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    cash = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    credit = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    status = fields.CharField(max_length=16, default="active")
    created_at = fields.DatetimeField()

    class Meta:
        table = "goods_return"


class Debt(Model):
    """A debt (借款/欠款) a shipment's credit part creates, due on ship date + term."""

    id = fields.IntField(primary_key=True)
    shipment = fields.ForeignKeyField("models.Shipment", related_name="debts", db_index=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="debts")
    org = fields.ForeignKeyField("models.SalesOrg", related_name="debts", db_index=True)
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="debts", null=True, on_delete=fields.SET_NULL,
        db_index=True,
    )
    business_type = fields.CharField(max_length=32, default="")
    debt_date = fields.DateField()
    term_days = fields.IntField()
    due_date = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    returned = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    repaid = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    outstanding = fields.DecimalField(**MONEY)
    status = fields.CharField(max_length=16, default="open")
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "debt"
        indexes = (("status", "due_date"), ("customer_id", "status"))


class DebtPart(Model):
    """The part of a debt drawn on one credit line: repaying it restores that line if revolving."""

    id = fields.IntField(primary_key=True)
    debt = fields.ForeignKeyField("models.Debt", related_name="parts", db_index=True)
    account = fields.ForeignKeyField("models.CreditAccount", related_name="debt_parts",
                                     db_index=True)
    position = fields.IntField()
    amount = fields.DecimalField(**MONEY)
    returned = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    repaid = fields.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        table = "debt_part"


class CustomerAccount(Model):
    """A customer's base account debt (基本账户欠款), repayment account (还款账户), deposit
    (保证金) and unapplied remainder, kept so that credit debt + repayment balance = base debt."""

    id = fields.IntField(primary_key=True)
    customer = fields.OneToOneField("models.Customer", related_name="credit_ledger")
    base_debt = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    repayment_balance = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    deposit = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    unapplied = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    version = fields.IntField(default=1)

    class Meta:
        table = "customer_account"


class Payment(Model):
    """Money received from a customer (厂家收款), and where it went."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="payments", db_index=True)
    received_on = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    to_base = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    deposit = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    remainder = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    status = fields.CharField(max_length=16, default="applied")
    payer = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "payment"


class Repayment(Model):
    """One repayment of one debt from the repayment account (还款记录)."""

    id = fields.BigIntField(primary_key=True)
    debt = fields.ForeignKeyField("models.Debt", related_name="repayments", db_index=True)
    payment = fields.ForeignKeyField(
        "models.Payment", related_name="repayments", null=True, on_delete=fields.SET_NULL
    )
    amount = fields.DecimalField(**MONEY)
    manual = fields.BooleanField(default=False)
    actor = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "repayment"


class DebtReminder(Model):
    """A reminder stage already sent for a debt (at most once per debt, due date and stage)."""

    id = fields.BigIntField(primary_key=True)
    debt = fields.ForeignKeyField("models.Debt", related_name="reminders", db_index=True)
    due_date = fields.DateField()
    stage = fields.CharField(max_length=16)
    sent_on = fields.DateField()

    class Meta:
        table = "debt_reminder"
        unique_together = (("debt", "due_date", "stage"),)


class JobRun(Model):
    """One run of a scheduled job for a business date: when, what it did, how it ended."""

    id = fields.BigIntField(primary_key=True)
    job = fields.CharField(max_length=32)
    run_date = fields.DateField()
    status = fields.CharField(max_length=16, default="running")
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    counts = fields.JSONField(default=dict)
    error = fields.TextField(default="")

    class Meta:
        table = "job_run"
        unique_together = (("job", "run_date"),)


# ----- approvals (SPEC 5) ----------------------------------------------------------------------


class ApprovalFlow(Model):
    """One approval (授信申请, 账期更改, 款项认领, 还款审批 …): its form and where it stands."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    title = fields.CharField(max_length=200)
    initiator = fields.ForeignKeyField("models.Staff", related_name="initiated_flows",
                                       db_index=True)
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="approval_flows", null=True, on_delete=fields.SET_NULL
    )
    form = fields.JSONField(default=dict)
    nodes = fields.JSONField(default=list)
    current_node = fields.IntField(default=0)
    status = fields.CharField(max_length=16, default="pending")
    result = fields.JSONField(default=dict)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    # What the flow holds for itself while it lives (e.g. the receipt a 款项认领 claims), so no
    # second flow can start on it. Kept once approved, released when rejected or withdrawn.
    hold_key = fields.CharField(max_length=100, null=True, unique=True)

    class Meta:
        table = "approval_flow"
        indexes = (("status", "kind"),)


class ApprovalTask(Model):
    """A node's task for one approver. For "any one of the role" every holder gets one."""

    id = fields.IntField(primary_key=True)
    flow = fields.ForeignKeyField("models.ApprovalFlow", related_name="tasks", db_index=True)
    node = fields.IntField()
    round = fields.IntField(default=1)
    approver = fields.ForeignKeyField("models.Staff", related_name="approval_tasks",
                                      db_index=True)
    status = fields.CharField(max_length=16, default="pending")
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField()
    acted_at = fields.DatetimeField(null=True)
    reminded_on = fields.DateField(null=True)

    class Meta:
        table = "approval_task"
        indexes = (("status", "created_at"),)


class ApprovalAction(Model):
    """Who did what on a flow, when, and with which comment (the flow's history)."""

    id = fields.IntField(primary_key=True)
    flow = fields.ForeignKeyField("models.ApprovalFlow", related_name="actions", db_index=True)
    node = fields.IntField()
    actor = fields.ForeignKeyField(
        "models.Staff", related_name="approval_actions", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=16)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "approval_action"


# ----- month-end billing (SPEC 6) -------------------------------------------------------------


class Product(Model):
    """A usage-billed product of a customer: its accounts' monthly usage is billed at its price."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="products", db_index=True)
    name = fields.CharField(max_length=200)
    payment_term_months = fields.SmallIntField(default=1)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "product"


class ProductAccount(Model):
    """An account (账号) of a product: usage is counted per account."""

    id = fields.IntField(primary_key=True)
    product = fields.ForeignKeyField("models.Product", related_name="accounts", db_index=True)
    account = fields.CharField(max_length=64, unique=True)
    interest_free = fields.BooleanField(default=False)  # on the no-interest list (不计息账号)
    created_at = fields.DatetimeField()

    class Meta:
        table = "product_account"


class Usage(Model):
    """One account's usage (发送量) in one month, the period being the month's first day."""

    id = fields.BigIntField(primary_key=True)
    account = fields.CharField(max_length=64)
    period = fields.DateField()
    quantity = fields.BigIntField()
    source = fields.CharField(max_length=16, default="api")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "usage_record"
        unique_together = (("account", "period"),)
        indexes = (("period", "account"),)


class PriceAdjustment(Model):
    """A product's price from a date on (调价): uniform, stage (volume) or tiered (graduated)."""

    id = fields.IntField(primary_key=True)
    product = fields.ForeignKeyField("models.Product", related_name="prices", db_index=True)
    effective_from = fields.DateField()
    price_type = fields.CharField(max_length=16)
    tiers = fields.JSONField(default=list)  # [{"up_to": 10000 or null, "price": "0.035000"}]
    note = fields.TextField(default="")
    created_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "price_adjustment"
        unique_together = (("product", "effective_from"),)


class Bill(Model):
    """One product's bill for one period (账单), issued once, paid through write-offs."""

    id = fields.BigIntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="bills", db_index=True)
    product = fields.ForeignKeyField("models.Product", related_name="bills")
    period = fields.DateField()
    quantity = fields.BigIntField()
    price_type = fields.CharField(max_length=16)
    amount = fields.DecimalField(**MONEY)
    paid = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    status = fields.CharField(max_length=16, default="unpaid")  # | paid
    bill_date = fields.DateField()
    due_date = fields.DateField()
    # No interest_free here: the no-interest list (不计息账号) is read when penalties are
    # charged, from the product's accounts, so a change to it counts for bills already made.
    document = fields.ForeignKeyField(
        "models.Document", related_name="bills", null=True, on_delete=fields.SET_NULL
    )
    statement = fields.ForeignKeyField(
        "models.Statement", related_name="bills", null=True, on_delete=fields.SET_NULL
    )
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    # How it was priced (assess.Priced.detail): each account's quantity, the unit price or the
    # 阶梯价 slices; null for bills written before it was kept.
    detail = fields.JSONField(null=True)

    class Meta:
        table = "bill"
        unique_together = (("product", "period"),)
        # document_id: a statement's bill lines find their bills by document
        indexes = (("status", "due_date"), ("customer_id", "status"), ("document_id",))


class BillingException(Model):
    """What could not be billed for a period, and why (a product, or usage of an unknown
    account). Open until a later run bills it."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=128, unique=True)  # period, product or account, reason
    period = fields.DateField()
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="billing_exceptions", null=True,
        on_delete=fields.SET_NULL,
    )
    product = fields.ForeignKeyField(
        "models.Product", related_name="billing_exceptions", null=True,
        on_delete=fields.SET_NULL,
    )
    account = fields.CharField(max_length=64, default="")
    reason = fields.CharField(max_length=32)
    detail = fields.TextField(default="")
    status = fields.CharField(max_length=16, default="open")  # | resolved
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "billing_exception"
        indexes = (("status", "period"),)


class PenaltyCharge(Model):
    """Penalty interest (罚息) on an overdue bill for one started overdue month: a receivable
    of its own, still owed after the bill is paid."""

    id = fields.BigIntField(primary_key=True)
    bill = fields.ForeignKeyField("models.Bill", related_name="penalties", db_index=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="penalties",
                                      db_index=True)
    # 1 = the first month past the due date. A term change renumbers from the new due date:
    # months now inside the term are 0, −1 … (and credited, see PenaltyCredit).
    month_index = fields.SmallIntField()
    accrued_on = fields.DateField()
    base = fields.DecimalField(**MONEY)
    rate = fields.DecimalField(max_digits=9, decimal_places=6)
    amount = fields.DecimalField(**MONEY)  # what is charged, net of its credits
    paid = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    created_at = fields.DatetimeField()

    class Meta:
        table = "penalty_charge"
        unique_together = (("bill", "month_index"),)


class PenaltyCredit(Model):
    """Penalty interest taken back (罚息冲销), with why, by whom and through which approval.
    A term change puts the month inside the allowed term (seed 004, V17)."""

    id = fields.BigIntField(primary_key=True)
    penalty = fields.ForeignKeyField("models.PenaltyCharge", related_name="credits",
                                     db_index=True)
    amount = fields.DecimalField(**MONEY)
    reason = fields.CharField(max_length=200)
    flow = fields.ForeignKeyField("models.ApprovalFlow", related_name="penalty_credits",
                                  null=True, on_delete=fields.SET_NULL)
    created_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "penalty_credit"


class Recharge(Model):
    """Money a prepaid or pre-purchase customer put in (销售充值), which usage bills draw on."""

    id = fields.IntField(primary_key=True)
    reference = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="recharges", db_index=True)
    amount = fields.DecimalField(**MONEY)  # negative for a refund
    recharged_on = fields.DateField()
    created_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "recharge"


# ----- payments pool, write-off and invoices (SPEC 7) ---------------------------------------


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
    status = fields.CharField(max_length=16, default="unmatched")
    note = fields.TextField(default="")  # why it was not written off automatically
    version = fields.IntField(default=1)
    imported_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "pool_payment"
        indexes = (("status", "received_on"),)


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
    status = fields.CharField(max_length=16, default="pending")  # | done | rejected
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


class InvoiceRequest(Model):
    """An invoice asked for bills (账单开票): 普票 (normal) or 专票 (special)."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="invoice_requests",
                                      db_index=True)
    kind = fields.CharField(max_length=16)
    amount = fields.DecimalField(**MONEY)
    invoice = fields.JSONField(default=dict)  # the invoice fields as they were asked for
    status = fields.CharField(max_length=16, default="requested")  # | cancelled
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


# ----- customer tiers (SPEC 8) ----------------------------------------------------------------


class ContactLog(Model):
    """A salesperson's contact with a customer (联系日志)."""

    id = fields.BigIntField(primary_key=True)
    external_id = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="contact_logs")
    staff = fields.ForeignKeyField(
        "models.Staff", related_name="contact_logs", null=True, on_delete=fields.SET_NULL
    )
    contacted_on = fields.DateField()
    note = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "contact_log"
        indexes = (("customer_id", "contacted_on"),)


class TrialAccount(Model):
    """A test account applied for a customer (测试账号申请): counts once its flow is archived."""

    id = fields.IntField(primary_key=True)
    external_id = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="test_accounts",
                                      db_index=True)
    account = fields.CharField(max_length=64, default="")
    archived_on = fields.DateField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "test_account"


class Contract(Model):
    """A customer's contract (合同评审): counts once its flow is archived, while in force."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="contracts",
                                      db_index=True)
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    archived_on = fields.DateField(null=True)
    amount = fields.DecimalField(**MONEY, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "contract"


class TierChange(Model):
    """A tier move, or a notice without one, by rule: once per customer, rule and month."""

    id = fields.BigIntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="tier_changes",
                                      db_index=True)
    rule = fields.CharField(max_length=32)
    from_tier = fields.CharField(max_length=16)
    to_tier = fields.CharField(max_length=16)
    # The salesperson at the time: a move to the pool clears the customer's, not this one.
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="tier_changes", null=True, on_delete=fields.SET_NULL
    )
    day = fields.DateField()
    month = fields.CharField(max_length=7)  # YYYY-MM
    created_at = fields.DatetimeField()

    class Meta:
        table = "tier_change"
        unique_together = (("customer", "rule", "month"),)


# ----- daily hand-over and day close (SPEC 9) -------------------------------------------------


class Expense(Model):
    """A salesperson's expense (费用单 / 其他支出单): paid out of an account (支出金额), or put on
    a customer's account and later settled by receipts (收款核销金额)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    date = fields.DateField()
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="expenses", null=True, on_delete=fields.SET_NULL
    )
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="expenses", null=True, on_delete=fields.SET_NULL
    )
    audit_status = fields.CharField(max_length=16, default="pending")
    items = fields.JSONField(default=list)  # [{"type": "差旅", "amount": "80.00"}]
    total = fields.DecimalField(**MONEY)
    paid = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    settled = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    account = fields.CharField(max_length=100, default="")
    remark = fields.TextField(default="")
    source = fields.CharField(max_length=16, default="erp")  # | bot
    version = fields.IntField(default=1)
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "expense"
        indexes = (("salesperson_id", "date"),)


class OtherIncome(Model):
    """Other income (其他收入单) a salesperson takes in: scrap sales, fees and the like."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    date = fields.DateField()
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="other_incomes", null=True, on_delete=fields.SET_NULL
    )
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="other_incomes", null=True, on_delete=fields.SET_NULL
    )
    audit_status = fields.CharField(max_length=16, default="pending")
    items = fields.JSONField(default=list)  # [{"type": "废品", "amount": "30.00"}]
    amount = fields.DecimalField(**MONEY)
    account = fields.CharField(max_length=100, default="")
    remark = fields.TextField(default="")
    version = fields.IntField(default=1)
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "other_income"
        indexes = (("salesperson_id", "date"),)


class Exchange(Model):
    """Goods exchanged with a customer (兑换货物): what went out, what came back."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    date = fields.DateField()
    salesperson = fields.ForeignKeyField(
        "models.Staff", related_name="exchanges", null=True, on_delete=fields.SET_NULL
    )
    customer = fields.ForeignKeyField(
        "models.Customer", related_name="exchanges", null=True, on_delete=fields.SET_NULL
    )
    audit_status = fields.CharField(max_length=16, default="pending")
    # [{"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "out" | "in"}]
    items = fields.JSONField(default=list)
    amount = fields.DecimalField(**MONEY, default=Decimal("0.00"))  # difference paid, if any
    submitted_at = fields.DatetimeField()
    remark = fields.TextField(default="")
    version = fields.IntField(default=1)
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "exchange"
        indexes = (("salesperson_id", "date"),)


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


class AppSetting(Model):
    """A setting finance changes at run time (交款交账参数 …), as JSON under its name."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.JSONField()
    updated_at = fields.DatetimeField()
    updated_by = fields.CharField(max_length=100, default="")

    class Meta:
        table = "app_setting"
