"""render_statement_pdf: a real PDF, the Chinese text really in it, long statements paginate."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from domain.statements.pdf import render_statement_pdf
from tests.support.cli import python_probe
from tests.support.statements import statement_view

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def make_line(number: int) -> dict:
    return {
        "number": f"XS-T-2021-12-22-{number:04d}",
        "type": "sales_out",
        "type_label": "销售出库单",
        "date": date(2021, 12, 22),
        "amount": Decimal("1234.50"),
        "owed": Decimal("1234.50"),
        "account": "银行存款-中国银行",
    }


def make_view(lines: list[dict] | None = None) -> dict:
    lines = lines if lines is not None else [
        make_line(1),
        {
            "number": "XT-T-2021-12-22-0002", "type": "receipt", "type_label": "收款单",
            "date": date(2021, 12, 22), "amount": Decimal("100.00"), "owed": Decimal("-100.00"),
            "account": "银行存款-中国银行",
        },
    ]
    return statement_view(lines)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, check=True, timeout=30,
    )
    return done.stdout.decode("utf-8")


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_renders_a_pdf_document():
    pdf = render_statement_pdf(make_view())

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_uses_the_chinese_cid_font():
    pdf = render_statement_pdf(make_view())

    assert b"/BaseFont /STSong-Light" in pdf
    assert b"/Encoding /UniGB-UCS2-H" in pdf


@needs_pdftotext
def test_chinese_title_customer_and_totals_are_in_the_text(tmp_path):
    text = pdf_text(render_statement_pdf(make_view(), seller="云刻商贸有限公司"), tmp_path)

    for expected in ("对账单", "云刻商贸有限公司", "联想", "2021-12-01 至 2021-12-22",
                     "期初应收", "本期增加", "本期收款", "期末应收", "笔数", "欠款", "已收金额",
                     "状态", "未确认", "¥48,876.00", "¥-48,876.00"):
        assert expected in text, expected


@needs_pdftotext
def test_lines_table_shows_every_column(tmp_path):
    text = pdf_text(render_statement_pdf(make_view()), tmp_path)

    for expected in ("单据编号", "类型", "日期", "金额", "本单欠", "结算账户",
                     "XS-T-2021-12-22-0001", "销售出库单", "收款单", "2021-12-22",
                     "¥1,234.50", "¥-100.00", "银行存款-中国银行"):
        assert expected in text, expected


def test_long_statement_spreads_over_several_pages():
    pdf = render_statement_pdf(make_view([make_line(n) for n in range(1, 201)]))

    assert page_count(pdf) >= 3


@needs_pdftotext
def test_long_statement_repeats_the_header_row_and_keeps_every_line(tmp_path):
    view = make_view([make_line(n) for n in range(1, 201)])
    text = pdf_text(render_statement_pdf(view), tmp_path)
    pages = text.split("\f")

    assert "XS-T-2021-12-22-0200" in text
    assert sum("XS-T-2021-12-22-" in page for page in pages) >= 3
    assert all("结算账户" in page for page in pages if "XS-T-2021-12-22-" in page)


@needs_pdftotext
def test_empty_statement_says_it_has_no_documents(tmp_path):
    text = pdf_text(render_statement_pdf(make_view([])), tmp_path)

    assert "无单据" in text


def test_markup_in_free_text_is_rendered_not_interpreted():
    view = make_view()
    view["customer"]["name"] = "A&B <b>商行"
    view["lines"][0]["account"] = "现金 <font>"

    assert render_statement_pdf(view, seller="<i>&").startswith(b"%PDF-")


def test_importing_the_module_registers_no_font():
    probe = (
        "import domain.statements.pdf; from reportlab.pdfbase import pdfmetrics; "
        "print('STSong-Light' in pdfmetrics.getRegisteredFontNames())"
    )
    assert python_probe(probe) == b"False"


@needs_pdftotext
def test_lines_naming_departments_print_under_a_heading_per_department(tmp_path):
    from domain.statements.views import department_groups

    lines = [{**make_line(1), "department": "工程部"}, {**make_line(2), "department": "采购部"},
             {**make_line(3), "department": ""}, {**make_line(4), "department": "工程部"}]
    view = {**make_view(lines), "departments": department_groups(lines)}
    text = pdf_text(render_statement_pdf(view), tmp_path)

    order = [text.index(s) for s in (
        "工程部（2 笔，欠款 ¥2,469.00）", "XS-T-2021-12-22-0001", "XS-T-2021-12-22-0004",
        "采购部（1 笔，欠款 ¥1,234.50）", "XS-T-2021-12-22-0002",
        "未分部门（1 笔", "XS-T-2021-12-22-0003")]
    assert order == sorted(order)
