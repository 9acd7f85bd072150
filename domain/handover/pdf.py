"""A day report (report.day_report) rendered as a printable A4 PDF (日报汇总): the summary, then
every section on landscape pages with repeating table headers and page numbers.

It shares the statement PDF's embedded CJK font, styles, letterhead and footer
(domain.printing). Rendering is pure and CPU-bound; an async caller runs it in a thread (a
busy day holds thousands of rows).
"""

from __future__ import annotations

import functools
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from domain.handover.report import CONFIRMED_FILTERS, SECTION_LABELS
from domain.money import yuan
from domain.printing import (
    DEFAULT_FONT_FILE,
    HEADER_FILL,
    MARGIN,
    RULE_COLOR,
    Letterhead,
    cjk_font,
    draw_page_number,
    letterhead_flowables,
    pdf_styles,
    spaced,
    title_block,
)

PAGE = landscape(A4)
WIDTH = PAGE[0] - 2 * MARGIN  # 267 mm
DIRECTIONS = {"out": "换出", "in": "换入"}

Styles = dict[str, ParagraphStyle]


def render_day_report_pdf(report: dict, *, letterhead: Letterhead = Letterhead(),
                          font_file: str = DEFAULT_FONT_FILE) -> bytes:
    """The day report as PDF bytes."""
    font = cjk_font(font_file)
    styles = pdf_styles(font)
    buffer = io.BytesIO()
    staff = report["staff"]
    document = SimpleDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 5 * mm, initialFontName=font,
        title=f"日报汇总 {staff['name']} {report['day']}", author=letterhead.name,
    )
    story = [*letterhead_flowables(letterhead, styles, WIDTH), *_heading(report, styles),
             _summary_table(report["summary"], font)]
    for build in (_sales, _receipts, _expenses, _other_incomes, _exchanges, _customers,
                  _deliveries):
        story += build(report, font, styles)
    page_footer = functools.partial(draw_page_number, font=font, seller=letterhead.name,
                                    label=f"{staff['name']} 日报汇总 {report['day']}")
    document.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buffer.getvalue()


def _heading(report: dict, styles: Styles) -> list:
    staff, summary = report["staff"], report["summary"]
    who = f"{staff['name']}（{staff['userid']}）" if staff["userid"] else staff["name"]
    closed = "已关账" if report["closed"] else "未关账"
    parts = [
        *title_block("日报汇总", styles),
        Paragraph(spaced([f"员工：{who}", f"业务日期：{report['day']}"]), styles["body"]),
        Paragraph(spaced([f"对账状态：{report['status_label']}", closed,
                          f"单据 {summary['documents']} 张，待确认 {summary['unconfirmed']} 张"]),
                  styles["body"]),
        Spacer(1, 3 * mm),
    ]
    return parts


def _summary_pairs(summary: dict) -> list[tuple[str, str]]:
    money = [
        ("销售金额", "sales_total"), ("退货金额", "returns_total"), ("销售净额", "net_sales"),
        ("收款金额", "receipts_amount"), ("收款优惠", "discount"), ("使用预收", "prepaid_used"),
        ("转入预收", "to_prepaid"), ("收当日货款", "same_day"), ("收历史欠款", "history"),
        ("预收款", "prepayment"), ("收订金", "deposit"), ("费用总金额", "expenses_total"),
        ("支出金额", "expenses_paid"), ("收款核销金额", "expenses_settled"),
        ("未核销金额", "expenses_unsettled"), ("其他收入", "other_income_total"),
        ("发货金额", "deliveries_shipped"), ("入库金额", "deliveries_returned"),
        ("配送净额", "deliveries_total"),
    ]
    return [(label, yuan(Decimal(summary[key]))) for label, key in money] + [
        ("兑换货物", f"{summary['exchanges']} 张")]


def _summary_table(summary: dict, font: str) -> Table:
    """销售、资金、配送汇总: four label/value pairs a row."""
    pairs = _summary_pairs(summary)
    rows = []
    for start in range(0, len(pairs), 4):
        chunk = pairs[start:start + 4] + [("", "")] * (4 - len(pairs[start:start + 4]))
        rows.append([cell for pair in chunk for cell in pair])
    table = Table(rows, colWidths=(WIDTH / 4 * 0.45, WIDTH / 4 * 0.55) * 4)
    labels = [("BACKGROUND", (c, 0), (c, -1), HEADER_FILL) for c in (0, 2, 4, 6)]
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9), *labels,
        *[("ALIGN", (c, 0), (c, -1), "RIGHT") for c in (1, 3, 5, 7)],
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_COLOR), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


