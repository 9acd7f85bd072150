"""domain.handover.rules: seed 001's receipt categories and the expense columns; and the
hand-over's document rules in domain.documents.rules: the closed-day refusal and the 交款交账参数
rule for receipts' audit changes (pure, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.documents.rules import (
    APPROVED,
    AUDIT_ALIASES,
    CONFIRM,
    DEPOSIT,
    PENDING,
    PREPAYMENT,
    RECEIPT_KIND_ALIASES,
    SALE,
    UNCONFIRM,
    VOID,
    Settled,
    day_closed_error,
    receipt_audit_change,
    receipt_problems,
)
from domain.errors import Conflict, Invalid, Locked
from domain.handover.rules import (
    CLOSED,
    CONFIRMED,
    MAX_DAYS,
    RECEIPT_ACTIONS,
    VOIDED,
    ReceiptSplit,
    day_span,
    expense_unsettled,
    receipt_actions,
    receipt_refusal,
    split_receipt,
)

DAY = date(2026, 11, 23)
D = Decimal


def test_settlements_of_the_receipts_day_are_same_day_money_and_older_ones_history():
    lines = [Settled(DAY, D("500.00")), Settled(DAY - timedelta(days=40), D("400.00"), D("100.00")),
             Settled(DAY, D("50.00"), D("50.00"))]
    split = split_receipt(SALE, DAY, D("790.00"), D("10.00"), lines)
    assert split == ReceiptSplit(same_day=D("500.00"), history=D("300.00"))
    assert split.total == D("800.00")


def test_prepayments_and_deposits_are_their_amount_with_the_discount():
    assert split_receipt(PREPAYMENT, DAY, D("300.00"), D("5.00"), []) == ReceiptSplit(
        prepayment=D("305.00"))
    assert split_receipt(DEPOSIT, DAY, D("200.00"), D("0.00"), []) == ReceiptSplit(
        deposit=D("200.00"))


def test_splits_add_up_category_by_category():
    total = ReceiptSplit(same_day=D("1"), history=D("2")) + ReceiptSplit(
        prepayment=D("3"), deposit=D("4"))
    assert total == ReceiptSplit(D("1"), D("2"), D("3"), D("4")) and total.total == D("10")


def test_a_receipt_whose_settlements_do_not_cover_the_money_is_named():
    problems = receipt_problems(SALE, D("100.00"), D("0.00"), D("0.00"),
                                [Settled(DAY, D("60.00"))])
    assert problems == ["核销金额(不含使用预收) 60.00 + 转入预收 0.00 应等于 收款金额 100.00 + "
                        "收款优惠 0.00"]
    assert receipt_problems(SALE, D("100.00"), D("0.00"), D("40.00"),
                            [Settled(DAY, D("60.00"))]) == []


def test_prepaid_above_the_settled_amount_and_a_prepayment_that_settles_are_refused():
    assert "使用预收不能超过核销金额" in receipt_problems(
        SALE, D("0.00"), D("0.00"), D("0.00"), [Settled(DAY, D("10.00"), D("20.00"))])[0]
    assert receipt_problems(PREPAYMENT, D("100.00"), D("0.00"), D("0.00"),
                            [Settled(DAY, D("100.00"))]) == ["预收款不能核销单据或转入预收"]
    assert receipt_problems(DEPOSIT, D("100.00"), D("0.00"), D("5.00"), []) == [
        "订金不能核销单据或转入预收"]
    assert receipt_problems(DEPOSIT, D("100.00"), D("0.00"), D("0.00"), []) == []


def test_unsettled_is_total_less_paid_less_settled():
    assert expense_unsettled(D("500.00"), D("200.00"), D("120.00")) == D("180.00")
    assert expense_unsettled(D("80.00"), D("80.00"), D("0.00")) == D("0.00")


def test_the_erps_words_for_states_and_kinds_are_understood():
    assert [AUDIT_ALIASES[w] for w in ("已审批", "待审批", "作废", "已审核", "approved")] == [
        APPROVED, PENDING, VOID, APPROVED, APPROVED]
    assert [RECEIPT_KIND_ALIASES[w] for w in ("收款", "预收款", "订金", "收订金")] == [
        SALE, PREPAYMENT, DEPOSIT, DEPOSIT]


def test_the_closed_day_error_names_each_person_and_day_in_order():
    error = day_closed_error({("王五", date(2026, 11, 23)), ("张三", date(2026, 11, 22)),
                              ("李四", date(2026, 11, 23))}, rows=[1])
    assert isinstance(error, Locked) and error.code == "day_closed"
    assert error.message.startswith("张三 2026-11-22、李四 2026-11-23、王五 2026-11-23 已关账")
    assert error.detail["closed"][0] == {"staff": "张三", "day": "2026-11-22"}
    assert error.detail["rows"] == [1]


@pytest.mark.parametrize("old,new,confirmed,setting,outcome", [
    (PENDING, APPROVED, False, True, CONFIRM),  # with the setting, auditing confirms
    (PENDING, APPROVED, False, False, None),  # without, it does not
    (PENDING, APPROVED, True, True, None),  # already confirmed
    (APPROVED, PENDING, True, True, UNCONFIRM),  # un-auditing un-confirms, whatever the state
    (APPROVED, VOID, True, True, UNCONFIRM),
    (APPROVED, PENDING, False, False, None),  # nothing confirmed: nothing to stop
    (APPROVED, VOID, False, False, None),
    (APPROVED, APPROVED, True, False, None),  # no change
])
def test_receipt_audit_changes_follow_the_setting(old, new, confirmed, setting, outcome):
    assert receipt_audit_change("SK-1", old, new, confirmed=confirmed,
                                confirm_audits=setting) == outcome


@pytest.mark.parametrize("new,verb", [(PENDING, "反审核"), (VOID, "作废")])
def test_without_the_setting_a_confirmed_receipt_cannot_be_unaudited_or_voided(new, verb):
    with pytest.raises(Conflict) as caught:
        receipt_audit_change("SK-1", APPROVED, new, confirmed=True, confirm_audits=False)
    assert caught.value.code == "receipt_confirmed"
    assert caught.value.message == f"收款单 SK-1 已对账确认，不能{verb}；请财务先取消确认"


# ----- a receipt's audit actions ---------------------------------------------------------------


@pytest.mark.parametrize("status,confirmed,setting,closed,actions", [
    (PENDING, False, False, False, ["audit", "void"]),
    (APPROVED, False, False, False, ["unaudit", "void"]),
    (VOID, False, False, False, []),  # void is final: not even 作废 again
    (VOID, True, True, False, []),
    (PENDING, False, False, True, []),  # a closed day refuses every change
    (APPROVED, True, True, True, []),
    (PENDING, True, False, False, ["audit"]),  # confirmed, setting off: only auditing
    (APPROVED, True, False, False, []),
    (APPROVED, True, True, False, ["unaudit", "void"]),  # setting on: they un-confirm along
])
def test_a_receipt_offers_the_actions_that_change_it_and_are_not_refused(
        status, confirmed, setting, closed, actions):
    assert receipt_actions(status, confirmed=confirmed, confirm_audits=setting,
                           closed=closed) == actions


def test_refusals_name_void_before_a_closed_day_before_the_confirmation():
    def why(action, status, *, confirmed=False, closed=False):
        return receipt_refusal(action, status, confirmed=confirmed, confirm_audits=False,
                               closed=closed)

    assert why("audit", VOID, confirmed=True, closed=True) == VOIDED
    assert why("void", APPROVED, confirmed=True, closed=True) == CLOSED
    assert why("void", APPROVED, confirmed=True) == CONFIRMED
    assert why("void", VOID, closed=True) is None  # changes nothing: answered as done
    assert why("audit", APPROVED, closed=True) is None


@given(st.sampled_from([PENDING, APPROVED, VOID]), st.sampled_from(list(RECEIPT_ACTIONS)),
       st.booleans(), st.booleans())
def test_the_offered_actions_are_those_the_audit_change_rule_lets_through(
        status, action, confirmed, setting):
    offered = action in receipt_actions(status, confirmed=confirmed, confirm_audits=setting,
                                        closed=False)
    new = RECEIPT_ACTIONS[action]
    try:
        receipt_audit_change("SK-1", status, new, confirmed=confirmed, confirm_audits=setting)
        passes = status != new and status != VOID
    except Conflict:
        passes = False
    assert offered == passes


# ----- the span of days one listing covers -----------------------------------------------------


def test_a_day_span_is_every_day_from_first_to_last_at_most_31():
    assert day_span(DAY, DAY) == [DAY]
    last = DAY + timedelta(days=MAX_DAYS - 1)
    assert day_span(DAY, last)[-1] == last and len(day_span(DAY, last)) == MAX_DAYS
    for first, end, message in ((DAY, DAY - timedelta(days=1), "结束日期不能早于开始日期"),
                                (DAY, last + timedelta(days=1), "日期范围不能超过 31 天")):
        with pytest.raises(Invalid) as caught:
            day_span(first, end)
        assert caught.value.code == "bad_date_range" and caught.value.message == message


# ----- the seed's identity: 收当日货款 + 收历史欠款 + 预收款 + 收订金 =
# ----- 收款金额 + 收款优惠 − 转入预收, for every receipt whose figures add up

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: D(c) / 100)


@st.composite
def settled_lines(draw):
    amount = draw(cents)
    prepaid = draw(st.integers(min_value=0, max_value=int(amount * 100)).map(
        lambda c: D(c) / 100))
    back = draw(st.sampled_from([0, 0, 1, 30, 400]))
    return Settled(DAY - timedelta(days=back), amount, prepaid)


@st.composite
def valid_receipts(draw):
    """A receipt built so its figures add up: the amount is what settlements and 转入预收
    take, less the discount."""
    kind = draw(st.sampled_from([SALE, SALE, PREPAYMENT, DEPOSIT]))
    discount = draw(cents)
    if kind != SALE:
        return kind, draw(cents), discount, D("0.00"), []
    lines = draw(st.lists(settled_lines(), max_size=6))
    to_prepaid = draw(cents)
    cash = sum((line.amount - line.prepaid for line in lines), D("0.00"))
    discount = min(discount, cash + to_prepaid)  # the money taken in is never negative
    return kind, cash + to_prepaid - discount, discount, to_prepaid, lines


@given(valid_receipts())
def test_the_four_kinds_add_up_to_the_money_taken_for_every_valid_receipt(receipt):
    kind, amount, discount, to_prepaid, lines = receipt
    assert receipt_problems(kind, amount, discount, to_prepaid, lines) == []
    split = split_receipt(kind, DAY, amount, discount, lines)
    assert split.same_day + split.history + split.prepayment + split.deposit == (
        amount + discount - to_prepaid)


@given(valid_receipts(), st.integers(min_value=1, max_value=10_000).map(lambda c: D(c) / 100))
def test_a_sale_receipt_off_by_any_amount_is_refused(receipt, off):
    kind, amount, discount, to_prepaid, lines = receipt
    if kind == SALE:
        assert receipt_problems(kind, amount + off, discount, to_prepaid, lines) != []
