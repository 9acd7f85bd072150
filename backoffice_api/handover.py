"""Hand-over routes (SPEC §9): finance confirms and un-confirms documents, closes and reopens
days, sets the 交款交账参数, audits receipts and appends remarks."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import Field, PlainValidator, RootModel, Strict, WithJsonSchema, model_validator

from backoffice_api.auth import actor_with
from backoffice_api.handover_replies import Audit, Kind
from domain.actors import ADMIN, FINANCE
from domain.common_errors import BAD_DATE, BAD_FIELD, BAD_RANGE
from domain.documents.settings import confirm_audits, set_confirm_audits
from domain.handover import close, confirm
from domain.handover.rules import MAX_DAYS as MAX_DATES
from domain.handover.rules import MAX_ITEMS
from domain.limits import column_length
from domain.org.models import Staff
from httpcommon.contract import Routes, validated
from httpcommon.error_codes import BAD_BODY, MISSING_QUERY, TOO_MANY
from httpcommon.fields import (
    DATE,
    ID,
    Body,
    Code,
    DayOut,
    Flag,
    Id,
    Items,
    OptionalMoment,
    Query,
    QueryDay,
    Reply,
    bad,
    query_text,
    read_int,
)
from httpcommon.jsonio import json_response
from httpcommon.keys import now
from httpcommon.params import parse_date, path_id

routes = Routes()
FINANCE_ROLES = (ADMIN, FINANCE)
MAX_CLOSES_SPAN = 366  # days a listing of closed days may cover
USERID = column_length(Staff, "dingtalk_userid")
KINDS = list(Kind.__args__)


def _list(value: Any, limit: int) -> list:
    if not isinstance(value, list) or not value:
        raise bad(BAD_FIELD, "必须是非空数组")
    if len(value) > limit:
        raise bad(TOO_MANY, f"最多 {limit} 项", limit=limit)
    return value


def _dates(value: Any) -> list:
    """The listed days, as "YYYY-MM-DD" strings (a number like 20261123 is refused)."""
    values = _list(value, MAX_DATES)
    if wrong := [v for v in values if not isinstance(v, str)]:
        raise bad(BAD_DATE, f"必须是日期字符串 YYYY-MM-DD: {wrong[0]!r}")
    return sorted({parse_date(v, "dates") for v in values})


def _staff(value: Any) -> list[str] | None:
    """None (everyone) for "all", else the listed DingTalk userids."""
    if value == "all":
        return None
    userids = _list(value, MAX_ITEMS)
    if not all(isinstance(u, str) and u for u in userids):
        raise bad(BAD_FIELD, '必须是员工钉钉 userid 的数组或 "all"')
    return userids


def _refs(value: Any) -> list[confirm.Ref]:
    refs = []
    for item in _list(value, MAX_ITEMS):
        if not isinstance(item, dict):
            raise bad(BAD_FIELD, '每项必须是 {"kind", "id"}')
        refs.append((item.get("kind"), read_int(item.get("id"))))
    return refs


def _ids(value: Any) -> list[int]:
    return [read_int(i) for i in _list(value, MAX_ITEMS)]


KIND_DOC = ("document: 销售/退货/收款单据（含配送）；expense: 费用单；other_income: 其他收入单；"
            "exchange: 兑换货物")
Dates = Annotated[list, PlainValidator(_dates), WithJsonSchema(
    {"type": "array", "minItems": 1, "maxItems": MAX_DATES, "items": DATE})]
StaffPick = Annotated[list | None, PlainValidator(_staff), WithJsonSchema({"oneOf": [
    {"type": "array", "minItems": 1, "description": "员工钉钉 userid", "items": {
        "type": "string", "minLength": 1, "maxLength": USERID}},
    {"const": "all", "description": "全部员工"}]})]
Refs = Annotated[list, PlainValidator(_refs), WithJsonSchema({
    "type": "array", "minItems": 1, "maxItems": MAX_ITEMS, "items": {
        "type": "object", "required": ["kind", "id"], "properties": {
            "kind": {"enum": KINDS, "description": KIND_DOC}, "id": ID}}})]
DocumentIds = Annotated[list, PlainValidator(_ids), WithJsonSchema(
    {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS, "items": ID,
     "description": "单据 id"})]


class PeopleDays(Body):
    """员工（钉钉 userid 的数组或 "all"）+ 日期（最多 31 天）"""

    dates: Annotated[Dates, Code(BAD_FIELD)]
    staff: Annotated[StaffPick, Code(BAD_FIELD)]


class DocumentRefs(Body):
    items: Annotated[Refs, Code(BAD_FIELD)]


class HandoverConfirmation(RootModel[DocumentRefs | PeopleDays]):
    """按单据（items）或按员工 + 日期（staff、dates，最多 31 天）"""

    @model_validator(mode="wrap")
    @classmethod
    def _one_shape(cls, data: Any, handler):
        if not isinstance(data, dict):
            return handler(data)
        if "items" in data and ("staff" in data or "dates" in data):
            raise bad(BAD_BODY, "items 与 staff/dates 只能二选一")
        # the shape the body names is the one it is held to (its own codes, never a mix)
        shape = DocumentRefs if "items" in data else PeopleDays
        return cls(root=validated(shape, data, "bad_field"))


class ClosesQuery(Query):
    date_from: Annotated[QueryDay, Field(description="必填"), Code(MISSING_QUERY)]
    date_to: Annotated[QueryDay, Field(description="必填；跨度不超过 366 天"),
                       Code(MISSING_QUERY)]
    staff: Annotated[query_text(USERID), Field(description="员工钉钉 userid")] = None


class HandoverSettings(Body, Reply):
    confirm_audits: Annotated[Flag, Code(BAD_FIELD), Field(
        description="交款交账参数：对账确认资金单据时同时审核该单据")]


class Remarks(Body):
    ids: Annotated[DocumentIds, Code(BAD_FIELD)]
    remark: Annotated[str, Strict(), Code(BAD_FIELD),
                      WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 500})]


class Confirmed(Reply):
    confirmed: Id = Field(description="新确认的单据数（已确认的不计）")
    audited: Id = Field(description="参数勾选时同时审核的待审批资金单据数")


class Unconfirmed(Reply):
    unconfirmed: Id


class ClosedCount(Reply):
    closed: Id = Field(description="新关账的（员工, 日期）数")


class ReopenedCount(Reply):
    reopened: Id


class ClosedDay(Reply):
    staff_id: Id
    name: str
    userid: str | None
    day: DayOut
    closed_at: OptionalMoment
    closed_by: str


class ReceiptState(Reply):
    id: Id
    number: str
    audit_status: Audit
    confirmed: bool
    confirmed_at: OptionalMoment
    confirmed_by: str


class Updated(Reply):
    updated: Id


async def _staff_ids(userids: list[str] | None) -> list[int] | None:
    return None if userids is None else await close.staff_ids_by_userid(userids)


async def _confirmation(request: web.Request, body: HandoverConfirmation, by_refs, by_days):
    actor = actor_with(request, *FINANCE_ROLES)
    shape = body.root
    if isinstance(shape, DocumentRefs):
        counts = await by_refs(shape.items, by=actor.label, now=now(request))
    else:
        counts = await by_days(await _staff_ids(shape.staff), shape.dates, by=actor.label,
                               now=now(request))
    return json_response(counts)


@routes.post("/handover/confirm", body=HandoverConfirmation, response=Confirmed,
             summary="对账确认：按单据或按员工 + 日期（参数勾选时同时审核资金单据）")
async def confirm_documents(request: web.Request, body: HandoverConfirmation) -> web.Response:
    """对账确认：按单据，或按员工 + 日期批量确认"""
    return await _confirmation(request, body, confirm.confirm, confirm.confirm_days)


@routes.post("/handover/unconfirm", body=HandoverConfirmation, response=Unconfirmed,
             summary="取消对账确认（不反审核）")
async def unconfirm_documents(request: web.Request, body: HandoverConfirmation) -> web.Response:
    """取消对账确认：按单据，或按员工 + 日期批量取消"""
    return await _confirmation(request, body, confirm.unconfirm, confirm.unconfirm_days)


async def _days(request: web.Request, body: PeopleDays, change) -> int:
    actor = actor_with(request, *FINANCE_ROLES)
    return await change(await _staff_ids(body.staff), body.dates, by=actor.label,
                        now=now(request))


@routes.post("/handover/close", body=PeopleDays, response=ClosedCount, summary=(
    "关账：所选员工（\"all\" 为全部在职员工）的所选日期；已关账的不重复计"))
async def close_days(request: web.Request, body: PeopleDays) -> web.Response:
    """关账：所选员工（或 "all" 全部在职员工）的所选日期"""
    return json_response({"closed": await _days(request, body, close.close_days)})


@routes.post("/handover/reopen", body=PeopleDays, response=ReopenedCount, summary="取消关账")
async def reopen_days(request: web.Request, body: PeopleDays) -> web.Response:
    """取消关账"""
    return json_response({"reopened": await _days(request, body, close.reopen_days)})


@routes.get("/handover/closes", query=ClosesQuery, response=Items[ClosedDay],
            summary="已关账的员工与日期（按日期、姓名）")
async def list_closes(request: web.Request, query: ClosesQuery) -> web.Response:
    """已关账的员工与日期"""
    actor_with(request, *FINANCE_ROLES)
    date_from, date_to = query.date_from, query.date_to
    if not 0 <= (date_to - date_from).days < MAX_CLOSES_SPAN:
        raise BAD_RANGE(f"date_from 须不晚于 date_to，且跨度不超过 {MAX_CLOSES_SPAN} 天")
    staff_id = (await close.staff_ids_by_userid([query.staff]))[0] if query.staff else None
    return json_response({"items": await close.closed_days(date_from, date_to, staff_id)})


@routes.get("/handover/settings", summary="交款交账参数", response=HandoverSettings)
async def get_settings(request: web.Request) -> web.Response:
    """交款交账参数"""
    actor_with(request, *FINANCE_ROLES)
    return json_response({"confirm_audits": await confirm_audits()})


@routes.put("/handover/settings", summary="设置交款交账参数", body=HandoverSettings,
            response=HandoverSettings)
async def put_settings(request: web.Request, body: HandoverSettings) -> web.Response:
    """设置交款交账参数（confirm_audits：对账确认资金单据时同时审核）"""
    actor = actor_with(request, *FINANCE_ROLES)
    await set_confirm_audits(body.confirm_audits, by=actor.label, now=now(request))
    return json_response({"confirm_audits": await confirm_audits()})


async def _receipt_action(request: web.Request, action: str) -> web.Response:
    actor = actor_with(request, *FINANCE_ROLES)
    receipt = await confirm.change_receipt_audit(path_id(request), action, by=actor.label,
                                                 now=now(request))
    return json_response(receipt)


@routes.post("/handover/receipts/{id}/audit", response=ReceiptState,
             summary="审核收款单（参数勾选时同时对账确认；关账日 423）")
async def audit_receipt(request: web.Request) -> web.Response:
    """审核收款单（参数勾选时同时对账确认）"""
    return await _receipt_action(request, "audit")


@routes.post("/handover/receipts/{id}/unaudit", response=ReceiptState, summary=(
    "反审核收款单（参数未勾选时已确认的 409；勾选时同时取消确认；关账日 423）"))
async def unaudit_receipt(request: web.Request) -> web.Response:
    """反审核收款单（参数未勾选时已确认的不能反审核）"""
    return await _receipt_action(request, "unaudit")


@routes.post("/handover/receipts/{id}/void", response=ReceiptState, summary=(
    "作废收款单（参数未勾选时已确认的 409；勾选时同时取消确认；关账日 423）"))
async def void_receipt(request: web.Request) -> web.Response:
    """作废收款单（参数未勾选时已确认的不能作废）"""
    return await _receipt_action(request, "void")


@routes.post("/handover/remarks", body=Remarks, response=Updated,
             summary="批量追加备注（追加在原备注之后，关账日也可）")
async def append_remarks(request: web.Request, body: Remarks) -> web.Response:
    """批量追加备注（追加在原备注之后）"""
    actor_with(request, *FINANCE_ROLES)
    return json_response({"updated": await confirm.append_remark(body.ids, body.remark)})
