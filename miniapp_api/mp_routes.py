"""Mini-program JSON API: login with a WeChat code, bind, list / view / answer statements, and
open the statement a notice's tap names (its ``scene``).

A login is recognised as the contact the same person already is on the official account when
WeChat gives a unionid (domain.contacts). The answers of /me, a statement and an answer carry
``subscribe_templates``: the subscribe-message templates to ask consent for now with
``wx.requestSubscribeMessage`` (each consent buys one message, so the page asks at each visit).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Annotated, Any

from aiohttp import web
from pydantic import Field, PlainValidator, WithJsonSchema

from domain.common_errors import BAD_FIELD, MISSING_FIELD
from domain.contacts import contact_actor, contact_for_mp, redeem_bind_code
from domain.customers.errors import NOT_BOUND
from domain.customers.models import BindCode, Contact, Customer, MpSession
from domain.limits import column_length
from domain.statements import probes, rules
from domain.statements import service as statements
from domain.statements.errors import STATEMENT_NOT_FOUND
from domain.statements.models import Statement
from domain.statements.scenes import MAX_SCENE, statement_for_scene
from domain.statements.views import statement_summary, statement_view
from domain.subscriptions import MAX_ASKED, templates_to_request
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
    path_text,
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
    SUBSCRIBE_TEMPLATES,
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


TemplateIds = Annotated[list[str], Field(
    description=f"现在应请求用户授权的订阅消息模板 ID（wx.requestSubscribeMessage，最多 "
                f"{MAX_ASKED} 个；每次授权只能发一条，故每次进入都可能再次请求）")]


class Me(Reply):
    bound: bool
    contact: ContactRef = None  # when bound
    customer: CustomerName | None
    subscribe_templates: TemplateIds


class Session(Me):
    token: Secret
    expires_at: Moment


class Revoked(Reply):
    revoked: bool


class CustomerStatement(StatementReply):
    can_answer: bool
    answered_by_customer: bool = Field(None, description="已答复时：是客户本人答复的")
    subscribe_templates: TemplateIds


class Answered(Reply):
    status: StatementStatus
    changed: bool
    statement_id: Id
    subscribe_templates: TemplateIds


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
    session = request[MP_SESSION]
    return await contact_for_mp(session.openid, session.unionid)


async def _to_request(request: web.Request, contact: Contact | None) -> list[str]:
    """The subscribe consents to ask this contact for now."""
    return await templates_to_request(contact, request.config_dict[SUBSCRIBE_TEMPLATES])


async def require_contact_actor(request: web.Request):
    """The bound contact behind the session, or 401 not_bound."""
    contact = await _contact(request)
    if contact is None:
        raise NOT_BOUND("尚未绑定客户，请输入业务员提供的绑定码")
    return contact_actor(contact)


async def _me(request: web.Request, contact: Contact | None) -> dict:
    if contact is None or contact.customer_id is None:
        return {"bound": False, "customer": None, "subscribe_templates": []}
    customer = await Customer.get(id=contact.customer_id)
    return {"bound": True, "contact": {"id": contact.id, "name": contact.name},
            "customer": {"id": customer.id, "name": customer.name},
            "subscribe_templates": await _to_request(request, contact)}


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
    contact = await contact_for_mp(wx["openid"], wx.get("unionid"))
    carries_secrets(request, "token")
    return json_response({"token": token, "expires_at": session.expires_at,
                          **await _me(request, contact)})


@routes.post("/logout", summary="退出登录（吊销本会话）", response=Revoked)
async def logout(request: web.Request) -> web.Response:
    """Revoke this session: its row goes, so no replica accepts the token again."""
    await MpSession.filter(id=request[MP_SESSION].id).delete()
    return json_response({"revoked": True})


@routes.get("/me", summary="当前用户与绑定的客户", response=Me)
async def me(request: web.Request) -> web.Response:
    return json_response(await _me(request, await _contact(request)))


@routes.post("/bind", summary="用绑定码绑定客户", body=Binding, response=Me)
async def bind(request: web.Request, body: Binding) -> web.Response:
    take_try(request, MP_BIND)
    session = request[MP_SESSION]
    contact = await redeem_bind_code(
        body.code, now=now(request), mp_openid=session.openid, unionid=session.unionid,
        name=body.name,
    )
    return json_response(await _me(request, contact))


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
    openid = request[MP_SESSION].openid
    probe = await probes.contact_statement(openid, statement_id)
    if probe is None:  # the slow path says why — not bound (401) or not theirs (404) — or
        # links the contact the same person is on the official account (unionid)
        await statements.get_statement(await require_contact_actor(request), statement_id)
        probe = await probes.contact_statement(openid, statement_id)
    if probe is None:
        raise STATEMENT_NOT_FOUND(f"对账单 {statement_id} 不存在")
    return await _statement_response(request, probe)


@routes.get("/scenes/{scene}", summary="打开通知里的对账单（小程序页面的 scene）",
            path={"scene": path_text(3 * MAX_SCENE)}, response=CustomerStatement)
async def statement_by_scene(request: web.Request) -> web.Response:
    """The statement a notice's ``pages/statement/index?scene=…`` names, for a logged-in
    contact of its customer: 403 statement_not_yours for another customer's, 404 for none."""
    actor = await require_contact_actor(request)
    statement = await statement_for_scene(actor, request.match_info["scene"])
    probe = await probes.contact_statement(request[MP_SESSION].openid, statement.id)
    if probe is None:  # deleted meanwhile
        raise STATEMENT_NOT_FOUND(f"对账单 {statement.id} 不存在")
    return await _statement_response(request, probe)


async def _statement_response(request: web.Request, probe: probes.Probe) -> web.Response:
    """The statement's view (cached per version, shared by the customer's contacts) and the
    consents this contact should be asked for."""
    request.config_dict[VIEW_COUNTER].record(probe.statement_id, now(request))
    cache = request.config_dict[VIEW_CACHE]
    key = ("mp", *probe.cache_key)
    body = cache.get(key)
    if body is None:
        body = dumps(await _statement_json(request, await Statement.get(id=probe.statement_id)))
        cache.put(key, body)
    asks = await _to_request(request, await _contact(request))
    return web.Response(text=_with_field(body, "subscribe_templates", asks),
                        content_type="application/json")


def _with_field(body: str, name: str, value: object) -> str:
    """A cached JSON object with one more member (the cache holds what all contacts share)."""
    return f"{body[:-1]},{dumps({name: value})[1:]}"


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
    contact = await _contact(request)
    return json_response({"status": statement.status, "changed": changed,
                          "statement_id": statement.id,
                          "subscribe_templates": await _to_request(request, contact)})
