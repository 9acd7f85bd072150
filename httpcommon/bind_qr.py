"""What both HTTP edges need to answer a bind QR image: the configured mini-program, the WeChat
gateway as the domain's QrMaker, WeChat's failures as a declared 502, and the image response."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from aiohttp import web

from domain.customers.bind_qr import MiniProgram, QrImage, QrMaker
from httpcommon.error_codes import WECHAT_QR_FAILED
from httpcommon.keys import SETTINGS, WECHAT
from httpcommon.upstream import UpstreamError

log = logging.getLogger(__name__)
INVALID_PAGE = 41030  # getUnlimitedQRCode: the page is not one of the app's (or malformed)


def mini_program(request: web.Request) -> MiniProgram:
    settings = request.config_dict[SETTINGS]
    return MiniProgram(settings.mp_appid, settings.mp_bind_page, settings.mp_code_env_version)


def qr_maker(request: web.Request) -> QrMaker:
    return request.config_dict[WECHAT]


@contextlib.contextmanager
def wechat_qr_errors(page: str) -> Iterator[None]:
    """WeChat's refusal or silence while making a QR code, as WECHAT_QR_FAILED (502)."""
    try:
        yield
    except UpstreamError as exc:  # the detail (errmsg, URL) is for our log only
        log.warning("WeChat QR code failed: %s %s", exc.errcode, exc.errmsg)
        if exc.errcode == INVALID_PAGE:
            raise WECHAT_QR_FAILED(
                f"微信不接受小程序页面「{page}」（41030），请检查 TALLY_MP_BIND_PAGE，"
                "并确认小程序已发布该页面", errcode=exc.errcode) from None
        raise WECHAT_QR_FAILED("微信暂时无法生成二维码，请稍后再试",
                               errcode=exc.errcode) from None


def image_response(image: QrImage) -> web.Response:
    # Each image is a bind capability until its code is used: no shared cache keeps it.
    return web.Response(body=image.body, content_type=image.content_type,
                        headers={"Cache-Control": "private, no-store"})
