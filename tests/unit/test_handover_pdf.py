"""render_day_report_pdf: a real A4 PDF of 日报汇总 with every section, its Chinese text really
in it, long days paginate with the table header and page number on every page.

The text is read back with poppler (tests/support/pdf.py), as a reader's viewer would."""

from __future__ import annotations

import re

from domain.handover.pdf import render_day_report_pdf
from domain.printing import Letterhead
from tests.support.pdf import (
    ghostscript_text,
    ink_share,
    needs_ghostscript,
    needs_poppler,
    page_count,
    page_png,
    pdf_fonts,
    pdf_pages,
    squeezed,
)

pytestmark = needs_poppler

SECTION_TITLES = ("销售单据", "收款单据", "费用单据", "其他收入单", "兑换货物", "客户汇总",
                  "配送单据")


# ----- a report as day_report returns it ------------------------------------------------------


def _row(kind: str, number: str, **fields) -> dict:
    return {"id": 1, "kind": kind, "number": number, "date": "2026-11-23", "customer_id": 1,
            "customer": "联想", "audit_status": "pending", "audit_label": "待审批",
            "remark": "", "confirmed": False, "confirmed_at": None, "confirmed_by": "",
            **fields}


def sale_row(n: int) -> dict:
    return _row("document", f"XS-2026-11-23-{n:04d}", type="sales_out", erp_type="车销单",
                type_label="车销单", amount="1234.50", signed_amount="1234.50", owed="0.00")


SETTLED = {"number": "XS-2026-11-13-0001", "type": "sales_out", "type_label": "销售出库单",
           "date": "2026-11-13", "amount": "300.00", "prepaid": "0.00", "confirmed": True}
RECEIPT = _row("document", "SK-0001", type="receipt", erp_type="", type_label="收款单",
               receipt_kind="sale", receipt_kind_label="收款", amount="880.00",
               discount="20.00", prepaid_used="0.00", to_prepaid="0.00", account="现金",
               same_day="600.00", history="300.00", prepayment="0.00", deposit="0.00",
               settlements=[SETTLED])
EXPENSE = _row("expense", "FY-0001", items=[{"type": "陈列费", "amount": "300.00"}],
               total="300.00", paid="100.00", settled="50.00", unsettled="150.00",
               account="现金")
INCOME = _row("other_income", "QT-0001", items=[{"type": "废品", "amount": "30.00"}],
              amount="30.00", account="现金", confirmed=True)
