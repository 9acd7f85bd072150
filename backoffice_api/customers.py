"""Customer routes: list, view, delete / disable (seed 003), bind codes, documents."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain import customers
from domain.access import get_visible_customer
from domain.actors import ADMIN, FINANCE, SALES
from domain.errors import Invalid
from domain.models import Contact, Customer, CustomerDepartment
from domain.statements.picker import documents_to_pick
from httpcommon.idempotency import carries_secrets
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import SETTINGS, now
from httpcommon.params import body_int, flag, path_id, query_date, query_int

routes = web.RouteTableDef()
STAFF = (ADMIN, FINANCE, SALES)
BOOKS = (ADMIN, FINANCE)


def customer_view(customer: Customer) -> dict:
    return {
        "id": customer.id, "code": customer.code, "name": customer.name,
        "salesperson_id": customer.salesperson_id, "sales_org": customer.sales_org,
        "parent_id": customer.parent_id, "settlement_mode": customer.settlement_mode,
        "can_prepay": customer.can_prepay, "group": customer.group_name,
        "statement_day": customer.statement_day, "credit_limit": customer.credit_limit,
        "invoice": customer.invoice, "tier": customer.tier, "disabled": customer.disabled,
    }


@routes.get("/customers")
async def list_customers(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    found = await customers.list_customers(
        actor, include_disabled=flag(request, "include_disabled"),
        search=request.query.get("q", ""),
        limit=query_int(request, "limit", 50, lo=1, hi=500),
        offset=query_int(request, "offset", 0, hi=10**9),
    )
    return json_response({"items": [customer_view(c) for c in found]})


@routes.get("/customers/{id}")
async def get_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    customer = await get_visible_customer(actor, path_id(request))
    view = customer_view(customer)
    view["receivable"] = await customers.receivable(customer.id)
    view["departments"] = [
        {"name": d.name, "code": d.code}
        for d in await CustomerDepartment.filter(customer_id=customer.id).order_by("id")
    ]
    view["contacts"] = [
        {"id": c.id, "name": c.name, "phone": c.phone, "bound": bool(c.openid or c.mp_openid)}
        for c in await Contact.filter(customer_id=customer.id).order_by("id")
    ]
    return json_response(view)


@routes.get("/customers/{id}/group")
async def group_summary(request: web.Request) -> web.Response:
    """集团汇总: each subsidiary's receivable and the group total."""
    actor = actor_with(request, *STAFF)
    return json_response(await customers.group_summary(actor, path_id(request)))


@routes.patch("/customers/{id}")
async def update_customer(request: web.Request) -> web.Response:
    """Set the parent customer (集团); never one that would make the customer its own ancestor."""
    actor = actor_with(request, *BOOKS)
    body = await read_json(request)
    if "parent_id" not in body:
        raise Invalid("bad_field", "parent_id 必填（null 表示没有上级客户）")
    customer = await customers.set_parent(
        actor, path_id(request), body_int(body, "parent_id", optional=True), now(request))
    return json_response(customer_view(customer))


@routes.delete("/customers/{id}")
async def delete_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    await customers.delete_customer(actor, path_id(request), now(request))
    return json_response({"deleted": True})


@routes.post("/customers/{id}/disable")
async def disable_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    customer = await customers.set_disabled(actor, path_id(request), True, now(request))
    return json_response(customer_view(customer))


@routes.post("/customers/{id}/enable")
async def enable_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    customer = await customers.set_disabled(actor, path_id(request), False, now(request))
    return json_response(customer_view(customer))


@routes.post("/customers/{id}/bind-codes")
async def issue_bind_code(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    body = await read_json(request)
    bind = await customers.issue_bind_code(
        actor, path_id(request), body_int(body, "contact_id", optional=True),
        request.config_dict[SETTINGS].bind_code_ttl_hours, now(request),
    )
    carries_secrets(request, "code")
    return json_response(
        {"code": bind.code, "expires_at": bind.expires_at, "contact_id": bind.contact_id},
        status=201,
    )


@routes.get("/customers/{id}/documents")
async def customer_documents(request: web.Request) -> web.Response:
    """The document picker: pending (待审批) ones marked, pickable only when included."""
    actor = actor_with(request, *STAFF)
    items = await documents_to_pick(
        actor, path_id(request), date_from=query_date(request, "from"),
        date_to=query_date(request, "to"), doc_type=request.query.get("type"),
        limit=query_int(request, "limit", 500, lo=1, hi=5000),
    )
    return json_response({"items": items})
