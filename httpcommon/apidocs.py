"""The API documentation UI: Swagger UI (assets from the swagger-ui-py package, served by the
service itself — no CDN) for each served OpenAPI document. Public, like the documents."""

from __future__ import annotations

from html import escape
from pathlib import Path

from aiohttp import web
from swagger_ui.utils import SWAGGER_UI_PY_ROOT

ASSETS = "/api/docs/assets"
SWAGGER_UI = SWAGGER_UI_PY_ROOT / "static"
START_SCRIPT = Path(__file__).with_name("apidocs.js")
PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/tally-docs.js"></script>
</body>
</html>
"""


def add_docs_routes(app: web.Application, documents: dict[str, tuple[str, str]]) -> None:
    """For each docs path, a page rendering the (title, openapi.json path) document; the
    assets once, under ASSETS. On the root app, so no API's auth middleware sees them."""
    for docs_path, (title, openapi_path) in documents.items():
        app.router.add_get(docs_path, _page(title, openapi_path))
    app.router.add_get(f"{ASSETS}/tally-docs.js", _start_script)
    app.router.add_static(ASSETS, SWAGGER_UI)


def _page(title: str, openapi_path: str):
    html = PAGE.format(title=escape(title), openapi=escape(openapi_path), assets=ASSETS)

    async def docs_page(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    return docs_page


async def _start_script(request: web.Request) -> web.FileResponse:
    return web.FileResponse(START_SCRIPT, headers={"Content-Type": "text/javascript"})
