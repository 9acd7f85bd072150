"""Tortoise models: Customers, their departments, contacts and how contacts bind and log in."""

from __future__ import annotations

from decimal import Decimal

from tortoise import fields
from tortoise.models import Model

from domain.model_fields import MONEY, blank
from domain.names import name_sort_key


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
    name_sort = fields.CharField(max_length=1400, db_index=True, **blank())

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
    """A person at a customer, reachable on the official account and the mini-program.

    One person across both when WeChat gives the same unionid (domain.contacts)."""

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
    # Set by an unsubscribe event (or a template send refused with 43004), cleared when they
    # follow again: template messages to ``openid`` would fail meanwhile.
    oa_unsubscribed_at = fields.DatetimeField(null=True)

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
    # What the official account's temporary QR code for this code encodes (qrcode/create's
    # `url`) and when WeChat forgets it (at most 30 days on), kept so the image is drawn again
    # without asking WeChat for another ticket while it lives.
    oa_qr_url = fields.CharField(max_length=255, null=True)
    oa_qr_expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "bind_code"


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
