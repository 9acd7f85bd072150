"""Pure parts of approvals: flow definitions and their overrides, auto-pass conditions, the four
flows' forms (payment claim split, 12-month term limit), and the texts the initiator gets."""

from __future__ import annotations

from datetime import date

import pytest

from bot.approval_cards import build_task_card, outcome_markdown, reminder_markdown
from domain.approvals import forms
from domain.approvals.flows import FLOWS, Auto, flows_with_overrides
from domain.errors import Invalid

TODAY = date(2026, 11, 23)


def test_the_credit_application_follows_seed_002s_four_approvers():
    flow = FLOWS["credit_application"]
    assert [(n.name, n.approver) for n in flow.nodes] == [
        ("直接上级", "manager"), ("业务部门总监", "department_head"),
        ("营销中心总经理", "role:营销中心总经理"), ("财务部PFC", "role:财务部PFC")]


@pytest.mark.parametrize("auto,form,holds", [
    (Auto("auto", "eq", 1), {"auto": 1}, True),  # seed 004: 自动销账 等于 1
    (Auto("auto", "eq", 1), {"auto": "1"}, True),
    (Auto("auto", "eq", 1), {"auto": 0}, False),
    (Auto("auto", "eq", 1), {}, False),
    (Auto("amount", "le", "50000"), {"amount": "50000.00"}, True),
    (Auto("amount", "le", "50000"), {"amount": "50000.01"}, False),
    (Auto("amount", "lt", 100), {"amount": "abc"}, False),
    (Auto("kind", "eq", "零售"), {"kind": "零售"}, True),
])
def test_auto_pass_conditions(auto, form, holds):
    assert auto.holds(form) is holds


def test_auto_pass_is_described_as_the_seed_shows_it():
    assert Auto("自动销账", "eq", 1).describe() == "满足条件: 自动销账 等于 1"


def test_a_json_setting_replaces_a_flows_nodes():
    flows = flows_with_overrides(
        '{"payment_claim": [{"name": "出纳", "approver": "any_of:出纳,会计"},'
        ' {"name": "财务", "approver": "role:财务部PFC",'
        '  "auto": {"field": "amount", "op": "le", "value": "1000"}}]}')
    nodes = flows["payment_claim"].nodes
    assert [(n.name, n.approver) for n in nodes] == [("出纳", "any_of:出纳,会计"),
                                                     ("财务", "role:财务部PFC")]
    assert nodes[1].auto == Auto("amount", "le", "1000")
    assert flows["credit_application"] == FLOWS["credit_application"]
    assert flows_with_overrides("") == FLOWS


@pytest.mark.parametrize("text,message", [
    ("{", "不是合法的 JSON"),
    ('{"nope": [{"name": "a", "approver": "manager"}]}', "未知审批流程"),
    ('{"payment_claim": []}', "非空数组"),
    ('{"payment_claim": [{"name": "a", "approver": "boss"}]}', "审批人无法识别"),
    ('{"payment_claim": [{"name": "a", "approver": "role:"}]}', "审批人无法识别"),
    ('{"payment_claim": [{"name": "a", "approver": "manager", '
     '"auto": {"field": "x", "op": "like", "value": 1}}]}', "自动通过条件无法识别"),
])
def test_a_bad_flow_setting_is_refused(text, message):
    with pytest.raises(Invalid) as err:
        flows_with_overrides(text)
    assert message in err.value.message


def test_a_payment_claim_splits_a_receipt_into_deposit_repayment_and_remainder():
    form = forms.parse_receipt_claim({"customer_id": 1, "number": "SK-1", "amount": "100000",
                                      "deposit": "20000", "repayment": "50000"}, TODAY)
    assert (form["deposit"], form["repayment"], form["remainder"]) == (
        "20000.00", "50000.00", "30000.00")
    assert form["received_on"] == "2026-11-23"


@pytest.mark.parametrize("changes,code", [
    ({"repayment": "80000.01", "deposit": "20000"}, "claim_over_amount"),
    ({"amount": "0"}, "bad_amount"),
    ({"deposit": "-1"}, "bad_amount"),
    ({"amount": 1.5}, "bad_amount"),
    ({"number": ""}, "missing_field"),
    ({"customer_id": "x"}, "bad_field"),
    ({"received_on": "2026-13-01"}, "bad_date"),
])
def test_a_bad_payment_claim_is_refused_naming_the_field(changes, code):
    form = {"customer_id": 1, "number": "SK-1", "amount": "100000", **changes}
    with pytest.raises(Invalid) as err:
        forms.parse_receipt_claim(form, TODAY)
    assert err.value.code == code


