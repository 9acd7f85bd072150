"""The official-account callback (服务器配置): GET verifies the URL, POST receives messages and
events in plain mode (signature) or safe mode (``encrypt_type=aes``: AES, ``msg_signature``).

Every request must be signed and fresh (timestamp within ``REPLAY_WINDOW`` of our clock, which
wechatpy does not check); anything else gets 403 before the database is touched. WeChat retries
a slow callback up to three times: each message is handled once (its MsgId, or sender + time +
event for events, is recorded as an ``InboundMessage``) and a redelivery is acknowledged with
"success". Replies are passive XML, encrypted in safe mode.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from xml.parsers.expat import ExpatError

from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import create_reply
from wechatpy.utils import check_signature

from bot import wechat_bot
from domain.inbound import first_delivery
from httpcommon.error_codes import (
    WECHAT_BAD_MESSAGE,
    WECHAT_BAD_TIMESTAMP,
    WECHAT_SAFE_MODE_OFF,
    WECHAT_SIGNATURE_INVALID,
    WECHAT_STALE_REQUEST,
)
from httpcommon.keys import SETTINGS, WECHAT, now
from httpcommon.sharing import share_settings

log = logging.getLogger(__name__)

CALLBACK_PATH = "/wechat/callback"
REPLAY_WINDOW = timedelta(minutes=5)
SOURCE = "wechat"
ACK = "success"  # what WeChat expects when there is nothing to say
_BAD_XML = (ExpatError, KeyError, TypeError, ValueError, AttributeError)

routes = web.RouteTableDef()


def add_wechat_routes(app: web.Application) -> None:
    app.router.add_routes(routes)


@routes.get(CALLBACK_PATH)
async def verify(request: web.Request) -> web.Response:
    """URL verification: echo ``echostr`` back for a signed, fresh request."""
    _check_fresh(request)
    _check_signature(request)
    return web.Response(text=request.query.get("echostr", ""))


@routes.post(CALLBACK_PATH)
async def receive(request: web.Request) -> web.Response:
    _check_fresh(request)
    crypto = _crypto(request)
    xml = _open(request, crypto, await request.read())
    message = _parse(xml)
    text = await _answer_once(request, message)
    return _reply(request, crypto, message, text)


# ----- authenticity -----


def _check_fresh(request: web.Request) -> None:
    raw = request.query.get("timestamp", "")
    if not raw.isdigit() or len(raw) > 12:
        raise WECHAT_BAD_TIMESTAMP("时间戳无效")
    sent = datetime.fromtimestamp(int(raw), UTC)
    if abs(now(request) - sent) > REPLAY_WINDOW:
        raise WECHAT_STALE_REQUEST("请求已过期")


def _check_signature(request: web.Request) -> None:
    query, token = request.query, request.config_dict[SETTINGS].wechat_callback_token
    try:
        check_signature(
            token, query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", "")
        )
    except InvalidSignatureException:
        raise WECHAT_SIGNATURE_INVALID("签名无效") from None


def _crypto(request: web.Request) -> WeChatCrypto | None:
    """The safe-mode cipher when the request is encrypted, None in plain mode."""
    if request.query.get("encrypt_type", "raw") != "aes":
        return None
    settings = request.config_dict[SETTINGS]
    if len(settings.wechat_aes_key) != 43:
        log.error("encrypted WeChat callback, but TALLY_WECHAT_AES_KEY is not a 43-char key")
        raise WECHAT_SAFE_MODE_OFF("未配置消息加解密密钥")
    return WeChatCrypto(
        settings.wechat_callback_token, settings.wechat_aes_key, settings.wechat_appid
    )


def _open(request: web.Request, crypto: WeChatCrypto | None, body: bytes) -> bytes | str:
    """The message XML: checked by signature (plain) or decrypted by msg_signature (safe)."""
    if crypto is None:
        _check_signature(request)
        return body
    query = request.query
    try:
        return crypto.decrypt_message(
            body, query.get("msg_signature", ""), query.get("timestamp", ""),
            query.get("nonce", ""),
        )
    except (InvalidSignatureException, InvalidAppIdException):
        raise WECHAT_SIGNATURE_INVALID("签名无效") from None
    except _BAD_XML:
        raise WECHAT_BAD_MESSAGE("无法解析的消息") from None


def _parse(xml: bytes | str) -> BaseMessage:
    try:
        message = parse_message(xml)
    except _BAD_XML:
        message = None
    if message is None:
        raise WECHAT_BAD_MESSAGE("无法解析的消息")
    return message


# ----- handling once, replying -----


async def _answer_once(request: web.Request, message: BaseMessage) -> str | None:
    moment = now(request)
    key = _message_key(message)
    if not await first_delivery(SOURCE, key, moment):
        log.info("WeChat redelivered %s: already answered", key)
        return None
    ctx = wechat_bot.BotContext(openid=message.source, now=moment, share=share_settings(request),
                                wechat=request.config_dict.get(WECHAT))
    return await wechat_bot.handle(message, ctx)


def _message_key(message: BaseMessage) -> str:
    """MsgId for messages; events have none, so WeChat's advice: sender + CreateTime."""
    if message.id:
        return str(message.id)
    event = getattr(message, "event", message.type)
    return f"{message.source}:{message.time}:{event}"[:128]


def _reply(
    request: web.Request, crypto: WeChatCrypto | None, message: BaseMessage, text: str | None
) -> web.Response:
    if not text:
        return web.Response(text=ACK)
    xml = create_reply(text, message, render=True)
    if crypto is not None:
        stamp = str(int(now(request).timestamp()))
        xml = crypto.encrypt_message(xml, request.query.get("nonce", ""), stamp)
    return web.Response(text=xml, content_type="application/xml")
