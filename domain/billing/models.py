"""Tortoise models: Month-end billing (SPEC 6): products, usage, prices, bills, exceptions, penalty
interest and recharges."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.model_fields import MONEY


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


class UsageAccount(Model):
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


class BillStatus(StrEnum):
    """A bill, unpaid until write-offs pay all of it."""

    UNPAID = "unpaid"
    PAID = "paid"


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
    status = fields.CharField(max_length=16, default=BillStatus.UNPAID)  # | paid
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


class BillingExceptionStatus(StrEnum):
    """An exception, open until a later run bills it."""

    OPEN = "open"
    RESOLVED = "resolved"


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
    status = fields.CharField(max_length=16, default=BillingExceptionStatus.OPEN)  # | resolved
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
