"""A statement view (see views.py) rendered as an A4 PDF: the seller's letterhead, the totals,
every line, then the customer's answer (客户确认) or an empty block to sign and stamp — the
对账确认函 a seller keeps as evidence.

The text is in the embedded CJK font of domain.printing. Rendering is pure and CPU-bound; an
async caller should run it in a thread for long statements.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from domain.money import yuan
from domain.printing import (
    DEFAULT_FONT_FILE,
    HEAD_TEXT,
    HEADER_FILL,
    MARGIN,
    RULE_COLOR,
    Letterhead,
    cjk_font,
    draw_page_number,
    letterhead_flowables,
    pdf_styles,
    title_block,
)
from domain.statements.views import count_text, exact_yuan, tier_range_text, unit_price_text

LINE_HEADER = ("单据编号", "类型", "日期", "金额", "本单欠", "结算账户")
LINE_COLUMN_WIDTHS = (44 * mm, 24 * mm, 22 * mm, 26 * mm, 26 * mm, 38 * mm)
USAGE_COLUMN_WIDTHS = (62 * mm, 30 * mm, 36 * mm, 36 * mm)
WIDTH = A4[0] - 2 * MARGIN


def render_statement_pdf(view: dict, *, letterhead: Letterhead = Letterhead(),
                         font_file: str = DEFAULT_FONT_FILE) -> bytes:
    """The statement as PDF bytes: letterhead and heading, totals, every line on
    repeating-header pages, then the customer's answer block."""
    font = cjk_font(font_file)
    styles = pdf_styles(font)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 5 * mm, initialFontName=font,
        title=f"对账单 {_customer_name(view)}", author=letterhead.name,
        subject=f"对账确认函 {_date_range(view)}",
    )
    story = [
        *letterhead_flowables(letterhead, styles, WIDTH),
        *_heading(view, styles),
        _totals_table(view, font),
        Spacer(1, 6 * mm),
        CondPageBreak(30 * mm),
        Paragraph("对账明细", styles["section"]),
        _lines_table(view["lines"], font, styles, view.get("departments") or []),
        *answer_block(view.get("answers") or [], font, styles),
    ]
    page_footer = functools.partial(
        draw_page_number, font=font, seller=letterhead.name,
        label=f"{_customer_name(view)} 对账单 {_date_range(view)}")
    document.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buffer.getvalue()


def _heading(view: dict, styles: dict[str, ParagraphStyle]) -> list:
    parts = [
        *title_block("对账单", styles),
        Paragraph(f"客户：{escape(_customer_label(view))}", styles["body"]),
        Paragraph(f"对账期间：{_date_range(view)}", styles["body"]),
        Paragraph(f"对账单号：{escape(str(view['id']))}", styles["body"]),
        Spacer(1, 4 * mm),
    ]
    return parts


def _totals_table(view: dict, font: str) -> Table:
    rows = [
        ("期初应收", yuan(view["opening"]), "本期增加", yuan(view["increase"])),
        ("本期收款", yuan(view["receipts"]), "期末应收", yuan(view["closing"])),
        ("笔数", str(view["line_count"]), "欠款", yuan(view["owed_total"])),
        ("已收金额", yuan(view["received_amount"]), "状态", view["status_label"]),
    ]
    table = Table(rows, colWidths=(30 * mm, 60 * mm, 30 * mm, 60 * mm))
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 10),
        ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
        ("BACKGROUND", (2, 0), (2, -1), HEADER_FILL),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _lines_table(lines: list[dict], font: str, styles: dict[str, ParagraphStyle],
                 departments: Sequence[dict] = ()) -> LongTable:
    """Every line with a usage bill's breakdown under it; under a full-width heading row per
    department when there are departments."""
    rows, heads = [list(LINE_HEADER)], []
    spans = []  # rows holding a usage bill's breakdown, across every column

    def add(line: dict) -> None:
        rows.append(_line_row(line, styles))
        if line.get("detail"):
            spans.append(len(rows))
            rows.append([_usage_table(line["detail"], font), "", "", "", "", ""])

    for group in departments:
        heads.append(len(rows))
        rows.append([f"{group['label']}（{group['line_count']} 笔，欠款 "
                     f"{yuan(group['owed_total'])}）", "", "", "", "", ""])
        for line in group["lines"]:
            add(line)
    if not departments:
        for line in lines:
            add(line)
    if not lines:
        rows.append(["无单据", "", "", "", "", ""])
    table = LongTable(rows, colWidths=LINE_COLUMN_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (3, 1), (4, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *(("SPAN", (0, row), (-1, row)) for row in spans),
        *(("LEFTPADDING", (0, row), (0, row), 8 * mm) for row in spans),
        *[style for row in heads for style in (
            ("SPAN", (0, row), (-1, row)), ("BACKGROUND", (0, row), (-1, row), HEADER_FILL),
            ("ALIGN", (0, row), (-1, row), "LEFT"))],
    ]))
    return table