EXCHANGE = _row("exchange", "DH-0001", amount="0.00", submitted_at="2026-11-23T09:30:00+08:00",
                items=[{"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "out"},
                       {"product": "A4纸", "unit": "箱", "quantity": "1", "direction": "in"}])
DELIVERY = {**_row("document", "FH-0001", type="sales_return", erp_type="",
                   type_label="销售退货单", amount="40.00", signed_amount="-40.00",
                   owed="-40.00"), "delivered_on": "2026-11-23"}
CUSTOMER = {"customer_id": 1, "customer": "联想", "sales": "1234.50", "returns": "0.00",
            "net_sales": "1234.50", "receipts": "880.00", "discount": "20.00",
            "same_day": "600.00", "history": "300.00", "prepayment": "0.00", "deposit": "0.00",
            "expenses": "300.00", "other_income": "30.00", "exchanges": 1}
MONEY_KEYS = ("sales_total", "returns_total", "net_sales", "receipts_amount", "discount",
              "prepaid_used", "to_prepaid", "same_day", "history", "prepayment", "deposit",
              "expenses_total", "expenses_paid", "expenses_settled", "expenses_unsettled",
              "other_income_total", "deliveries_shipped", "deliveries_returned",
              "deliveries_total")


def make_report(sales: list[dict] | None = None, **sections) -> dict:
    sales = sales if sales is not None else [sale_row(1)]
    summary = {**dict.fromkeys(MONEY_KEYS, "0.00"), "sales_total": "1234.50",
               "receipts_amount": "880.00", "same_day": "600.00", "history": "300.00",
               "exchanges": 1, "documents": 6, "unconfirmed": 5,
               "counts": {"sales": len(sales), "receipts": 1, "expenses": 1,
                          "other_incomes": 1, "exchanges": 1, "deliveries": 1}}
    return {
        "staff": {"id": 3, "name": "李业务", "userid": "sales-li"}, "day": "2026-11-23",
        "closed": True, "status": "pending", "status_label": "待对账", "summary": summary,
        "confirmed_filter": "all",
        "sections": {"sales": sales, "receipts": [RECEIPT], "expenses": [EXPENSE],
                     "other_incomes": [INCOME], "exchanges": [EXCHANGE],
                     "customers": [CUSTOMER], "deliveries": [DELIVERY], **sections},
    }


# ----- the tests --------------------------------------------------------------------------------


def test_renders_a_landscape_a4_pdf_in_the_chinese_font():
    pdf = render_day_report_pdf(make_report())

    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert re.search(rb"/MediaBox \[ 0 0 841\.8898 595\.2756 \]", pdf)


def test_heading_and_summary_are_in_the_text():
    text = squeezed("".join(pdf_pages(render_day_report_pdf(
        make_report(), letterhead=Letterhead(name="云刻商贸")))))

    for expected in ("日报汇总", "云刻商贸", "李业务（sales-li）", "业务日期：2026-11-23",
                     "对账状态：待对账", "已关账", "单据 6 张，待确认 5 张", "销售金额",
                     "¥1,234.50", "收当日货款", "¥600.00", "收历史欠款", "¥300.00",
                     "未核销金额", "配送净额", "兑换货物", "1 张"):
        assert squeezed(expected) in text, expected


def test_every_section_prints_its_columns_and_rows():
    text = squeezed("".join(pdf_pages(render_day_report_pdf(make_report()))))

    for expected in (*SECTION_TITLES,
                     "XS-2026-11-23-0001", "车销单", "1,234.50",
                     "收款金额", "收款优惠", "使用预收", "转入预收", "预收款", "收订金", "SK-0001",
                     "核销 XS-2026-11-13-0001", "【已确认】",
                     "总金额", "支出金额", "收款核销金额", "陈列费 300.00", "150.00",
                     "QT-0001", "废品 30.00", "已确认",
                     "DH-0001", "2026-11-23 09:30", "换出 A4纸 2箱；换入 A4纸 1箱",
                     "联想", "配送金额（发货/入库）", "FH-0001", "销售退货单", "-40.00",
                     "第 1 页"):
        assert squeezed(expected) in text, expected


def test_empty_sections_say_so():
    empty = dict.fromkeys(("receipts", "expenses", "other_incomes", "exchanges", "customers",
                           "deliveries"), [])
    text = "\n".join(pdf_pages(render_day_report_pdf(make_report([], **empty))))

    assert text.count("无单据") == 7
    assert all(title in text for title in SECTION_TITLES)


def test_a_filtered_other_income_section_says_which():
    report = make_report()
    report["confirmed_filter"] = "no"

    text = "\n".join(pdf_pages(render_day_report_pdf(report)))

    assert "其他收入单（待确认）" in text


def test_a_busy_day_spreads_over_pages_with_headers_and_page_numbers():
    pdf = render_day_report_pdf(make_report([sale_row(n) for n in range(1, 301)]))
    pages = pdf_pages(pdf)

    assert page_count(pdf) == len(pages) >= 5
    assert "XS-2026-11-23-0300" in "\n".join(pages)
    with_sales = [page for page in pages if "XS-2026-11-23-" in page]
    assert len(with_sales) >= 4
    assert all("本单欠" in page for page in with_sales)  # the header row repeats
    assert all(f"第{n}页" in squeezed(page) for n, page in enumerate(pages, 1))


def test_markup_in_free_text_is_shown_not_interpreted():
    sale = {**sale_row(1), "customer": "A&B <b>商行", "remark": "<font>"}

    pdf = render_day_report_pdf(make_report([sale]), letterhead=Letterhead(name="<i>&"))
    text = "\n".join(pdf_pages(pdf))

    assert "A&B <b>商行" in text and "<font>" in text


def test_every_font_is_embedded():
    fonts = pdf_fonts(render_day_report_pdf(make_report([sale_row(n) for n in range(1, 60)])))

    assert fonts and all(font["emb"] and font["sub"] for font in fonts), fonts
    assert not any("Helvetica" in font["name"] for font in fonts)


def test_a_page_renders_to_a_png_with_ink_on_it():
    png = page_png(render_day_report_pdf(make_report()))

    assert png.startswith(b"\x89PNG")
    assert 0.01 < ink_share(png) < 0.5  # text and rules drawn, not a blank or black page


@needs_ghostscript
def test_ghostscript_reads_the_digits():
    text = squeezed(ghostscript_text(render_day_report_pdf(make_report())))

    for expected in ("sales-li", "2026-11-23", "XS-2026-11-23-0001", "1,234.50", "SK-0001"):
        assert expected in text, expected


def test_the_letterhead_heads_the_first_page():
    head = Letterhead(name="云刻商贸有限公司", address="上海市浦东新区张江路 88 号",
                      phone="021-5080 1234", tax_id="91310115MA1K4XXXX8",
                      bank="招商银行张江支行 1219 0888")
    first = squeezed(pdf_pages(render_day_report_pdf(make_report(), letterhead=head))[0])

    for expected in ("云刻商贸有限公司", "地址：上海市浦东新区张江路88号", "电话：021-50801234",
                     "税号：91310115MA1K4XXXX8", "开户行及账号：招商银行张江支行12190888"):
        assert expected in first, expected
    assert first.index("云刻商贸有限公司") < first.index("日报汇总")
