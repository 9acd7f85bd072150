"""An approver's own approval page: ``GET /approvals/tasks/{task_id}?t=<token>`` shows the task
and a form (comment, 同意 / 驳回 / 退回); ``POST`` to the same path decides through the approval
engine's actions as the approver the signed token names (``domain.approvals.links``).

It is what a card's 驳回 / 退回 button opens when the card template has no comment input, and
what the DingTalk 待办 links to. The token (bound to the task and the approver, expiring) is the
credential: the form carries it back, so no cookie is involved and a forged cross-site post
would need the token itself (CSRF-safe for this minimal page). Every refusal — a bad or expired
link, someone else's task, a decided task, a missing comment — is a Chinese page with a 4xx
status, never a 500. Server-rendered, readable on a phone; issue 15 builds the full workbench.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from domain.approvals import engine
from domain.approvals.errors import TASK_NOT_FOUND
from domain.approvals.links import PAGE_PATH, read_task_link
from domain.approvals.task_page import TaskPage, task_page
from domain.errors import DomainError
from httpcommon.errors import STATUS_BY_KIND
from httpcommon.jsonio import is_form, read_form
from httpcommon.keys import SETTINGS, now

routes = web.RouteTableDef()
HTML = "text/html"
ACTION_WORDS = {engine.APPROVE: "同意", engine.REJECT: "驳回", engine.RETURN: "退回"}
DONE_WORDS = {engine.APPROVE: "已同意", engine.REJECT: "已驳回", engine.RETURN: "已退回"}
# The token is a bearer credential in the URL: never framed, never sent on as a Referer.
HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'",
           "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
           "Cache-Control": "no-store"}
STYLE = """
body{margin:0;background:#f3f5f8;color:#1f2933;font:15px/1.5 -apple-system,BlinkMacSystemFont,
"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:560px;margin:0 auto;padding-bottom:32px}
header{background:#1677ff;color:#fff;padding:18px 16px}
h1{margin:0;font-size:19px;font-weight:600;word-break:break-all}
.sub{margin:4px 0 0;opacity:.85;font-size:13px}
section{background:#fff;margin:12px;border-radius:10px;padding:14px 16px}
h2{margin:0 0 8px;font-size:16px}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;margin:0}
dt{color:#7b8794}
dd{margin:0;word-break:break-all}
textarea{box-sizing:border-box;width:100%;min-height:96px;font:inherit;padding:8px;
border:1px solid #cbd2d9;border-radius:6px}
.buttons{display:flex;gap:10px;margin-top:12px}
button{flex:1;font:inherit;padding:10px 0;border-radius:6px;border:1px solid #cbd2d9;
background:#fff}
button.primary{background:#1677ff;border-color:#1677ff;color:#fff}
button.danger{color:#cf1322;border-color:#ffa39e}
.error{color:#cf1322;margin:0 0 8px}
.note{color:#7b8794;font-size:13px}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _document(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex">'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(text=_document(title, body), content_type=HTML, status=status,
                        headers=HEADERS)


def _refusal(exc: DomainError) -> web.Response:
    body = (f'<header><h1 id="error-title">无法处理审批</h1></header>'
            f'<section><p id="error-message">{_e(exc.message)}</p>'
            '<p class="note">请回到钉钉的审批卡片或待办重新打开。</p></section>')
    return _page("无法处理审批", body, STATUS_BY_KIND.get(exc.kind, 400))


def _facts(view: TaskPage) -> str:
    rows = [("审批类型", view.kind_label), ("发起人", view.initiator),
            ("当前节点", f"{view.node}（第 {view.step} 步）"), *view.summary,
            ("审批人", view.approver), ("状态", view.status)]
    return f'<section id="task"><h2>申请内容</h2>{_list(rows)}</section>' + _credit(view)


def _credit(view: TaskPage) -> str:
    if not view.credit:
        return ""
    return (f'<section id="credit"><h2>客户信用（今日）</h2>'
            f'{_list([("客户", view.customer), *view.credit])}</section>')


def _list(rows) -> str:
    items = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in rows)
    return f"<dl>{items}</dl>"


def _button(action: str, style: str) -> str:
    return (f'<button type="submit" name="action" value="{action}" class="{style}">'
            f"{ACTION_WORDS[action]}</button>")


def _form(view: TaskPage, token: str, comment: str, error: str) -> str:
    action = PAGE_PATH.format(task_id=view.task_id)
    alert = f'<p class="error" id="form-error" role="alert">{_e(error)}</p>' if error else ""
    return (
        f'<section id="decide"><h2>审批意见</h2>{alert}'
        f'<form method="post" action="{_e(action)}">'
        f'<input type="hidden" name="t" value="{_e(token)}">'
        f'<textarea name="comment" maxlength="{engine.MAX_COMMENT}" '
        f'placeholder="驳回、退回必须填写意见；同意可不填">{_e(comment)}</textarea>'
        f'<div class="buttons">{_button(engine.APPROVE, "primary")}'
        f'{_button(engine.REJECT, "danger")}{_button(engine.RETURN, "")}</div>'
        "</form></section>"
    )


def _task_page(view: TaskPage, token: str, *, comment: str = "", error: str = "",
               status: int = 200) -> web.Response:
    waiting = "待审批" if view.closed_reason is None else "审批"
    head = (f"<header><h1>{waiting}：{_e(view.title)}</h1>"
            f'<p class="sub">{_e(view.kind_label)} · {_e(view.flow_status)}</p></header>')
    if view.closed_reason is not None:
        tail = (f'<section id="closed"><p id="closed-reason">{_e(view.closed_reason)}</p>'
                '<p class="note">这项审批无需你再处理。</p></section>')
        status = status if status != 200 else 409
    else:
        tail = _form(view, token, comment, error)
    return _page(f"审批：{view.title}", head + _facts(view) + tail, status)


async def _approver(request: web.Request, token: str) -> tuple[int, int]:
    """The task id and the staff id its token names (refused unless genuine and unexpired)."""
    raw = request.match_info["task_id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise TASK_NOT_FOUND(f"审批任务 {raw[:20]} 不存在")
    task_id = int(raw)
    secret = request.config_dict[SETTINGS].secret_key
    return task_id, read_task_link(secret, token, task_id, now(request))


@routes.get("/approvals/tasks/{task_id}")
async def show_task(request: web.Request) -> web.Response:
    token = request.query.get("t", "")
    try:
        task_id, staff_id = await _approver(request, token)
        view = await task_page(task_id, staff_id, now(request).date())
    except DomainError as exc:
        return _refusal(exc)
    return _task_page(view, token)


async def _form_fields(request: web.Request) -> dict[str, str]:
    return await read_form(request) if is_form(request) else {}


@routes.post("/approvals/tasks/{task_id}")
async def decide_task(request: web.Request) -> web.Response:
    try:
        fields = await _form_fields(request)
    except DomainError as exc:  # a body that is no form
        return _refusal(exc)
    token = fields.get("t") or request.query.get("t", "")
    action, comment = fields.get("action", ""), fields.get("comment", "")
    try:
        task_id, staff_id = await _approver(request, token)
        view = await task_page(task_id, staff_id, now(request).date())
    except DomainError as exc:
        return _refusal(exc)
    if action not in ACTION_WORDS:
        return _task_page(view, token, comment=comment, status=400,
                          error="请选择 同意、驳回 或 退回。")
    try:
        await engine.ACTIONS[action](task_id, staff_id, comment, now(request))
    except DomainError as exc:
        view = await task_page(task_id, staff_id, now(request).date())
        return _task_page(view, token, comment=comment, error=exc.message,
                          status=STATUS_BY_KIND.get(exc.kind, 400))
    return _decided(view, action, comment.strip())


def _decided(view: TaskPage, action: str, comment: str) -> web.Response:
    said = f"<p>意见：{_e(comment)}</p>" if comment else ""
    body = (f"<header><h1>{DONE_WORDS[action]}：{_e(view.title)}</h1></header>"
            f'<section id="done"><p id="outcome">你{DONE_WORDS[action]}这项审批'
            f"（{_e(view.node)}）。</p>{said}"
            '<p class="note">发起人会在钉钉收到结果，可以关闭此页面。</p></section>')
    return _page(f"{DONE_WORDS[action]}：{view.title}", body)


def add_approval_page_routes(app: web.Application) -> None:
    app.router.add_routes(routes)