def _usage_table(detail: dict, font: str) -> Table:
    """A usage bill's breakdown under its line: per account the quantity, price type and unit
    price, then the 阶梯价 slices (the tiers count the product's total, not each account)."""
    label, price = detail["price_type_label"], unit_price_text(detail)
    rows = [["账号", "发送量", "计价方式", "单价"]]
    account = ParagraphStyle("usage_account", fontName=font, fontSize=8, leading=10,
                             wordWrap="CJK")
    rows += [[Paragraph(escape(a["account"]), account), count_text(a["quantity"]), label, price]
             for a in detail["accounts"]]
    heads = [0]
    if detail["slices"]:
        heads.append(len(rows))
        rows.append([f"阶梯（合计 {count_text(detail['quantity'])} 条）", "条数", "单价", "金额"])
        rows += [[tier_range_text(s["from"], s["to"]), count_text(s["quantity"]), s["price"],
                  exact_yuan(s["amount"])] for s in detail["slices"]]
    table = Table(rows, colWidths=USAGE_COLUMN_WIDTHS, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (2, 1), (2, heads[-1] - 1 if len(heads) > 1 else -1), "CENTER"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE_COLOR),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        *(("TEXTCOLOR", (0, row), (-1, row), HEAD_TEXT) for row in heads),
    ]))
    return table


def _line_row(line: dict, styles: dict[str, ParagraphStyle]) -> list:
    """One document; free-text cells are Paragraphs so long numbers and accounts wrap."""
    return [
        Paragraph(escape(str(line["number"])), styles["cell"]),
        line["type_label"],
        _iso(line["date"]),
        yuan(line["amount"]),
        yuan(line["owed"]),
        Paragraph(escape(line["account"] or ""), styles["cell"]),
    ]


ANSWER_WIDTHS = (22 * mm, 50 * mm, 34 * mm, 74 * mm)


def answer_block(answers: list[dict], font: str, styles: dict[str, ParagraphStyle]) -> list:
    """客户确认: each standing answer (符合 / 不符合, who, when, the dispute text), or, before
    any answer, boxes to tick and a line to sign and stamp on paper."""
    body = _answers_table(answers, font, styles) if answers else _signature_table(font, styles)
    return [CondPageBreak(45 * mm), Spacer(1, 6 * mm),
            KeepTogether([Paragraph("客户确认", styles["section"]), *body])]


def _answers_table(answers: list[dict], font: str, styles: dict[str, ParagraphStyle]) -> list:
    rows: list[list] = [["结果", "确认人", "确认时间", "说明"]]
    for answer in answers:
        by = answer["by"] if answer["by_customer"] else f"{answer['by']}（员工代确认）"
        rows.append([answer["result_label"], Paragraph(escape(by), styles["cell"]),
                     f"{answer['at']:%Y-%m-%d %H:%M}",
                     Paragraph(escape(answer["description"] or "—"), styles["cell"])])
    table = Table(rows, colWidths=ANSWER_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9), ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_COLOR), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
    ]))
    notes = []
    if any(answer["by_customer"] for answer in answers):
        notes.append("客户在线确认的结果，系统留存确认记录（确认人、时间、设备）。")
    if not all(answer["by_customer"] for answer in answers):
        notes.append("员工代确认：客户以其他方式确认后由员工记录。")
    return [table, Spacer(1, 2 * mm), Paragraph(" ".join(notes), styles["contact"])]


def _tick_boxes(font: str) -> Table:
    """本单位确认…: 符合 / 不符合 each after a square to tick by pen (the font's □ is too small)."""
    box = 4 * mm
    table = Table([["本单位确认上述对账单据及金额：", "", "符合", "", "不符合"]],
                  colWidths=(60 * mm, box, 20 * mm, box, 20 * mm), rowHeights=box, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 10), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BOX", (1, 0), (1, 0), 0.8, colors.black), ("BOX", (3, 0), (3, 0), 0.8, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("LEFTPADDING", (2, 0), (2, 0), 2 * mm),
        ("LEFTPADDING", (4, 0), (4, 0), 2 * mm), ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


def _signature_table(font: str, styles: dict[str, ParagraphStyle]) -> list:
    """The paper form: tick 符合 or 不符合, write what differs, sign, stamp and date."""
    rows = [
        [_tick_boxes(font), ""],
        ["不符事项：", ""],
        ["", ""],
        ["客户签章：", "日期：　　　　年　　月　　日"],
    ]
    table = Table(rows,
                  colWidths=(WIDTH * 0.55, WIDTH * 0.45),
                  rowHeights=(9 * mm, 8 * mm, 8 * mm, 22 * mm))
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 10),
        ("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, 1), (-1, 1)), ("SPAN", (0, 2), (-1, 2)),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE_COLOR),
        ("LINEBELOW", (0, 0), (-1, 2), 0.5, RULE_COLOR),
        ("VALIGN", (0, 0), (-1, 2), "MIDDLE"), ("VALIGN", (0, 3), (-1, 3), "TOP"),
        ("TOPPADDING", (0, 3), (-1, 3), 3 * mm),
    ]))
    note = Paragraph("请核对后勾选、签字并加盖公章，扫描或拍照回传；不符合请注明不符事项。",
                     styles["contact"])
    return [table, Spacer(1, 2 * mm), note]


def _customer_name(view: dict) -> str:
    return view["customer"]["name"]


def _customer_label(view: dict) -> str:
    customer = view["customer"]
    code = customer.get("code")
    return f"{customer['name']}（编码 {code}）" if code else customer["name"]


def _date_range(view: dict) -> str:
    return f"{_iso(view['date_from'])} 至 {_iso(view['date_to'])}"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""
