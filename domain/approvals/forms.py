"""The forms of the four credit flows: parsed into clean JSON values (money as 2-decimal
strings, dates ISO) with an Invalid naming the field, and summed up for people. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal, overload

from domain.approvals.errors import CLAIM_OVER_AMOUNT, TERM_TOO_LONG
from domain.approvals.flows import CREDIT_APPLICATION, CREDIT_TERM_CHANGE
from domain.common_errors import BAD_AMOUNT, BAD_DATE, BAD_FIELD, MISSING_FIELD
from domain.credit.errors import BAD_CREDIT_TYPE, BAD_VALIDITY, DUPLICATE_DEBT
from domain.credit.rules import LINE_TYPES, TYPE_LABELS
from domain.money import ZERO, fmt, to_amount, yuan

MAX_TERM_DAYS = 365  # 账期更改: 最多不超过 12 个月 (seed 004)
Summary = list[tuple[str, str]]


def _field(form: Mapping[str, Any], name: str, label: str) -> Any:
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MISSING_FIELD(f"缺少字段 {name}（{label}）", field=name)
    return value


@overload
def _int(form: Mapping[str, Any], name: str, label: str, *, required: Literal[True] = True,
         lo: int = 1, hi: int = 2**31 - 1) -> int: ...
@overload
def _int(form: Mapping[str, Any], name: str, label: str, *, required: bool,
         lo: int = 1, hi: int = 2**31 - 1) -> int | None: ...
def _int(form: Mapping[str, Any], name: str, label: str, *, required: bool = True,
         lo: int = 1, hi: int = 2**31 - 1) -> int | None:
    if not required and form.get(name) in (None, ""):
        return None
    value = _field(form, name, label)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BAD_FIELD(f"{name}（{label}）必须是整数", field=name)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BAD_FIELD(f"{name}（{label}）必须是整数", field=name) from None
    if not lo <= number <= hi:
        raise BAD_FIELD(f"{name}（{label}）必须在 {lo} 到 {hi} 之间", field=name)
    return number


def _amount(form: Mapping[str, Any], name: str, label: str, *, required: bool = True,
            positive: bool = True) -> Decimal:
    if not required and form.get(name) in (None, ""):
        return ZERO
    try:
        amount = to_amount(_field(form, name, label))
    except ValueError as exc:
        raise BAD_AMOUNT(f"{name}（{label}）: {exc}", field=name) from None
    if amount < 0 or (positive and amount == 0):
        word = "必须大于 0" if positive else "不能为负"
        raise BAD_AMOUNT(f"{name}（{label}）{word}", field=name)
    return amount


def _date(form: Mapping[str, Any], name: str, label: str, *, required: bool = False) -> date | None:
    if not required and form.get(name) in (None, ""):
        return None
    try:
        return date.fromisoformat(str(_field(form, name, label)).strip())
    except ValueError:
        raise BAD_DATE(f"{name}（{label}）必须是日期 YYYY-MM-DD", field=name) from None


def _text(form: Mapping[str, Any], name: str, label: str, *, required: bool = False,
          max_len: int = 500) -> str:
    value = form.get(name)
    if value is None or value == "":
        if required:
            raise MISSING_FIELD(f"缺少字段 {name}（{label}）", field=name)
        return ""
    if not isinstance(value, str):
        raise BAD_FIELD(f"{name}（{label}）必须是字符串", field=name)
    if len(value) > max_len:
        raise BAD_FIELD(f"{name}（{label}）不能超过 {max_len} 个字符", field=name)
    if required and not value.strip():
        raise MISSING_FIELD(f"缺少字段 {name}（{label}）", field=name)
    return value.strip()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# ----- the forms people fill in (the workbench draws them from these declarations) -----

CUSTOMER, ORG, DEBT, CREDIT_LINE, CHOICE, MONEY, DATE, DAYS, NUMBER, TEXT, LONG_TEXT = (
    "customer", "org", "debt", "credit_line", "choice", "money", "date", "days", "number",
    "text", "long_text")
WHOLE_NUMBERS = frozenset({CUSTOMER, ORG, DEBT, CREDIT_LINE, DAYS, NUMBER})


@dataclass(frozen=True)
class FormField:
    """One field of a flow's form: its name in the form, what people call it, what it holds
    (``input``: a customer, a sales org, a debt, a credit account, one of ``choices``, money,
    a date, days, a number, text) and its bounds. Parsing reads the field from this; the
    workbench draws it."""

    name: str
    label: str
    input: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    hi: int = 2**31 - 1
    max_len: int = 500
    hint: str = ""


def _read(form: Mapping[str, Any], field: FormField) -> Any:
    """The field's clean value (an Invalid naming it when it is missing or malformed)."""
    if field.input in WHOLE_NUMBERS:
        return _int(form, field.name, field.label, required=field.required, hi=field.hi)
    if field.input == MONEY:
        return fmt(_amount(form, field.name, field.label))
    if field.input == DATE:
        return _iso(_date(form, field.name, field.label))
    return _text(form, field.name, field.label, required=field.required, max_len=field.max_len)


