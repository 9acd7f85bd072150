"""tally.imports: ERP CSV/XLSX exports read into raw rows for domain.ingest (no database)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from domain.documents.ingest import validate_document
from domain.ingest import validate_customer
from tally.imports import HEADERS, ImportFileError, read_rows, write_template

DOC_HEADER = ["单据编号", "单据类型", "单据日期", "客户编号", "业务员", "金额", "本单欠",
              "结算账户", "状态"]


def write_csv(path, lines: list[str], encoding: str):
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def write_xlsx(path, rows: list[list]):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_utf8_bom_csv_with_chinese_headers(tmp_path):
    path = write_csv(tmp_path / "docs.csv", [
        " 单号 ,类型, 日期,客户编码,业务员,金额,本单欠款,账户,状态",
        "XS-001,销售出库单,2024-03-05,C001,u1,\"1,234.50\",1234.50,现金,已审核",
        ",,,,,,,,",
        "",
        "SK-002,收款单,2024/3/6,C001,,800,-800,银行,",
    ], "utf-8-sig")
    assert read_rows(path, "documents") == [
        {"_line": 2, "number": "XS-001", "type": "销售出库单", "date": "2024-03-05",
         "customer_code": "C001", "salesperson": "u1", "amount": "1,234.50", "owed": "1234.50",
         "account": "现金", "status": "已审核"},
        {"_line": 5, "number": "SK-002", "type": "收款单", "date": "2024-03-06",
         "customer_code": "C001", "salesperson": "", "amount": "800", "owed": "-800",
         "account": "银行", "status": ""},
    ]


def test_gb18030_csv_customers_nest_invoice_and_split_shares(tmp_path):
    path = write_csv(tmp_path / "customers.csv", [
        "客户编号,客户名称,业务员,结算方式,可预付,月结日期,信用额度,开票公司,税号,共享业务员",
        "C001,华东五金,u1,记账,是,25,50000,华东五金有限公司,91310000X,\"u2、u3，u4\"",
    ], "gb18030")
    [row] = read_rows(path, "customers")
    assert row == {
        "_line": 2, "code": "C001", "name": "华东五金", "salesperson": "u1",
        "settlement_mode": "记账", "can_prepay": "是", "statement_day": "25",
        "credit_limit": "50000",
        "invoice": {"company": "华东五金有限公司", "tax_id": "91310000X"},
        "shared_with": ["u2", "u3", "u4"],
    }
    clean = validate_customer(row)
    assert clean.errors == []
    assert clean.clean["credit_limit"] == Decimal("50000.00")
    assert clean.clean["shared_with"] == ["u2", "u3", "u4"]


def test_plain_utf8_csv_with_english_keys(tmp_path):
    path = write_csv(tmp_path / "staff.csv", [
        "userid,name,department,manager_userid",
        "u1,张三,销售部,u0",
    ], "utf-8")
    assert read_rows(path, "staff") == [
        {"_line": 2, "userid": "u1", "name": "张三", "department": "销售部",
         "manager_userid": "u0"},
    ]


def test_contacts_headers(tmp_path):
    path = write_csv(tmp_path / "contacts.csv",
                     ["联系人编号,客户编码,姓名,手机", "K1,C001,李四,13800138000"], "utf-8-sig")
    assert read_rows(path, "contacts") == [
        {"_line": 2, "external_id": "K1", "customer_code": "C001", "name": "李四",
         "phone": "13800138000"},
    ]


def test_xlsx_numbers_dates_and_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "docs.xlsx", [
        [],
        DOC_HEADER,
        ["XS-001", "销售出库单", datetime(2024, 3, 5), "C001", "u1", 48876.3, 0.1 + 0.2, "现金",
         None],
        [None] * 9,
        [1001, "销售退货单", date(2024, 3, 6), 2002, None, 1234, 1234.0, None, None],
        ["XS-003", "销售出库单", "2024年3月7日", "C001", None, 1e-05, -0.0, None, None],
    ])
    rows = read_rows(path, "documents")
    assert [r["_line"] for r in rows] == [3, 5, 6]
    first, second, third = rows
    assert (first["date"], first["amount"], first["owed"]) == ("2024-03-05", "48876.3", "0.3")
    assert first["status"] == ""
    assert (second["number"], second["customer_code"]) == ("1001", "2002")
    assert (second["date"], second["amount"], second["owed"]) == ("2024-03-06", "1234", "1234")
    assert (third["date"], third["amount"], third["owed"]) == ("2024-03-07", "0.00001", "0")


def test_xlsx_rows_pass_domain_validation_as_exact_decimals(tmp_path):
    path = write_xlsx(tmp_path / "docs.xlsx", [
        DOC_HEADER, ["XS-001", "销售出库单", datetime(2024, 3, 5), "C001", "u1", 48876.3, 0.1 + 0.2,
                     "现金", "已审核"],
    ])
    [row] = read_rows(path, "documents")
    clean = validate_document(row)
    assert clean.errors == []
    assert clean.clean["amount"] == Decimal("48876.30")
    assert clean.clean["owed"] == Decimal("0.30")
    assert clean.clean["date"] == date(2024, 3, 5)


def test_xlsx_reads_first_sheet_only(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["userid", "name"])
    workbook.active.append(["u1", "张三"])
    workbook.create_sheet("other").append(["whatever", "else"])
    workbook.save(tmp_path / "staff.xlsx")
    assert read_rows(tmp_path / "staff.xlsx", "staff") == [
        {"_line": 2, "userid": "u1", "name": "张三"}]


def test_unknown_headers_are_named(tmp_path):
    path = write_csv(tmp_path / "docs.csv", [",".join([*DOC_HEADER, "备注", " 折扣 "])], "utf-8")
    with pytest.raises(ImportFileError, match="备注, 折扣") as caught:
        read_rows(path, "documents")
    assert caught.value.unknown == ["备注", "折扣"]


def test_customer_header_is_unknown_for_another_kind(tmp_path):
    path = write_xlsx(tmp_path / "staff.xlsx", [["钉钉ID", "姓名", "信用额度"]])
    with pytest.raises(ImportFileError) as caught:
        read_rows(path, "staff")
    assert caught.value.unknown == ["信用额度"]


def test_missing_required_columns(tmp_path):
    path = write_csv(tmp_path / "docs.csv", ["单号,金额", "XS-1,10"], "utf-8")
    with pytest.raises(ImportFileError, match="缺少列") as caught:
        read_rows(path, "documents")
    assert caught.value.missing == ["单据类型", "单据日期", "客户编号"]


def test_two_headers_for_one_field(tmp_path):
    path = write_csv(tmp_path / "docs.csv", [",".join([*DOC_HEADER, "单号"])], "utf-8")
    with pytest.raises(ImportFileError, match="单据编号, 单号"):
        read_rows(path, "documents")


def test_data_under_a_blank_header(tmp_path):
    path = write_csv(tmp_path / "docs.csv", [
        ",".join([*DOC_HEADER, ""]),
        "XS-1,销售出库单,2024-03-05,C001,,10,,,,",
        "XS-2,销售出库单,2024-03-05,C001,,10,,,,oops",
    ], "utf-8")
    with pytest.raises(ImportFileError, match="第 3 行第 10 列"):
        read_rows(path, "documents")


def test_empty_file_and_old_xls(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\r\n,,\r\n")
    with pytest.raises(ImportFileError, match="空"):
        read_rows(tmp_path / "empty.csv", "documents")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    with pytest.raises(ImportFileError, match="xls"):
        read_rows(tmp_path / "old.xls", "documents")


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown import kind"):
        read_rows("nowhere.csv", "invoices")


@pytest.mark.parametrize("kind", sorted(HEADERS))
def test_template_round_trips(tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    write_template(path, kind)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [aliases[0] for aliases in HEADERS[kind].values()]
    assert read_rows(path, kind) == []


def test_departments_come_in_chinese_or_english_columns(tmp_path):
    customers = write_csv(tmp_path / "customers.csv", [
        "客户编号,客户名称,可预存,部门",
        "Q,青岛市某某建筑有限公司,否,\"采购部:CG，工程部\"",
    ], "gb18030")
    [row] = read_rows(customers, "customers")
    clean = validate_customer(row)
    assert clean.errors == []
    assert clean.clean["can_prepay"] is False
    assert clean.clean["departments"] == [("采购部", "CG"), ("工程部", None)]
    for header in ("部门", "department"):
        documents = write_csv(tmp_path / "docs.csv", [
            f"单据编号,单据类型,单据日期,客户编号,金额,{header}",
            "XS-1,销售出库单,2024-03-05,Q,10.00,CG",
        ], "utf-8")
        [row] = read_rows(documents, "documents")
        assert validate_document(row).clean["department"] == "CG"
