"""Tortoise models: Notices on their way out (the outbox), subscribe-message quotas and the
interactive cards staff answer."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    """An outbox row's delivery: waiting, leased by a dispatcher, delivered, or given up."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


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
    status = fields.CharField(max_length=16, default=OutboxStatus.PENDING)
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


class MpSubscription(Model):
    """How many mini-program subscribe messages of a template a contact has agreed to receive."""

    id = fields.IntField(primary_key=True)
    contact = fields.ForeignKeyField("models.Contact", related_name="subscriptions", db_index=True)
    template_id = fields.CharField(max_length=64)
    remaining = fields.IntField(default=0)

    class Meta:
        table = "mp_subscription"
        unique_together = (("contact", "template_id"),)


class CardStatus(StrEnum):
    """An interactive card: still to act on, or done."""

    OPEN = "open"
    DONE = "done"


class CardInstance(Model):
    """An interactive DingTalk card sent to a staff member, and what they did with it."""

    id = fields.IntField(primary_key=True)
    out_track_id = fields.CharField(max_length=64, unique=True)
    kind = fields.CharField(max_length=32)
    staff = fields.ForeignKeyField("models.Staff", related_name="cards", db_index=True)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16, default=CardStatus.OPEN)
    data = fields.JSONField(default=dict)
    action = fields.CharField(max_length=32, default="")
    comment = fields.TextField(default="")
    acted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "card_instance"
        indexes = (("staff_id", "status"),)