# ----- the sections ---------------------------------------------------------------------------


def _section(title: str, header: tuple[str, ...], widths: tuple[float, ...], rows: list[list],
             font: str, styles: Styles, *, money: tuple[int, ...] = (),
             extra: list | None = None, total: list | None = None) -> list:
    """A titled table whose header repeats on every page; "无单据" when empty."""
    body = rows or [["无单据"] + [""] * (len(header) - 1)]
    data = [list(header), *body] + ([total] if total and rows else [])
    table = LongTable(data, colWidths=[w * mm for w in widths], repeatRows=1)
    commands = [
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        *[("ALIGN", (c, 1), (c, -1), "RIGHT") for c in money],
        ("GRID", (0, 0), (-1, -1), 0.5, RULE_COLOR), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *(extra or []),
    ]
    if total and rows:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    # a title never ends a page without at least a few rows of its table under it
    return [Spacer(1, 5 * mm), CondPageBreak(30 * mm), Paragraph(escape(title), styles["section"]),
            table]


def _money(value) -> str:
    return f"{Decimal(value):,.2f}"


def _text(value, styles: Styles) -> Paragraph:
    """Free text wraps inside its cell; markup in it is shown, not interpreted."""
    return Paragraph(escape(str(value or "")), _cell_style(styles["body"].fontName))


@functools.cache
def _cell_style(font: str) -> ParagraphStyle:
    return ParagraphStyle("handover_cell", fontName=font, fontSize=8, leading=10,
                          wordWrap="CJK")


def _confirmed(row: dict) -> str:
    return "已确认" if row["confirmed"] else "待确认"


def _sum(rows: list[dict], name: str) -> str:
    return _money(sum((Decimal(row[name]) for row in rows), Decimal(0)))


def _sales(report: dict, font: str, styles: Styles) -> list:
    rows = report["sections"]["sales"]
    body = [[_text(r["number"], styles), r["type_label"], _text(r["customer"], styles),
             _money(r["signed_amount"]), _money(r["owed"]), r["audit_label"], _confirmed(r),
             _text(r["remark"], styles)] for r in rows]
    total = ["合计（退货为负）", "", "", _sum(rows, "signed_amount"), _sum(rows, "owed"), "", "",
             ""]
    return _section(SECTION_LABELS["sales"], (
        "单据编号", "类型", "客户", "金额", "本单欠", "审核状态", "对账", "备注"),
        (42, 22, 55, 26, 26, 18, 16, 62), body, font, styles, money=(3, 4), total=total)


_RECEIPT_MONEY = ("amount", "discount", "prepaid_used", "to_prepaid", "same_day", "history",
                  "prepayment", "deposit")


def _receipts(report: dict, font: str, styles: Styles) -> list:
    """收款单据 with, under each, the documents it settles (第二级)."""
    rows, body, spans = report["sections"]["receipts"], [], []
    for receipt in rows:
        body.append([_text(receipt["number"], styles), _text(receipt["customer"], styles),
                     receipt["receipt_kind_label"],
                     *[_money(receipt[name]) for name in _RECEIPT_MONEY],
                     receipt["audit_label"], _confirmed(receipt)])
        for line in receipt["settlements"]:
            spans.append(len(body) + 1)  # +1: the header row
            body.append([_text(_settlement_line(line), styles)] + [""] * 12)
    extra = [cmd for row in spans for cmd in (("SPAN", (0, row), (-1, row)),
                                                 ("LEFTPADDING", (0, row), (-1, row), 18))]
    total = ["合计", "", "", *[_sum(rows, name) for name in _RECEIPT_MONEY], "", ""]
    return _section(SECTION_LABELS["receipts"], (
        "单据编号", "客户", "收款类型", "收款金额", "收款优惠", "使用预收", "转入预收",
        "收当日货款", "收历史欠款", "预收款", "收订金", "审核状态", "对账"),
        (34, 32, 14, 20, 20, 20, 20, 20, 20, 20, 20, 14, 12), body, font, styles,
        money=tuple(range(3, 11)), extra=extra, total=total)


def _settlement_line(line: dict) -> str:
    mark = "　【已确认】" if line["confirmed"] else ""
    return (f"核销 {line['number']}　{line['type_label']}　{line['date']}　核销金额 "
            f"{_money(line['amount'])}　使用预收 {_money(line['prepaid'])}{mark}")


