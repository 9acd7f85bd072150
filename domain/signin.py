"""Who a workbench session is: a staff member signed in through DingTalk (免登 or QR login), or a
password login set from the CLI. Each request turns the session's reference back into an
``Actor`` here, so a person who left, or whose role changed, loses access at their next click.

A DingTalk person gets the actor their place in the org gives them (``org_actor``: the finance
role sees every customer, a manager their team's), unless a password login is linked to them,
whose role then applies (how an admin who is on DingTalk is made).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache

from domain.actors import ERP, ROLES, SALES, Actor
from domain.common_errors import BAD_ROLE, STAFF_NOT_FOUND, STAFF_REQUIRED
from domain.limits import column_length
from domain.org.errors import (
    BAD_PASSWORD,
    NOT_STAFF,
    SIGNED_OUT,
    STAFF_ALREADY_LINKED,
    WEAK_PASSWORD,
)
from domain.org.models import PasswordLogin, Staff
from domain.staff_queries import org_actor, team_of

MIN_PASSWORD = 10
# scrypt as OWASP suggests for interactive logins (N=2^15, r=8, p=1: 32 MiB, ~50 ms)
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024
_HASHING = asyncio.Semaphore(2)  # scrypt runs in threads, two at a time (32 MiB each)
STAFF, LOGIN = "staff", "login"  # what a session refers to


@dataclass(frozen=True)
class Who:
    """What a session keeps: ``("staff", staff id)`` or ``("login", password login id)`` with
    the login's stamp, which changes with its password (so a new password ends old sessions)."""

    kind: str
    id: int
    stamp: str = ""

    def dump(self) -> str:
        return f"{self.kind}:{self.id}:{self.stamp}"

    @staticmethod
    def load(text: object) -> Who | None:
        kind, _, rest = str(text or "").partition(":")
        raw, _, stamp = rest.partition(":")
        if kind in (STAFF, LOGIN) and raw.isascii() and raw.isdigit() and len(raw) < 12:
            return Who(kind, int(raw), stamp)
        return None


def login_stamp(record: PasswordLogin) -> str:
    """A short fingerprint of the login's password hash (never the hash itself)."""
    return hashlib.sha256(record.password_hash.encode()).hexdigest()[:16]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


async def password_checks(password: str, stored: str) -> bool:
    """``password_matches`` off the event loop (scrypt takes ~50-200 ms of CPU), a few at a
    time, so a burst of sign-ins cannot stall the service."""
    async with _HASHING:
        return await asyncio.to_thread(password_matches, password, stored)


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        got = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(got, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM,
                          dklen=32)


async def set_password_login(login: str, name: str, role: str, password: str,
                             staff_userid: str | None = None) -> PasswordLogin:
    """Create or update a password login (the CLI's ``tally workbench-user``)."""
    if role not in ROLES or role == ERP:
        raise BAD_ROLE(f"角色必须是 {', '.join(r for r in ROLES if r != ERP)} 之一", role=role)
    if len(password) < MIN_PASSWORD:
        raise WEAK_PASSWORD(f"密码至少 {MIN_PASSWORD} 位")
    staff = None
    if staff_userid:
        staff = await Staff.get_or_none(dingtalk_userid=staff_userid)
        if staff is None:
            raise STAFF_NOT_FOUND(f"员工 {staff_userid} 不存在")
    if role == SALES and staff is None:
        raise STAFF_REQUIRED("sales 角色的登录必须关联一名业务员（--staff）")
    if staff is not None and await PasswordLogin.filter(staff_id=staff.id).exclude(
            login=login).exists():
        raise STAFF_ALREADY_LINKED(f"员工 {staff_userid} 已有另一个工作台登录")
    values = {"name": name, "role": role, "staff_id": staff.id if staff else None,
              "password_hash": await asyncio.to_thread(hash_password, password), "active": True}
    record, created = await PasswordLogin.get_or_create(defaults=values, login=login)
    if not created:
        await record.update_from_dict(values).save()
    return record


async def sign_in_with_password(login: str, password: str) -> Who:
    login = login.strip()
    # a login longer than the column is nobody's (the store would refuse the lookup)
    fits = len(login) <= column_length(PasswordLogin, "login")
    record = await PasswordLogin.get_or_none(login=login, active=True).prefetch_related(
        "staff") if fits else None
    # hash even for an unknown login, so timing does not tell which logins exist
    stored = record.password_hash if record else _dummy_hash()
    matches = await password_checks(password, stored)
    # a login whose staff member left is refused like a wrong password: it confirms nothing
    if not matches or record is None or (record.staff is not None and not record.staff.active):
        raise BAD_PASSWORD("账号或密码不对")
    return Who(LOGIN, record.id, login_stamp(record))


async def staff_signing_in(*, userid: str | None = None, unionid: str | None = None) -> Who:
    """The staff member DingTalk vouched for (by user id from 免登, by unionid from QR login)."""
    match = {"dingtalk_userid": userid} if userid else {"dingtalk_unionid": unionid}
    staff = await Staff.filter(active=True, **match).first() if (userid or unionid) else None
    if staff is None:
        raise NOT_STAFF("你的钉钉账号不在 Tally 的员工名单里，请联系管理员同步通讯录")
    return Who(STAFF, staff.id)


async def actor_of(who: Who, finance_role: str | None) -> Actor:
    """The actor a session stands for now; refused once the person left or the login is off."""
    if who.kind == LOGIN:
        record = await PasswordLogin.get_or_none(id=who.id, active=True).prefetch_related("staff")
        if (record is None or (record.staff is not None and not record.staff.active)
                or not hmac.compare_digest(who.stamp, login_stamp(record))):
            raise SIGNED_OUT("登录已失效，请重新登录")
        return await _login_actor(record)
    staff = await Staff.get_or_none(id=who.id, active=True)
    if staff is None:
        raise SIGNED_OUT("登录已失效，请重新登录")
    linked = await PasswordLogin.filter(staff_id=staff.id, active=True).first()
    if linked is not None:
        linked.staff = staff
        return await _login_actor(linked)
    return await org_actor(staff, finance_role)


async def _login_actor(record: PasswordLogin) -> Actor:
    staff = record.staff
    if staff is None:
        return Actor(kind="staff", name=record.name, role=record.role)
    team = await team_of(staff.id) if record.role == SALES else frozenset()
    return Actor(kind="staff", name=staff.name, role=record.role, staff_id=staff.id, team=team)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
