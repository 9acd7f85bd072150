"""The payments pool's pure rules: payer names, matching, the automatic write-off and its
refusals, penalty months and amounts, invoice checks and billing terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import Invalid
from domain.payments import rules
from domain.payments.rules import OpenBill, OpenPenalty

D = Decimal


# ----- names and matching -----


def test_payer_key_folds_full_width_brackets_spaces_and_case():
    assert rules.payer_key("  上海　ＡＢＣ（集团）  有限公司 ") == "上海 abc(集团) 有限公司"
    assert rules.payer_key("上海ABC(集团)有限公司") == rules.payer_key("上海ＡＢＣ（集团）有限公司")


def test_a_payer_matches_the_customer_name_before_the_invoice_company():
    match = rules.match_payer("联想", {"联想": [1]}, {"联想": [2]})
    assert (match.customer_id, match.matched_by) == (1, "name")


def test_a_payer_matches_the_invoice_company_when_no_name_does():
    match = rules.match_payer("联想(北京)有限公司", {}, {"联想(北京)有限公司": [2]})
    assert (match.customer_id, match.matched_by) == (2, "invoice_company")


def test_two_customers_for_one_name_is_no_match():
    match = rules.match_payer("联想", {"联想": [1, 3]}, {})
    assert match.customer_id is None and match.refusal == rules.AMBIGUOUS


def test_no_customer_is_the_seeds_first_refusal():
    match = rules.match_payer("谁", {}, {})
    assert match.note == "到款没有关联到客户名下"


# ----- automatic write-off -----


def _bill(i, open_, period="2026-09-01", bill_date="2026-10-01"):
    return OpenBill(i, date.fromisoformat(period), date.fromisoformat(bill_date), D(open_))


def test_oldest_bills_first_each_fully_covered_stopping_at_the_first_not_covered():
    bills = [_bill(3, "50", "2026-10-01"), _bill(1, "30"), _bill(2, "40", "2026-09-01"),
             _bill(4, "10", "2026-11-01")]
    plan = rules.plan_auto_write_off(D("100"), date(2026, 10, 5), "postpaid", bills, [])
    assert plan.bills == ((1, D("30")), (2, D("40")))  # 50 of October is not covered by 30
    assert plan.refusal is None and plan.total == D("70")


def test_less_than_the_oldest_bill_is_refused():
    plan = rules.plan_auto_write_off(D("29.99"), date(2026, 10, 5), "postpaid",
                                     [_bill(1, "30")], [])
    assert plan.bills == () and plan.note == "到款金额小于最早未销账单金额"


def test_prepaid_payment_after_the_bill_date_is_refused_postpaid_is_not():
    bills = [_bill(1, "30", bill_date="2026-10-01")]
    for mode in ("prepaid", "prepurchase"):
        plan = rules.plan_auto_write_off(D("30"), date(2026, 10, 2), mode, bills, [])
        assert plan.note == "预付费到款时间大于账单时间"
    assert rules.plan_auto_write_off(D("30"), date(2026, 10, 1), "prepaid", bills, []).bills
    assert rules.plan_auto_write_off(D("30"), date(2026, 10, 2), "postpaid", bills, []).bills


def test_penalties_come_after_every_bill_is_covered():
    penalties = [OpenPenalty(8, date(2026, 9, 2), D("1.50")),
                 OpenPenalty(7, date(2026, 8, 2), D("1.00"))]
    plan = rules.plan_auto_write_off(D("32"), date(2026, 10, 5), "postpaid",
                                     [_bill(1, "30")], penalties)
    assert plan.bills == ((1, D("30")),) and plan.penalties == ((7, D("1.00")),)
    stopped = rules.plan_auto_write_off(D("40"), date(2026, 10, 5), "postpaid",
                                        [_bill(1, "30"), _bill(2, "20", "2026-10-01")],
                                        penalties)
    assert stopped.penalties == ()


def test_nothing_open_says_so():
    plan = rules.plan_auto_write_off(D("10"), date(2026, 10, 5), "postpaid", [], [])
    assert plan.refusal == rules.NOTHING_OPEN


def test_a_manual_total_above_the_payment_is_refused():
    with pytest.raises(Invalid) as exc:
        rules.check_manual_total(D("10.01"), D("10.00"))
    assert exc.value.code == "write_off_exceeds_payment"
    rules.check_manual_total(D("10.00"), D("10.00"))


# ----- terms and penalties -----


def test_add_months_clamps_to_the_month_end():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 5, 15), 12) == date(2027, 5, 15)


def test_term_months_are_one_to_twelve():
    assert rules.check_term_months(12) == 12
    for bad in (0, 13, "3", 2.0, True):
        with pytest.raises(Invalid):
            rules.check_term_months(bad)


def test_overdue_month_k_starts_the_day_after_due_plus_k_minus_one_months():
    due = date(2026, 10, 31)
    assert rules.month_start(due, 1) == date(2026, 11, 1)
    assert rules.month_start(due, 2) == date(2026, 12, 1)  # 11-30 + 1 day
    assert rules.months_started(due, date(2026, 10, 31)) == 0
    assert rules.months_started(due, date(2026, 11, 1)) == 1
    assert rules.months_started(due, date(2026, 11, 30)) == 1
    assert rules.months_started(due, date(2026, 12, 1)) == 2
    assert rules.months_started(due, date(2027, 10, 31)) == 12


def test_penalty_is_rounded_half_up_to_the_cent():
    assert rules.penalty_amount(D("101.00"), D("0.005")) == D("0.51")  # 0.505
    assert rules.penalty_amount(D("100.99"), D("0.005")) == D("0.50")  # 0.50495


def test_catch_up_charges_every_started_month_not_charged_yet():
    charges = rules.charges_due(date(2026, 8, 15), D("1000.00"), 1, date(2026, 10, 16),
                                D("0.005"))
    assert [(c.month_index, c.accrued_on, c.amount) for c in charges] == [
        (2, date(2026, 9, 16), D("5.00")), (3, date(2026, 10, 16), D("5.00"))]
    assert rules.charges_due(date(2026, 8, 15), D("0"), 0, date(2026, 10, 16), D("0.005")) == []


def test_a_rate_setting_must_be_a_fraction():
    assert rules.parse_rate("0.005") == D("0.005")
    for bad in ("x", "-0.1", "1", "nan"):
        with pytest.raises(Invalid):
            rules.parse_rate(bad)


# ----- invoices -----


def test_normal_invoice_needs_company_and_tax_id_special_needs_every_field():
    assert rules.invoice_fields("normal", {"company": " 联想 ", "tax_id": "91"}) == {
        "company": "联想", "tax_id": "91"}
    with pytest.raises(Invalid) as exc:
        rules.invoice_fields("normal", {"company": "联想"})
    assert exc.value.detail["missing"] == ["tax_id"]
    with pytest.raises(Invalid) as exc:
        rules.invoice_fields("special", {"company": "联想", "tax_id": "91", "bank": "工行"})
    assert exc.value.detail["missing"] == ["address", "phone", "account"]
    with pytest.raises(Invalid):
        rules.invoice_fields("vat", {})


def test_invoice_amount_must_equal_the_bills_sum_and_the_message_names_both():
    rules.check_invoice_amount(D("100.00"), D("100.00"))
    with pytest.raises(Invalid) as exc:
        rules.check_invoice_amount(D("100.00"), D("100.01"))
    assert "¥100.00" in exc.value.message and "¥100.01" in exc.value.message


def test_a_term_change_renumbers_months_from_the_new_due_date():
    started = [date(2026, 10, 2), date(2026, 11, 2), date(2026, 12, 2), date(2027, 1, 2)]
    assert rules.renumber_months(date(2026, 12, 1), started) == [-1, 0, 1, 2]  # longer term
    assert rules.renumber_months(date(2026, 9, 1), started) == [2, 3, 4, 5]  # shorter term
    # a month-end bill: two old months begin inside one new month, yet never share an index
    assert rules.renumber_months(date(2026, 1, 31), [date(2026, 3, 1), date(2026, 3, 29)]) \
        == [2, 3]


def test_a_term_change_credits_what_is_owed_and_not_held():
    assert rules.penalty_credit(D("0.50"), D("0.00"), D("0.00")) == D("0.50")
    assert rules.penalty_credit(D("0.50"), D("0.20"), D("0.10")) == D("0.20")
    assert rules.penalty_credit(D("0.50"), D("0.50"), D("0.00")) == D("0.00")