def _items(items: list[dict]) -> str:
    return "；".join(f"{item.get('type', '')} {item.get('amount', '')}".strip()
                    for item in items or [])


def _expenses(report: dict, font: str, styles: Styles) -> list:
    rows = report["sections"]["expenses"]
    body = [[_text(r["number"], styles), _text(r["customer"], styles),
             _text(_items(r["items"]), styles), _money(r["total"]), _money(r["paid"]),
             _money(r["settled"]), _money(r["unsettled"]), _text(r["account"], styles),
             r["audit_label"], _confirmed(r)] for r in rows]
    total = ["合计", "", "", *[_sum(rows, n) for n in ("total", "paid", "settled", "unsettled")],
             "", "", ""]
    return _section(SECTION_LABELS["expenses"], (
        "单据编号", "客户", "费用明细", "总金额", "支出金额", "收款核销金额", "未核销金额",
        "结算账户", "审核状态", "对账"),
        (36, 40, 50, 22, 22, 24, 22, 21, 16, 14), body, font, styles,
        money=(3, 4, 5, 6), total=total)


def _other_incomes(report: dict, font: str, styles: Styles) -> list:
    rows = report["sections"]["other_incomes"]
    chosen = report.get("confirmed_filter", "all")
    title = SECTION_LABELS["other_incomes"] + (
        f"（{CONFIRMED_FILTERS[chosen]}）" if chosen in CONFIRMED_FILTERS and chosen != "all"
        else "")
    body = [[_text(r["number"], styles), _text(r["customer"], styles),
             _text(_items(r["items"]), styles), _money(r["amount"]), _text(r["account"], styles),
             r["audit_label"], _confirmed(r), _text(r["remark"], styles)] for r in rows]
    total = ["合计", "", "", _sum(rows, "amount"), "", "", "", ""]
    return _section(title, (
        "单据编号", "客户", "收入明细", "金额", "结算账户", "审核状态", "对账", "备注"),
        (38, 45, 55, 24, 35, 18, 16, 36), body, font, styles, money=(3,), total=total)


def _exchange_lines(items: list[dict]) -> str:
    return "；".join(
        f"{DIRECTIONS.get(i.get('direction'), i.get('direction', ''))} {i.get('product', '')} "
        f"{i.get('quantity', '')}{i.get('unit', '')}".strip() for i in items or [])


def _exchanges(report: dict, font: str, styles: Styles) -> list:
    rows = report["sections"]["exchanges"]
    body = [[_text(r["number"], styles), _text(r["customer"], styles),
             (r["submitted_at"] or "")[:16].replace("T", " "),
             _text(_exchange_lines(r["items"]), styles), _money(r["amount"]), r["audit_label"],
             _confirmed(r)] for r in rows]
    return _section(SECTION_LABELS["exchanges"], (
        "单据编号", "客户", "提交时间", "兑换明细", "差价", "审核状态", "对账"),
        (38, 45, 30, 96, 22, 20, 16), body, font, styles, money=(4,))


_CUSTOMER_MONEY = ("sales", "returns", "receipts", "discount", "same_day", "history",
                   "prepayment", "deposit", "expenses", "other_income")


def _customers(report: dict, font: str, styles: Styles) -> list:
    rows = report["sections"]["customers"]
    body = [[_text(r["customer"] or "（无客户）", styles),
             *[_money(r[name]) for name in _CUSTOMER_MONEY]] for r in rows]
    total = ["合计", *[_sum(rows, name) for name in _CUSTOMER_MONEY]]
    return _section(SECTION_LABELS["customers"], (
        "客户", "销售金额", "退货金额", "收款金额", "收款优惠", "收当日货款", "收历史欠款",
        "预收款", "收订金", "费用", "其他收入"),
        (57, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21), body, font, styles,
        money=tuple(range(1, 11)), total=total)


def _deliveries(report: dict, font: str, styles: Styles) -> list:
    rows = report["sections"]["deliveries"]
    body = [[_text(r["number"], styles), r["type_label"], _text(r["customer"], styles),
             r["date"], r["delivered_on"] or "", _money(r["signed_amount"]), _confirmed(r)]
            for r in rows]
    total = ["合计（入库为负）", "", "", "", "", _sum(rows, "signed_amount"), ""]
    return _section(SECTION_LABELS["deliveries"], (
        "单据编号", "类型", "客户", "单据日期", "配送日期", "配送金额（发货/入库）", "对账"),
        (44, 26, 70, 28, 28, 40, 20), body, font, styles, money=(5,), total=total)
