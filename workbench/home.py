"""The workbench's first page: the screens this person's role opens, as tiles."""

from __future__ import annotations

from aiohttp import web

from workbench.guard import page
from workbench.pages import render

routes = web.RouteTableDef()


@routes.get("/", name="home")
@page("GET /customers")  # every person's role: the home page shows only what theirs allows
async def home(request: web.Request) -> web.Response:
    return await render(request, "home.html")
