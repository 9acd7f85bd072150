"""Tier routes (SPEC §8): the ERP pushes contact logs, test accounts and contracts; a customer's
profile; its tier and tier history; the public pool and the claim of a pool customer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import ConfigDict, Field, WithJsonSchema

from backoffice_api.approvals import Flow
from backoffice_api.auth import actor_with
from domain.access import get_visible_customer
from domain.actors import ADMIN, ERP, FINANCE, SALES
from domain.approvals.flows import flows_with_overrides
from domain.approvals.queries import flow_view
from domain.tiers import ingest, public_pool, queries
from domain.tiers.rules import TIER_LABELS
from httpcommon.contract import Routes
from httpcommon.fields import (
    DATE,
    ID,
    NOT_BLANK,
    BatchBody,
    Body,
    DayOut,
    Id,
    Items,
    Limit,
    Offset,
    OnOff,
    Query,
    Reply,
    batch,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import SETTINGS, now
from httpcommon.params import path_id

routes = Routes()
PUSH = (ADMIN, ERP)
READ = (ADMIN, FINANCE, SALES)
TEXT = {"type": "string"}
NULL_DATE = {"type": ["string", "null"], "format": "date"}
Tier = Literal[tuple(TIER_LABELS)]

CONTACT_LOG = {"type": "object", "required": ["external_id", "customer_code", "contacted_on"],
               "properties": {"external_id": TEXT, "customer_code": TEXT,
                              "staff": {"type": "string", "description": "员工钉钉 userid"},
                              "staff_id": ID, "contacted_on": DATE, "note": TEXT}}
TRIAL_ACCOUNT = {"type": "object", "required": ["external_id", "customer_code"], "properties": {
    "external_id": TEXT, "customer_code": TEXT, "account": TEXT,
    "archived_on": {**NULL_DATE, "description": "测试账号流程归档日期；null 为未归档"}}}
CONTRACT = {"type": "object", "required": ["number", "customer_code", "starts_on"],
            "properties": {
                "number": TEXT, "customer_code": TEXT, "starts_on": DATE,
                "ends_on": {**NULL_DATE, "description": "null 为无结束日期"},
                "archived_on": {**NULL_DATE, "description": "合同评审流程归档日期"},
                "amount": {"type": ["string", "null"], "pattern": r"^\d{1,14}(\.\d{1,2})?$"}}}
PROFILE_TEXT = {"type": ["string", "null"], "maxLength": ingest.MAX_PROFILE_FIELD}


# --- request types ---------------------------------------------------------------------------


class Atomic(Query):
    atomic: Annotated[OnOff, Field(description="1: 有错则整批不写入")] = False


class ContactLogs(BatchBody):
    items: batch(CONTACT_LOG) = None  # each row judged by the ingest


class TrialAccounts(BatchBody):
    items: batch(TRIAL_ACCOUNT) = None


class Contracts(BatchBody):
    items: batch(CONTRACT) = None


class ProfileChange(Body):
    """The profile fields; the use case refuses others and judges each (bad_profile)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})

    contact_name: Annotated[Any, WithJsonSchema(PROFILE_TEXT)] = None
    mobile: Annotated[Any, WithJsonSchema(PROFILE_TEXT)] = None
    position: Annotated[Any, WithJsonSchema(PROFILE_TEXT)] = None
    telephone: Annotated[Any, WithJsonSchema(PROFILE_TEXT)] = None
    qq: Annotated[Any, WithJsonSchema(PROFILE_TEXT)] = None
    wechat: Annotated[Any, WithJsonSchema(PROFILE_TEXT)] = None
    email: Annotated[Any, WithJsonSchema(PROFILE_TEXT)] = None


class PublicPoolFilter(Query):
    q: Annotated[str, Field(description="按名称搜索")] = ""
    limit: Limit = 50
    offset: Offset = 0


class Claim(Body):
    documented_required = ("reason",)

    reason: Annotated[Any, WithJsonSchema(NOT_BLANK)] = None  # the use case judges it


# --- response types --------------------------------------------------------------------------


class TierRowRejected(Reply):
    index: int
    key: str
    errors: list[str]


class TierBatchResult(Reply):
    created: int
    updated: int
    unchanged: int
    rejected: list[TierRowRejected]


class Profile(Reply):
    contact_name: str
    mobile: str
    position: str
    telephone: str
    qq: str
    wechat: str
    email: str


class ProfileView(Reply):
    customer_id: Id
    profile: Profile
    filled: int
    total: int


class TierChange(Reply):
    id: int
    rule: str
    rule_label: str
    from_tier: Tier
    to_tier: Tier
    move: bool = Field(description="false: 仅通知（合同客户规则 1、2）")
    day: DayOut
    month: str
    salesperson_id: Id | None
    salesperson: str


