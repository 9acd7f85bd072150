"""ERP ingest routes: batches of staff, customers, contacts, documents and the hand-over's
expenses, other income and exchanges."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, ERP
from domain.errors import Invalid, NotFound
from domain.ingest import INGESTERS
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import now
from httpcommon.params import flag

routes = web.RouteTableDef()
MAX_BATCH = 5000  # keeps one request's transaction and memory bounded


@routes.post("/ingest/{kind}")
async def ingest(request: web.Request) -> web.Response:
    """Apply the good rows, report each bad one; with ?atomic=1 all or nothing. A batch with a
    new or changed document of a closed day is refused whole (423)."""
    actor = actor_with(request, ERP, ADMIN)
    kind = request.match_info["kind"]
    if kind not in INGESTERS:
        raise NotFound("unknown_kind", f"未知数据类型 {kind}，可用: {', '.join(INGESTERS)}")
    items = (await read_json(request)).get("items")
    if isinstance(items, list) and len(items) > MAX_BATCH:
        raise Invalid("batch_too_large", f"每批最多 {MAX_BATCH} 行，请分批推送")
    result = await INGESTERS[kind](items, atomic=flag(request, "atomic"), now=now(request),
                                   by=actor.label)
    return json_response(result.as_dict())
