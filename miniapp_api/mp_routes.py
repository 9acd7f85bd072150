"""Mini-program JSON API: login with a WeChat code, bind, list / view / answer statements."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from aiohttp import web

from domain.contacts import contact_actor, redeem_bind_code
from domain.errors import Invalid, NotFound, Unauthorized
from domain.limits import column_length
from domain.models import BindCode, Contact, Customer, MpSession, Statement
from domain.statements import probes, rules
from domain.statements import service as statements
from domain.statements.views import statement_summary, statement_view
from httpcommon.idempotency import carries_secrets
from httpcommon.jsonio import dumps, json_response, read_json
from httpcommon.keys import (
    IDEMPOTENCY_SCOPE,
    MP_SESSION,
    SETTINGS,
    VIEW_CACHE,
    VIEW_COUNTER,
    WECHAT,
    now,
    statement_lines,
)
from httpcommon.params import body_text, path_id, query_int
from httpcommon.ratelimit import MP_BIND, MP_LOGIN, take_try
from httpcommon.routes import is_public_route
from httpcommon.upstream import UpstreamError

routes = web.RouteTableDef()
log = logging.getLogger(__name__)
LOGIN_ROUTE, OPENAPI_ROUTE = "login", "openapi"
PUBLIC_ROUTES = frozenset({LOGIN_ROUTE, OPENAPI_ROUTE})  # served without a session


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@web.middleware
async def session_middleware(request: web.Request, handler):
    if is_public_route(request, PUBLIC_ROUTES):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    session = await _live_session(_hash(token), now(request)) if token else None
    if session is None:
        raise Unauthorized("bad_session", "登录已失效，请重新登录")
    request[MP_SESSION] = session
    request[IDEMPOTENCY_SCOPE] = f"mp:{session.openid}"
    return await handler(request)


async def _live_session(token_hash: str, moment) -> MpSession | None:
    """The session as the database has it now: a deleted (revoked) row or an expiry moved
    earlier takes effect at once, on every replica (one lookup by a unique index)."""
    return await MpSession.get_or_none(token_hash=token_hash, expires_at__gt=moment)


async def _contact(request: web.Request) -> Contact | None:
    return await Contact.get_or_none(mp_openid=request[MP_SESSION].openid)


async def require_contact_actor(request: web.Request):
    """The bound contact behind the session, or 401 not_bound."""
    contact = await _contact(request)
    if contact is None:
        raise Unauthorized("not_bound", "尚未绑定客户，请输入业务员提供的绑定码")
    return contact_actor(contact)


async def _me(contact: Contact | None) -> dict:
    if contact is None or contact.customer_id is None:
        return {"bound": False, "customer": None}
    customer = await Customer.get(id=contact.customer_id)
    return {"bound": True, "contact": {"id": contact.id, "name": contact.name},
            "customer": {"id": customer.id, "name": customer.name}}


@routes.post("/login", name=LOGIN_ROUTE)
async def login(request: web.Request) -> web.Response:
    take_try(request, MP_LOGIN)
    body = await read_json(request)
    code = body_text(body, "code", max_len=128).strip()
    if not code:
        raise Invalid("missing_field", "缺少字段 code")
    try:
        wx = await request.config_dict[WECHAT].code_to_session(code)
    except UpstreamError as exc:  # the detail (upstream URL, errmsg) is for our log only
        log.warning("mini-program login failed: errcode=%s status=%s %s",
                    exc.errcode, exc.status, exc.errmsg)
        raise Unauthorized("wechat_login_failed", "微信登录失败，请重新打开小程序再试") from exc
    moment, settings = now(request), request.config_dict[SETTINGS]
    token = secrets.token_urlsafe(32)
    session = await MpSession.create(
        token_hash=_hash(token), openid=wx["openid"], unionid=wx.get("unionid"),
        session_key=wx.get("session_key") or "", created_at=moment,
        expires_at=moment + timedelta(hours=settings.mp_session_ttl_hours),
    )
    contact = await Contact.get_or_none(mp_openid=wx["openid"])
    carries_secrets(request, "token")
    return json_response({"token": token, "expires_at": session.expires_at, **await _me(contact)})


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    """Revoke this session: its row goes, so no replica accepts the token again."""
    await MpSession.filter(id=request[MP_SESSION].id).delete()
    return json_response({"revoked": True})


@routes.get("/me")
async def me(request: web.Request) -> web.Response:
    return json_response(await _me(await _contact(request)))


@routes.post("/bind")
async def bind(request: web.Request) -> web.Response:
    take_try(request, MP_BIND)
    body = await read_json(request)
    session = request[MP_SESSION]
    contact = await redeem_bind_code(
        body_text(body, "code", max_len=column_length(BindCode, "code")), now=now(request),
        mp_openid=session.openid, unionid=session.unionid,
        name=body_text(body, "name", max_len=column_length(Contact, "name")),
    )
    return json_response(await _me(contact))


@routes.get("/statements")
async def list_statements(request: web.Request) -> web.Response:
    actor = await require_contact_actor(request)
    found = await statements.list_statements(
        actor, status=request.query.get("status"),
        limit=query_int(request, "limit", 20, lo=1, hi=100),
        offset=query_int(request, "offset", 0, hi=10**9),
    )
    return json_response({"items": [statement_summary(s) for s in found]})


@routes.get("/statements/{id}")
async def get_statement(request: web.Request) -> web.Response:
    statement_id = path_id(request)
    probe = await probes.contact_statement(request[MP_SESSION].openid, statement_id)
    if probe is None:  # the slow path says why: not bound (401) or not theirs (404)
        await statements.get_statement(await require_contact_actor(request), statement_id)
        raise NotFound("statement_not_found", f"对账单 {statement_id} 不存在")
    request.config_dict[VIEW_COUNTER].record(statement_id, now(request))
    cache = request.config_dict[VIEW_CACHE]
    key = ("mp", *probe.cache_key)
    body = cache.get(key)
    if body is None:
        body = dumps(await _statement_json(request, await Statement.get(id=statement_id)))
        cache.put(key, body)
    return web.Response(text=body, content_type="application/json")


async def _statement_json(request: web.Request, statement: Statement) -> dict:
    lines = await statement_lines(request, statement.id)
    view = statement_view(statement, await statement.customer, lines)
    view["can_answer"] = statement.status == rules.UNCONFIRMED
    if not view["can_answer"]:  # staff may have confirmed it, not the customer
        view["answered_by_customer"] = (await statements.shown_answer(statement)).by_customer
    return view


@routes.post("/statements/{id}/answer")
async def answer(request: web.Request) -> web.Response:
    actor = await require_contact_actor(request)
    body = await read_json(request)
    statement = await statements.get_statement(actor, path_id(request))
    changed = await statements.customer_answer(
        actor, statement, body_text(body, "answer"), body_text(body, "description"),
        now(request), via="mp",
    )
    return json_response({"status": statement.status, "changed": changed,
                          "statement_id": statement.id})
