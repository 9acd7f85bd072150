"""The H5 share page: open a signed link, see the statement, answer 符合 / 不符合."""

from __future__ import annotations

from aiohttp import web

from domain.actors import Actor
from domain.errors import DomainError
from domain.models import Customer
from domain.qr import qr_png, qr_svg
from domain.sharing import read_share_token
from domain.statements import service as statements
from domain.statements.pdf import render_statement_pdf
from domain.statements.views import statement_view
from httpcommon.errors import STATUS_BY_KIND
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import SETTINGS, VIEW_COUNTER, now
from httpcommon.params import body_text
from miniapp_api.h5 import render_error_page, render_statement_page

routes = web.RouteTableDef()
HTML = "text/html"


async def statement_for_token(request: web.Request):
    token = request.match_info["token"]
    moment = now(request)
    nonce = read_share_token(request.config_dict[SETTINGS].secret_key, token, moment)
    return await statements.resolve_share_token(nonce, moment)


async def _view(statement) -> dict:
    customer = await Customer.get(id=statement.customer_id)
    return statement_view(statement, customer, await statements.lines_of(statement))


@routes.get("/s/{token}")
async def statement_page(request: web.Request) -> web.Response:
    try:
        statement = await statement_for_token(request)
    except DomainError as exc:
        page = render_error_page("无法打开对账单", exc.message)
        return web.Response(text=page, content_type=HTML, status=STATUS_BY_KIND[exc.kind])
    request.config_dict[VIEW_COUNTER].record(statement.id, now(request))
    base = request.path
    page = render_statement_page(
        await _view(statement), answer_url=f"{base}/answer", pdf_url=f"{base}/pdf"
    )
    return web.Response(text=page, content_type=HTML, headers={"Cache-Control": "no-store"})


async def _answer_body(request: web.Request) -> dict:
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(await request.post())
    return await read_json(request)


@routes.post("/s/{token}/answer")
async def answer(request: web.Request) -> web.Response:
    """The customer's answer through the link; a plain form post is redirected back to the page."""
    statement = await statement_for_token(request)
    body = await _answer_body(request)
    actor = Actor(kind="share", name=f"share-link:{request.match_info['token'][:8]}")
    changed = await statements.customer_answer(
        actor, statement, body_text(body, "answer"), body_text(body, "description"),
        now(request),
    )
    if request.content_type == "application/x-www-form-urlencoded":
        raise web.HTTPSeeOther(location=f"/s/{request.match_info['token']}")
    return json_response({"status": statement.status, "changed": changed,
                          "statement_id": statement.id})


def _page_url(request: web.Request) -> str:
    base = request.config_dict[SETTINGS].public_base_url.rstrip("/")
    return f"{base}/s/{request.match_info['token']}"


@routes.get("/s/{token}/qr.png")
async def qr_code_png(request: web.Request) -> web.Response:
    await statement_for_token(request)
    url = _page_url(request)
    return web.Response(body=qr_png(url), content_type="image/png")


@routes.get("/s/{token}/qr.svg")
async def qr_code_svg(request: web.Request) -> web.Response:
    await statement_for_token(request)
    url = _page_url(request)
    return web.Response(body=qr_svg(url), content_type="image/svg+xml")


@routes.get("/s/{token}/pdf")
async def pdf(request: web.Request) -> web.Response:
    statement = await statement_for_token(request)
    return web.Response(
        body=render_statement_pdf(await _view(statement)), content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="statement-{statement.id}.pdf"'},
    )

