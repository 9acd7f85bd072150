"""Tortoise models: the events the ERP hears of (the pull feed's rows)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Event(Model):
    """Something that happened in Tally, published in the transaction that made it happen.
    The id grows with each event and is the pull feed's cursor."""

    # No semicolons in model docstrings: tortoise's SQLite migrations split SQL on them.

    id = fields.BigIntField(primary_key=True)
    type = fields.CharField(max_length=48)
    key = fields.CharField(max_length=200, unique=True)  # once per happening (re-runs add none)
    occurred_at = fields.DatetimeField()
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.CharField(max_length=64)
    customer_id = fields.IntField(null=True)  # the customer it is about, if any (no FK: kept)
    payload = fields.JSONField()
    request_id = fields.CharField(max_length=64, default="")  # the request that caused it

    class Meta:
        table = "event"
        indexes = (("occurred_at",),)
