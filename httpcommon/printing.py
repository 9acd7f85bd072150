"""What a PDF route passes to the renderers (the stored letterhead and the configured font),
and a statement's PDF as every edge answers it."""

from __future__ import annotations

import asyncio
import functools

from aiohttp import web

from domain.letterhead import letterhead
from domain.printing import font_file
from domain.statements.pdf import render_statement_pdf
from domain.statements.service import answers_for_print
from httpcommon.keys import SETTINGS, now


async def pdf_options(request: web.Request) -> dict:
    """Keyword arguments for render_statement_pdf / render_day_report_pdf."""
    configured = request.config_dict[SETTINGS].pdf_font
    return {"letterhead": await letterhead(), "font_file": font_file(configured)}


async def statement_pdf(request: web.Request, statement, view: dict,
                        headers: dict | None = None) -> web.Response:
    """``view`` of ``statement`` as its PDF, with the 客户确认 block of its standing answers
    (drawn off the event loop); ``headers`` are the edge's own."""
    view["answers"] = await answers_for_print(statement, now(request).tzinfo)
    body = await asyncio.to_thread(
        functools.partial(render_statement_pdf, view, **await pdf_options(request)))
    return web.Response(body=body, content_type="application/pdf", headers={
        **(headers or {}),
        "Content-Disposition": f'inline; filename="statement-{statement.id}.pdf"'})
