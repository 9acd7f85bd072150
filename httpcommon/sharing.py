"""Share links as URLs: the H5 page, its QR codes and the mini-program page path."""

from __future__ import annotations

from aiohttp import web

from domain.statements.service import ShareSettings
from httpcommon.idempotency import carries_secrets
from httpcommon.keys import SETTINGS


def share_settings(request: web.Request) -> ShareSettings:
    return ShareSettings.of(request.config_dict[SETTINGS])


SHARE_SECRETS = ("url", "qr_png", "qr_svg", "mp_path", "token")  # each one opens the page


def share_urls(request: web.Request, token: str, link) -> dict:
    """The link's URLs, marked as secrets for the idempotency record."""
    carries_secrets(request, *SHARE_SECRETS)
    settings = request.config_dict[SETTINGS]
    url = share_settings(request).url(token)
    return {
        "url": url,
        "qr_png": f"{url}/qr.png",
        "qr_svg": f"{url}/qr.svg",
        "mp_path": f"{settings.mp_statement_page}?scene=s%3D{link.nonce}",
        "token": token,
    }