def read_form(form: Mapping[str, Any], fields: tuple[FormField, ...]) -> dict[str, Any]:
    return {field.name: _read(form, field) for field in fields}


CREDIT_APPLICATION_FORM = (
    FormField("customer_id", "客户", CUSTOMER, required=True),
    FormField("org_id", "销售组织", ORG, required=True, hint="额度来源"),
    FormField("type", "授信类型", CHOICE, required=True,
              choices=tuple((t, TYPE_LABELS[t]) for t in LINE_TYPES)),
    FormField("amount", "申报授信金额", MONEY, required=True),
    FormField("valid_from", "有效期开始", DATE),
    FormField("valid_to", "有效期结束", DATE),
    FormField("project", "项目", TEXT, max_len=100, hint="项目授信必填"),
    FormField("term_days", "账期天数", DAYS, hi=MAX_TERM_DAYS, hint="不填则按默认账期"),
    FormField("parent_id", "上级授信账户", CREDIT_LINE, hint="仅直签使用授信：选择上游的直签授信"),
    FormField("reason", "申请说明", LONG_TEXT),
)
CREDIT_TERM_CHANGE_FORM = (
    FormField("debt_id", "欠款", DEBT, required=True),
    # read up to any whole number so that too long a term is told as such (TERM_TOO_LONG)
    FormField("term_days", "新账期天数", DAYS, required=True, hi=10**6,
              hint=f"最多 12 个月（{MAX_TERM_DAYS} 天）"),
    FormField("reason", "原因说明", LONG_TEXT, required=True),
)
# the forms a person starts from the workbench, by flow kind
FORMS = {CREDIT_APPLICATION: CREDIT_APPLICATION_FORM, CREDIT_TERM_CHANGE: CREDIT_TERM_CHANGE_FORM}


# ----- 授信申请 -----


def parse_credit_application(form: Mapping[str, Any]) -> dict[str, Any]:
    values = read_form(form, CREDIT_APPLICATION_FORM)
    if values["type"] not in LINE_TYPES:
        raise BAD_CREDIT_TYPE(f"授信类型必须是 {', '.join(LINE_TYPES)} 之一",
                              field="type")
    if values["valid_from"] and values["valid_to"] and values["valid_to"] < values["valid_from"]:
        raise BAD_VALIDITY("有效期结束不能早于开始", field="valid_to")  # ISO dates sort as days
    values["project"] = values["project"] or None
    if values["type"] == "project" and not values["project"]:
        raise MISSING_FIELD("项目授信必须填写项目（project）", field="project")
    return values


def credit_application_summary(form: Mapping[str, Any]) -> Summary:
    lines = [("授信类型", TYPE_LABELS.get(form["type"], form["type"])),
             ("申报金额", yuan(Decimal(form["amount"])))]
    if form.get("valid_from") or form.get("valid_to"):
        start, end = form.get("valid_from") or "—", form.get("valid_to") or "—"
        lines.append(("有效期", f"{start} 至 {end}"))
    if form.get("project"):
        lines.append(("项目", form["project"]))
    if form.get("term_days"):
        lines.append(("账期", f"{form['term_days']} 天"))
    if form.get("reason"):
        lines.append(("说明", form["reason"]))
    return lines


