"""OpenAPI schemas of the payments-pool routes (paths come from the router). The decisions a
caller needs are in the descriptions: how payers are matched, when a write-off is automatic
and why it is refused, how reservations and penalties work."""

from __future__ import annotations

from httpcommon import openapi as shared
from httpcommon.openapi import items_of, ok
from httpcommon.openapi import query_param as _q

ID = shared.ID
NID = {"type": ["integer", "null"]}
TEXT = {"type": "string"}
DATE = shared.DATE
TIME = {"type": ["string", "null"], "format": "date-time"}
MONEY = shared.MONEY
MONEY_IN = {"type": "string", "pattern": r"^\d{1,14}(\.\d{1,2})?$", "description": "CNY"}
PAYMENT_STATUS = ["unmatched", "matched", "partly", "written_off"]


def _obj(**properties) -> dict:
    return {"type": "object", "properties": properties}


def _body(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


MATCHING = (
    "匹配：到款名称与客户名称、或客户开票信息中的公司名称（invoice.company）比较，比较前都做"
    "规范化：NFKC（全角字母数字括号转半角）、去首尾空白、内部连续空白合为一个空格、忽略大小写。"
    "客户名称优先；同一名称对应两个客户视为未匹配（note 说明）。")
AUTO = (
    "自动销账（设置 auto_write_off 开启时）：按账期（period）再按账单 id 从早到晚，到款剩余金额"
    "能全额覆盖的账单逐张销账，遇到第一张不能全额覆盖的即停止；账单全部覆盖后再按同样规则销罚息。"
    "不自动销账的原因记在 note：到款没有关联到客户名下；到款金额小于最早未销账单金额；预付费"
    "（payment_mode 为 prepaid / prepurchase）客户到款时间大于账单时间（后付费客户不受此限）；"
    "客户没有未销账单；客户没有在职业务员。销账走「销账」审批流程（kind write_off），发起人是客户"
    "的业务员：自动销账时「销售事业部总」「财务(总部)」两个节点满足 auto_write_off 等于 1 "
    "自动通过，业务员在钉钉卡片上确认一次；审批中的账单、罚息和到款金额被占用（reserved），"
    "不能再被其他销账使用；驳回或撤回后占用立即释放，到款回到到款池。最终通过后账单 paid/status、"
    "到款 remaining/status 更新，并生成收款单 WO-<销账 id>（日期为到款日期，本单欠为负），"
    "对账单因此显示这笔收款。")
WRITE_OFF = _obj(
    id=ID, payment_id=ID, customer_id=ID, automatic={"type": "boolean"}, amount=MONEY,
    status={"enum": ["pending", "done", "rejected"]}, status_label=TEXT, flow_id=NID,
    flow_status={"type": ["string", "null"]},
    document={"type": ["string", "null"], "description": "收款单号 WO-<id>（已销账时）"},
    bills={"type": "array", "items": _obj(bill_id=ID, amount=MONEY)},
    penalties={"type": "array", "items": _obj(penalty_id=ID, amount=MONEY)},
    created_at=TIME, done_at=TIME)
PAYMENT = _obj(
    id=ID, reference=TEXT, payer_name=TEXT,
    payer_key={"type": "string", "description": "规范化后的到款名称（用于匹配）"},
    amount=MONEY, remaining=MONEY,
    reserved={**MONEY, "description": "审批中的销账占用的金额"},
    available={**MONEY, "description": "remaining − reserved"}, received_on=DATE,
    customer_id=NID, matched_by={"enum": ["", "name", "invoice_company", "manual"]},
    status={"enum": PAYMENT_STATUS}, status_label=TEXT,
    note={"type": "string", "description": "未自动销账的原因"}, imported_by=TEXT,
    created_at=TIME)
PAYMENT_DETAIL = {"type": "object", "properties": {
    **PAYMENT["properties"], "write_offs": {"type": "array", "items": WRITE_OFF}}}
ROW_ERROR = _obj(index=ID, key=TEXT, status={"enum": [400, 409]}, code=TEXT,
                 errors={"type": "array", "items": TEXT})
IMPORT_RESULT = _obj(created=ID, unchanged=ID, rejected={"type": "array", "items": ROW_ERROR},
                     payments={"type": "array", "items": PAYMENT})
PICK = {"bill_id": ID,
        "amount": {**shared.POSITIVE_AMOUNT, "description": "默认为该账单全部未付金额"}}
BILL_PICK = {**_obj(**PICK), "required": ["bill_id"]}
PENALTY_PICK = {**_obj(penalty_id=ID, amount=PICK["amount"]), "required": ["penalty_id"]}
PENALTY = _obj(id=ID, bill_id=ID, month_index=ID, accrued_on=DATE, base=MONEY,
               rate={"type": "string"}, amount=MONEY, credited=MONEY, paid=MONEY,
               outstanding=MONEY)
INVOICE_FIELDS = _obj(company=TEXT, tax_id=TEXT, address=TEXT, phone=TEXT, bank=TEXT,
                      account=TEXT)
INVOICE_REQUEST = _obj(
    id=ID, customer_id=ID, kind={"enum": ["normal", "special"]}, kind_label=TEXT,
    amount=MONEY, invoice=INVOICE_FIELDS, status={"enum": ["requested", "cancelled"]},
    status_label=TEXT, created_by=TEXT, created_at=TIME,
    bills={"type": "array", "items": _obj(bill_id=ID, amount=MONEY)})

OPERATIONS: dict = {
    "POST /pool-payments": {
        "summary": "导入到款（财务）：按流水号幂等，同一流水号内容不同为 409 行错误",
        "description": (
            "每行 {payer_name, amount, received_on, reference}。每个好行单独入库；?atomic=1 时"
            "有任一错误行则整批不写入（全是 409 时返回 409，否则 400）。" + MATCHING + AUTO),
        "query": [_q("atomic", {"type": "string", "enum": ["0", "1"]}, "1: 有错则整批不写入")],
        "body": _body(["items"], items={"type": "array", "minItems": 1, "items": _body(
            ["payer_name", "amount", "received_on", "reference"], payer_name=TEXT,
            amount=MONEY_IN, received_on=DATE, reference=TEXT)}),
        "responses": ok(IMPORT_RESULT)},
    "GET /pool-payments": {
        "summary": "到款池（业务员可见未匹配的到款与自己客户的到款）",
        "query": [_q("status", {"enum": PAYMENT_STATUS}), _q("customer_id", {**ID, "minimum": 1}),
                  _q("limit", shared.LIMIT), _q("offset", shared.OFFSET)],
        "responses": ok(items_of(PAYMENT))},
    "GET /pool-payments/{id}": {"summary": "到款详情与销账记录",
                                "responses": ok(PAYMENT_DETAIL)},
    "POST /pool-payments/{id}/match": {
        "summary": "人工匹配：到款 → 客户与所选账单/罚息，发起销账流程（逐节点人工审批）",
        "description": (
            "customer_id 未匹配的到款必填；已匹配的到款默认其客户。每张账单/罚息默认销全部未付"
            "金额，可给 amount 部分销账；合计不能超过到款可用余额（400）；已结清（409 "
            "already_paid）、正在其他销账流程中（409 reserved）或不属于该客户（404）的账单被拒绝。"
            "流程 auto_write_off = 0：销售事业部总、财务(总部)（角色）和业务员依次审批。"),
        "body": {**_body([], customer_id=ID, bills={"type": "array", "items": BILL_PICK},
                         penalties={"type": "array", "items": PENALTY_PICK}),
                 "anyOf": [  # at least one bill or penalty (nothing_to_write_off)
                     {"required": ["bills"], "properties": {"bills": {"minItems": 1}}},
                     {"required": ["penalties"], "properties": {"penalties": {"minItems": 1}}}]},
        "responses": ok(WRITE_OFF, "201", "销账流程已发起")},
    "GET /customers/{id}/penalties": {
        "summary": "客户罚息：每笔（账单、第几个逾期月、基数、利率、金额、已付、未付）与合计",
        "description": (
            "每日任务 penalties：未结清且产品账号不全在不计息名单（interest_free，计息时读取）"
            "的账单，逾期第 k 个月从 "
            "due_date + (k−1) 个月的次日开始，每个开始的月一笔罚息 = 当日未付金额 × 月利率 "
            "penalty_monthly_rate，四舍五入到分；同一账单同一月只记一次（重跑、补跑不重复）。"
            "账单结清后不再产生新罚息，已有罚息仍应收，可由到款销账（自动时在账单之后）。"
            "账单周期更改通过后，已在新账期内的月份的罚息冲销（credited，amount 为冲销后金额，"
            "month_index 按新到期日重排，账期内为 0、−1 …）。"),
        "responses": ok(_obj(customer_id=ID, items={"type": "array", "items": PENALTY},
                             total=MONEY, credited=MONEY, paid=MONEY, outstanding=MONEY))},
    "POST /invoice-requests": {
        "summary": "账单开票申请：普票需公司名称与税号，专票需全部开票信息；金额必须等于账单合计",
        "description": (
            "开票信息取客户的 invoice，请求中的 invoice 字段覆盖之。amount 与所选账单金额合计不等"
            "为 400 invoice_amount_mismatch（消息中给出两个金额）；账单已在未取消的开票申请中为 "
            "409 bill_already_invoiced。"),
        "body": _body(["customer_id", "kind", "amount", "bill_ids"], customer_id=ID,
                      kind={"enum": ["normal", "special"]}, amount=MONEY_IN,
                      bill_ids={"type": "array", "minItems": 1, "uniqueItems": True, "items": ID},
                      invoice=INVOICE_FIELDS),
        "responses": ok(INVOICE_REQUEST, "201", "已申请")},
    "GET /invoice-requests": {"summary": "开票申请列表",
                              "query": [_q("customer_id", {**ID, "minimum": 1}),
                                        _q("limit", shared.LIMIT), _q("offset", shared.OFFSET)],
                              "responses": ok(items_of(INVOICE_REQUEST))},
    "POST /invoice-requests/{id}/cancel": {"summary": "取消开票申请（其账单可再次申请）",
                                           "responses": ok(INVOICE_REQUEST)},
}


def _fold_descriptions(operations: dict) -> dict:
    """The document builder takes summary, query, body and responses: a long description goes
    on the success response and on the request body, where readers of the document see it."""
    for op in operations.values():
        text = op.pop("description", None)
        if not text:
            continue
        first = next(iter(op["responses"].values()))
        first["description"] = text
        if "body" in op:
            op["body"] = {**op["body"], "description": text}
    return operations


_fold_descriptions(OPERATIONS)
