"""Mini-program JSON API: login with a WeChat code, bind, list / view / answer statements."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Annotated, Any

from aiohttp import web
from pydantic import Field, PlainValidator, WithJsonSchema

from domain.common_errors import BAD_FIELD, MISSING_FIELD
from domain.contacts import contact_actor, redeem_bind_code
from domain.customers.errors import NOT_BOUND
from domain.customers.models import BindCode, Contact, Customer, MpSession
from domain.limits import column_length
from domain.statements import probes, rules
from domain.statements import service as statements
from domain.statements.errors import STATEMENT_NOT_FOUND
from domain.statements.models import Statement
from domain.statements.views import statement_summary, statement_view
from httpcommon.contract import Routes
from httpcommon.error_codes import BAD_SESSION, WECHAT_LOGIN_FAILED
from httpcommon.fields import (
    NOT_BLANK,
    Body,
    Id,
    Items,
    Moment,
    Offset,
    Query,
    Reply,
    Secret,
    bad,
    query_choice,
    query_int,
    text,
)
from httpcommon.idempotency import carries_secrets
from httpcommon.jsonio import dumps, json_response
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
from httpcommon.params import path_id
from httpcommon.ratelimit import MP_BIND, MP_LOGIN, take_try
from httpcommon.replies import Statement as StatementReply
from httpcommon.replies import StatementStatus, StatementSummary
from httpcommon.routes import is_public_route
from httpcommon.upstream import UpstreamError

routes = Routes()
log = logging.getLogger(__name__)
LOGIN_ROUTE, OPENAPI_ROUTE = "login", "openapi"
PUBLIC_ROUTES = frozenset({LOGIN_ROUTE, OPENAPI_ROUTE})  # served without a session


# --- request types ---------------------------------------------------------------------------


def _login_code(value: Any) -> str:
    """The wx.login code, stripped; blank is missing."""
    if value is not None and not isinstance(value, str):
        raise bad(BAD_FIELD, "必须是字符串")
    if value is not None and len(value) > 128:
        raise bad(BAD_FIELD, "不能超过 128 个字符")
    code = (value or "").strip()
    if not code:
        raise bad(MISSING_FIELD, "缺少字段 code")
    return code


class Login(Body):
    code: Annotated[str, PlainValidator(_login_code),
                    WithJsonSchema({**NOT_BLANK, "maxLength": 128})]


class Binding(Body):
    documented_required = ("code",)

    code: text(column_length(BindCode, "code")) = ""  # the use case judges it
    name: text(column_length(Contact, "name")) = ""


class StatementsFilter(Query):
    status: query_choice(*rules.STATUS_LABELS) = None
    limit: query_int(1, 100) = 20
    offset: Offset = 0


class Answer(Body):
    """符合 / 不符合 (the use case refuses another answer, or 不符合 without a description)."""

    documented_required = ("answer",)

    answer: Annotated[text(2000), WithJsonSchema({"enum": [rules.MATCHED, rules.MISMATCHED]})] = ""
    description: Annotated[text(2000), Field(description="不符合时必填")] = ""


# --- response types --------------------------------------------------------------------------


class ContactRef(Reply):
    id: Id
    name: str


class CustomerName(Reply):
    id: Id
    name: str


class Me(Reply):
    bound: bool
    contact: ContactRef = None  # when bound
    customer: CustomerName | None


class Session(Me):
    token: Secret
    expires_at: Moment


class Revoked(Reply):
    revoked: bool


class CustomerStatement(StatementReply):
    can_answer: bool
    answered_by_customer: bool = Field(None, description="已答复时：是客户本人答复的")


class Answered(Reply):
    status: StatementStatus
    changed: bool
    statement_id: Id


# --- routes ----------------------------------------------------------------------------------


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
        raise BAD_SESSION("登录已失效，请重新登录")
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
        raise NOT_BOUND("尚未绑定客户，请输入业务员提供的绑定码")
    return contact_actor(contact)


async def _me(contact: Contact | None) -> dict:
    if contact is None or contact.customer_id is None:
        return {"bound": False, "customer": None}
    customer = await Customer.get(id=contact.customer_id)
    return {"bound": True, "contact": {"id": contact.id, "name": contact.name},
            "customer": {"id": customer.id, "name": customer.name}}


@routes.post("/login", name=LOGIN_ROUTE, summary="用 wx.login 的 code 登录", body=Login,
             response=Session)
async def login(request: web.Request, body: Login) -> web.Response:
    take_try(request, MP_LOGIN)
    try:
        wx = await request.config_dict[WECHAT].code_to_session(body.code)
    except UpstreamError as exc:  # the detail (upstream URL, errmsg) is for our log only
        log.warning("mini-program login failed: errcode=%s status=%s %s",
                    exc.errcode, exc.status, exc.errmsg)
        raise WECHAT_LOGIN_FAILED("微信登录失败，请重新打开小程序再试") from exc
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


@routes.post("/logout", summary="退出登录（吊销本会话）", response=Revoked)
async def logout(request: web.Request) -> web.Response:
    """Revoke this session: its row goes, so no replica accepts the token again."""
    await MpSession.filter(id=request[MP_SESSION].id).delete()
    return json_response({"revoked": True})


@routes.get("/me", summary="当前用户与绑定的客户", response=Me)
async def me(request: web.Request) -> web.Response:
    return json_response(await _me(await _contact(request)))


@routes.post("/bind", summary="用绑定码绑定客户", body=Binding, response=Me)
async def bind(request: web.Request, body: Binding) -> web.Response:
    take_try(request, MP_BIND)
    session = request[MP_SESSION]
    contact = await redeem_bind_code(
        body.code, now=now(request), mp_openid=session.openid, unionid=session.unionid,
        name=body.name,
    )
    return json_response(await _me(contact))


@routes.get("/statements", summary="本客户的对账单", query=StatementsFilter,
            response=Items[StatementSummary])
async def list_statements(request: web.Request, query: StatementsFilter) -> web.Response:
    actor = await require_contact_actor(request)
    found = await statements.list_statements(
        actor, status=query.status, limit=query.limit, offset=query.offset)
    return json_response({"items": [statement_summary(s) for s in found]})


@routes.get("/statements/{id}", summary="对账单详情", response=CustomerStatement)
async def get_statement(request: web.Request) -> web.Response:
    statement_id = path_id(request)
    probe = await probes.contact_statement(request[MP_SESSION].openid, statement_id)
    if probe is None:  # the slow path says why: not bound (401) or not theirs (404)
        await statements.get_statement(await require_contact_actor(request), statement_id)
        raise STATEMENT_NOT_FOUND(f"对账单 {statement_id} 不存在")
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


@routes.post("/statements/{id}/answer", summary="回复 符合 / 不符合", body=Answer,
             response=Answered)
async def answer(request: web.Request, body: Answer) -> web.Response:
    actor = await require_contact_actor(request)
    statement = await statements.get_statement(actor, path_id(request))
    changed = await statements.customer_answer(
        actor, statement, body.answer, body.description, now(request), via="mp",
    )
    return json_response({"status": statement.status, "changed": changed,
                          "statement_id": statement.id})
