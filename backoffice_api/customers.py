"""Customer routes: list, view, delete / disable (seed 003), bind codes, documents."""

from __future__ import annotations

from typing import Annotated, Literal

from aiohttp import web
from pydantic import Field

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE, SALES
from domain.common_errors import BAD_FIELD
from domain.customer_views import customer_detail
from domain.customers import service as customers
from domain.customers import shares
from domain.customers.models import Customer
from domain.statements.picker import documents_to_pick
from httpcommon.contract import Routes
from httpcommon.fields import (
    Body,
    Code,
    Id,
    Int,
    Items,
    Limit,
    Moment,
    Money,
    Offset,
    OptionalMoney,
    Query,
    QueryDay,
    QueryFlag,
    Reply,
    Secret,
    query_int,
    query_raw,
)
from httpcommon.idempotency import carries_secrets
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import path_id
from httpcommon.replies import Deleted, DocumentFigures

routes = Routes()
STAFF = (ADMIN, FINANCE, SALES)
BOOKS = (ADMIN, FINANCE)


class CustomersQuery(Query):
    q: query_raw({"type": "string", "maxLength": 200}) = ""
    include_disabled: QueryFlag = False
    limit: Limit = 50
    offset: Offset = 0


class DocumentsQuery(Query):
    from_: Annotated[QueryDay, Field(alias="from")] = None
    to: QueryDay = None
    type: query_raw({"type": "string"}) = None
    limit: query_int(1, 5000) = 500


class NewParent(Body):
    parent_id: Annotated[Int | None, Code(BAD_FIELD)]  # required: null means no parent


class BindCodeRequest(Body):
    contact_id: Int | None = None


class CustomerView(Reply):
    id: Id
    code: str
    name: str
    salesperson_id: Id | None
    sales_org: str
    parent_id: Id | None
    settlement_mode: Literal["on_account", "cash"]
    can_prepay: bool
    group: str
    statement_day: Int
    credit_limit: OptionalMoney
    invoice: dict
    tier: str
    disabled: bool


class Department(Reply):
    name: str
    code: str | None


class ContactView(Reply):
    id: Id
    name: str
    phone: str
    bound: bool


class CustomerDetail(CustomerView):
    """A customer with its receivable, departments and contacts."""

    receivable: Money
    departments: list[Department]
    contacts: list[ContactView]


class CustomerBalance(Reply):
    id: Id
    code: str
    name: str
    receivable: Money


class Subsidiary(CustomerBalance):
    parent_id: Id


class GroupSummary(Reply):
    customer: CustomerBalance
    subsidiaries: list[Subsidiary]
    subsidiaries_total: Money
    group_total: Money


class BindCode(Reply):
    code: Secret
    expires_at: Moment
    contact_id: Id | None


class NewShare(Body):
    staff_id: Int


class CustomerShare(Reply):
    staff_id: Id
    name: str
    department: str


def share_views(found: list[shares.SharedWith]) -> dict:
    return {"items": [{"staff_id": s.staff_id, "name": s.name, "department": s.department}
                      for s in found]}


class PickableDocument(DocumentFigures):
    status: str
    version: Int
    audit_status: str
    audit_label: str
    pickable: bool


def customer_view(customer: Customer) -> dict:
    return {
        "id": customer.id, "code": customer.code, "name": customer.name,
        "salesperson_id": customer.salesperson_id, "sales_org": customer.sales_org,
        "parent_id": customer.parent_id, "settlement_mode": customer.settlement_mode,
        "can_prepay": customer.can_prepay, "group": customer.group_name,
        "statement_day": customer.statement_day, "credit_limit": customer.credit_limit,
        "invoice": customer.invoice, "tier": customer.tier, "disabled": customer.disabled,
    }


@routes.get("/customers", summary="客户列表", query=CustomersQuery,
            response=Items[CustomerView])
async def list_customers(request: web.Request, query: CustomersQuery) -> web.Response:
    actor = actor_with(request, *STAFF)
    found = await customers.list_customers(
        actor, include_disabled=query.include_disabled, search=query.q,
        limit=query.limit, offset=query.offset,
    )
    return json_response({"items": [customer_view(c) for c in found]})


