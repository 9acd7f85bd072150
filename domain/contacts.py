"""Binding a WeChat identity (official-account or mini-program openid) to a customer, and
knowing one person across both by the unionid WeChat gives when the official account and the
mini-program are bound to one open-platform account.

A unionid only ever links an identity to a contact that lacks one of that kind, and only when
exactly one bound contact has the unionid: a person who is a contact of two customers (a
bookkeeper working for both) keeps two contacts, and which one a new identity joins is decided
by a bind code, never guessed. Following or leaving the official account is recorded on the
contact (``oa_unsubscribed_at``) so deliveries skip a template message that would fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.actors import Actor
from domain.customers.errors import (
    BIND_CODE_INVALID,
    BIND_CODE_USED,
    IDENTITY_REQUIRED,
    NOT_BOUND,
)
from domain.customers.models import BindCode, Contact
from domain.customers.service import check_live
from domain.statements.answerers import UNNAMED_CONTACT

OFFICIAL_ACCOUNT, MINIPROGRAM = "official_account", "miniprogram"
# Why a customer notice has no channel to a contact, in finance's words (the delivery ledger
# and the customer page show them).
NOT_ON_WECHAT = "联系人未绑定微信（未关注公众号，也未登录小程序）"
LEFT_OA = "客户已取消关注公众号，且未使用小程序"
LEFT_OA_NO_CONSENT = "客户已取消关注公众号，且小程序未授权订阅消息"
NO_CONSENT = "客户未关注公众号，且小程序未授权订阅消息"
NO_MINI_PROGRAM = "客户只在小程序绑定，但未配置小程序（TALLY_MP_APPID）"


def follows_official_account(openid: str | None, unsubscribed_at: datetime | None) -> bool:
    """Template messages reach the contact: they are on the official account and have not
    left it."""
    return bool(openid) and unsubscribed_at is None


def unreachable_reason(openid: str | None, mp_openid: str | None,
                       unsubscribed_at: datetime | None, mp_configured: bool) -> str:
    """Why neither the official account nor a mini-program consent reaches the contact (the
    last, NO_CONSENT, also when a consent for one template is missing)."""
    if not openid and not mp_openid:
        return NOT_ON_WECHAT
    if mp_openid and not mp_configured:
        return NO_MINI_PROGRAM
    if openid and unsubscribed_at:
        return LEFT_OA_NO_CONSENT if mp_openid else LEFT_OA
    return NO_CONSENT


@dataclass(frozen=True)
class Reach:
    """How a customer notice would reach a contact now, in the order the WeChat sender tries:
    the official account while they follow it, else a mini-program subscribe message while
    they have consents left (each buys one message of its template)."""

    channel: str  # OFFICIAL_ACCOUNT, MINIPROGRAM, or "" when nothing reaches them
    consents: int  # mini-program messages agreed to and not yet sent, all templates
    reason: str = ""  # why nothing reaches them


def reach(contact: Contact, consents: int, mp_configured: bool) -> Reach:
    if follows_official_account(contact.openid, contact.oa_unsubscribed_at):
        return Reach(OFFICIAL_ACCOUNT, consents)
    if mp_configured and contact.mp_openid and consents > 0:
        return Reach(MINIPROGRAM, consents)
    return Reach("", consents, unreachable_reason(
        contact.openid, contact.mp_openid, contact.oa_unsubscribed_at, mp_configured))


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
        check_live(bind, now)
        contact = await _contact_for(bind, identity, name, unionid)
        contact.customer_id, contact.bound_at = bind.customer_id, now
        if unionid:
            contact.unionid = unionid
        if openid:  # writing to the official account means following it
            contact.oa_unsubscribed_at = None
        await contact.save()
        used = await BindCode.filter(id=bind.id, used_at=None).update(
            used_at=now, used_by_id=contact.id)
        if not used:
            raise BIND_CODE_USED("绑定码已被使用，请向业务员索取新的绑定码")
    return contact


async def _contact_for(bind: BindCode, identity: dict, name: str,
                       unionid: str | None) -> Contact:
    holder = await Contact.get_or_none(**identity)
    if holder is not None and _linked_elsewhere(holder, identity, bind.customer_id):
        await _release(holder, identity)  # only the identity the code is redeemed with moves
        holder = None
    if holder is None and unionid:  # the same person, bound to this customer on the other side
        holder = await _unlinked(unionid, next(iter(identity)), customer_id=bind.customer_id)
    if bind.contact_id is None or (holder and holder.id == bind.contact_id):
        contact = holder or Contact(name=name)
        for field, value in identity.items():
            setattr(contact, field, value)
        return contact
    target = await Contact.get(id=bind.contact_id)
    if holder is not None:  # the identity moves to the contact the code was issued for
        await _release(holder, identity)
    for field, value in identity.items():
        setattr(target, field, value)
    return target


def _linked_elsewhere(holder: Contact, identity: dict, customer_id: int) -> bool:
    """The identity's contact belongs to another customer and also holds the person's other
    identity: moving it would take the other app's binding along unasked."""
    other = "mp_openid" if "openid" in identity else "openid"
    return holder.customer_id not in (None, customer_id) and bool(getattr(holder, other))


