"""Statement routes for finance and sales: build, list, view, and seed 000's actions."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.common_errors import BAD_FIELD
from domain.documents.rules import DOC_TYPES
from domain.limits import ID_MAX
from domain.statements import rules
from domain.statements import service as statements
from domain.statements.settings import include_pending, set_include_pending
from domain.statements.views import event_view, staff_view
from httpcommon.contract import Routes
from httpcommon.fields import (
    Body,
    Code,
    Day,
    Flag,
    Id,
    Items,
    Limit,
    Moment,
    NotNull,
    Offset,
    OptionalMoment,
    OptionalMoney,
    PositiveAmount,
    Query,
    QueryDay,
    Reply,
    Secret,
    Strings,
    anything,
    query_choice,
    query_int,
    text,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import now, statement_lines
from httpcommon.params import path_id
from httpcommon.printing import statement_pdf
from httpcommon.replies import Deleted, StaffExtras, Statement, StatementSummary
from httpcommon.sharing import share_settings, share_urls

routes = Routes()
STAFF = (ADMIN, FINANCE, SALES)
BOOKS = (ADMIN, FINANCE)


class NewStatement(Body):
    customer_id: Annotated[Id, NotNull]
    date_from: Day
    date_to: Day
    documents: Strings = ()
    types: Strings = ()
    notify: anything({"type": "boolean"}) = True


class StatementSettings(Body, Reply):
    include_pending: Annotated[Flag, Code(BAD_FIELD)]  # missing too: not true or false


class StatementsQuery(Query):
    customer_id: query_int(0, ID_MAX) = 0
    status: query_choice(*rules.STATUS_LABELS) = None
    from_: Annotated[QueryDay, Field(alias="from")] = None
    to: QueryDay = None
    limit: Limit = 50
    offset: Offset = 0


class Receipt(Body):
    amount: PositiveAmount
    note: text(2000) = ""


class Confirmation(Body):
    description: text(2000) = ""


class StaffStatement(Statement, StaffExtras):
    """A statement as staff see it: who answered, views, and the actions open to them."""


class StatementListItem(StatementSummary, StaffExtras):
    customer_name: str


class Event(Reply):
    action: str
    result: str
    result_label: str
    description: str
    amount: OptionalMoney
    actor_kind: str
    actor: str
    via: str
    device: str
    at: Moment


class Share(Reply):
    link_id: Id
    expires_at: Moment
    url: Secret
    qr_png: Secret
    qr_svg: Secret
    mp_path: Secret
    token: Secret


class ShareLink(Reply):
    id: Id
    created_at: Moment
    created_by: str
    expires_at: Moment
    revoked_at: OptionalMoment


class RevokedLink(Reply):
    id: Id
    revoked_at: Moment


async def full_view(request: web.Request, statement) -> dict:
    lines = await statement_lines(request, statement.id)
    return staff_view(statement, await statement.customer, lines)


@routes.post("/statements", summary="生成对账单（勾选单据或按类型取全部）",
             body=NewStatement, response=StaffStatement, status=201)
async def create_statement(request: web.Request, body: NewStatement) -> web.Response:
    actor = actor_with(request, *STAFF)
    spec = statements.NewStatement(
        customer_id=body.customer_id,
        date_from=body.date_from,
        date_to=body.date_to,
        numbers=body.documents,
        doc_types=body.types or DOC_TYPES,
        notify=body.notify is not False,
    )
    statement = await statements.create_statement(
        actor, spec, share_settings(request), now(request)
    )
    return json_response(await full_view(request, statement), status=201)


@routes.get("/statements/settings", summary="对账参数", response=StatementSettings)
async def get_settings(request: web.Request) -> web.Response:
    actor_with(request, *STAFF)
    return json_response({"include_pending": await include_pending()})


@routes.put("/statements/settings",
            summary="设置对账参数（include_pending：待审批单据也可对账）",
            body=StatementSettings, response=StatementSettings)
async def put_settings(request: web.Request, body: StatementSettings) -> web.Response:
    actor = actor_with(request, *BOOKS)
    await set_include_pending(body.include_pending, by=actor.label, now=now(request))
    return json_response({"include_pending": await include_pending()})


@routes.get("/statements", summary="对账单历史", query=StatementsQuery,
            response=Items[StatementListItem])
async def list_statements(request: web.Request, query: StatementsQuery) -> web.Response:
    actor = actor_with(request, *STAFF)
    items = await statements.history_items(
        actor,
        customer_id=query.customer_id or None,
        status=query.status,
        date_from=query.from_,
        date_to=query.to,
        limit=query.limit,
        offset=query.offset,
    )
    return json_response({"items": items})


@routes.get("/statements/{id}", summary="对账单详情", response=StaffStatement)
async def get_statement(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    statement = await statements.get_statement(actor, path_id(request))
    return json_response(await full_view(request, statement))


@routes.post("/statements/{id}/receive", summary="收款", body=Receipt,
             response=StaffStatement)
async def receive(request: web.Request, body: Receipt) -> web.Response:
    actor = actor_with(request, *BOOKS)
    statement = await statements.record_payment(
        actor, path_id(request), body.amount, body.note, now(request))
    return json_response(await full_view(request, statement))


async def _confirm(request: web.Request, result: str, body: Confirmation) -> web.Response:
    actor = actor_with(request, *BOOKS)
    statement = await statements.staff_confirm(
        actor, path_id(request), result, body.description, now(request)
    )
    return json_response(await full_view(request, statement))


@routes.post("/statements/{id}/match", summary="符合确认", body=Confirmation,
             response=StaffStatement)
async def match(request: web.Request, body: Confirmation) -> web.Response:
    return await _confirm(request, rules.MATCHED, body)


@routes.post("/statements/{id}/mismatch", summary="不符合确认", body=Confirmation,
             response=StaffStatement)
async def mismatch(request: web.Request, body: Confirmation) -> web.Response:
    return await _confirm(request, rules.MISMATCHED, body)


@routes.post("/statements/{id}/cancel", summary="取消确认", response=StaffStatement)
async def cancel(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    statement = await statements.cancel_confirmation(actor, path_id(request), now(request))
    return json_response(await full_view(request, statement))


@routes.get("/statements/{id}/feedback", summary="反馈内容", response=Items[Event])
async def feedback(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    events = await statements.feedback(actor, path_id(request))
    return json_response({"items": [event_view(e) for e in events]})


@routes.get("/statements/{id}/history", summary="操作记录", response=Items[Event])
async def history(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    events = await statements.history(actor, path_id(request))
    return json_response({"items": [event_view(e) for e in events]})


@routes.post("/statements/{id}/share", summary="分享（链接、二维码、小程序路径）",
             response=Share, status=201)
async def share(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    link, token = await statements.share_statement(
        actor, path_id(request), share_settings(request), now(request)
    )
    return json_response(
        {"link_id": link.id, "expires_at": link.expires_at, **share_urls(request, token, link)},
        status=201,
    )


@routes.get("/statements/{id}/share-links", summary="分享链接列表",
            response=Items[ShareLink])
async def share_links(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    links = await statements.list_share_links(actor, path_id(request))
    return json_response({"items": [
        {"id": link.id, "created_at": link.created_at, "created_by": link.created_by,
         "expires_at": link.expires_at, "revoked_at": link.revoked_at}
        for link in links
    ]})


@routes.post("/statements/{id}/share-links/{link_id}/revoke", summary="吊销分享链接",
             response=RevokedLink)
async def revoke_share_link(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    link = await statements.revoke_share_link(
        actor, path_id(request), path_id(request, "link_id"), now(request)
    )
    return json_response({"id": link.id, "revoked_at": link.revoked_at})


@routes.delete("/statements/{id}", summary="删除对账单（软删除，留审计）", response=Deleted)
async def delete(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    await statements.delete_statement(actor, path_id(request), now(request))
    return json_response({"deleted": True})


@routes.get("/statements/{id}/pdf", summary="对账单 PDF", content="application/pdf")
async def pdf(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    statement = await statements.get_statement(actor, path_id(request))
    return await statement_pdf(request, statement, await full_view(request, statement))
