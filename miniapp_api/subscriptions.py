"""Mini-program subscribe messages: the contact accepted some templates
(``wx.requestSubscribeMessage``), each acceptance allowing one message of that template."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import Field, PlainValidator, WithJsonSchema

from domain.common_errors import BAD_FIELD
from domain.subscriptions import add_subscriptions
from httpcommon.contract import Routes
from httpcommon.fields import Body, Reply, bad
from httpcommon.jsonio import json_response
from miniapp_api.mp_routes import require_contact_actor

MAX_TEMPLATES = 10
MAX_TEMPLATE_ID = 64

routes = Routes()


def _accepted(accepted: Any) -> list[str]:
    if not isinstance(accepted, list) or not accepted:
        raise bad(BAD_FIELD, "accepted 必须是非空的模板 ID 列表")
    if len(accepted) > MAX_TEMPLATES:
        raise bad(BAD_FIELD, f"一次最多 {MAX_TEMPLATES} 个模板")
    for template_id in accepted:
        if not isinstance(template_id, str) or not 0 < len(template_id) <= MAX_TEMPLATE_ID:
            raise bad(BAD_FIELD, f"模板 ID 必须是 1 到 {MAX_TEMPLATE_ID} 个字符的字符串")
    return list(dict.fromkeys(accepted))  # one acceptance per template per request


class Acceptance(Body):
    documented_required = ("accepted",)

    accepted: Annotated[list[str], PlainValidator(_accepted), WithJsonSchema({
        "type": "array", "minItems": 1, "maxItems": MAX_TEMPLATES,
        "items": {"type": "string", "minLength": 1, "maxLength": MAX_TEMPLATE_ID}})] = Field(
        None, validate_default=True)  # missing: bad_field, as before


class Subscription(Reply):
    template_id: str
    remaining: int


class Subscriptions(Reply):
    subscriptions: list[Subscription]


@routes.post("/subscriptions", summary="记录已同意的订阅消息模板（每次同意可发一条）",
             body=Acceptance, response=Subscriptions)
async def accept_subscriptions(request: web.Request, body: Acceptance) -> web.Response:
    """Body ``{"accepted": ["tmpl-id", ...]}``; answers each template's remaining count."""
    actor = await require_contact_actor(request)
    counts = await add_subscriptions(actor.contact_id, body.accepted)
    items = [{"template_id": t, "remaining": counts[t]} for t in body.accepted]
    return json_response({"subscriptions": items})
