"""Hand-over routes (SPEC §9): finance confirms and un-confirms documents, closes and reopens
days, sets the 交款交账参数, audits receipts and appends remarks."""

from __future__ import annotations

from aiohttp import web

from backoffice_api.auth import actor_with
from domain.actors import ADMIN, FINANCE
from domain.documents.settings import confirm_audits, set_confirm_audits
from domain.errors import Invalid
from domain.handover import close, confirm
from domain.limits import column_length
from domain.models import Staff
from httpcommon.jsonio import json_response, read_json
from httpcommon.keys import now
from httpcommon.params import int_value, parse_date, path_id, query_date, query_text

routes = web.RouteTableDef()
FINANCE_ROLES = (ADMIN, FINANCE)
MAX_DATES = 31
MAX_ITEMS = 5000
MAX_CLOSES_SPAN = 366  # days a listing of closed days may cover


def _list(body: dict, name: str, limit: int) -> list:
    value = body.get(name)
    if not isinstance(value, list) or not value:
        raise Invalid("bad_field", f"{name} 必须是非空数组")
    if len(value) > limit:
        raise Invalid("too_many", f"{name} 最多 {limit} 项", limit=limit)
    return value


def _dates(body: dict) -> list:
    """The listed days, as "YYYY-MM-DD" strings (a number like 20261123 is refused)."""
    values = _list(body, "dates", MAX_DATES)
    if bad := [v for v in values if not isinstance(v, str)]:
        raise Invalid("bad_date", f"dates 必须是日期字符串 YYYY-MM-DD: {bad[0]!r}")
    return sorted({parse_date(value, "dates") for value in values})


async def _staff(body: dict) -> list[int] | None:
    """None (everyone) for "all", else the staff ids of the listed DingTalk userids."""
    if body.get("staff") == "all":
        return None
    userids = _list(body, "staff", MAX_ITEMS)
    if not all(isinstance(u, str) and u for u in userids):
        raise Invalid("bad_field", 'staff 必须是员工钉钉 userid 的数组或 "all"')
    return await close.staff_ids_by_userid(userids)


def _refs(body: dict) -> list[confirm.Ref]:
    refs = []
    for item in _list(body, "items", MAX_ITEMS):
        if not isinstance(item, dict):
            raise Invalid("bad_field", 'items 的每项必须是 {"kind", "id"}')
        refs.append((item.get("kind"), int_value(item.get("id"), "items[].id")))
    return refs


async def _confirmation(request: web.Request, by_refs, by_days) -> web.Response:
    actor = actor_with(request, *FINANCE_ROLES)
    body = await read_json(request)
    if "items" in body and ("staff" in body or "dates" in body):
        raise Invalid("bad_body", "items 与 staff/dates 只能二选一")
    if "items" in body:
        counts = await by_refs(_refs(body), by=actor.label, now=now(request))
    else:
        days = _dates(body)
        counts = await by_days(await _staff(body), days, by=actor.label, now=now(request))
    return json_response(counts)


@routes.post("/handover/confirm")
async def confirm_documents(request: web.Request) -> web.Response:
    """对账确认：按单据，或按员工 + 日期批量确认"""
    return await _confirmation(request, confirm.confirm, confirm.confirm_days)


@routes.post("/handover/unconfirm")
async def unconfirm_documents(request: web.Request) -> web.Response:
    """取消对账确认：按单据，或按员工 + 日期批量取消"""
    return await _confirmation(request, confirm.unconfirm, confirm.unconfirm_days)


async def _days(request: web.Request, change) -> int:
    actor = actor_with(request, *FINANCE_ROLES)
    body = await read_json(request)
    days = _dates(body)
    return await change(await _staff(body), days, by=actor.label, now=now(request))


@routes.post("/handover/close")
async def close_days(request: web.Request) -> web.Response:
    """关账：所选员工（或 "all" 全部在职员工）的所选日期"""
    return json_response({"closed": await _days(request, close.close_days)})


@routes.post("/handover/reopen")
async def reopen_days(request: web.Request) -> web.Response:
    """取消关账"""
    return json_response({"reopened": await _days(request, close.reopen_days)})


@routes.get("/handover/closes")
async def list_closes(request: web.Request) -> web.Response:
    """已关账的员工与日期"""
    actor_with(request, *FINANCE_ROLES)
    date_from, date_to = query_date(request, "date_from"), query_date(request, "date_to")
    if date_from is None or date_to is None:
        raise Invalid("missing_query", "需要 date_from 与 date_to")
    if not 0 <= (date_to - date_from).days < MAX_CLOSES_SPAN:
        raise Invalid("bad_range", f"date_from 须不晚于 date_to，且跨度不超过 {MAX_CLOSES_SPAN} 天")
    userid = query_text(request, "staff", column_length(Staff, "dingtalk_userid"))
    staff_id = (await close.staff_ids_by_userid([userid]))[0] if userid else None
    return json_response({"items": await close.closed_days(date_from, date_to, staff_id)})


@routes.get("/handover/settings")
async def get_settings(request: web.Request) -> web.Response:
    """交款交账参数"""
    actor_with(request, *FINANCE_ROLES)
    return json_response({"confirm_audits": await confirm_audits()})


@routes.put("/handover/settings")
async def put_settings(request: web.Request) -> web.Response:
    """设置交款交账参数（confirm_audits：对账确认资金单据时同时审核）"""
    actor = actor_with(request, *FINANCE_ROLES)
    value = (await read_json(request)).get("confirm_audits")
    if not isinstance(value, bool):
        raise Invalid("bad_field", "confirm_audits 必须是 true 或 false")
    await set_confirm_audits(value, by=actor.label, now=now(request))
    return json_response({"confirm_audits": await confirm_audits()})


async def _receipt_action(request: web.Request, action: str) -> web.Response:
    actor = actor_with(request, *FINANCE_ROLES)
    receipt = await confirm.change_receipt_audit(path_id(request), action, by=actor.label,
                                                 now=now(request))
    return json_response(receipt)


@routes.post("/handover/receipts/{id}/audit")
async def audit_receipt(request: web.Request) -> web.Response:
    """审核收款单（参数勾选时同时对账确认）"""
    return await _receipt_action(request, "audit")


@routes.post("/handover/receipts/{id}/unaudit")
async def unaudit_receipt(request: web.Request) -> web.Response:
    """反审核收款单（参数未勾选时已确认的不能反审核）"""
    return await _receipt_action(request, "unaudit")


@routes.post("/handover/receipts/{id}/void")
async def void_receipt(request: web.Request) -> web.Response:
    """作废收款单（参数未勾选时已确认的不能作废）"""
    return await _receipt_action(request, "void")


@routes.post("/handover/remarks")
async def append_remarks(request: web.Request) -> web.Response:
    """批量追加备注（追加在原备注之后）"""
    actor_with(request, *FINANCE_ROLES)
    body = await read_json(request)
    ids = [int_value(i, "ids[]") for i in _list(body, "ids", MAX_ITEMS)]
    remark = body.get("remark")
    if not isinstance(remark, str):
        raise Invalid("bad_field", "remark 必须是字符串")
    return json_response({"updated": await confirm.append_remark(ids, remark)})
