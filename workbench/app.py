"""The workbench sub-application, mounted at ``/workbench``: the office's screens.

Server-rendered (aiohttp-jinja2) with htmx for partial updates, so every page also works as a
plain form. Sessions live in an encrypted, signed cookie (aiohttp-session's Fernet storage,
keyed from TALLY_SECRET_KEY); ``workbench.guard`` admits each page by the API's role table and
checks CSRF on every post. Browser assets are built from the npm lockfile into
``workbench/static/vendor`` (``make assets``); nothing is loaded from a CDN.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from httpcommon.params import refuse_nul_middleware
from workbench import (
    approvals,
    customers,
    deliveries,
    dingtalk_login,
    handover,
    home,
    signin,
    statements,
)
from workbench.guard import guard_middleware
from workbench.pages import FILTERS, page_errors_middleware
from workbench.paths import PREFIX as PREFIX

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "tally_workbench"
ROUTE_TABLES = (signin.routes, home.routes, deliveries.routes, dingtalk_login.routes,
                handover.routes, approvals.routes, customers.routes, statements.routes)


def create_workbench_app(settings) -> web.Application:
    """The workbench for ``settings`` (tally.settings.Settings: the secret key, the session's
    life, whether the public address is https)."""
    app = web.Application()
    setup_sessions(app, EncryptedCookieStorage(
        session_key(settings.secret_key), cookie_name=COOKIE, path=PREFIX,
        max_age=settings.workbench_session_hours * 3600, httponly=True, samesite="Lax",
        secure=settings.public_base_url.startswith("https://"),
    ))
    # NUL refused inside, so page_errors_middleware answers it as a page (not the API's JSON)
    app.middlewares.extend([page_errors_middleware, refuse_nul_middleware, guard_middleware])
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["asset"] = _asset_url(app)
    app.router.add_static("/static", STATIC, name="static", append_version=True)
    for table in ROUTE_TABLES:
        app.router.add_routes(table)
    return app


def session_key(secret_key: str) -> bytes:
    """The session cookie's Fernet key: derived from the service secret, for this use only."""
    return hashlib.sha256(b"tally workbench session\0" + secret_key.encode()).digest()


def _asset_url(app: web.Application):
    def asset(name: str) -> str:
        return str(app.router["static"].url_for(filename=name))

    return asset
