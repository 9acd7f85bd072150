"""Tortoise models: Credit sales (seed 002): budgets, sales orgs, terms, credit lines and their
operations, orders, shipments, returns, debts, credit receipts and repayments."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.model_fields import MONEY


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


class CreditTerm(Model):
    """账期 by business type, in days. business_type '' is the default (90 unless set)."""

    id = fields.IntField(primary_key=True)
    business_type = fields.CharField(max_length=32, unique=True)
    days = fields.IntField()

    class Meta:
        table = "payment_term"


class CreditAccountStatus(StrEnum):
    """A credit line's state."""

    ACTIVE = "active"
    FROZEN = "frozen"
    EXPIRED = "expired"
    CLOSED = "closed"


class CreditLine(Model):
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
    status = fields.CharField(max_length=16, default=CreditAccountStatus.ACTIVE)
    project = fields.CharField(max_length=100, null=True)
    term_days = fields.IntField(null=True)
    parent = fields.ForeignKeyField(
        "models.CreditLine", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()

    class Meta:
        table = "credit_account"


class CreditOperation(Model):
    """One freeze / unfreeze / use / return (or grant) on a line, with its balances after it."""

    id = fields.BigIntField(primary_key=True)
    account = fields.ForeignKeyField("models.CreditLine", related_name="operations",
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


class CreditOrderStatus(StrEnum):
    """A credit order's state."""

    OPEN = "open"
    SHIPPED = "shipped"
    CLOSED = "closed"
    CANCELLED = "cancelled"


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
    status = fields.CharField(max_length=16, default=CreditOrderStatus.OPEN)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "credit_order"


class OrderCredit(Model):
    """The part of an order's credit taken from one line: frozen until shipped, then used."""

    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("models.CreditOrder", related_name="credits", db_index=True)
    account = fields.ForeignKeyField("models.CreditLine", related_name="order_credits",
                                     db_index=True)
    position = fields.IntField()
    amount = fields.DecimalField(**MONEY)
    frozen = fields.DecimalField(**MONEY)
    used = fields.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        table = "order_credit"


class ShipmentStatus(StrEnum):
    """A shipment, in force or reversed (反审核)."""

    ACTIVE = "active"
    REVERSED = "reversed"


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
    status = fields.CharField(max_length=16, default=ShipmentStatus.ACTIVE)
    created_at = fields.DatetimeField()

    class Meta:
        table = "shipment"


class GoodsReturnStatus(StrEnum):
    """A return, in force or reversed (反审核)."""

    ACTIVE = "active"
    REVERSED = "reversed"


class GoodsReturn(Model):
    """A return (退货, partial too) against a shipment, reversible (退货反审核)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    shipment = fields.ForeignKeyField("models.Shipment", related_name="returns", db_index=True)
    return_date = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    cash = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    credit = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    status = fields.CharField(max_length=16, default=GoodsReturnStatus.ACTIVE)
    created_at = fields.DatetimeField()

    class Meta:
        table = "goods_return"


class DebtStatus(StrEnum):
    """A debt's state."""

    OPEN = "open"
    PAID = "paid"
    RETURNED = "returned"
    REVERSED = "reversed"


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
    status = fields.CharField(max_length=16, default=DebtStatus.OPEN)
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
    account = fields.ForeignKeyField("models.CreditLine", related_name="debt_parts",
                                     db_index=True)
    position = fields.IntField()
    amount = fields.DecimalField(**MONEY)
    returned = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    repaid = fields.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        table = "debt_part"


class CreditLedger(Model):
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


class PaymentStatus(StrEnum):
    """A credit receipt (厂家收款): money received into the ledger, applied when booked."""

    APPLIED = "applied"


class CreditReceipt(Model):
    """Money received from a customer (厂家收款), and where it went."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="payments", db_index=True)
    received_on = fields.DateField()
    amount = fields.DecimalField(**MONEY)
    to_base = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    deposit = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    remainder = fields.DecimalField(**MONEY, default=Decimal("0.00"))
    status = fields.CharField(max_length=16, default=PaymentStatus.APPLIED)
    payer = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "payment"


class Repayment(Model):
    """One repayment of one debt from the repayment account (还款记录)."""

    id = fields.BigIntField(primary_key=True)
    debt = fields.ForeignKeyField("models.Debt", related_name="repayments", db_index=True)
    payment = fields.ForeignKeyField(
        "models.CreditReceipt", related_name="repayments", null=True, on_delete=fields.SET_NULL
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
