"""Who may open a workbench page: the session, the API's role table, and CSRF on every post.

Each page names the API operation it stands for (``@page("GET /statements/{id}")``); the roles
admitted are that operation's in ``httpcommon.roles``, so the workbench and the API can never
disagree about who may do what. Pages anyone may open (sign-in, static files) are ``@public``.
A route that says neither is refused to everyone (a test walks every route for this).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp_session import Session, get_session

from domain.access import require_role
from domain.actors import Actor
from domain.errors import Unauthorized
from domain.signin import Who, actor_of
from httpcommon.error_codes import CSRF_REFUSED, ROUTE_NOT_IN_ROLE_TABLE
from httpcommon.jsonio import read_form_fields
from httpcommon.keys import ACTOR, SETTINGS, now
from httpcommon.roles import roles_for
from workbench.paths import PREFIX

ROLES_ATTR, PUBLIC_ATTR = "workbench_roles", "workbench_public"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD, CSRF_HEADER = "_csrf", "X-CSRF-Token"
SESSION_WHO, SESSION_CSRF, SESSION_SINCE = "who", "csrf", "since"
Handler = Callable[[web.Request], Any]


def operation_roles(operation: str) -> tuple[str, ...]:
    """The roles the API admits to ``operation`` ("METHOD /path" of httpcommon.roles)."""
    method, _, path = operation.partition(" ")
    roles = roles_for(method, path)
    if not roles:
        raise LookupError(f"{operation} is not in the API's role table (httpcommon.roles)")
    return roles


def may(actor: Actor | None, operation: str) -> bool:
    """Whether ``actor``'s role may do ``operation``: the test for showing a button or a tab."""
    return actor is not None and actor.role in operation_roles(operation)


def permitted(actor: Actor | None, operations: dict[str, str]) -> dict[str, bool]:
    """For each named button, whether ``actor`` may press it (``operations``: name → the API
    operation it stands for)."""
    return {name: may(actor, operation) for name, operation in operations.items()}


def page(operation: str) -> Callable[[Handler], Handler]:
    """Admit the roles the API admits to ``operation`` ("METHOD /path" of httpcommon.roles)."""
    roles = operation_roles(operation)

    def mark(handler: Handler) -> Handler:
        setattr(handler, ROLES_ATTR, roles)
        return handler

    return mark


def public(handler: Handler) -> Handler:
    setattr(handler, PUBLIC_ATTR, True)
    return handler


def is_public(request: web.Request) -> bool:
    route = request.match_info.route
    return (isinstance(route.resource, web.StaticResource)
            or getattr(route.handler, PUBLIC_ATTR, False)
            or route.resource is None)  # the router's own 404 / 405


async def csrf_token(request: web.Request) -> str:
    """This session's CSRF token (made on first use): every form carries it back."""
    session = await get_session(request)
    if not session.get(SESSION_CSRF):
        session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return session[SESSION_CSRF]


async def check_csrf(request: web.Request) -> None:
    if request.method in SAFE_METHODS:
        return
    session = await get_session(request)
    expected = session.get(SESSION_CSRF) or ""
    sent = request.headers.get(CSRF_HEADER) or (await read_form_fields(request)).get(CSRF_FIELD)
    if not (expected and sent and sent.isascii()
            and hmac.compare_digest(sent.encode(), expected.encode())):
        raise CSRF_REFUSED("页面已过期，请刷新后重试")


async def sign_in(request: web.Request, who: Who) -> None:
    """Start a fresh session for ``who`` (a new CSRF token: nothing carries across sign-ins)."""
    session = await get_session(request)
    session.invalidate()
    session = await get_session(request)
    session[SESSION_WHO] = who.dump()
    session[SESSION_CSRF] = secrets.token_urlsafe(32)
    session[SESSION_SINCE] = int(now(request).timestamp())


async def session_actor(request: web.Request) -> Actor | None:
    session: Session = await get_session(request)
    who = Who.load(session.get(SESSION_WHO))
    if who is None or _expired(request, session):
        if who is not None:
            session.invalidate()
        return None
    try:
        return await actor_of(who, request.config_dict[SETTINGS].handover_finance_role)
    except Unauthorized:
        session.invalidate()
        return None


def _expired(request: web.Request, session: Session) -> bool:
    """A sign-in lasts TALLY_WORKBENCH_SESSION_HOURS from when it was made, however busy the
    person is (the cookie's own life is refreshed by use; this is the hard limit)."""
    since = session.get(SESSION_SINCE)
    hours = request.config_dict[SETTINGS].workbench_session_hours
    return not isinstance(since, int) or now(request).timestamp() - since > hours * 3600


@web.middleware
async def guard_middleware(request: web.Request, handler):
    if is_public(request):
        await check_csrf(request)
        return await handler(request)
    actor = await session_actor(request)
    if actor is None:
        raise _to_sign_in(request)
    roles = getattr(request.match_info.route.handler, ROLES_ATTR, None)
    if not roles:
        raise ROUTE_NOT_IN_ROLE_TABLE("此页面未列入角色表", role=actor.role)
    require_role(actor, *roles)
    await check_csrf(request)
    request[ACTOR] = actor
    return await handler(request)


def _to_sign_in(request: web.Request) -> web.HTTPException:
    """Off to the sign-in page, coming back here after (htmx follows HX-Redirect instead)."""
    back = request.path_qs if request.method in SAFE_METHODS else ""
    target = request.app.router["sign_in"].url_for().with_query({"next": back} if back else {})
    if request.headers.get("HX-Request") == "true":
        return web.HTTPUnauthorized(headers={"HX-Redirect": str(target)})
    return web.HTTPSeeOther(location=str(target))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path of this workbench (never another site)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") \
            and "\\" not in target and target.isprintable():
        return target
    return PREFIX + "/"

