"""Tier routes (SPEC §8): the ERP pushes contact logs, test accounts and contracts; a customer's
profile; its tier and tier history; the public pool and the claim of a pool customer."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from backoffice_api.ingest import MAX_BATCH
from domain.access import get_visible_customer
from domain.actors import ADMIN, ERP, FINANCE, SALES
from domain.approvals.flows import flows_with_overrides
from domain.approvals.queries import flow_view
from domain.errors import Invalid
from domain.tiers import ingest, pool, queries
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import SETTINGS, now
from httpcommon.params import flag, path_id, query_int

routes = web.RouteTableDef()
PUSH = (ADMIN, ERP)
READ = (ADMIN, FINANCE, SALES)


async def _batch(request: web.Request, ingester) -> web.Response:
    actor_with(request, *PUSH)
    items = (await read_json(request)).get("items")
    if isinstance(items, list) and len(items) > MAX_BATCH:
        raise Invalid("batch_too_large", f"每批最多 {MAX_BATCH} 行，请分批推送")
    result = await ingester(items, now=now(request), atomic=flag(request, "atomic"))
    return json_response(result.as_dict())


@routes.post("/tiers/contact-logs")
async def push_contact_logs(request: web.Request) -> web.Response:
    """ERP 推送联系日志（按 external_id 幂等）"""
    return await _batch(request, ingest.ingest_contact_logs)


@routes.post("/tiers/trial-accounts")
async def push_trial_accounts(request: web.Request) -> web.Response:
    """ERP 推送测试账号申请（archived_on: 流程归档日期）"""
    return await _batch(request, ingest.ingest_trial_accounts)


@routes.post("/tiers/contracts")
async def push_contracts(request: web.Request) -> web.Response:
    """ERP 推送合同评审（按合同编号幂等）"""
    return await _batch(request, ingest.ingest_contracts)


async def _profile(request: web.Request, partial: bool) -> web.Response:
    actor = actor_with(request, ADMIN, ERP, SALES)
    customer = await get_visible_customer(actor, path_id(request))
    customer = await ingest.set_profile(customer, await read_json(request), partial=partial)
    return json_response(ingest.profile_view(customer))


@routes.put("/customers/{id}/profile")
async def put_profile(request: web.Request) -> web.Response:
    """替换客户资料（联系人、手机、职位、电话、QQ、微信、邮箱）"""
    return await _profile(request, partial=False)


@routes.patch("/customers/{id}/profile")
async def patch_profile(request: web.Request) -> web.Response:
    """修改客户资料的部分字段（null 或空串清除）"""
    return await _profile(request, partial=True)


@routes.get("/customers/{id}/profile")
async def get_profile(request: web.Request) -> web.Response:
    """客户资料与完善程度"""
    actor = actor_with(request, *READ)
    return json_response(ingest.profile_view(await get_visible_customer(actor,
                                                                        path_id(request))))


@routes.get("/customers/{id}/tier")
async def get_tier(request: web.Request) -> web.Response:
    """客户分级、起始日期与升降级记录"""
    actor = actor_with(request, *READ)
    customer = await get_visible_customer(actor, path_id(request))
    return json_response(await queries.tier_view(customer))


@routes.get("/tiers/pool")
async def list_pool(request: web.Request) -> web.Response:
    """公共池客户（申请中的不列出）"""
    actor_with(request, *READ)
    items = await queries.list_pool(
        q=request.query.get("q", "").strip(),
        limit=query_int(request, "limit", 50, lo=1, hi=500),
        offset=query_int(request, "offset", 0, hi=10**9))
    return json_response({"items": items})


@routes.post("/tiers/pool/{id}/claim")
async def claim(request: web.Request) -> web.Response:
    """申请公共池客户：发起申请客户流程，客户即从公共池移出"""
    actor = actor_with(request, ADMIN, SALES)
    body = await read_json(request)
    definitions = flows_with_overrides(request.config_dict[SETTINGS].approval_flows)
    flow = await pool.claim(path_id(request), actor.staff_id, body.get("reason"), now(request),
                            definitions=definitions)
    return json_response(await flow_view(flow), status=201)