def test_a_payment_term_may_grow_to_twelve_months_but_not_beyond():
    ok = forms.parse_credit_term_change({"debt_id": 3, "term_days": 365, "reason": "合同约定"})
    assert ok == {"debt_id": 3, "term_days": 365, "reason": "合同约定"}
    with pytest.raises(Invalid) as err:
        forms.parse_credit_term_change({"debt_id": 3, "term_days": 366, "reason": "x"})
    assert err.value.code == "term_too_long" and "12 个月" in err.value.message
    with pytest.raises(Invalid) as err:
        forms.parse_credit_term_change({"debt_id": 3, "term_days": 90})
    assert err.value.code == "missing_field" and "reason" in err.value.message


def test_a_credit_application_form():
    form = forms.parse_credit_application({
        "customer_id": 1, "org_id": 2, "type": "project", "amount": 300000,
        "valid_from": "2026-01-01", "valid_to": "2026-12-31", "project": "A 项目",
        "term_days": 120})
    assert (form["amount"], form["project"], form["term_days"]) == ("300000.00", "A 项目", 120)
    assert ("申报金额", "¥300,000.00") in forms.credit_application_summary(form)


@pytest.mark.parametrize("changes,code", [
    ({"type": "gold"}, "bad_credit_type"),
    ({"type": "project"}, "missing_field"),
    ({"valid_from": "2026-12-31", "valid_to": "2026-01-01"}, "bad_validity"),
    ({"amount": "-5"}, "bad_amount"),
    ({"org_id": None}, "missing_field"),
])
def test_a_bad_credit_application_is_refused(changes, code):
    form = {"customer_id": 1, "org_id": 2, "type": "annual", "amount": "500000", **changes}
    with pytest.raises(Invalid) as err:
        forms.parse_credit_application(form)
    assert err.value.code == code


def test_a_repayment_approval_names_its_debts_or_pays_oldest_first():
    assert forms.parse_repayment_approval({"customer_id": 1})["parts"] is None
    form = forms.parse_repayment_approval(
        {"customer_id": 1, "parts": [{"debt_id": 4, "amount": "100"},
                                     {"debt_id": 5, "amount": "50.5"}]})
    assert form["parts"] == [{"debt_id": 4, "amount": "100.00"},
                             {"debt_id": 5, "amount": "50.50"}]
    assert forms.repayment_approval_summary(form)[-1] == ("合计", "¥150.50")
    with pytest.raises(Invalid) as err:
        forms.parse_repayment_approval({"customer_id": 1, "parts": [
            {"debt_id": 4, "amount": "1"}, {"debt_id": 4, "amount": "2"}]})
    assert err.value.code == "duplicate_debt"


def test_the_initiator_hears_each_outcome_in_chinese():
    base = {"title": "授信申请：联想 ¥500,000.00", "by": "林PFC", "node": "财务部PFC",
            "comment": "同意"}
    title, text = outcome_markdown({**base, "status": "approved",
                                    "result": {"credit_account_number": "CA-0001"}})
    assert title == "✅ 审批已通过：授信申请：联想 ¥500,000.00"
    assert "授信账户：CA-0001" in text and "意见：同意" in text
    assert outcome_markdown({**base, "status": "rejected"})[0].startswith("❌ 审批被驳回")
    assert outcome_markdown({**base, "status": "returned"})[0].startswith("↩️ 审批被退回给你")
    _, text = outcome_markdown({**base, "status": "pending", "back_to": "直接上级"})
    assert "在「财务部PFC」退回至「直接上级」重新审批" in text
    title, text = reminder_markdown({"title": "x", "node": "直接上级", "waiting_hours": 30})
    assert title == "审批催办：x" and "30 小时" in text


def test_a_customers_words_on_a_card_cannot_add_links():
    card = build_task_card({"title": "t", "kind_label": "款项认领", "initiator": "王",
                            "node": "n", "step": "1/2",
                            "summary": [["付款方", "[点我](http://evil)"]]})
    assert "http://evil" in card["contents"][0]["text"]
    assert "[点我](" not in card["contents"][0]["text"]
