"""Tortoise models: Infrastructure tables every context shares: API keys, idempotency records, the
audit log, channel tokens, handled inbound messages, job runs, run-time settings."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


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


class InboundMessage(Model):
    """Bot messages and callbacks already handled: a redelivery is acknowledged, not redone."""

    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=16)
    message_id = fields.CharField(max_length=128)
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbound_message"
        unique_together = (("source", "message_id"),)


class JobRunStatus(StrEnum):
    """How a job run for a business date ended."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    SKIPPED = "skipped"


class JobRun(Model):
    """One run of a scheduled job for a business date: when, what it did, how it ended."""

    id = fields.BigIntField(primary_key=True)
    job = fields.CharField(max_length=32)
    run_date = fields.DateField()
    status = fields.CharField(max_length=16, default=JobRunStatus.RUNNING)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    counts = fields.JSONField(default=dict)
    error = fields.TextField(default="")

    class Meta:
        table = "job_run"
        unique_together = (("job", "run_date"),)


class AppSetting(Model):
    """A setting finance changes at run time (交款交账参数 …), as JSON under its name."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.JSONField()
    updated_at = fields.DatetimeField()
    updated_by = fields.CharField(max_length=100, default="")

    class Meta:
        table = "app_setting"
