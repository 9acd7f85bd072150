"""The ceiling: a bare aiohttp JSON endpoint. `python -m tests.bench.bare_app PORT`."""

from __future__ import annotations

import sys

from aiohttp import web


async def ok(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def main() -> None:
    app = web.Application()
    app.router.add_get("/healthz", ok)
    app.router.add_get("/ok", ok)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
