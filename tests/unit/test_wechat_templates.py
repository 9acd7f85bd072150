"""WeChat's typed template fields: values fitted to their type, periods that fit a thing, and
template configurations refused at start with one line naming the variable and the field."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.template_values import SOURCES, amount_text, company, period_thing
from bot.templates import DEFAULTS, TemplateDataError, load_templates, render
from bot.wechat_fields import RULES, cut, field_type, fit
from tally.settings import Settings, SettingsError


def test_a_thing_is_one_line_cut_to_20_with_an_ellipsis_after_a_whole_clause():
    assert fit("thing", "请尽快付款，\n如有疑问请联系业务员") == (
        "请尽快付款， 如有疑问请联系业务员")
    assert fit("thing", "一" * 25) == "一" * 19 + "…"
    assert cut("请按期付款，如已付款请忽略，谢谢您的支持与配合", 20) == (
        "请按期付款，如已付款请忽略…")
    assert cut("共 12 笔欠款， 最长已逾期 100 天以上请尽快", 14) == "共 12 笔欠款…"


@pytest.mark.parametrize("kind, text", [
    ("amount", "¥1,234.50"), ("amount", "-50.00元"), ("amount", "12345678901.00"),
    ("phrase", "已逾期十天了"), ("phrase", "逾期10天"), ("character_string", "对账单1"),
    ("character_string", "x" * 33), ("date", "下周一"), ("time", "2021年12月1日"),
    ("number", "-3"), ("thing", " "),
])
def test_values_wechat_would_refuse_are_refused_before_sending(kind, text):
    with pytest.raises(ValueError):
        fit(kind, text)


@pytest.mark.parametrize("kind, text", [
    ("amount", "53776.00元"), ("amount", "¥0.50"), ("date", "2021年12月1日~2021年12月22日"),
    ("date", "2026-11-24"), ("time", "2019年10月1日 15:01"), ("time", "15:01~16:30"),
    ("phrase", "待确认"), ("character_string", "S-2021-12_0001"), ("number", "12"),
    ("name", "陈会计"), ("phone_number", "+86-0766-66888866"), ("car_number", "粤A8Z888挂"),
])
def test_values_that_fit_their_type_pass_unchanged(kind, text):
    assert fit(kind, text) == text


def test_amounts_have_no_separators_and_end_in_yuan():
    assert amount_text("53776") == "53776.00元"
    assert amount_text("1234.565") == "1234.57元"
    assert amount_text("-0.001") == "0.00元"


@pytest.mark.parametrize("start, end, shown", [
    (date(2021, 12, 1), date(2021, 12, 22), "2021年12月1日至12月22日"),
    (date(2021, 12, 15), date(2022, 1, 14), "2021年12月15日至次年1月14日"),
    (date(2021, 1, 1), date(2022, 1, 5), "2021年1月1日至2022年1月5日"),
    (date(2020, 10, 1), date(2022, 11, 30), "2020年10月至2022年11月"),
])
def test_a_statement_period_reads_as_a_customer_says_it_within_20(start, end, shown):
    assert period_thing(start, end) == shown and len(shown) <= 20
    assert fit("thing", shown) == shown


def test_a_company_loses_its_legal_form_only_when_too_long():
    assert company("联想（北京）有限公司") == "联想（北京）有限公司"
    assert company("深圳市前海某某某某国际供应链管理服务股份有限公司") == (
        "深圳市前海某某某某国际供应链管理服务")


def test_the_demo_defaults_pass_the_start_check_and_render_every_value_they_name():
    templates = load_templates("")
    assert set(templates) == set(DEFAULTS) == set(SOURCES)
    for template in templates.values():
        assert template.template_id and template.mp_template_id
        for mapping in (template.fields, template.mp_fields):
            assert mapping and not {"first", "remark"} & set(mapping)
            assert all(field_type(name) in RULES for name in mapping)
    assert Settings.from_env({"TALLY_SECRET_KEY": "k"}).wechat_templates == ""


def test_a_value_that_cannot_fill_its_field_stops_that_message():
    with pytest.raises(TemplateDataError, match=r"statement_issued amount3 \(closing\)"):
        render("statement_issued", {"amount3": "closing"}, {"closing": "-12.00"})


def refused(entry: dict, kind: str = "statement_issued") -> str:
    raw = json.dumps({kind: entry}, ensure_ascii=False)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"TALLY_WECHAT_TEMPLATES": raw, "TALLY_SECRET_KEY": "k"})
    message = str(caught.value)
    assert message.startswith("bad setting TALLY_WECHAT_TEMPLATES=") and "\n" not in message
    return message


@pytest.mark.parametrize("fields, says", [
    ({"first": "title", "thing1": "customer"},
     "[statement_issued].fields: first is a historical-template field: since 2023-05-04"),
    ({"keyword1": "customer"}, "keyword1 is a historical-template field"),
    ({"thing1": "customer", "remark": "hint"}, "remark is a historical-template field"),
    ({"colour1": "customer"}, "colour1: unknown field type 'colour' (known: thing, number"),
    ({"thing": "customer"}, "thing is not a WeChat field name (a type and a number"),
    ({"const3": "status"}, "const3: a const field is fixed by the template itself"),
    ({"thing1": "debts"}, ".fields.thing1: no value 'debts' for this notice (known: customer"),
    ({"amount1": "customer"}, ".fields.amount1: customer (the customer's name) cannot go into "
                              "a amount field; it fits thing"),
    ({"time3": "period"}, ".fields.time3: period (the statement period) cannot go into a time "
                          "field; it fits thing, date"),
    ({"phrase2": "hint"}, "phrase2: hint (what to do) cannot go into a phrase field"),
    ({}, "TALLY_WECHAT_TEMPLATES[statement_issued].fields is empty"),
    ({"thing1": 3}, "[statement_issued].fields must map field names to value names"),
])
def test_a_template_configuration_wechat_could_not_show_is_refused_at_start(fields, says):
    assert says in refused({"template_id": "T-1", "fields": fields})


def test_subscribe_fields_and_kinds_are_checked_the_same_way():
    assert "[overdue_notice].mp_fields.thing4: no value 'period'" in refused(
        {"mp_fields": {"thing4": "period"}}, kind="overdue_notice")
    assert "'statement_answered' is not a WeChat notice (known: statement_issued" in refused(
        {"template_id": "T"}, kind="statement_answered")
