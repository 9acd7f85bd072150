"""render_statement_page / render_error_page: escaped, complete, the form only when unconfirmed."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

from domain.statements.views import department_groups
from miniapp_api.h5 import render_error_page, render_statement_page
from tests.support.statements import statement_view

ANSWER_URL = "/s/tok123/answer"
PDF_URL = "/s/tok123/pdf"
LINES = [
    {"number": "XS-T-2021-12-22-0001", "type": "sales_out", "type_label": "销售出库单",
     "date": date(2021, 12, 22), "amount": Decimal("1234.50"), "owed": Decimal("1234.50"),
     "account": ""},
    {"number": "XT-T-2021-12-22-0002", "type": "receipt", "type_label": "收款单",
     "date": date(2021, 12, 22), "amount": Decimal("100.00"), "owed": Decimal("-100.00"),
     "account": "银行存款-中国银行"},
]


def make_view(status: str = "unconfirmed", **changes) -> dict:
    return statement_view([dict(line) for line in LINES], status, **changes)


def render(view: dict, error: str | None = None) -> str:
    return render_statement_page(view, answer_url=ANSWER_URL, pdf_url=PDF_URL, error=error)


class Elements(HTMLParser):
    """Start tags with their attributes, and the text inside each element that has an id."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text_by_id: dict[str, str] = {}
        self._open_ids: list[tuple[str, str]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes and tag not in ("input", "meta", "br"):
            self._open_ids.append((tag, attributes["id"]))
            self.text_by_id.setdefault(attributes["id"], "")

    def handle_endtag(self, tag):
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data):
        for _tag, element_id in self._open_ids:
            self.text_by_id[element_id] += data

    def find(self, tag: str, **attributes) -> list[dict]:
        return [
            attrs for name, attrs in self.tags
            if name == tag and all(attrs.get(k) == v for k, v in attributes.items())
        ]

    def ids(self) -> set[str]:
        return {attrs["id"] for _name, attrs in self.tags if "id" in attrs}

    def count_class(self, class_name: str) -> int:
        return sum(class_name in attrs.get("class", "").split() for _name, attrs in self.tags)


def test_page_is_a_complete_chinese_mobile_document():
    page = render(make_view())

    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page
    assert '<meta charset="utf-8">' in page
    assert Elements(page).find("meta", name="viewport")
    assert page.rstrip().endswith("</html>")


def test_page_loads_no_external_assets():
    elements = Elements(render(make_view()))

    assert not elements.find("link")
    assert all("src" not in attrs for tag, attrs in elements.tags if tag in ("script", "img"))
    assert "<style>" in render(make_view())


def test_shows_customer_status_and_headline_figures():
    elements = Elements(render(make_view()))

    assert elements.text_by_id["customer-name"] == "联想"
    assert elements.text_by_id["status"] == "未确认"
    assert elements.text_by_id["increase"] == "¥48,876.00"
    assert elements.text_by_id["closing"] == "¥-48,876.00"


def test_shows_the_other_totals():
    page = render(make_view())
    elements = Elements(page)

    for label in ("期初应收", "本期收款", "欠款", "笔数", "对账明细"):
        assert label in page
    assert elements.text_by_id["opening"] == "¥0.00"
    assert elements.text_by_id["receipts"] == "¥100.00"
    assert elements.text_by_id["owed-total"] == "¥1,134.50"
    assert elements.text_by_id["line-count"] == "2 笔"


def test_lists_every_document_with_its_details():
    elements = Elements(render(make_view()))
    lines = elements.text_by_id["lines"]

    assert elements.count_class("line") == 2
    for expected in ("XS-T-2021-12-22-0001", "销售出库单", "XT-T-2021-12-22-0002", "收款单",
                     "2021-12-22", "金额", "¥1,234.50", "本单欠", "¥-100.00", "银行存款-中国银行"):
        assert expected in lines, expected


def test_lines_naming_departments_are_listed_under_a_heading_per_department():
    lines = [{**line, "department": d}
             for line, d in zip(make_view()["lines"], ("工程部", ""), strict=True)]
    elements = Elements(render(make_view(lines=lines, departments=department_groups(lines))))
    text = elements.text_by_id["lines"]

    assert elements.count_class("line") == 2 and elements.count_class("department") == 2
    assert text.index("工程部") < text.index("XS-T-2021-12-22-0001") < text.index("未分部门") \
        < text.index("XT-T-2021-12-22-0002")
    assert "1 笔 · 欠款 ¥1,234.50" in text


def test_statement_without_lines_says_so():
    elements = Elements(render(make_view(lines=[], line_count=0)))

    assert elements.count_class("line") == 0
    assert "无单据" in elements.text_by_id["lines"]