# ----- 账期更改 -----


def parse_credit_term_change(form: Mapping[str, Any]) -> dict[str, Any]:
    values = read_form(form, CREDIT_TERM_CHANGE_FORM)
    if values["term_days"] > MAX_TERM_DAYS:
        raise TERM_TOO_LONG(f"新账期 {values['term_days']} 天超过上限：账期最多 12 个月"
                            f"（{MAX_TERM_DAYS} 天）", field="term_days")
    return values


def credit_term_change_summary(form: Mapping[str, Any]) -> Summary:
    lines = [("欠款", f"#{form['debt_id']}"), ("新账期", f"{form['term_days']} 天")]
    if form.get("old_term_days"):
        lines.insert(1, ("原账期", f"{form['old_term_days']} 天"))
    if form.get("outstanding"):
        lines.append(("未还金额", yuan(Decimal(form["outstanding"]))))
    lines.append(("原因", form.get("reason", "")))
    return lines


# ----- 款项认领 -----


def parse_receipt_claim(form: Mapping[str, Any], today: date) -> dict[str, Any]:
    amount = _amount(form, "amount", "到款金额")
    deposit = _amount(form, "deposit", "保证金", required=False, positive=False)
    repayment = _amount(form, "repayment", "还款", required=False, positive=False)
    remainder = amount - deposit - repayment
    if remainder < 0:
        raise CLAIM_OVER_AMOUNT(f"保证金 {yuan(deposit)} + 还款 {yuan(repayment)} "
                                f"超过到款金额 {yuan(amount)}",
                                field="repayment")
    return {
        "customer_id": _int(form, "customer_id", "客户"),
        "number": _text(form, "number", "收款单号", required=True, max_len=64),
        "amount": fmt(amount), "deposit": fmt(deposit), "repayment": fmt(repayment),
        "remainder": fmt(remainder),
        "received_on": _iso(_date(form, "received_on", "到款日期") or today),
        "payer": _text(form, "payer", "付款方", max_len=200),
    }


def receipt_claim_summary(form: Mapping[str, Any]) -> Summary:
    return [("收款单号", form["number"]), ("到款金额", yuan(Decimal(form["amount"]))),
            ("保证金", yuan(Decimal(form["deposit"]))), ("还款", yuan(Decimal(form["repayment"]))),
            ("剩余", yuan(Decimal(form["remainder"]))), ("到款日期", form["received_on"])]


# ----- 还款审批 -----


def parse_repayment_approval(form: Mapping[str, Any]) -> dict[str, Any]:
    raw_parts = form.get("parts")
    parts: list[dict[str, Any]] | None = None
    if raw_parts not in (None, []):
        if not isinstance(raw_parts, list):
            raise BAD_FIELD("parts 必须是数组 [{debt_id, amount}]", field="parts")
        parts, seen = [], set()
        for i, part in enumerate(raw_parts):
            if not isinstance(part, dict):
                raise BAD_FIELD(f"parts[{i}] 必须是对象 {{debt_id, amount}}",
                                field="parts")
            debt_id = _int(part, "debt_id", f"parts[{i}] 欠款")
            if debt_id in seen:
                raise DUPLICATE_DEBT(f"欠款 #{debt_id} 重复出现", field="parts")
            seen.add(debt_id)
            parts.append({"debt_id": debt_id,
                          "amount": fmt(_amount(part, "amount", f"parts[{i}] 金额"))})
    return {"customer_id": _int(form, "customer_id", "客户"), "parts": parts,
            "reason": _text(form, "reason", "说明")}


def repayment_approval_summary(form: Mapping[str, Any]) -> Summary:
    parts = form.get("parts")
    if not parts:
        return [("还款方式", "按到期日从早到晚自动还款")]
    total = sum((Decimal(p["amount"]) for p in parts), ZERO)
    lines = [(f"欠款 #{p['debt_id']}", yuan(Decimal(p["amount"]))) for p in parts]
    return [*lines, ("合计", yuan(total))]
