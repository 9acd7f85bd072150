"""Approval routes (SPEC 5): start, list, view, act on a task, withdraw, resubmit; and the
department heads that department_head nodes resolve to. The caller's key must belong to a
staff member: that person is the initiator or the approver."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.approvals import engine
from domain.approvals.departments import set_department
from domain.approvals.flows import flows_with_overrides
from domain.approvals.queries import flow_view, list_flows, visible_flow
from domain.errors import Invalid
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import SETTINGS, now
from httpcommon.params import body_text, flag, path_id, query_int

routes = web.RouteTableDef()
STAFF = (ADMIN, FINANCE, SALES)


def _definitions(request: web.Request):
    """The flow definitions, with the nodes of the optional JSON setting ``approval_flows``."""
    settings = request.config_dict.get(SETTINGS)
    return flows_with_overrides(settings.approval_flows)


def _form(body: dict, required: bool):
    form = body.get("form")
    if form is None and not required:
        return None
    if not isinstance(form, dict):
        raise Invalid("bad_form", "form 必须是对象")
    return form


async def _view(flow) -> web.Response:
    return json_response(await flow_view(flow))


@routes.post("/approvals")
async def start_approval(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    body = await read_json(request)
    kind = body.get("kind")
    if not isinstance(kind, str) or not kind:
        raise Invalid("missing_field", "缺少字段 kind（审批流程类型）")
    flow = await engine.start(kind, actor.staff_id, _form(body, True), now(request),
                              actor=actor, definitions=_definitions(request))
    return json_response(await flow_view(flow), status=201)


@routes.get("/approvals")
async def list_approvals(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    items = await list_flows(
        actor, status=request.query.get("status") or None,
        kind=request.query.get("kind") or None, mine=flag(request, "mine"),
        todo=flag(request, "todo"), limit=query_int(request, "limit", 50, lo=1, hi=500),
        offset=query_int(request, "offset", 0, hi=10**9))
    return json_response({"items": items})


@routes.get("/approvals/{id}")
async def get_approval(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    return await _view(await visible_flow(actor, path_id(request)))


async def _act(request: web.Request, action: str) -> web.Response:
    actor = actor_with(request, *STAFF)
    body = await read_json(request)
    flow = await engine.ACTIONS[action](
        path_id(request, "task_id"), actor.staff_id, body_text(body, "comment"), now(request),
        flow_id=path_id(request))
    return await _view(flow)


@routes.post("/approvals/{id}/tasks/{task_id}/approve")
async def approve_task(request: web.Request) -> web.Response:
    return await _act(request, engine.APPROVE)


@routes.post("/approvals/{id}/tasks/{task_id}/reject")
async def reject_task(request: web.Request) -> web.Response:
    return await _act(request, engine.REJECT)


@routes.post("/approvals/{id}/tasks/{task_id}/return")
async def return_task(request: web.Request) -> web.Response:
    return await _act(request, engine.RETURN)


@routes.post("/approvals/{id}/withdraw")
async def withdraw_approval(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    body = await read_json(request)
    flow = await engine.withdraw(path_id(request), actor.staff_id, body_text(body, "comment"),
                                 now(request))
    return await _view(flow)


@routes.post("/approvals/{id}/resubmit")
async def resubmit_approval(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    body = await read_json(request)
    flow = await engine.resubmit(path_id(request), actor.staff_id, _form(body, False),
                                 now(request), actor=actor, definitions=_definitions(request))
    return await _view(flow)


@routes.put("/departments/{name}")
async def put_department(request: web.Request) -> web.Response:
    actor_with(request, ADMIN)
    body = await read_json(request)
    for name in ("head", "parent"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise Invalid("bad_field", f"{name} 必须是字符串或 null")
    return json_response(await set_department(
        request.match_info["name"], head_userid=body.get("head"), parent=body.get("parent")))
