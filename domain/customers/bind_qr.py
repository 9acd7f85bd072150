"""Bind QR codes: a bind code as the scene of WeChat's official-account QR code (scanning it
follows the account and binds, bot/wechat_bot) or of a mini-program code (it opens the bind page
with the code as its scene).

WeChat is reached through a ``QrMaker`` the edge passes in (the gateway in bot/wechat.py), so the
rules here stay free of the SDK: how long WeChat keeps the QR code (the code's remaining life,
at most 30 days), that only a live code gets one, and the signed links that show the image to
whoever holds them (the DingTalk bot's answer) without an API key.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.actors import Actor
from domain.customers.errors import (
    BIND_CODE_EXPIRED,
    BIND_CODE_NOT_FOUND,
    BIND_QR_LINK_INVALID,
    MINIPROGRAM_NOT_CONFIGURED,
)
from domain.customers.models import BindCode
from domain.customers.service import check_live, issue_bind_code
from domain.errors import Forbidden, Unauthorized
from domain.qr import qr_png
from domain.sharing import read_share_token, sign_share_token

OFFICIAL_ACCOUNT = "official_account"
MINIPROGRAM = "miniprogram"
CHANNELS = (OFFICIAL_ACCOUNT, MINIPROGRAM)
# WeChat's limit for a temporary QR code (QR_STR_SCENE): 30 days.
MAX_QR_SECONDS = 2_592_000
QR_MARGIN = timedelta(hours=1)  # a QR code about to die is not handed out again
PNG = "image/png"
JPEG = "image/jpeg"


class QrMaker(Protocol):
    """The WeChat calls a bind QR code needs (bot.wechat.WeChatGateway has them)."""

    async def create_temporary_qr(self, scene: str, expire_seconds: int) -> dict:
        """qrcode/create with QR_STR_SCENE: WeChat's {ticket, expire_seconds, url}."""
        ...

    async def miniprogram_code(self, scene: str, page: str, env_version: str) -> bytes:
        """wxa/getwxacodeunlimit: the image bytes."""
        ...


@dataclass(frozen=True)
class MiniProgram:
    """Where a mini-program code leads; ``appid`` empty means no mini-program is configured."""

    appid: str
    page: str
    env_version: str = "release"


@dataclass(frozen=True)
class QrImage:
    content_type: str
    body: bytes


def check_channel(channel: str, mini_program: MiniProgram) -> None:
    """Refuse the mini-program channel when no mini-program is configured (409)."""
    if channel == MINIPROGRAM and not mini_program.appid:
        raise MINIPROGRAM_NOT_CONFIGURED(
            "未配置小程序（TALLY_MP_APPID），无法生成小程序码，请改用公众号二维码")


def qr_lifetime_seconds(bind: BindCode, now: datetime) -> int:
    """How long WeChat should keep the QR code: the code's remaining life, at most 30 days."""
    remaining = int((bind.expires_at - now).total_seconds())
    return max(1, min(remaining, MAX_QR_SECONDS))


def image_type(body: bytes) -> str | None:
    """The image type of ``body`` by its magic bytes (PNG or JPEG), else None."""
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if body.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


async def issue_bind_qr(actor: Actor, customer_id: int, contact_id: int | None, channel: str,
                        ttl_hours: int, now: datetime, maker: QrMaker,
                        mini_program: MiniProgram) -> tuple[BindCode, QrImage]:
    """A new bind code for the customer and its QR image on ``channel``."""
    check_channel(channel, mini_program)
    bind = await issue_bind_code(actor, customer_id, contact_id, ttl_hours, now)
    try:
        return bind, await bind_qr_image(bind, channel, now, maker, mini_program)
    except Exception:  # WeChat failed: nobody ever saw this code, so it does not stay usable
        await BindCode.filter(id=bind.id).delete()
        raise


async def live_bind_code(code: str, now: datetime) -> BindCode:
    """The unused, unexpired bind code ``code`` (its QR code would bind nobody otherwise)."""
    bind = await BindCode.get_or_none(code=code)
    if bind is None:  # asked for by its address: there is no such code, it is not mistyped
        raise BIND_CODE_NOT_FOUND("没有这个绑定码，请重新生成")
    check_live(bind, now)
    return bind


async def bind_qr_image(bind: BindCode, channel: str, now: datetime, maker: QrMaker,
                        mini_program: MiniProgram) -> QrImage:
    """The QR image of a live bind code on ``channel``: the official account's code drawn
    from the URL WeChat gave (asked once per code), or the mini-program code as WeChat sent it."""
    check_channel(channel, mini_program)
    if channel == MINIPROGRAM:
        body = await maker.miniprogram_code(bind.code, mini_program.page,
                                            mini_program.env_version)
        return QrImage(image_type(body) or PNG, body)
    if bind.oa_qr_url is None or not _qr_lives(bind, now):
        seconds = qr_lifetime_seconds(bind, now)
        answer = await maker.create_temporary_qr(bind.code, seconds)
        bind.oa_qr_url = str(answer["url"])
        bind.oa_qr_expires_at = now + timedelta(seconds=int(answer.get("expire_seconds", seconds)))
        await BindCode.filter(id=bind.id).update(oa_qr_url=bind.oa_qr_url,
                                                 oa_qr_expires_at=bind.oa_qr_expires_at)
    # Drawing is CPU work (a few ms): off the event loop, like the share page's QR codes.
    return QrImage(PNG, await asyncio.to_thread(qr_png, bind.oa_qr_url))


def _qr_lives(bind: BindCode, now: datetime) -> bool:
    """Whether the QR code WeChat made still works for a while (a code living longer than 30
    days outlives its first QR code)."""
    return bind.oa_qr_expires_at is not None and bind.oa_qr_expires_at > now + QR_MARGIN


# ----- signed links to the image -----


def _link_secret(secret: str) -> str:
    """A key of its own, so a bind-QR link can never pass for a statement share link."""
    return f"{secret}:bind-qr"


def sign_bind_qr_token(secret: str, bind: BindCode, channel: str) -> str:
    """A token naming the code and channel, valid until the code expires."""
    return sign_share_token(_link_secret(secret), f"{bind.code}-{channel}", bind.expires_at)


def read_bind_qr_token(secret: str, token: str, now: datetime) -> tuple[str, str]:
    """(bind code, channel) of a genuine, unexpired token."""
    try:
        nonce = read_share_token(_link_secret(secret), token, now)
    except Unauthorized:  # the token outlived the code it names
        raise BIND_CODE_EXPIRED("绑定码已过期，请向业务员索取新的绑定码") from None
    except Forbidden:
        raise BIND_QR_LINK_INVALID("绑定二维码链接无效，请向业务员索取新的二维码") from None
    code, _, channel = nonce.partition("-")
    if channel not in CHANNELS:
        raise BIND_QR_LINK_INVALID("绑定二维码链接无效，请向业务员索取新的二维码")
    return code, channel


def bind_qr_url(base_url: str, token: str) -> str:
    """The public address of the image behind ``token`` (served by miniapp_api)."""
    return f"{base_url.rstrip('/')}/bind-qr/{token}"
