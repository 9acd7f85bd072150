"""render_statement_pdf: a real PDF whose every font is embedded, the Chinese text and digits
really in it (poppler reads them back, a page renders), long statements paginate, the
letterhead heads it and the customer's answer (or a block to sign) ends it."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.printing import Letterhead, PdfFontMissing
from domain.statements.pdf import render_statement_pdf
from tests.support.cli import python_probe
from tests.support.pdf import (
    ghostscript_text,
    ink_share,
    logo_png,
    needs_ghostscript,
    needs_poppler,
    page_png,
    pdf_fonts,
    pdf_pages,
    squeezed,
)
from tests.support.pdf import pdf_text as read_text
from tests.support.statements import statement_view

needs_pdftotext = needs_poppler


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


@needs_poppler
def test_every_font_is_embedded_as_a_subset():
    pdf = render_statement_pdf(make_view([make_line(n) for n in range(1, 120)]),
                               letterhead=Letterhead(name="云刻商贸有限公司"))
    fonts = pdf_fonts(pdf)

    assert fonts and all(font["emb"] and font["sub"] for font in fonts), fonts
    assert all("WenQuanYi" in font["name"] for font in fonts)  # no Helvetica, no STSong


@needs_poppler
def test_a_page_renders_to_a_png_with_ink_on_it():
    png = page_png(render_statement_pdf(make_view()))

    assert png.startswith(b"\x89PNG")
    assert 0.01 < ink_share(png) < 0.5


@needs_ghostscript
def test_ghostscript_reads_the_digits():
    text = squeezed(ghostscript_text(render_statement_pdf(make_view())))

    for expected in ("XS-T-2021-12-22-0001", "2021-12-22", "1,234.50", "48,876.00"):
        assert expected in text, expected


def test_a_font_file_that_is_missing_is_named():
    with pytest.raises(PdfFontMissing, match="/no/such/font.ttf does not exist.*TALLY_PDF_FONT"):
        render_statement_pdf(make_view(), font_file="/no/such/font.ttf")


def test_a_font_without_chinese_is_refused():
    with pytest.raises(PdfFontMissing, match="no Chinese glyphs"):
        render_statement_pdf(
            make_view(), font_file="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@needs_pdftotext
def test_chinese_title_customer_and_totals_are_in_the_text(tmp_path):
    text = pdf_text(render_statement_pdf(
        make_view(), letterhead=Letterhead(name="云刻商贸有限公司")), tmp_path)

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

    assert render_statement_pdf(view, letterhead=Letterhead(name="<i>&")).startswith(b"%PDF-")


def test_importing_the_module_registers_no_font():
    probe = (
        "import domain.statements.pdf; from reportlab.pdfbase import pdfmetrics; "
        "print(any('TallyCJK' in n for n in pdfmetrics.getRegisteredFontNames()))"
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


LOGO = logo_png()
HEAD = Letterhead(name="云刻商贸有限公司", address="上海市浦东新区张江路 88 号",
                  phone="021-5080 1234", tax_id="91310115MA1K4XXXX8",
                  bank="招商银行张江支行 1219 0888", logo_png=LOGO)
ZONE = timezone(timedelta(hours=8))


@needs_poppler
def test_the_letterhead_heads_the_statement():
    pdf = render_statement_pdf(make_view(), letterhead=HEAD)
    first = squeezed(pdf_pages(pdf)[0])

    for expected in ("云刻商贸有限公司", "地址：上海市浦东新区张江路88号", "电话：021-50801234",
                     "税号：91310115MA1K4XXXX8", "开户行及账号：招商银行张江支行12190888"):
        assert expected in first, expected
    assert first.index("云刻商贸有限公司") < first.index("对账单")
    assert b"/Subtype /Image" in pdf  # the logo
    info = subprocess.run(["pdfinfo", "-enc", "UTF-8", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    assert re.search(r"Title:\s+对账单 联想", info) and re.search(r"Author:\s+云刻商贸", info)


@needs_poppler
def test_an_unanswered_statement_ends_with_a_block_to_sign_and_stamp():
    text = squeezed(read_text(render_statement_pdf(make_view())))

    for expected in ("客户确认", "本单位确认上述对账单据及金额：符合不符合", "不符事项：",
                     "客户签章：", "日期：年月日"):
        assert expected in text, expected


@needs_poppler
def test_an_answered_statement_shows_who_answered_when_and_why():
    answers = [{"result": "mismatched", "result_label": "不符合", "by": "张伟",
                "by_customer": True, "at": datetime(2021, 12, 23, 10, 5, tzinfo=ZONE),
                "description": "12月20日的退货 2 箱没有扣除"}]
    view = make_view() | {"status": "mismatched", "status_label": "不符合", "answers": answers}
    text = squeezed(read_text(render_statement_pdf(view)))

    for expected in ("客户确认", "不符合", "张伟", "2021-12-2310:05", "12月20日的退货2箱没有扣除"):
        assert expected in text, expected
    assert "客户签章" not in text


@needs_poppler
def test_a_staff_confirmation_is_marked_as_not_the_customers_own():
    answers = [{"result": "matched", "result_label": "符合", "by": "李业务", "by_customer": False,
                "at": datetime(2021, 12, 24, 2, 0, tzinfo=UTC), "description": ""}]
    view = make_view() | {"status": "matched", "status_label": "符合", "answers": answers}
    text = squeezed(read_text(render_statement_pdf(view)))

    assert "李业务（员工代确认）" in text


def test_a_bad_font_setting_stops_the_service_at_start_with_the_reason():
    from dataclasses import replace

    from tally.settings import Settings, SettingsError
    from tally.startup import StartupError, refuse_missing_pdf_font

    with pytest.raises(SettingsError, match="TALLY_PDF_FONT=.*/no/font.ttf.*does not exist"):
        Settings.from_env({"TALLY_PDF_FONT": "/no/font.ttf"})
    with pytest.raises(StartupError, match="fonts-wqy-microhei"):
        refuse_missing_pdf_font(replace(Settings(), pdf_font="/no/font.ttf"))
    refuse_missing_pdf_font(Settings())  # the default file is installed