@routes.get("/customers/{id}", summary="客户详情（含应收与联系人）", response=CustomerDetail)
async def get_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    detail = await customer_detail(actor, path_id(request),
                                   mp_configured=request.config_dict[SETTINGS].mini_program)
    view = customer_view(detail.customer)
    view["receivable"] = detail.receivable
    view["departments"] = [{"name": d.name, "code": d.code} for d in detail.departments]
    view["contacts"] = [{"id": c.id, "name": c.name, "phone": c.phone, "bound": c.bound}
                        for c in detail.contacts]
    return json_response(view)


@routes.get("/customers/{id}/group", summary="集团汇总：各下级客户（含多级）的应收与合计",
            response=GroupSummary)
async def group_summary(request: web.Request) -> web.Response:
    """集团汇总: each subsidiary's receivable and the group total."""
    actor = actor_with(request, *STAFF)
    return json_response(await customers.group_summary(actor, path_id(request)))


@routes.patch("/customers/{id}", body=NewParent, response=CustomerView, summary=(
    "设置上级客户（集团；不能是客户自己或它的下级，否则 409 customer_cycle）"))
async def update_customer(request: web.Request, body: NewParent) -> web.Response:
    """Set the parent customer (集团); never one that would make the customer its own ancestor."""
    actor = actor_with(request, *BOOKS)
    customer = await customers.set_parent(actor, path_id(request), body.parent_id, now(request))
    return json_response(customer_view(customer))


@routes.delete("/customers/{id}", summary="删除客户（仅无单据时）", response=Deleted)
async def delete_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    await customers.delete_customer(actor, path_id(request), now(request))
    return json_response({"deleted": True})


@routes.post("/customers/{id}/disable", summary="停用客户（仅无应收时）",
             response=CustomerView)
async def disable_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    customer = await customers.set_disabled(actor, path_id(request), True, now(request))
    return json_response(customer_view(customer))


@routes.post("/customers/{id}/enable", summary="启用客户", response=CustomerView)
async def enable_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    customer = await customers.set_disabled(actor, path_id(request), False, now(request))
    return json_response(customer_view(customer))


@routes.get("/customers/{id}/shares", summary="客户共享给了哪些业务员",
            response=Items[CustomerShare])
async def list_shares(request: web.Request) -> web.Response:
    actor = actor_with(request, *STAFF)
    return json_response(share_views(await shares.shares_of(actor, path_id(request))))


@routes.post("/customers/{id}/shares", body=NewShare, response=Items[CustomerShare], summary=(
    "共享客户给一位业务员（共享后其可查看、使用该客户；已共享时不变；不能是客户自己的业务员）；"
    "答复现在的共享名单"))
async def share_customer(request: web.Request, body: NewShare) -> web.Response:
    actor = actor_with(request, *BOOKS)
    found = await shares.share_customer(actor, path_id(request), body.staff_id, now(request))
    return json_response(share_views(found))


@routes.delete("/customers/{id}/shares/{staff_id}", response=Items[CustomerShare],
               path={"staff_id": {"type": "integer", "minimum": 1}},
               summary="取消与一位业务员的共享（未共享时 404）；答复现在的共享名单")
async def unshare_customer(request: web.Request) -> web.Response:
    actor = actor_with(request, *BOOKS)
    found = await shares.unshare_customer(actor, path_id(request), path_id(request, "staff_id"),
                                          now(request))
    return json_response(share_views(found))


@routes.post("/customers/{id}/bind-codes", summary="生成一次性绑定码", body=BindCodeRequest,
             response=BindCode, status=201)
async def issue_bind_code(request: web.Request, body: BindCodeRequest) -> web.Response:
    actor = actor_with(request, *STAFF)
    bind = await customers.issue_bind_code(
        actor, path_id(request), body.contact_id,
        request.config_dict[SETTINGS].bind_code_ttl_hours, now(request),
    )
    carries_secrets(request, "code")
    return json_response(
        {"code": bind.code, "expires_at": bind.expires_at, "contact_id": bind.contact_id},
        status=201,
    )


@routes.get("/customers/{id}/documents", query=DocumentsQuery,
            response=Items[PickableDocument],
            summary="客户的 ERP 单据（选单：待审批的标出，pickable 表示可对账）")
async def customer_documents(request: web.Request, query: DocumentsQuery) -> web.Response:
    """The document picker: pending (待审批) ones marked, pickable only when included."""
    actor = actor_with(request, *STAFF)
    items = await documents_to_pick(
        actor, path_id(request), date_from=query.from_, date_to=query.to,
        doc_type=query.type, limit=query.limit,
    )
    return json_response({"items": items})
