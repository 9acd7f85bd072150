"""审批 (SPEC 5, seeds 002 and 004): my tasks (待办 and 已办) with the customer's credit beside
each, deciding a task (同意 / 驳回 / 退回 with a comment), the flows I started (撤回, 重新提交
with the form editable) and starting a credit application or a payment-term change.

Every action goes through the approval engine exactly as the API's handlers do
(``backoffice_api/approvals.py``); the forms are drawn from their declarations in
``domain.approvals.forms``, the lists come from ``domain.approvals.queries`` and a task's page
from ``domain.approvals.task_page`` (shared with the signed-link page of a DingTalk card).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from domain.actors import Actor
from domain.approvals import engine, forms
from domain.approvals.errors import UNKNOWN_FLOW_KIND
from domain.approvals.flows import flows_with_overrides
from domain.approvals.queries import (
    decided_tasks,
    flow_view,
    list_flows,
    pending_task_ids,
    visible_flow,
)
from domain.approvals.task_page import task_page
from domain.credit import queries as credit_queries
from domain.customers.service import list_customers
from domain.errors import DomainError
from domain.money import yuan
from httpcommon.errors import status_of
from httpcommon.jsonio import read_form_fields
from httpcommon.keys import ACTOR, SETTINGS, now
from workbench.guard import CSRF_FIELD, csrf_token, page
from workbench.pages import flash, redirect, render
from workbench.paths import PREFIX

routes = web.RouteTableDef()
TODO_PAGE = 10  # 待办 per page: each shows the request and the customer's credit today
HOME = f"{PREFIX}/approvals"
ID = "{%s:[0-9]{1,9}}"  # a database id (longer numbers are no id: the router's 404)
FLOW_ID, TASK_ID = ID % "flow_id", ID % "task_id"
CHOICES_LIMIT = 500  # customers offered in a form's list (a salesperson's own are fewer)


def _actor(request: web.Request) -> Actor:
    return request[ACTOR]


def _id(request: web.Request, name: str) -> int:
    return int(request.match_info[name])


def _definitions(request: web.Request):
    """The flow definitions with the setting ``approval_flows`` applied, as the API uses."""
    return flows_with_overrides(request.config_dict[SETTINGS].approval_flows)


# ----- 待办 / 已办 / 我发起的 -----------------------------------------------------------------


@routes.get("/approvals", name="approvals")
@page("GET /approvals")
async def my_tasks(request: web.Request) -> web.Response:
    """待办: each task with the request's facts and the customer's credit today."""
    actor, today = _actor(request), now(request).date()
    number = _page(request)
    ids = await pending_task_ids(actor.staff_id, limit=TODO_PAGE + 1,
                                 offset=(number - 1) * TODO_PAGE)
    views = [await task_page(task_id, actor.staff_id or 0, today) for task_id in ids[:TODO_PAGE]]
    return await render(request, "approvals/todo.html", {
        "tab": "todo", "tasks": views, "page": number, "has_next": len(ids) > TODO_PAGE})


def _page(request: web.Request) -> int:
    """?page=, from 1; anything else is the first page."""
    raw = request.query.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 and int(raw) else 1


@routes.get("/approvals/done")
@page("GET /approvals")
async def my_decided_tasks(request: web.Request) -> web.Response:
    tasks = await decided_tasks(_actor(request).staff_id)
    return await render(request, "approvals/done.html", {"tab": "done", "tasks": tasks})


@routes.get("/approvals/mine")
@page("GET /approvals")
async def my_flows(request: web.Request) -> web.Response:
    actor = _actor(request)
    flows = await list_flows(actor, mine=True)
    actions = {f["id"]: engine.initiator_actions(f["status"], f["initiator_id"], actor.staff_id)
               for f in flows}
    return await render(request, "approvals/mine.html", {
        "tab": "mine", "flows": flows, "actions": actions, "withdraw": engine.WITHDRAW,
        "resubmit": engine.RESUBMIT})


# ----- one task: 同意 / 驳回 / 退回 -----------------------------------------------------------


async def _task_response(request: web.Request, *, comment: str = "", error: str = "",
                         status: int = 200) -> web.Response:
    task_id, actor = _id(request, "task_id"), _actor(request)
    view = await task_page(task_id, actor.staff_id or 0, now(request).date())
    decide = {action: f"{HOME}/tasks/{task_id}/{action}" for action in engine.ACTIONS}
    return await render(request, "approvals/task.html", {
        "tab": "todo", "view": view, "decide": decide, "comment": comment, "error": error,
        "max_comment": engine.MAX_COMMENT,
        "hidden": {CSRF_FIELD: await csrf_token(request)}}, status=status)


@routes.get(f"/approvals/tasks/{TASK_ID}")
@page("GET /approvals/{id}")
async def show_task(request: web.Request) -> web.Response:
    return await _task_response(request)


async def _decide(request: web.Request, action: str) -> web.Response:
    """Act on the task as the signed-in approver; refused: the page again, comment kept."""
    comment = (await read_form_fields(request)).get("comment", "")
    task_id, actor = _id(request, "task_id"), _actor(request)
    try:
        flow = await engine.ACTIONS[action](task_id, actor.staff_id, comment, now(request))
    except DomainError as exc:
        return await _task_response(request, comment=comment, error=exc.message,
                                    status=status_of(exc))
    await flash(request, f"{engine.DONE_LABELS[action]}：{flow.title}")
    raise redirect(request, HOME)


@routes.post(f"/approvals/tasks/{TASK_ID}/approve")
@page("POST /approvals/{id}/tasks/{task_id}/approve")
async def approve_task(request: web.Request) -> web.Response:
    return await _decide(request, engine.APPROVE)


@routes.post(f"/approvals/tasks/{TASK_ID}/reject")
@page("POST /approvals/{id}/tasks/{task_id}/reject")
async def reject_task(request: web.Request) -> web.Response:
    return await _decide(request, engine.REJECT)


@routes.post(f"/approvals/tasks/{TASK_ID}/return")
@page("POST /approvals/{id}/tasks/{task_id}/return")
async def return_task(request: web.Request) -> web.Response:
    return await _decide(request, engine.RETURN)


# ----- one flow: 撤回 / 重新提交 ---------------------------------------------------------------


@routes.get(f"/approvals/{FLOW_ID}")
@page("GET /approvals/{id}")
async def show_flow(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    actor = _actor(request)
    found = await visible_flow(actor, _id(request, "flow_id"))
    flow = await flow_view(found)
    return await render(request, "approvals/flow.html", {
        "tab": "mine" if flow["initiator_id"] == actor.staff_id else "todo", "flow": flow,
        "error": error, "can": await engine.flow_actions(found, actor.staff_id),
        "editable": flow["kind"] in forms.FORMS, "max_comment": engine.MAX_COMMENT},
        status=status)


@routes.post(f"/approvals/{FLOW_ID}/withdraw")
@page("POST /approvals/{id}/withdraw")
async def withdraw_flow(request: web.Request) -> web.Response:
    comment = (await read_form_fields(request)).get("comment", "")
    flow_id, actor = _id(request, "flow_id"), _actor(request)
    await visible_flow(actor, flow_id)  # someone else's flow: 404, as the API's list hides it
    try:
        flow = await engine.withdraw(flow_id, actor.staff_id, comment, now(request))
    except DomainError as exc:
        return await show_flow(request, error=exc.message,
                               status=status_of(exc))
    await flash(request, f"已撤回：{flow.title}")
    raise redirect(request, f"{HOME}/{flow.id}")


@routes.get(f"/approvals/{FLOW_ID}/resubmit")
@page("POST /approvals/{id}/resubmit")
async def resubmit_form(request: web.Request) -> web.Response:
    actor = _actor(request)
    flow = await visible_flow(actor, _id(request, "flow_id"))
    # the form only to whom the engine lets resubmit (finance sees every flow, starts none)
    refusal = engine.initiator_refusal(engine.RESUBMIT, flow.status, flow.initiator_id,
                                       actor.staff_id)
    if refusal is not None:
        raise refusal
    if flow.kind not in forms.FORMS:
        raise UNKNOWN_FLOW_KIND(f"「{engine.kind_label(flow.kind)}」不能在工作台修改表单")
    values = {key: "" if value is None else str(value) for key, value in flow.form.items()}
    return await _form_page(request, flow.kind, values,
                            _customer_of(request.query, flow.customer_id),
                            action=f"{HOME}/{flow.id}/resubmit", title=flow.title)


@routes.post(f"/approvals/{FLOW_ID}/resubmit")
@page("POST /approvals/{id}/resubmit")
async def resubmit_flow(request: web.Request) -> web.Response:
    """重新提交: with the form as edited, or as it was (a kind the workbench cannot edit)."""
    actor, flow_id = _actor(request), _id(request, "flow_id")
    flow = await visible_flow(actor, flow_id)
    posted = await read_form_fields(request)
    as_it_was = posted.get("same") or flow.kind not in forms.FORMS
    edited = None if as_it_was else _posted_form(flow.kind, posted)
    try:
        flow = await engine.resubmit(flow_id, actor.staff_id, edited, now(request), actor=actor,
                                     definitions=_definitions(request))
    except DomainError as exc:
        if edited is None:
            return await show_flow(request, error=exc.message,
                                   status=status_of(exc))
        return await _form_page(request, flow.kind, edited, _customer_of(posted, flow.customer_id),
                                action=f"{HOME}/{flow.id}/resubmit", title=flow.title,
                                error=exc.message, status=status_of(exc))
    await flash(request, f"已重新提交：{flow.title}")
    raise redirect(request, f"{HOME}/{flow.id}")


# ----- 发起审批 ------------------------------------------------------------------------------


def _kind(raw: str | None) -> str:
    kind = raw or next(iter(forms.FORMS))
    if kind not in forms.FORMS:
        raise UNKNOWN_FLOW_KIND(f"未知审批流程: {kind[:40]}")
    return kind


def _customer_of(fields: Mapping[str, str], default: int | None = None) -> int | None:
    raw = fields.get("customer_id", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else default


@routes.get("/approvals/new")
@page("POST /approvals")
async def new_flow_form(request: web.Request) -> web.Response:
    kind = _kind(request.query.get("kind"))
    values = {f.name: request.query.get(f.name, "") for f in forms.FORMS[kind]}
    return await _form_page(request, kind, values, _customer_of(request.query))


@routes.post("/approvals/new")
@page("POST /approvals")
async def start_flow(request: web.Request) -> web.Response:
    actor, posted = _actor(request), await read_form_fields(request)
    kind = _kind(posted.get("kind"))
    form = _posted_form(kind, posted)
    try:
        flow = await engine.start(kind, actor.staff_id, form, now(request), actor=actor,
                                  definitions=_definitions(request))
    except DomainError as exc:
        return await _form_page(request, kind, form, _customer_of(posted), error=exc.message,
                                status=status_of(exc))
    await flash(request, f"已发起审批：{flow.title}")
    raise redirect(request, f"{HOME}/{flow.id}")


def _posted_form(kind: str, posted: Mapping[str, str]) -> dict[str, str]:
    """The declared fields of ``kind`` as posted (the engine parses and checks them)."""
    return {f.name: posted.get(f.name, "").strip() for f in forms.FORMS[kind]}


async def _form_page(request: web.Request, kind: str, values: Mapping[str, Any],
                     customer_id: int | None, *, action: str = f"{HOME}/new", title: str = "",
                     error: str = "", status: int = 200) -> web.Response:
    fields = forms.FORMS[kind]
    return await render(request, "approvals/new.html", {
        "tab": "new", "kind": kind, "kinds": [(k, engine.kind_label(k)) for k in forms.FORMS],
        "fields": fields, "values": values, "customer_id": customer_id,
        "options": await _options(request, fields, customer_id), "action": action,
        "resubmit_title": title, "back": action.removesuffix("/resubmit"), "error": error,
        "inputs": forms}, status=status)


async def _options(request: web.Request, fields, customer_id: int | None) -> dict[str, list]:
    """The choices of the form's list fields: customers the person may see, the sales orgs,
    the chosen customer's open debts."""
    actor, inputs = _actor(request), {f.input for f in fields}
    options: dict[str, list] = {}
    if forms.CUSTOMER in inputs or forms.DEBT in inputs:
        found = await list_customers(actor, include_disabled=False, limit=CHOICES_LIMIT)
        options[forms.CUSTOMER] = [(str(c.id), f"{c.name}（{c.code}）") for c in found]
    if forms.ORG in inputs:
        options[forms.ORG] = [(str(o["id"]), o["name"])
                              for o in await credit_queries.org_choices()]
    if forms.DEBT in inputs:
        options[forms.DEBT] = await _debt_options(actor, customer_id, now(request).date())
    if forms.CREDIT_LINE in inputs:
        options[forms.CREDIT_LINE] = await _parent_lines(actor, now(request).date())
    return options


async def _parent_lines(actor: Actor, today) -> list[tuple[str, str]]:
    """The 直签授信 accounts a 直签使用授信 may draw on (those of customers the person sees)."""
    return [(str(line["id"]), f"{line['number']} · 可用{yuan(line['available'])}")
            for line in await credit_queries.parent_line_choices(actor, today)]


async def _debt_options(actor: Actor, customer_id: int | None, today) -> list[tuple[str, str]]:
    if customer_id is None:
        return []
    debts = await credit_queries.list_debts(actor, customer_id, "open", today)
    return [(str(d["id"]), f"#{d['id']} {d['debt_date']:%Y-%m-%d} 借款 未还"
             f"{yuan(d['outstanding'])}，账期 {d['term_days']} 天，{d['due_date']:%Y-%m-%d} 到期")
            for d in debts]
