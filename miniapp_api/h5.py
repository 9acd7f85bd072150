"""The H5 share page for phones: a statement view (domain/statements/views.py) as one HTML page.

Self-contained (inline CSS and script, no external assets) and pure: the route passes the view
and the URLs. Every dynamic value is HTML-escaped here; the script reads the answer URL from the
form's action and writes user text with textContent only. Without JavaScript the form is a plain
urlencoded POST of `answer` and `description` to the same URL.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from html import escape

from domain.money import yuan
from domain.statements.views import count_text, exact_yuan, tier_range_text, unit_price_text

UNCONFIRMED = "unconfirmed"
BADGE_CLASSES = {"unconfirmed", "matched", "mismatched"}
DESCRIPTION_MAX_LENGTH = 2000  # the service refuses longer descriptions
DESCRIPTION_PLACEHOLDER = (
    "选择“不符合”时必填：请说明哪里不符（如单据、金额）。"
    "选择“符合”时可留言，如“此笔款下周付到贵公司账户”。"
)
CHANGE_NOTE = "如需更改，请联系业务员取消确认后重新提交。"

STYLE = """
*{box-sizing:border-box}
body{margin:0;background:#f3f5f8;color:#1f2933;font:15px/1.5 -apple-system,BlinkMacSystemFont,
"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:560px;margin:0 auto;padding-bottom:32px}
.hero{background:linear-gradient(135deg,#1677ff,#0b4fc4);color:#fff;padding:20px 16px 24px}
.hero-top{display:flex;justify-content:space-between;align-items:flex-start;gap:12px}
h1{margin:0;font-size:20px;font-weight:600;word-break:break-all}
.range{margin:4px 0 0;opacity:.85;font-size:13px}
.badge{flex:none;border-radius:999px;padding:2px 10px;font-size:13px;background:#fff;color:#555}
.badge-unconfirmed{color:#d46b08}
.badge-matched{color:#389e0d}
.badge-mismatched{color:#cf1322}
.figures{display:flex;flex-wrap:wrap;gap:12px 16px;margin-top:20px}
.figure{flex:1 1 0;min-width:max-content}
.figure .amount{font-size:24px;font-weight:600;white-space:nowrap}
.figure .label{font-size:13px;opacity:.85}
.card{background:#fff;margin:12px;border-radius:10px;padding:14px 16px}
h2{margin:0 0 8px;font-size:16px}
.totals{display:grid;grid-template-columns:1fr 1fr;gap:10px 16px;margin:0}
.totals dt{font-size:13px;color:#7b8794}
.totals dd{margin:0;font-weight:600}
#lines{list-style:none;margin:0;padding:0}
.line{padding:10px 0;border-top:1px solid #e4e7eb}
.line:first-child{border-top:0}
.line-head,.line-meta,.line-amounts{display:flex;justify-content:space-between;gap:8px}
.line-number{font-weight:600;word-break:break-all}
.line-type{flex:none;color:#1677ff;font-size:13px}
.line-meta{color:#7b8794;font-size:13px}
.line-account{text-align:right;word-break:break-all}
.line-amounts{margin-top:2px}
.usage{margin-top:8px;background:#f7f9fc;border-radius:6px;padding:6px 8px;font-size:13px}
.usage-table{width:100%;border-collapse:collapse}
.usage-table th,.usage-table td{padding:3px 0 3px 10px;text-align:left}
.usage-table th:first-child,.usage-table td:first-child{padding-left:0}
.usage-table th{color:#7b8794;font-weight:400}
.usage-table td{border-top:1px solid #e4e7eb}
.usage-table .num{text-align:right;white-space:nowrap}
.usage-table .kind{white-space:nowrap}
.usage-account{word-break:break-all}
.usage-note{margin:8px 0 2px;color:#52606d}
.empty{color:#7b8794;padding:8px 0}
.department{display:flex;justify-content:space-between;gap:8px;margin-top:8px;padding:6px 8px;
background:#f0f4f8;font-size:13px;color:#52606d}
.department-name{font-weight:600;color:#1f2933}
fieldset{border:0;margin:0 0 12px;padding:0;display:flex;gap:12px}
legend{padding:0;margin-bottom:8px;font-weight:600}
.choice{flex:1;display:flex;align-items:center;justify-content:center;gap:6px;padding:10px;
border:1px solid #cbd2d9;border-radius:8px}
.choice:has(input:checked){border-color:#1677ff;background:#e6f0ff}
.field-label{display:block;font-weight:600;margin-bottom:6px}
textarea{width:100%;min-height:96px;padding:10px;border:1px solid #cbd2d9;border-radius:8px;
font:inherit;resize:vertical}
.form-error{color:#cf1322;margin:8px 0 0}
#answer>.form-error:first-child{margin:0 0 8px}
button{width:100%;margin-top:12px;padding:12px;border:0;border-radius:8px;background:#1677ff;
color:#fff;font:inherit;font-size:16px}
button:disabled{opacity:.6}
.result-title{margin:0;font-size:17px;font-weight:600}
.result-description{margin:8px 0 0;white-space:pre-wrap;word-break:break-all}
.note{margin:8px 0 0;color:#7b8794;font-size:13px}
.download{text-align:center;margin:16px}
.download a{color:#1677ff}
.error-page{text-align:center;padding:48px 24px}
"""

SCRIPT = """
(function () {
  var form = document.getElementById("answer-form");
  if (!form || !window.fetch) return;
  var LABELS = {matched: "符合", mismatched: "不符合"};
  var NOTE = __CHANGE_NOTE__;
  var errorBox = document.getElementById("form-error");
  var button = document.getElementById("submit");
  form.noValidate = true;

  function showError(message) { errorBox.textContent = message; errorBox.hidden = false; }
  function clearError() { errorBox.textContent = ""; errorBox.hidden = true; }
  function chosenAnswer() {
    var checked = form.querySelector("input[name=answer]:checked");
    return checked ? checked.value : "";
  }
  function problemWith(answer, description) {
    if (!LABELS[answer]) return "请选择“符合”或“不符合”";
    if (answer === "mismatched" && !description) return "选择“不符合”时请填写描述";
    return "";
  }
  function paragraph(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }
  function showResult(answer, description) {
    var result = document.createElement("div");
    result.id = "result";
    result.className = "result result-" + answer;
    result.appendChild(paragraph("result-title", "已提交：" + LABELS[answer]));
    if (description) result.appendChild(paragraph("result-description", "描述：" + description));
    result.appendChild(paragraph("note", NOTE));
    form.replaceWith(result);
    var badge = document.getElementById("status");
    badge.textContent = LABELS[answer];
    badge.className = "badge badge-" + answer;
  }
  function settle(response, body, answer, description) {
    if (response.ok) {
      showResult(body && LABELS[body.status] ? body.status : answer, description);
      return;
    }
    var message = body && body.error && body.error.message;
    showError(message || "提交失败（" + response.status + "），请稍后再试");
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    var answer = chosenAnswer();
    var description = form.elements.description.value.trim();
    var problem = problemWith(answer, description);
    if (problem) { showError(problem); return; }
    button.disabled = true;
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({answer: answer, description: description})
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        settle(response, body, answer, description);
      });
    }).catch(function () {
      showError("网络异常，提交未成功，请稍后再试");
      button.disabled = false;
    });
  });
})();
"""


def render_statement_page(
    view: dict, *, answer_url: str, pdf_url: str, error: str | None = None
) -> str:
    """The customer's page: summary, the answer form (or the answer given), then every line."""
    body = "".join([
        _hero(view),
        _totals(view),
        _answer_section(view, answer_url, error),
        _lines_section(view["lines"], view.get("departments") or []),
        f'<p class="download"><a id="pdf-link" href="{_e(pdf_url)}">下载 PDF</a></p>',
    ])
    script = _script() if view["status"] == UNCONFIRMED else ""
    return _document(f"对账单 - {view['customer']['name']}", body, script)


def render_error_page(title: str, message: str) -> str:
    """A page for a link that is invalid, expired or revoked."""
    body = (
        '<section class="card error-page">'
        f'<h2 id="error-title">{_e(title)}</h2>'
        f'<p id="error-message">{_e(message)}</p>'
        '<p class="note">如有疑问，请联系您的业务员重新发送对账单。</p>'
        "</section>"
    )
    return _document(title, body)


def _document(title: str, body: str, script: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="format-detection" content="telephone=no">'
        '<meta name="robots" content="noindex">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main>{script}</body></html>\n"
    )


def _script() -> str:
    return f"<script>{SCRIPT.replace('__CHANGE_NOTE__', json.dumps(CHANGE_NOTE))}</script>"


def _hero(view: dict) -> str:
    return (
        '<header class="hero"><div class="hero-top"><div>'
        f'<h1 id="customer-name">{_e(view["customer"]["name"])}</h1>'
        f'<p class="range">{_e(_iso(view["date_from"]))} 至 {_e(_iso(view["date_to"]))}</p>'
        f"</div>{_status_badge(view)}</div>"
        '<div class="figures">'
        f'{_figure("increase", view["increase"], "本期增加")}'
        f'{_figure("closing", view["closing"], "期末应收")}'
        "</div></header>"
    )


def _status_badge(view: dict) -> str:
    status = view["status"] if view["status"] in BADGE_CLASSES else "unknown"
    return f'<span id="status" class="badge badge-{status}">{_e(view["status_label"])}</span>'


def _figure(element_id: str, amount: Decimal, label: str) -> str:
    return (
        f'<div class="figure"><div id="{element_id}" class="amount">{_e(yuan(amount))}</div>'
        f'<div class="label">{label}</div></div>'
    )


def _totals(view: dict) -> str:
    items = [
        ("opening", "期初应收", yuan(view["opening"])),
        ("receipts", "本期收款", yuan(view["receipts"])),
        ("owed-total", "欠款", yuan(view["owed_total"])),
        ("line-count", "笔数", f'{view["line_count"]} 笔'),
    ]
    cells = "".join(
        f'<div><dt>{label}</dt><dd id="{element_id}">{_e(value)}</dd></div>'
        for element_id, label, value in items
    )
    return f'<section class="card"><dl class="totals">{cells}</dl></section>'


def _answer_section(view: dict, answer_url: str, error: str | None) -> str:
    if view["status"] == UNCONFIRMED:
        content = _answer_form(answer_url, error)
    else:
        content = _error_note(error) + _answered(view)
    return f'<section class="card" id="answer">{content}</section>'


def _answer_form(answer_url: str, error: str | None) -> str:
    return (
        f'<form id="answer-form" method="post" action="{_e(answer_url)}">'
        "<fieldset><legend>核对结果</legend>"
        '<label class="choice"><input type="radio" name="answer" value="matched" required>'
        " 符合</label>"
        '<label class="choice"><input type="radio" name="answer" value="mismatched"> 不符合</label>'
        "</fieldset>"
        '<label class="field-label" for="description">描述</label>'
        f'<textarea id="description" name="description" rows="4" '
        f'maxlength="{DESCRIPTION_MAX_LENGTH}" placeholder="{_e(DESCRIPTION_PLACEHOLDER)}">'
        "</textarea>"
        f"{_error_note(error, always=True)}"
        '<button id="submit" type="submit">提交</button>'
        "</form>"
    )


def _error_note(error: str | None, *, always: bool = False) -> str:
    """The #form-error box: shown with a server-side error, kept hidden in the form for JS."""
    if error:
        return f'<p id="form-error" class="form-error" role="alert">{_e(error)}</p>'
    return '<p id="form-error" class="form-error" role="alert" hidden></p>' if always else ""


def _answered(view: dict) -> str:
    """The answer given: the customer's own (with their description), or staff's, which the
    page must not present as the customer's."""
    description = view.get("answer_description") or ""
    described = (
        f'<p class="result-description">描述：{_e(description)}</p>' if description else ""
    )
    by_customer = view.get("answered_by_customer", False)
    title = "您已确认" if by_customer else "已由业务人员确认"
    return (
        f'<div id="result" class="result result-{_e(view["status"])}">'
        f'<p class="result-title">{title}：{_e(view["status_label"])}</p>'
        f'{described if by_customer else ""}<p class="note">{CHANGE_NOTE}</p></div>'
    )


def _lines_section(lines: list[dict], departments: list[dict]) -> str:
    """Every line; grouped under a heading per department when the lines name departments."""
    if departments:
        items = "".join(_department_head(g) + "".join(_line_item(line) for line in g["lines"])
                        for g in departments)
    else:
        items = "".join(_line_item(line) for line in lines) or '<li class="empty">无单据</li>'
    return f'<section class="card"><h2>对账明细</h2><ul id="lines">{items}</ul></section>'


def _department_head(group: dict) -> str:
    return (
        '<li class="department">'
        f'<span class="department-name">{_e(group["label"])}</span>'
        f'<span>{group["line_count"]} 笔 · 欠款 {_e(yuan(group["owed_total"]))}</span></li>'
    )


def _line_item(line: dict) -> str:
    return (
        '<li class="line">'
        '<div class="line-head">'
        f'<span class="line-number">{_e(line["number"])}</span>'
        f'<span class="line-type">{_e(line["type_label"])}</span></div>'
        '<div class="line-meta">'
        f'<span class="line-date">{_e(_iso(line["date"]))}</span>'
        f'<span class="line-account">{_e(line["account"] or "")}</span></div>'
        '<div class="line-amounts">'
        f'<span>金额 <b class="line-amount">{_e(yuan(line["amount"]))}</b></span>'
        f'<span>本单欠 <b class="line-owed">{_e(yuan(line["owed"]))}</b></span></div>'
        f'{_usage(line.get("detail"))}'
        "</li>"
    )


def _usage(detail: dict | None) -> str:
    """A usage bill's breakdown: per account the quantity, price type and unit price, then the
    tier slices of 阶梯价 (the tiers count the product's total, not each account)."""
    if not detail:
        return ""
    label, price = _e(detail["price_type_label"]), _e(unit_price_text(detail))
    accounts = "".join(
        f'<tr><td class="usage-account">{_e(a["account"])}</td>'
        f'<td class="num">{_e(count_text(a["quantity"]))}</td><td class="kind">{label}</td>'
        f'<td class="num">{price}</td></tr>' for a in detail["accounts"])
    html = (
        '<div class="usage"><table class="usage-table"><thead><tr><th>账号</th>'
        '<th class="num">发送量</th><th class="kind">计价</th><th class="num">单价</th>'
        '</tr></thead>'
        f'<tbody>{accounts}</tbody></table>'
    )
    if detail["slices"]:
        html += _usage_slices(detail)
    return html + "</div>"


def _usage_slices(detail: dict) -> str:
    rows = "".join(
        f'<tr><td>{_e(tier_range_text(s["from"], s["to"]))}</td>'
        f'<td class="num">{_e(count_text(s["quantity"]))}</td>'
        f'<td class="num">{_e(s["price"])}</td>'
        f'<td class="num">{_e(exact_yuan(s["amount"]))}</td></tr>' for s in detail["slices"])
    return (
        f'<p class="usage-note">阶梯计费（合计 {_e(count_text(detail["quantity"]))} 条）</p>'
        '<table class="usage-table"><thead><tr><th>阶梯（条）</th><th class="num">条数</th>'
        '<th class="num">单价</th><th class="num">金额</th></tr></thead>'
        f'<tbody>{rows}</tbody></table>'
    )


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""
