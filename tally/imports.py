"""ERP exports (CSV or XLSX) read into the raw row dicts that domain.ingest validates.

Headers may be the English keys of domain.ingest or the Chinese column names of an ERP export.
Every cell comes back as a string (money never goes through float arithmetic) and every row
carries "_line", its 1-based row number in the spreadsheet, so errors can name the row.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_HANDOVER_HEAD = {
    "number": ("单据编号", "单号"),
    "date": ("单据日期", "日期"),
    "salesperson": ("业务员", "经办人"),
    "customer_code": ("客户编号", "客户编码"),
    "audit_status": ("审核状态", "审批状态"),
}
# Per kind: field -> Chinese headers accepted for it; the first one is the template's.
# "invoice.x" fields are nested into row["invoice"]["x"].
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "staff": {
        "userid": ("钉钉ID", "员工编号"),
        "name": ("姓名", "名称"),
        "department": ("部门",),
        "manager_userid": ("上级钉钉ID", "上级"),
    },
    "customers": {
        "code": ("客户编号", "客户编码"),
        "name": ("客户名称", "名称"),
        "salesperson": ("业务员",),
        "sales_org": ("销区",),
        "parent_code": ("上级客户",),
        "group": ("分组",),
        "settlement_mode": ("结算方式",),
        "can_prepay": ("可预付", "预付", "可预存"),
        "statement_day": ("月结日期",),
        "credit_limit": ("信用额度",),
        "invoice.company": ("开票公司", "开票名称"),
        "invoice.tax_id": ("税号",),
        "invoice.address": ("开票地址",),
        "invoice.phone": ("开票电话",),
        "invoice.bank": ("开户行",),
        "invoice.account": ("银行账号",),
        "shared_with": ("共享业务员",),
        "departments": ("部门",),  # "采购部:CG，工程部"
    },
    "contacts": {
        "external_id": ("联系人编号",),
        "customer_code": ("客户编号", "客户编码"),
        "name": ("联系人", "姓名"),
        "phone": ("电话", "手机"),
    },
    "documents": {
        "number": ("单据编号", "单号"),
        "type": ("单据类型", "类型"),
        "date": ("单据日期", "日期"),
        "customer_code": ("客户编号", "客户编码"),
        "salesperson": ("业务员",),
        "amount": ("金额",),
        "owed": ("本单欠", "本单欠款"),
        "account": ("结算账户", "账户"),
        "status": ("状态",),
        "department": ("部门", "客户部门"),
        "erp_type": ("ERP单据类型", "原单类型"),
        "audit_status": ("审核状态", "审批状态"),
        "driver": ("司机", "配送员"),
        "delivered_on": ("配送日期", "发货日期"),
        "reversal": ("红冲",),
        "receipt_kind": ("收款类型",),
        "discount": ("收款优惠", "优惠金额"),
        "to_prepaid": ("转入预收",),
        "settlements": ("核销明细",),  # JSON: [{"number", "type", "date", "amount", "prepaid"}]
    },
    # The hand-over's own documents; their lines ("items") are JSON text.
    "expenses": {
        **_HANDOVER_HEAD,
        "items": ("费用明细", "明细"),  # [{"type": "差旅", "amount": "80.00"}]
        "total": ("总金额",),
        "paid": ("支出金额",),
        "settled": ("收款核销金额",),
        "account": ("支出账户", "账户"),
        "remark": ("备注",),
    },
    "other_incomes": {
        **_HANDOVER_HEAD,
        "items": ("收入明细", "明细"),  # [{"type": "废品", "amount": "30.00"}]
        "amount": ("金额", "收入金额"),
        "account": ("收款账户", "账户"),
        "remark": ("备注",),
    },
    "exchanges": {
        **_HANDOVER_HEAD,
        # [{"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "out" | "in"}]
        "items": ("兑换明细", "明细"),
        "amount": ("补差金额", "金额"),
        "submitted_at": ("提交时间",),
        "remark": ("备注",),
    },
    "usage": {"account": ("账号",), "period": ("月份", "期间"), "quantity": ("发送量", "条数")},
    "payments": {
        "reference": ("流水号", "到款编号"),
        "payer_name": ("付款人", "到款名称", "打款公司"),
        "amount": ("金额", "到款金额"),
        "received_on": ("到款日期", "日期"),
    },
}

# Columns domain.ingest rejects every row without: a file lacking one is refused whole.
REQUIRED = {
    "staff": ("userid", "name"),
    "customers": ("code", "name"),
    "contacts": ("external_id", "customer_code"),
    "documents": ("number", "type", "date", "customer_code", "amount"),
    "expenses": ("number", "date", "salesperson"),
    "other_incomes": ("number", "date", "salesperson"),
    "exchanges": ("number", "date", "salesperson", "items"),
    "usage": ("account", "period", "quantity"),
    "payments": ("reference", "payer_name", "amount", "received_on"),
}

SHEET_TITLES = {"staff": "员工", "customers": "客户", "contacts": "联系人", "documents": "单据",
                "expenses": "费用单", "other_incomes": "其他收入单", "exchanges": "兑换货物",
                "usage": "发送量", "payments": "到款"}
DATE_FIELDS = ("date", "delivered_on", "received_on")  # a time in the cell is dropped
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
SLASH_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s|$)")
USERID_SEPARATORS = re.compile(r"[,，、;；]")

Table = list[tuple[int, list[str]]]


class ImportFileError(ValueError):
    """The file cannot be read as rows of this kind; the message is for the person uploading."""

    def __init__(self, message: str, *, unknown: Iterable[str] = (),
                 missing: Iterable[str] = ()):
        super().__init__(message)
        self.unknown = list(unknown)
        self.missing = list(missing)


def read_rows(path: str | Path, kind: str) -> list[dict]:
    """Rows of a CSV or XLSX file as raw dicts for domain.ingest, each with its "_line"."""
    fields = _fields_of(kind)
    table = [(line, cells) for line, cells in _read_table(Path(path)) if not _blank(cells)]
    if not table:
        raise ImportFileError("文件是空的：没有表头")
    _, header = table[0]
    columns = _map_header(header, kind)
    _check_required(columns, kind, fields)
    return [_build_row(line, cells, columns) for line, cells in table[1:]]


def write_template(path: str | Path, kind: str) -> None:
    """An empty XLSX with the Chinese headers of this kind, for finance to fill in."""
    fields = _fields_of(kind)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLES[kind]
    sheet.append([aliases[0] for aliases in fields.values()])
    for index in range(1, len(fields) + 1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        column = sheet.column_dimensions[get_column_letter(index)]
        column.width = 16
        column.number_format = "@"  # text: what finance types (codes, amounts) stays exact
    sheet.freeze_panes = "A2"
    workbook.save(Path(path))


def _fields_of(kind: str) -> dict[str, tuple[str, ...]]:
    try:
        return HEADERS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; one of {sorted(HEADERS)}") from None


def _header_aliases(kind: str) -> dict[str, str]:
    aliases = {name: name for name in HEADERS[kind]}
    for name, chinese in HEADERS[kind].items():
        aliases.update({header: name for header in chinese})
    return aliases


def _map_header(header: list[str], kind: str) -> list[str | None]:
    """The field of every column (None for a column without a header); refuses unknown ones."""
    aliases = _header_aliases(kind)
    unknown = [h for h in header if h and h not in aliases]
    if unknown:
        raise ImportFileError(f"未知列: {', '.join(unknown)}", unknown=unknown)
    columns = [aliases[h] if h else None for h in header]
    repeated = [h for h, c in zip(header, columns, strict=True) if c and columns.count(c) > 1]
    if repeated:
        raise ImportFileError(f"列重复 (指同一字段): {', '.join(repeated)}")
    return columns


def _check_required(columns: list[str | None], kind: str, fields: dict) -> None:
    missing = [fields[name][0] for name in REQUIRED[kind] if name not in columns]
    if missing:
        raise ImportFileError(f"缺少列: {', '.join(missing)}", missing=missing)


def _build_row(line: int, cells: list[str], columns: list[str | None]) -> dict:
    row: dict = {"_line": line}
    cells = cells + [""] * (len(columns) - len(cells))  # XLSX rows stop at their last value
    for index, value in enumerate(cells):
        field = columns[index] if index < len(columns) else None
        if field is None:
            if value:
                raise ImportFileError(f"第 {line} 行第 {index + 1} 列有数据但没有列名")
            continue
        _put(row, field, value)
    return row


def _put(row: dict, field: str, value: str) -> None:
    if field.startswith("invoice."):
        row.setdefault("invoice", {})[field.removeprefix("invoice.")] = value
    elif field == "shared_with":
        row[field] = [u.strip() for u in USERID_SEPARATORS.split(value) if u.strip()]
    elif field in DATE_FIELDS:
        row[field] = _iso_date_text(value)
    else:
        row[field] = value


def _iso_date_text(value: str) -> str:
    """2024/3/5, 2024.3.5 and 2024年3月5日 (Chinese Excel CSV) as 2024-03-05; else unchanged."""
    match = SLASH_DATE.match(value)
    if not match:
        return value
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return value


def _blank(cells: list[str]) -> bool:
    return not any(cells)


def _read_table(path: Path) -> Table:
    with path.open("rb") as file:
        magic = file.read(4)
    if magic == XLSX_MAGIC:
        return _read_xlsx(path)
    if magic == XLS_MAGIC:
        raise ImportFileError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    return _read_csv(path)


def _read_csv(path: Path) -> Table:
    reader = csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
    try:
        return [(line, [c.strip() for c in cells]) for line, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误: {exc}") from None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV")


def _read_xlsx(path: Path) -> Table:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError(f"无法读取 XLSX 文件: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some exporters write a wrong <dimension>; read every cell
        rows = sheet.iter_rows(values_only=True)
        return [(line, [_cell_text(v) for v in row]) for line, row in enumerate(rows, start=1)]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):  # a time of day only when there is one (提交时间)
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _float_text(value: float) -> str:
    """The number as Excel shows it: 15 significant digits, no exponent, no float arithmetic.

    48876.3 -> "48876.3", 0.30000000000000004 (a formula's 0.1+0.2) -> "0.3", 1234.0 -> "1234".
    """
    if not math.isfinite(value):
        return str(value)
    text = format(Decimal(format(value, ".15g")), "f")
    return "0" if text == "-0" else text
