"""What a PDF route passes to the renderers (the stored letterhead and the configured font),
and the statement and day-report PDFs as every edge answers them."""

from __future__ import annotations

import asyncio
import functools
from urllib.parse import quote

from aiohttp import web

from domain.handover.pdf import render_day_report_pdf
from domain.letterhead import letterhead
from domain.printing import font_file
from domain.statements.pdf import render_statement_pdf
from domain.statements.service import answers_for_print
from httpcommon.keys import SETTINGS, now


async def pdf_options(request: web.Request) -> dict:
    """Keyword arguments for render_statement_pdf / render_day_report_pdf."""
    configured = request.config_dict[SETTINGS].pdf_font
    return {"letterhead": await letterhead(), "font_file": font_file(configured)}


async def day_report_pdf(request: web.Request, report: dict) -> web.Response:
    """A day report (domain.handover.report.day_report) as an inline A4 PDF, rendered off the
    event loop (a busy day holds thousands of rows)."""
    body = await asyncio.to_thread(
        functools.partial(render_day_report_pdf, report, **await pdf_options(request)))
    staff = report["staff"]
    return pdf_response(body, f"handover-{staff['userid'] or staff['id']}-{report['day']}.pdf")


def pdf_response(body: bytes, filename: str) -> web.Response:
    """An inline PDF named ``filename``: an ASCII fallback and the UTF-8 name."""
    return web.Response(body=body, content_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"{_ascii(filename)}\"; "
                               f"filename*=UTF-8''{quote(filename)}"})


def _ascii(name: str) -> str:
    """A header-safe fallback for the plain filename= parameter."""
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in name)


async def statement_pdf(request: web.Request, statement, view: dict,
                        headers: dict | None = None) -> web.Response:
    """``view`` of ``statement`` as its PDF, with the 客户确认 block of its standing answers
    (drawn off the event loop); ``headers`` are the edge's own."""
    view["answers"] = await answers_for_print(statement, now(request).tzinfo)
    body = await asyncio.to_thread(
        functools.partial(render_statement_pdf, view, **await pdf_options(request)))
    response = pdf_response(body, f"statement-{statement.id}.pdf")
    response.headers.update(headers or {})
    return response
