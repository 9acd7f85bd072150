"""Binding a WeChat identity (official-account or mini-program openid) to a customer."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from domain.actors import Actor
from domain.customers.errors import (
    BIND_CODE_EXPIRED,
    BIND_CODE_INVALID,
    BIND_CODE_USED,
    IDENTITY_REQUIRED,
    NOT_BOUND,
)
from domain.customers.models import BindCode, Contact
from domain.statements.answerers import UNNAMED_CONTACT


async def redeem_bind_code(
    code: str, *, now: datetime, openid: str | None = None, mp_openid: str | None = None,
    unionid: str | None = None, name: str = "",
) -> Contact:
    """Use a one-time code: the identity becomes (or moves to) a contact of the code's customer."""
    if bool(openid) == bool(mp_openid):
        raise IDENTITY_REQUIRED("需要且只能提供一个微信身份")
    identity = {"openid": openid} if openid else {"mp_openid": mp_openid}
    async with in_transaction():
        bind = await BindCode.get_or_none(code=(code or "").strip().upper())
        if bind is None:
            raise BIND_CODE_INVALID("绑定码无效，请向业务员索取新的绑定码")
        if bind.used_at is not None:
            raise BIND_CODE_USED("绑定码已被使用，请向业务员索取新的绑定码")
        if bind.expires_at <= now:
            raise BIND_CODE_EXPIRED("绑定码已过期，请向业务员索取新的绑定码")
        contact = await _contact_for(bind, identity, name)
        contact.customer_id, contact.bound_at = bind.customer_id, now
        if unionid:
            contact.unionid = unionid
        await contact.save()
        used = await BindCode.filter(id=bind.id, used_at=None).update(
            used_at=now, used_by_id=contact.id)
        if not used:
            raise BIND_CODE_USED("绑定码已被使用，请向业务员索取新的绑定码")
    return contact


async def _contact_for(bind: BindCode, identity: dict, name: str) -> Contact:
    holder = await Contact.get_or_none(**identity)
    if bind.contact_id is None or (holder and holder.id == bind.contact_id):
        return holder or Contact(name=name, **identity)
    target = await Contact.get(id=bind.contact_id)
    if holder is not None:  # the identity moves to the contact the code was issued for
        for field in identity:
            setattr(holder, field, None)
        await holder.save()
    for field, value in identity.items():
        setattr(target, field, value)
    return target


def contact_actor(contact: Contact) -> Actor:
    if contact.customer_id is None:
        raise NOT_BOUND("尚未绑定客户，请输入业务员提供的绑定码")
    # An answer names a person (SPEC §3): a contact bound without a name is not an id.
    return Actor(kind="contact", name=contact.name or UNNAMED_CONTACT,
                 contact_id=contact.id, customer_id=contact.customer_id)
