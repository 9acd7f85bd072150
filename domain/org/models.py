"""Tortoise models: The staff organisation: staff, departments, business roles."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Staff(Model):
    """A salesperson, approver, manager or finance clerk, known by DingTalk user id."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    dingtalk_userid = fields.CharField(max_length=64, unique=True, null=True)
    # the person across DingTalk apps: the org sync fills it; to-dos and OAuth sign-in address it
    dingtalk_unionid = fields.CharField(max_length=64, null=True)
    department = fields.CharField(max_length=100, default="")
    manager = fields.ForeignKeyField(
        "models.Staff", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"


class Department(Model):
    """A department of the staff organisation, with its head (部门负责人) for approvals."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    # DingTalk's dept_id when the org sync keeps this department (None: entered by hand)
    dingtalk_dept_id = fields.BigIntField(null=True, unique=True)
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


class PasswordLogin(Model):
    """A workbench sign-in by password, set from the CLI (``tally workbench-user``): for people
    not on DingTalk (an admin at set-up), or to give a DingTalk staff member a role their place
    in the org does not (admin). The password is kept only as a scrypt hash."""

    id = fields.IntField(primary_key=True)
    login = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=16)  # domain.actors.ROLES, never erp
    staff = fields.ForeignKeyField(
        "models.Staff", related_name="password_logins", null=True, on_delete=fields.CASCADE
    )
    password_hash = fields.CharField(max_length=200)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "password_login"
