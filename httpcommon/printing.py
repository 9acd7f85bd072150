"""What a PDF route passes to the renderers: the stored letterhead and the configured font."""

from __future__ import annotations

from aiohttp import web

from domain.letterhead import letterhead
from domain.printing import font_file
from httpcommon.keys import SETTINGS


async def pdf_options(request: web.Request) -> dict:
    """Keyword arguments for render_statement_pdf / render_day_report_pdf."""
    configured = request.config_dict[SETTINGS].pdf_font
    return {"letterhead": await letterhead(), "font_file": font_file(configured)}