async def _release(holder: Contact, identity: dict) -> None:
    for field in identity:
        setattr(holder, field, None)
    await holder.save()


def contact_actor(contact: Contact) -> Actor:
    if contact.customer_id is None:
        raise NOT_BOUND("尚未绑定客户，请输入业务员提供的绑定码")
    # An answer names a person (SPEC §3): a contact bound without a name is not an id.
    return Actor(kind="contact", name=contact.name or UNNAMED_CONTACT,
                 contact_id=contact.id, customer_id=contact.customer_id)


async def contact_for_mp(mp_openid: str, unionid: str | None) -> Contact | None:
    """The contact behind a mini-program login: by its openid, else the one bound contact
    the same person (unionid) has from the official account, which takes this openid."""
    contact = await Contact.get_or_none(mp_openid=mp_openid)
    if contact is not None or not unionid:
        return contact
    return await _link(unionid, "mp_openid", mp_openid)


async def followed(openid: str, unionid: str | None) -> Contact | None:
    """The follower (re)subscribed to the official account: reachable there again; a
    mini-program contact of the same person (unionid) takes this openid."""
    contact = await Contact.get_or_none(openid=openid)
    if contact is None and unionid:
        contact = await _link(unionid, "openid", openid)
    if contact is None:
        return None
    contact.oa_unsubscribed_at = None
    contact.unionid = unionid or contact.unionid
    await contact.save(update_fields=["oa_unsubscribed_at", "unionid"])
    return contact


async def heard_from(openid: str) -> None:
    """A message or event from the follower: only followers can send one, so they follow
    (an unsubscribe marked earlier no longer holds, e.g. when a subscribe event was missed)."""
    await Contact.filter(openid=openid, oa_unsubscribed_at__isnull=False).update(
        oa_unsubscribed_at=None)


async def unfollowed(openid: str, now: datetime) -> None:
    """The follower left the official account (or WeChat said so, 43004): no template
    messages to them until they follow again (the first moment is kept)."""
    await Contact.filter(openid=openid, oa_unsubscribed_at=None).update(oa_unsubscribed_at=now)


async def _unlinked(unionid: str, field: str, **scope) -> Contact | None:
    """The one bound contact with this unionid and no identity in ``field``; None when there
    is none, or several (the person is a contact of more than one customer)."""
    found = await Contact.filter(unionid=unionid, customer_id__isnull=False, **scope,
                                 **{f"{field}__isnull": True}).limit(2)
    return found[0] if len(found) == 1 else None


async def _link(unionid: str, field: str, value: str) -> Contact | None:
    contact = await _unlinked(unionid, field)
    if contact is None:
        return None
    try:
        async with in_transaction():  # a savepoint: a lost race must not spoil the caller's
            linked = await Contact.filter(id=contact.id, **{f"{field}__isnull": True}).update(
                **{field: value})
    except IntegrityError:  # a concurrent login or follow took this identity first
        linked = 0
    if not linked:
        return await Contact.filter(**{field: value}).first()
    setattr(contact, field, value)
    return contact


async def followers_to_refresh(after_id: int, limit: int) -> list[tuple[int, str]]:
    """(id, openid) of contacts on the official account whose unionid is not known (bound
    before Tally asked WeChat for it), in id order after ``after_id``."""
    rows = await Contact.filter(id__gt=after_id, openid__isnull=False, unionid=None).order_by(
        "id").limit(limit).values_list("id", "openid")
    return [(row_id, str(openid)) for row_id, openid in rows]


async def record_follower(openid: str, *, follows: bool, unionid: str | None,
                          now: datetime) -> None:
    """What WeChat says of a follower now: still following (with their unionid), or gone."""
    if follows:
        await followed(openid, unionid)
    else:
        await unfollowed(openid, now)