class TierView(Reply):
    customer_id: Id
    code: str
    name: str
    tier: Tier
    tier_label: str
    tier_since: DayOut
    salesperson_id: Id | None
    salesperson: str
    claimed_by: Id | None = Field(description="申请中的业务员")
    claim_flow_id: Id | None
    profile_filled: int
    history: list[TierChange]


class PoolCustomer(Reply):
    id: Id
    code: str
    name: str
    tier_since: DayOut
    profile_filled: int



# --- routes ----------------------------------------------------------------------------------


async def _batch(request: web.Request, ingester, items, atomic: bool) -> web.Response:
    actor_with(request, *PUSH)
    result = await ingester(items, now=now(request), atomic=atomic)
    return json_response(result.as_dict())


@routes.post("/tiers/contact-logs", summary="ERP 推送联系日志（按 external_id 幂等）",
             query=Atomic, body=ContactLogs, response=TierBatchResult)
async def push_contact_logs(request: web.Request, query: Atomic,
                            body: ContactLogs) -> web.Response:
    return await _batch(request, ingest.ingest_contact_logs, body.items, query.atomic)


@routes.post("/tiers/trial-accounts", summary="ERP 推送测试账号申请（按 external_id 幂等）",
             query=Atomic, body=TrialAccounts, response=TierBatchResult)
async def push_trial_accounts(request: web.Request, query: Atomic,
                              body: TrialAccounts) -> web.Response:
    """archived_on: 流程归档日期"""
    return await _batch(request, ingest.ingest_trial_accounts, body.items, query.atomic)


@routes.post("/tiers/contracts", summary="ERP 推送合同评审（按合同编号幂等）",
             query=Atomic, body=Contracts, response=TierBatchResult)
async def push_contracts(request: web.Request, query: Atomic, body: Contracts) -> web.Response:
    return await _batch(request, ingest.ingest_contracts, body.items, query.atomic)


async def _profile(request: web.Request, body: ProfileChange, partial: bool) -> web.Response:
    actor = actor_with(request, ADMIN, ERP, SALES)
    customer = await get_visible_customer(actor, path_id(request))
    given = body.model_dump(exclude_unset=True)  # unknown fields too: the use case names them
    customer = await ingest.set_profile(customer, given, partial=partial)
    return json_response(ingest.profile_view(customer))


@routes.put("/customers/{id}/profile", summary="替换客户资料（未给出的字段清空）",
            body=ProfileChange, response=ProfileView)
async def put_profile(request: web.Request, body: ProfileChange) -> web.Response:
    return await _profile(request, body, partial=False)


@routes.patch("/customers/{id}/profile", summary="修改客户资料的部分字段（null 或空串清除）",
              body=ProfileChange, response=ProfileView)
async def patch_profile(request: web.Request, body: ProfileChange) -> web.Response:
    return await _profile(request, body, partial=True)


@routes.get("/customers/{id}/profile", summary="客户资料与完善程度", response=ProfileView)
async def get_profile(request: web.Request) -> web.Response:
    actor = actor_with(request, *READ)
    return json_response(ingest.profile_view(await get_visible_customer(actor,
                                                                        path_id(request))))


@routes.get("/customers/{id}/tier", summary="客户分级与升降级记录（新的在前）",
            response=TierView)
async def get_tier(request: web.Request) -> web.Response:
    actor = actor_with(request, *READ)
    customer = await get_visible_customer(actor, path_id(request))
    return json_response(await queries.tier_view(customer))


@routes.get("/tiers/pool", summary="公共池客户（申请审批中的不列出）", query=PublicPoolFilter,
            response=Items[PoolCustomer])
async def list_pool(request: web.Request, query: PublicPoolFilter) -> web.Response:
    actor_with(request, *READ)
    items = await queries.list_public_pool(q=query.q.strip(), limit=query.limit,
                                           offset=query.offset)
    return json_response({"items": items})


@routes.post("/tiers/pool/{id}/claim",
             summary="申请公共池客户（申请客户流程：直接上级 → 业务部门总监）",
             body=Claim, response=Flow, status=201)
async def claim(request: web.Request, body: Claim) -> web.Response:
    """客户即从公共池移出"""
    actor = actor_with(request, ADMIN, SALES)
    definitions = flows_with_overrides(request.config_dict[SETTINGS].approval_flows)
    flow = await public_pool.claim(path_id(request), actor.staff_id, body.reason, now(request),
                            definitions=definitions)
    return json_response(await flow_view(flow), status=201)