def test_amounts_have_two_decimals_thousands_separators_and_a_sign():
    view = make_view(opening=Decimal("1234.5"), receipts=Decimal("-100"),
                     closing=Decimal("1234567.005"), owed_total=Decimal("-0.00"))
    elements = Elements(render(view))

    assert elements.text_by_id["opening"] == "¥1,234.50"
    assert elements.text_by_id["receipts"] == "¥-100.00"
    assert elements.text_by_id["closing"] == "¥1,234,567.01"
    assert elements.text_by_id["owed-total"] == "¥0.00"


def test_unconfirmed_statement_has_the_answer_form():
    elements = Elements(render(make_view()))

    assert elements.find("form", id="answer-form", method="post", action=ANSWER_URL)
    assert elements.find("input", type="radio", name="answer", value="matched")
    assert elements.find("input", type="radio", name="answer", value="mismatched")
    textarea = elements.find("textarea", name="description")
    assert textarea and "不符合" in textarea[0]["placeholder"]
    assert elements.find("button", id="submit", type="submit")
    assert elements.text_by_id["submit"] == "提交"
    assert "hidden" in elements.find("p", id="form-error")[0]
    assert "result" not in elements.ids()


def test_form_labels_read_as_in_seed_000():
    page = render(make_view())

    assert 'value="matched" required> 符合</label>' in page
    assert 'value="mismatched"> 不符合</label>' in page
    assert ">描述</label>" in page


def test_script_posts_json_to_the_form_action_and_shows_errors_from_the_body():
    page = render(make_view())
    script = re.search(r"<script>(.*)</script>", page, re.S).group(1)

    assert 'form.getAttribute("action")' in script
    assert '"Content-Type": "application/json"' in script
    assert "JSON.stringify({answer: answer, description: description})" in script
    assert "body.error.message" in script
    assert "event.preventDefault()" in script
    assert "已提交：" in script


def test_answered_statement_shows_the_answer_instead_of_the_form():
    for status, label in (("matched", "符合"), ("mismatched", "不符合")):
        elements = Elements(render(make_view(status)))

        assert "answer-form" not in elements.ids()
        assert not elements.find("textarea")
        assert f"您已确认：{label}" in elements.text_by_id["result"]
        assert "业务员" in elements.text_by_id["result"]
        assert elements.text_by_id["status"] == label


def test_a_status_staff_set_is_not_shown_as_the_customers_answer():
    view = make_view("matched", answered_by_customer=False, answer_description="")
    result = Elements(render(view)).text_by_id["result"]

    assert "您已确认" not in result
    assert "已由业务人员确认：符合" in result


def test_answered_page_has_no_script():
    assert "<script" not in render(make_view("matched"))


def test_answered_page_shows_the_description_when_the_view_has_one():
    view = make_view("mismatched", answer_description="少了一张 <退货单>")
    elements = Elements(render(view))

    assert "少了一张 <退货单>" in elements.text_by_id["result"]
    assert "&lt;退货单&gt;" in render(view)


def test_server_error_is_shown_in_the_form_error_box():
    elements = Elements(render(make_view(), error="选择不符合时必须填写描述"))

    box = elements.find("p", id="form-error")[0]
    assert "hidden" not in box
    assert elements.text_by_id["form-error"] == "选择不符合时必须填写描述"


def test_server_error_is_shown_on_an_answered_page_too():
    elements = Elements(render(make_view("matched"), error="对账单已确认为符合"))

    assert elements.text_by_id["form-error"] == "对账单已确认为符合"


def test_links_to_the_pdf():
    elements = Elements(render(make_view()))

    assert elements.find("a", href=PDF_URL)
    assert elements.text_by_id["pdf-link"] == "下载 PDF"


def test_has_the_ids_browser_tests_rely_on():
    ids = Elements(render(make_view())).ids()

    assert {"customer-name", "status", "increase", "closing", "lines", "answer-form",
            "submit", "form-error"} <= ids
    assert "result" in Elements(render(make_view("matched"))).ids()


def test_every_dynamic_value_is_escaped():
    hostile = '<script>alert("x")</script>'
    line = dict(make_view()["lines"][0], number=hostile, type_label=hostile, account=hostile)
    view = make_view(customer={"id": 3, "code": "C", "name": hostile}, lines=[line],
                     status_label=hostile)
    page = render_statement_page(view, answer_url='/a"><x', pdf_url="/p?a=1&b=<2>",
                                 error=hostile)

    assert page.count("<script>") == 1  # only the page's own script
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'action="/a&quot;&gt;&lt;x"' in page
    assert 'href="/p?a=1&amp;b=&lt;2&gt;"' in page
    assert Elements(page).text_by_id["customer-name"] == hostile


def test_title_names_the_customer():
    assert "<title>对账单 - 联想</title>" in render(make_view())


def test_error_page_is_a_complete_escaped_chinese_page():
    page = render_error_page("无法打开对账单", "链接已过期 <b>")
    elements = Elements(page)

    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page
    assert elements.find("meta", name="viewport")
    assert elements.text_by_id["error-title"] == "无法打开对账单"
    assert elements.text_by_id["error-message"] == "链接已过期 <b>"
    assert "&lt;b&gt;" in page
    assert "<script" not in page
