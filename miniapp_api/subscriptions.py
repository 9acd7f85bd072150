"""Mini-program subscribe messages: the contact accepted some templates
(``wx.requestSubscribeMessage``), each acceptance allowing one message of that template."""

from __future__ import annotations

from aiohttp import web

from domain.errors import Invalid
from domain.subscriptions import add_subscriptions
from httpcommon.jsonio import json_response, read_json
from miniapp_api.mp_routes import require_contact_actor

MAX_TEMPLATES = 10
MAX_TEMPLATE_ID = 64

routes = web.RouteTableDef()


@routes.post("/subscriptions")
async def accept_subscriptions(request: web.Request) -> web.Response:
    """Body ``{"accepted": ["tmpl-id", ...]}``; answers each template's remaining count."""
    actor = await require_contact_actor(request)
    template_ids = _accepted(await read_json(request))
    counts = await add_subscriptions(actor.contact_id, template_ids)
    items = [{"template_id": t, "remaining": counts[t]} for t in template_ids]
    return json_response({"subscriptions": items})


def _accepted(body: dict) -> list[str]:
    accepted = body.get("accepted")
    if not isinstance(accepted, list) or not accepted:
        raise Invalid("bad_field", "accepted 必须是非空的模板 ID 列表")
    if len(accepted) > MAX_TEMPLATES:
        raise Invalid("bad_field", f"一次最多 {MAX_TEMPLATES} 个模板")
    for template_id in accepted:
        if not isinstance(template_id, str) or not 0 < len(template_id) <= MAX_TEMPLATE_ID:
            raise Invalid("bad_field", f"模板 ID 必须是 1 到 {MAX_TEMPLATE_ID} 个字符的字符串")
    return list(dict.fromkeys(accepted))  # one acceptance per template per request
