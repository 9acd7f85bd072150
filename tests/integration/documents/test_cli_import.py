"""`tally import KIND FILE`: the CLI reads CSV / XLSX and lands rows through the same ingest."""

from __future__ import annotations

import openpyxl
import pytest
from tortoise.contrib.test import truncate_all_models

from domain.customers.models import Customer
from domain.documents.models import Document
from domain.ingest import ingest_customers, ingest_staff
from tests.support import CUSTOMERS, STAFF
from tests.support.cli import run_orm, run_tally


@pytest.fixture
def seeded(database_url):
    async def setup():
        await truncate_all_models()
        await ingest_staff(STAFF)
        await ingest_customers(CUSTOMERS)

    run_orm(setup, database_url)
    return database_url


def _documents(url):
    async def rows():
        return sorted(await Document.all().values_list("number", "doc_type", "amount", "owed"))

    return [(n, t, str(a), str(o)) for n, t, a, o in run_orm(rows, url)]


def test_a_chinese_csv_export_is_imported_and_a_bad_row_is_named_by_its_line(seeded, tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text(
        "单据编号,单据类型,单据日期,客户编号,金额,本单欠,结算账户\n"
        "XS-1,销售出库单,2021-12-01,C001,32000.00,32000.00,\n"
        "SK-1,收款单,2021/12/22,C001,100,-100,银行存款-中国银行\n"
        "XS-2,销售出库单,2021-12-02,NOPE,5.00,5.00,\n",
        encoding="gb18030",
    )
    result = run_tally(seeded, "import", "documents", str(path))
    assert result.returncode == 1, result.stderr
    assert "created 2" in result.stdout and "rejected 1" in result.stdout
    assert "line 4 (XS-2)" in result.stderr
    assert _documents(seeded) == [("SK-1", "receipt", "100.00", "-100.00"),
                                  ("XS-1", "sales_out", "32000.00", "32000.00")]
    again = run_tally(seeded, "import", "documents", str(path))
    assert "created 0" in again.stdout and "unchanged 2" in again.stdout


def test_an_xlsx_import_is_atomic_on_request(seeded, tmp_path):
    path = tmp_path / "docs.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单据编号", "单据类型", "单据日期", "客户编号", "金额"])
    sheet.append(["XS-9", "销售出库单", "2021-12-01", "C001", 48876.3])
    sheet.append(["XS-10", "销售出库单", "2021-12-01", "C001", -1])
    book.save(path)
    result = run_tally(seeded, "import", "documents", str(path), "--atomic")
    assert result.returncode == 1
    assert "line 3 (XS-10)" in result.stderr
    assert _documents(seeded) == []
    sheet.delete_rows(3)
    book.save(path)
    assert run_tally(seeded, "import", "documents", str(path), "--atomic").returncode == 0
    assert _documents(seeded) == [("XS-9", "sales_out", "48876.30", "48876.30")]


def test_an_unknown_column_is_refused_before_anything_is_written(seeded, tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("单据编号,颜色\nXS-1,红\n", encoding="utf-8-sig")
    result = run_tally(seeded, "import", "documents", str(path))
    assert result.returncode == 2
    assert "颜色" in result.stderr
    assert _documents(seeded) == []


def test_a_customer_file_that_would_close_a_parent_cycle_names_the_row(seeded, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("客户编号,客户名称,上级客户\nC002,明辉商贸,C001\n", encoding="utf-8")
    assert run_tally(seeded, "import", "customers", str(path)).returncode == 0
    path.write_text("客户编号,客户名称,上级客户\nC001,联想,C002\n", encoding="utf-8")
    result = run_tally(seeded, "import", "customers", str(path))
    assert result.returncode == 1
    assert "line 2 (C001)" in result.stderr and "循环" in result.stderr

    async def parents():
        return sorted(await Customer.all().values_list("code", "parent__code"))

    assert run_orm(parents, seeded) == [("C001", None), ("C002", "C001")]
