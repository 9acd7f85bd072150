"""The bind QR image behind a signed link (GET /bind-qr/{token}): what the DingTalk bot hands a
salesperson to forward. The token names the bind code and channel and expires with the code; no
API key, so DingTalk can fetch the image. Errors are JSON (an image tag shows none anyway)."""

from __future__ import annotations

from aiohttp import web

from domain.customers import bind_qr
from httpcommon.bind_qr import image_response, mini_program, qr_maker, wechat_qr_errors
from httpcommon.keys import SETTINGS, now
from httpcommon.ratelimit import SHARE_OPEN, take_try

routes = web.RouteTableDef()


@routes.get("/bind-qr/{token}")
async def bind_qr_image(request: web.Request) -> web.Response:
    take_try(request, SHARE_OPEN)
    settings = request.config_dict[SETTINGS]
    moment = now(request)
    code, channel = bind_qr.read_bind_qr_token(
        settings.secret_key, request.match_info["token"], moment)
    bind = await bind_qr.live_bind_code(code, moment)
    with wechat_qr_errors(settings.mp_bind_page):
        image = await bind_qr.bind_qr_image(bind, channel, moment, qr_maker(request),
                                            mini_program(request))
    return image_response(image)
