"""An approver's own approval page reached by a signed link: ``GET /approvals/tasks/{task_id}
?t=<token>`` shows the task and a form (comment, 同意 / 驳回 / 退回); ``POST`` to the same path
decides through the approval engine's actions as the approver the token names
(``domain.approvals.links``). It is what a card's 驳回 / 退回 button opens when the card template
has no comment input, and what the DingTalk 待办 links to.

It is drawn with the workbench's layout and the same task partial as the workbench's own task
page (``approvals/_task.html``), but it stays a page of its own: the token (bound to the task and
the approver, expiring) is the credential for this one task and never becomes a workbench
session — a forwarded or leaked link must not open the rest of the approver's workbench (their
customers, statements, other tasks). ``在工作台中打开`` leads there through the ordinary sign-in.
The form carries the token back, so no cookie is involved and a forged cross-site post would
need the token itself (CSRF-safe without a session). Every refusal — a bad or expired link,
someone else's task, a decided task, a missing comment — is a Chinese page with a 4xx status,
never a 500.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from domain.approvals import engine
from domain.approvals.errors import TASK_NOT_FOUND
from domain.approvals.links import PAGE_PATH, read_task_link
from domain.approvals.task_page import TaskPage, task_page
from domain.errors import DomainError
from httpcommon.errors import status_of
from httpcommon.jsonio import is_form, read_form
from httpcommon.keys import SETTINGS, now
from httpcommon.params import refuses_nul_itself
from workbench.pages import HEADERS as PAGE_HEADERS
from workbench.paths import PREFIX

routes = web.RouteTableDef()
WORKBENCH = web.AppKey("approval_page_workbench", web.Application)  # whose templates draw it
# The token is a bearer credential in the URL: never framed, never sent on as a Referer.
HEADERS = {**PAGE_HEADERS, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


def _page(request: web.Request, template: str, context: dict[str, Any],
          status: int = 200) -> web.Response:
    """A page drawn by the workbench's templates, as nobody signed in (no menu, no session)."""
    env = aiohttp_jinja2.get_env(request.config_dict[WORKBENCH])
    text = env.get_template(template).render({
        "actor": None, "csrf": "", "prefix": PREFIX, "nav": [], "path": request.path,
        "flashes": [], "is_htmx": False, **context})
    return web.Response(text=text, content_type="text/html", status=status, headers=HEADERS)


def _refusal(request: web.Request, exc: DomainError) -> web.Response:
    return _page(request, "approvals/link_refused.html", {"message": exc.message},
                 status_of(exc))


def _task_page(request: web.Request, view: TaskPage, token: str, *, comment: str = "",
               error: str = "", status: int = 200) -> web.Response:
    if view.closed_reason is not None and status == 200:
        status = 409  # nothing left to do here: the link is spent
    here = PAGE_PATH.format(task_id=view.task_id)
    return _page(request, "approvals/link_task.html", {
        "view": view, "decide": dict.fromkeys(engine.ACTIONS, here), "hidden": {"t": token},
        "comment": comment, "error": error, "max_comment": engine.MAX_COMMENT}, status)


async def _approver(request: web.Request, token: str) -> tuple[int, int]:
    """The task id and the staff id its token names (refused unless genuine and unexpired)."""
    raw = request.match_info["task_id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise TASK_NOT_FOUND(f"审批任务 {raw[:20]} 不存在")
    task_id = int(raw)
    secret = request.config_dict[SETTINGS].secret_key
    return task_id, read_task_link(secret, token, task_id, now(request))


@routes.get("/approvals/tasks/{task_id}")
@refuses_nul_itself  # the id and the token are read below: NUL in either is a bad link
async def show_task(request: web.Request) -> web.Response:
    token = request.query.get("t", "")
    try:
        task_id, staff_id = await _approver(request, token)
        view = await task_page(task_id, staff_id, now(request).date())
    except DomainError as exc:
        return _refusal(request, exc)
    return _task_page(request, view, token)


async def _form_fields(request: web.Request) -> dict[str, str]:
    return await read_form(request) if is_form(request) else {}


@routes.post("/approvals/tasks/{task_id}")
@refuses_nul_itself
async def decide_task(request: web.Request) -> web.Response:
    try:
        fields = await _form_fields(request)
    except DomainError as exc:  # a body that is no form
        return _refusal(request, exc)
    token = fields.get("t") or request.query.get("t", "")
    action, comment = fields.get("action", ""), fields.get("comment", "")
    try:
        task_id, staff_id = await _approver(request, token)
        view = await task_page(task_id, staff_id, now(request).date())
    except DomainError as exc:
        return _refusal(request, exc)
    if action not in engine.ACTIONS:
        return _task_page(request, view, token, comment=comment, status=400,
                          error="请选择 同意、驳回 或 退回。")
    try:
        await engine.ACTIONS[action](task_id, staff_id, comment, now(request))
    except DomainError as exc:
        view = await task_page(task_id, staff_id, now(request).date())
        return _task_page(request, view, token, comment=comment, error=exc.message,
                          status=status_of(exc))
    return _page(request, "approvals/link_done.html", {
        "view": view, "done": engine.DONE_LABELS[action], "comment": comment.strip()})


def add_approval_page_routes(app: web.Application, workbench: web.Application) -> None:
    """The page's routes on ``app``, drawn with the templates of the ``workbench`` sub-app."""
    app[WORKBENCH] = workbench
    app.router.add_routes(routes)
