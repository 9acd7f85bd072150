"""Bind QR codes for the back office: issue a bind code with its WeChat QR image (official
account or mini-program), and the image of a live code again."""

from __future__ import annotations

import base64
from typing import Literal

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.access import get_visible_customer
from domain.actors import ADMIN, FINANCE, SALES
from domain.common_errors import BAD_QUERY
from domain.customers import bind_qr
from domain.customers.bind_qr import CHANNELS, OFFICIAL_ACCOUNT
from httpcommon.bind_qr import image_response, mini_program, qr_maker, wechat_qr_errors
from httpcommon.contract import Routes
from httpcommon.fields import Body, Id, Int, Moment, Query, Reply, Secret, path_text, query_choice
from httpcommon.idempotency import carries_secrets
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import path_id

routes = Routes()
STAFF = (ADMIN, FINANCE, SALES)
Channel = Literal["official_account", "miniprogram"]
IMAGES = {"description": "二维码图片（公众号二维码为 PNG；小程序码按微信所给，PNG 或 JPEG）",
          "content": {"image/png": {}, "image/jpeg": {}}}


class BindQrRequest(Body):
    contact_id: Int | None = None
    channel: Channel = OFFICIAL_ACCOUNT


class BindQr(Reply):
    code: Secret
    expires_at: Moment
    contact_id: Id | None
    channel: Channel
    content_type: Literal["image/png", "image/jpeg"]
    image_base64: Secret
    image_url: Secret = None  # a signed link to the image, no API key needed, until expires_at


class ChannelQuery(Query):
    channel: query_choice(*CHANNELS) = OFFICIAL_ACCOUNT


@routes.post("/customers/{id}/bind-qr", body=BindQrRequest, response=BindQr, status=201,
             summary=("生成一次性绑定码及其微信二维码（official_account：扫码关注公众号即绑定；"
                      "miniprogram：小程序码，未配置小程序时 409）；微信失败时 502"))
async def issue_bind_qr(request: web.Request, body: BindQrRequest) -> web.Response:
    actor = actor_with(request, *STAFF)
    settings = request.config_dict[SETTINGS]
    with wechat_qr_errors(settings.mp_bind_page):
        bind, image = await bind_qr.issue_bind_qr(
            actor, path_id(request), body.contact_id, body.channel,
            settings.bind_code_ttl_hours, now(request), qr_maker(request), mini_program(request))
    carries_secrets(request, "code", "image_base64", "image_url")
    token = bind_qr.sign_bind_qr_token(settings.secret_key, bind, body.channel)
    return json_response({
        "code": bind.code, "expires_at": bind.expires_at, "contact_id": bind.contact_id,
        "channel": body.channel, "content_type": image.content_type,
        "image_base64": base64.b64encode(image.body).decode(),
        "image_url": bind_qr.bind_qr_url(settings.public_base_url, token),
    }, status=201)


@routes.get("/bind-codes/{code}/qr", query=ChannelQuery, content="image/png",
            path={"code": path_text(16)}, responses={"200": IMAGES},
            summary="未使用、未过期的绑定码的微信二维码图片（channel 默认 official_account）")
async def bind_code_qr(request: web.Request, query: ChannelQuery) -> web.Response:
    actor = actor_with(request, *STAFF)
    moment = now(request)
    if query.channel not in CHANNELS:
        raise BAD_QUERY(f"channel: 只能是 {' 或 '.join(CHANNELS)}")
    bind = await bind_qr.live_bind_code(request.match_info["code"].strip().upper(), moment)
    await get_visible_customer(actor, bind.customer_id)
    with wechat_qr_errors(request.config_dict[SETTINGS].mp_bind_page):
        image = await bind_qr.bind_qr_image(bind, query.channel, moment, qr_maker(request),
                                            mini_program(request))
    return image_response(image)
