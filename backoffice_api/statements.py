"""Statement routes for finance and sales: build, list, view, and seed 000's actions."""

from __future__ import annotations

import asyncio

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.documents.rules import DOC_TYPES
from domain.errors import Invalid
from domain.limits import ID_MAX
from domain.models import Customer
from domain.statements import rules
from domain.statements import service as statements
from domain.statements.pdf import render_statement_pdf
from domain.statements.settings import include_pending, set_include_pending
from domain.statements.views import staff_extras, statement_summary, statement_view
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import now, statement_lines
from httpcommon.params import (
    body_amount,
    body_date,
    body_text,
    int_value,
    path_id,
    query_date,
    query_int,
)
from httpcommon.sharing import share_settings, share_urls

routes = web.RouteTableDef()
STAFF = (ADMIN, FINANCE, SALES)
BOOKS = (ADMIN, FINANCE)


async def full_view(request: web.Request, statement) -> dict:
    lines = await statement_lines(request, statement.id)
    view = statement_view(statement, await statement.customer, lines)
    view.update(staff_extras(statement))
    view["actions"] = list(rules.allowed_actions(statement.status, statement.received_amount))
    return view


def _str_list(body: dict, name: str) -> tuple[str, ...]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid("bad_field", f"{name} 必须是字符串数组")
    return tuple(value)


@routes.post("/statements")
async def create_statement(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    body = await read_json(request)
    if body.get("customer_id") is None:
        raise Invalid("missing_field", "customer_id 必须是整数")
    spec = statements.NewStatement(
        customer_id=int_value(body["customer_id"], "customer_id"),
        date_from=body_date(body, "date_from"),
        date_to=body_date(body, "date_to"),
        numbers=_str_list(body, "documents"),
        doc_types=_str_list(body, "types") or DOC_TYPES,
        notify=body.get("notify", True) is not False,
    )
    statement = await statements.create_statement(
        actor, spec, share_settings(request), now(request)
    )
    return json_response(await full_view(request, statement), status=201)


@routes.get("/statements/settings")
async def get_settings(request: web.Request) -> web.Response:
    actor_with(request, *STAFF)
    return json_response({"include_pending": await include_pending()})


@routes.put("/statements/settings")
async def put_settings(request: web.Request) -> web.Response:
    """include_pending：待审批的 ERP 单据也可以对账"""
    actor = actor_with(request, *BOOKS)
    value = (await read_json(request)).get("include_pending")
    if not isinstance(value, bool):
        raise Invalid("bad_field", "include_pending 必须是 true 或 false")
    await set_include_pending(value, by=actor.label, now=now(request))
    return json_response({"include_pending": await include_pending()})


@routes.get("/statements")
async def list_statements(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    customer_id = query_int(request, "customer_id", 0, hi=ID_MAX)
    found = await statements.list_statements(
        actor,
        customer_id=customer_id or None,
        status=request.query.get("status"),
        date_from=query_date(request, "from"),
        date_to=query_date(request, "to"),
        limit=query_int(request, "limit", 50, lo=1, hi=500),
        offset=query_int(request, "offset", 0, hi=10**9),
    )
    names = dict(await Customer.filter(id__in={s.customer_id for s in found}).values_list(
        "id", "name"))
    items = []
    for statement in found:
        item = statement_summary(statement) | staff_extras(statement)
        item["customer_name"] = names.get(statement.customer_id, "")
        item["actions"] = list(rules.allowed_actions(statement.status, statement.received_amount))
        items.append(item)
    return json_response({"items": items})


@routes.get("/statements/{id}")
async def get_statement(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    statement = await statements.get_statement(actor, path_id(request))
    return json_response(await full_view(request, statement))


@routes.post("/statements/{id}/receive")
async def receive(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    body = await read_json(request)
    statement = await statements.record_payment(
        actor, path_id(request), body_amount(body, "amount"), body_text(body, "note"),
        now(request),
    )
    return json_response(await full_view(request, statement))


async def _confirm(request: web.Request, result: str) -> web.Response:
    actor = actor_with(request, *BOOKS)
    body = await read_json(request)
    statement = await statements.staff_confirm(
        actor, path_id(request), result, body_text(body, "description"), now(request)
    )
    return json_response(await full_view(request, statement))


@routes.post("/statements/{id}/match")
async def match(request: web.Request) -> web.Response:
    return await _confirm(request, rules.MATCHED)


@routes.post("/statements/{id}/mismatch")
async def mismatch(request: web.Request) -> web.Response:
    return await _confirm(request, rules.MISMATCHED)


@routes.post("/statements/{id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    statement = await statements.cancel_confirmation(actor, path_id(request), now(request))
    return json_response(await full_view(request, statement))


def _event_view(event) -> dict:
    return {
        "action": event.action, "result": event.result,
        "result_label": rules.STATUS_LABELS.get(event.result, ""),
        "description": event.description, "amount": event.amount,
        "actor_kind": event.actor_kind, "actor": event.actor, "via": event.via,
        "device": event.device,
        "at": event.created_at,
    }


@routes.get("/statements/{id}/feedback")
async def feedback(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    events = await statements.feedback(actor, path_id(request))
    return json_response({"items": [_event_view(e) for e in events]})


@routes.get("/statements/{id}/history")
async def history(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    events = await statements.history(actor, path_id(request))
    return json_response({"items": [_event_view(e) for e in events]})


@routes.post("/statements/{id}/share")
async def share(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    link, token = await statements.share_statement(
        actor, path_id(request), share_settings(request), now(request)
    )
    return json_response(
        {"link_id": link.id, "expires_at": link.expires_at, **share_urls(request, token, link)},
        status=201,
    )


@routes.get("/statements/{id}/share-links")
async def share_links(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    links = await statements.list_share_links(actor, path_id(request))
    return json_response({"items": [
        {"id": link.id, "created_at": link.created_at, "created_by": link.created_by,
         "expires_at": link.expires_at, "revoked_at": link.revoked_at}
        for link in links
    ]})


@routes.post("/statements/{id}/share-links/{link_id}/revoke")
async def revoke_share_link(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    link = await statements.revoke_share_link(
        actor, path_id(request), path_id(request, "link_id"), now(request)
    )
    return json_response({"id": link.id, "revoked_at": link.revoked_at})


@routes.delete("/statements/{id}")
async def delete(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    await statements.delete_statement(actor, path_id(request), now(request))
    return json_response({"deleted": True})


@routes.get("/statements/{id}/pdf")
async def pdf(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    statement = await statements.get_statement(actor, path_id(request))
    body = await asyncio.to_thread(render_statement_pdf, await full_view(request, statement))
    return web.Response(
        body=body, content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="statement-{statement.id}.pdf"'},
    )
