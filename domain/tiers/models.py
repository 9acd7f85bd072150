"""Tortoise models: Customer tiers (SPEC 8): contact logs, trial accounts, contracts, tier
changes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.model_fields import MONEY


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
