"""The H5 share page: open a signed link, see the statement, answer 符合 / 不符合."""

from __future__ import annotations

import asyncio

from aiohttp import web

from domain.actors import Actor
from domain.errors import DomainError
from domain.qr import qr_png, qr_svg
from domain.sharing import read_share_token
from domain.statements import probes, rules
from domain.statements import service as statements
from domain.statements.answerers import SHARE, SHARE_LINK
from domain.statements.models import Statement
from domain.statements.views import statement_view
from httpcommon.contract import validated
from httpcommon.errors import STATUS_BY_KIND
from httpcommon.jsonio import is_form, json_response, read_form, read_json
from httpcommon.keys import SETTINGS, VIEW_CACHE, VIEW_COUNTER, now, statement_lines
from httpcommon.printing import statement_pdf
from httpcommon.ratelimit import SHARE_OPEN, take_try
from miniapp_api.devices import device_label
from miniapp_api.h5 import render_error_page, render_statement_page
from miniapp_api.mp_routes import Answer

routes = web.RouteTableDef()
HTML = "text/html"
TOKEN_MARK = "__SHARE_TOKEN__"  # token characters are URL- and HTML-safe, and so is this


async def statement_for_token(request: web.Request):
    token = request.match_info["token"]
    moment = now(request)
    nonce = read_share_token(request.config_dict[SETTINGS].secret_key, token, moment)
    return await statements.resolve_share_token(nonce, moment)


async def _view(request: web.Request, statement: Statement) -> dict:
    lines = await statement_lines(request, statement.id)
    view = statement_view(statement, await statement.customer, lines)
    if statement.status != rules.UNCONFIRMED:
        shown = await statements.shown_answer(statement)
        view["answered_by_customer"] = shown.by_customer
        view["answer_description"] = shown.description
    return view


def _status_of(exc: DomainError) -> int:
    return STATUS_BY_KIND.get(exc.kind, 400)


def _error_page(exc: DomainError) -> web.Response:
    page = render_error_page("无法打开对账单", exc.message)
    return web.Response(text=page, content_type=HTML, status=_status_of(exc))


async def _render(request: web.Request, statement: Statement, error: str | None = None) -> str:
    """The page with a placeholder for the token, so one rendering serves every link to it."""
    base = f"/s/{TOKEN_MARK}"
    return render_statement_page(
        await _view(request, statement), answer_url=f"{base}/answer", pdf_url=f"{base}/pdf",
        error=error,
    )


def _page_response(request: web.Request, page: str, status: int = 200) -> web.Response:
    return web.Response(
        text=page.replace(TOKEN_MARK, request.match_info["token"]), content_type=HTML,
        status=status, headers={"Cache-Control": "no-store"},
    )


async def _statement_page(
    request: web.Request, statement: Statement, *, error: str | None = None, status: int = 200
) -> web.Response:
    return _page_response(request, await _render(request, statement, error), status)


@routes.get("/s/{token}")
async def statement_page(request: web.Request) -> web.Response:
    take_try(request, SHARE_OPEN)
    moment = now(request)
    try:
        nonce = read_share_token(
            request.config_dict[SETTINGS].secret_key, request.match_info["token"], moment)
        probe = await probes.live_share_link(nonce)
        if probe is None:  # the slow path says why: revoked, deleted or unknown
            await statements.resolve_share_token(nonce, moment)
            raise web.HTTPNotFound()
    except DomainError as exc:
        return _error_page(exc)
    request.config_dict[VIEW_COUNTER].record(probe.statement_id, moment)
    cache = request.config_dict[VIEW_CACHE]
    key = ("h5", *probe.cache_key)
    page = cache.get(key)
    if page is None:
        page = await _render(request, await Statement.get(id=probe.statement_id))
        cache.put(key, page)
    return _page_response(request, page)


async def _answer_body(request: web.Request) -> Answer:
    """JSON or form fields, as the mini-program's Answer. A browser posts a textarea's line
    breaks as CRLF (its value, and maxlength, count LF): normalise them so the stored text and
    the length limit match JS."""
    if is_form(request):
        fields = await read_form(request)
    else:
        fields = await read_json(request)
    return validated(Answer, fields, "bad_field")


# Whoever holds the link: no person is known, so the answer names the link, time and device.
LINK_HOLDER = Actor(kind=SHARE, name=SHARE_LINK)


async def _record_answer(request: web.Request, statement: Statement) -> bool:
    body = await _answer_body(request)
    return await statements.customer_answer(
        LINK_HOLDER, statement, body.answer, body.description, now(request), via="h5",
        device=device_label(request.headers.get("User-Agent", "")),
    )


@routes.post("/s/{token}/answer")
async def answer(request: web.Request) -> web.Response:
    """The customer's answer through the link.

    JSON in, JSON out (errors through the error middleware). A plain form post (no JavaScript)
    is redirected back to the page on success; on failure the page is rendered again with the
    message in #form-error and the error's status, never raw JSON (but for a 429).
    """
    take_try(request, SHARE_OPEN)
    if not is_form(request):
        statement = await statement_for_token(request)
        changed = await _record_answer(request, statement)
        return json_response({"status": statement.status, "changed": changed,
                              "statement_id": statement.id})
    try:
        statement = await statement_for_token(request)
    except DomainError as exc:
        return _error_page(exc)
    try:
        await _record_answer(request, statement)
    except DomainError as exc:
        await statement.refresh_from_db()  # a conflict means the row moved on under us
        return await _statement_page(request, statement, error=exc.message,
                                     status=_status_of(exc))
    raise web.HTTPSeeOther(location=f"/s/{request.match_info['token']}")


def _page_url(request: web.Request) -> str:
    base = request.config_dict[SETTINGS].public_base_url.rstrip("/")
    return f"{base}/s/{request.match_info['token']}"


async def _qr_code(request: web.Request, draw, content_type: str) -> web.Response:
    """The page's QR code, drawn by ``draw`` (off the event loop) once the token is good."""
    take_try(request, SHARE_OPEN)
    await statement_for_token(request)
    body = await asyncio.to_thread(draw, _page_url(request))
    return web.Response(body=body, content_type=content_type)


@routes.get("/s/{token}/qr.png")
async def qr_code_png(request: web.Request) -> web.Response:
    return await _qr_code(request, qr_png, "image/png")


@routes.get("/s/{token}/qr.svg")
async def qr_code_svg(request: web.Request) -> web.Response:
    return await _qr_code(request, qr_svg, "image/svg+xml")


@routes.get("/s/{token}/pdf")
async def pdf(request: web.Request) -> web.Response:
    take_try(request, SHARE_OPEN)
    statement = await statement_for_token(request)
    return await statement_pdf(request, statement, await _view(request, statement))
