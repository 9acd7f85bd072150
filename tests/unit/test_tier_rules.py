"""The tier funnel's rules (seed 004 升降级规则): every upgrade, every downgrade, both notices,
the window edges (15 vs 16 days, exactly a month, three months) and the exam's trap question."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.tiers import rules
from domain.tiers.rules import (
    CONTRACT,
    INTENT,
    PUBLIC_POOL,
    SILENT,
    TEST,
    Decision,
    Facts,
    add_months,
    decide,
    months_back,
    profile_filled,
    usage_from,
)

D = date(2026, 11, 23)
LONG_AGO = date(2025, 1, 1)
THRESHOLD = Decimal("0.6")


def facts(tier: str, **changes) -> Facts:
    values = {"tier": tier, "tier_since": LONG_AGO, "created_on": LONG_AGO}
    return Facts(**{**values, **changes})


def moves(f: Facts, day: date = D) -> list[tuple[str, str]]:
    return [(d.rule, d.to_tier) for d in decide(f, day, THRESHOLD)]


# ----- calendar helpers -----------------------------------------------------------------------


def test_months_back_clamps_the_day_of_month():
    assert months_back(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_back(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_back(date(2026, 1, 15), 3) == date(2025, 10, 15)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_profile_counts_filled_fields_only():
    assert profile_filled({"contact_name": "陈", "mobile": " ", "qq": None, "x": "1"}) == 1
    assert profile_filled("junk") == 0


def test_usage_from_is_the_first_month_with_a_day_after_the_end():
    assert usage_from(date(2026, 5, 31)) == date(2026, 6, 1)
    assert usage_from(date(2026, 5, 15)) == date(2026, 5, 1)


# ----- upgrades -------------------------------------------------------------------------------


def test_up2_silent_with_contact_in_3_months_and_complete_profile_becomes_intent():
    f = facts(SILENT, last_contact=months_back(D, 3), profile_filled=5)  # 5/7 ≥ 0.6
    assert moves(f) == [(rules.UP_SILENT_INTENT, INTENT)]


def test_silent_with_contact_but_profile_below_threshold_stays():
    assert moves(facts(SILENT, last_contact=D, profile_filled=4)) == []  # 4/7 < 0.6


def test_profile_threshold_of_one_needs_every_field():
    f = facts(SILENT, last_contact=D, profile_filled=6)
    assert decide(f, D, Decimal("1")) == ()
    assert decide(facts(SILENT, last_contact=D, profile_filled=7), D, Decimal("1"))


def test_up3_silent_with_contact_and_account_becomes_test():
    f = facts(SILENT, last_contact=D - timedelta(days=40), has_account=True)
    assert moves(f) == [(rules.UP_SILENT_TEST, TEST)]


def test_up4_silent_with_contact_account_and_contract_in_force_becomes_contract():
    f = facts(SILENT, last_contact=D, has_account=True, contract_in_force=True)
    assert moves(f) == [(rules.UP_SILENT_CONTRACT, CONTRACT)]


def test_silent_contact_older_than_3_months_does_not_upgrade_it_goes_to_the_pool():
    f = facts(SILENT, last_contact=months_back(D, 3) - timedelta(days=1), has_account=True)
    assert moves(f) == [(rules.SILENT_QUIET, PUBLIC_POOL)]


def test_up5_intent_with_contact_in_15_days_and_account_becomes_test():
    f = facts(INTENT, last_contact=D - timedelta(days=15), has_account=True)
    assert moves(f) == [(rules.UP_INTENT_TEST, TEST)]


def test_up6_intent_with_contact_account_and_contract_becomes_contract():
    f = facts(INTENT, last_contact=D, has_account=True, contract_in_force=True)
    assert moves(f) == [(rules.UP_INTENT_CONTRACT, CONTRACT)]


def test_intent_with_contract_but_no_account_stays_intent():
    assert moves(facts(INTENT, last_contact=D, contract_in_force=True)) == []


def test_intent_contact_16_days_ago_is_no_upgrade_and_a_downgrade():
    f = facts(INTENT, last_contact=D - timedelta(days=16), has_account=True)
    assert moves(f) == [(rules.INTENT_QUIET, SILENT)]


def test_up7_test_with_contact_in_a_month_and_contract_in_force_becomes_contract():
    f = facts(TEST, last_contact=months_back(D, 1), contract_in_force=True)
    assert moves(f) == [(rules.UP_TEST_CONTRACT, CONTRACT)]


def test_test_with_contact_but_no_contract_in_force_stays():
    assert moves(facts(TEST, last_contact=D, contract_end=D - timedelta(days=1))) == []


def test_pool_customers_never_move_by_themselves():
    f = facts(PUBLIC_POOL, last_contact=D, has_account=True, contract_in_force=True,
              profile_filled=7)
    assert moves(f) == []


# ----- downgrades -----------------------------------------------------------------------------


def test_down1_contract_without_contact_for_a_month_is_a_notice_only():
    f = facts(CONTRACT, last_contact=months_back(D, 1) - timedelta(days=1),
              contract_in_force=True, contract_end=date(2027, 6, 30))
    decisions = decide(f, D, THRESHOLD)
    assert decisions == (Decision(rules.CONTRACT_NO_CONTACT, CONTRACT, CONTRACT),)
    assert not decisions[0].is_move


def test_contract_contacted_exactly_a_month_ago_gets_no_notice():
    f = facts(CONTRACT, last_contact=months_back(D, 1), contract_in_force=True)
    assert moves(f) == []


def test_down2_contract_ending_within_a_month_is_a_notice_only():
    f = facts(CONTRACT, last_contact=D, contract_in_force=True, contract_end=add_months(D, 1))
    assert moves(f) == [(rules.CONTRACT_ENDING, CONTRACT)]
    later = facts(CONTRACT, last_contact=D, contract_in_force=True,
                  contract_end=add_months(D, 1) + timedelta(days=1))
    assert moves(later) == []


def test_contract_notices_come_together():
    f = facts(CONTRACT, contract_in_force=True, contract_end=D + timedelta(days=3))
    assert moves(f) == [(rules.CONTRACT_NO_CONTACT, CONTRACT), (rules.CONTRACT_ENDING, CONTRACT)]


def test_down3_contract_expired_3_months_without_renewal_or_usage_becomes_test():
    f = facts(CONTRACT, contract_end=months_back(D, 3))
    assert moves(f) == [(rules.CONTRACT_EXPIRED, TEST)]


def test_contract_expired_less_than_3_months_ago_only_gets_the_contact_notice():
    f = facts(CONTRACT, contract_end=months_back(D, 3) + timedelta(days=1))
    assert moves(f) == [(rules.CONTRACT_NO_CONTACT, CONTRACT)]


def test_contract_expired_with_usage_since_stays():
    f = facts(CONTRACT, contract_end=date(2026, 1, 31), usage_after_end=True)
    assert moves(f) == [(rules.CONTRACT_NO_CONTACT, CONTRACT)]


def test_contract_renewed_stays():
    f = facts(CONTRACT, contract_end=date(2026, 1, 31), contract_in_force=True)
    assert moves(f) == [(rules.CONTRACT_NO_CONTACT, CONTRACT)]


def test_down4_test_without_contact_for_a_month_becomes_intent():
    f = facts(TEST, last_contact=months_back(D, 1) - timedelta(days=1))
    assert moves(f) == [(rules.TEST_QUIET, INTENT)]


def test_down5_intent_without_contact_for_15_days_becomes_silent():
    assert moves(facts(INTENT, last_contact=D - timedelta(days=16))) == [
        (rules.INTENT_QUIET, SILENT)]


def test_intent_contacted_15_days_ago_stays():
    assert moves(facts(INTENT, last_contact=D - timedelta(days=15))) == []


def test_down6_silent_without_contact_for_3_months_goes_to_the_pool():
    assert moves(facts(SILENT)) == [(rules.SILENT_QUIET, PUBLIC_POOL)]


def test_silent_contacted_exactly_3_months_ago_stays_without_profile():
    assert moves(facts(SILENT, last_contact=months_back(D, 3))) == []


# ----- windows without contact: counted from when the customer entered its tier ---------------


def test_a_customer_that_just_entered_its_tier_is_not_demoted_the_next_day():
    f = facts(INTENT, tier_since=D - timedelta(days=1))
    assert moves(f) == []
    assert moves(facts(INTENT, tier_since=D - timedelta(days=15))) == []
    assert moves(facts(INTENT, tier_since=D - timedelta(days=16))) == [
        (rules.INTENT_QUIET, SILENT)]


def test_a_new_customer_is_measured_from_its_creation():
    f = facts(INTENT, tier_since=D - timedelta(days=3), created_on=D - timedelta(days=3))
    assert moves(f) == []


def test_tier_since_does_not_stand_in_for_a_contact_when_upgrading():
    f = facts(INTENT, tier_since=D, has_account=True)
    assert moves(f) == []


def test_the_contact_that_did_not_keep_a_customer_up_does_not_lift_it_back():
    """Intent demoted today for 15 quiet days: its 20-day-old contact (in silent's 3-month
    window) does not make it test tomorrow; a new contact does."""
    demoted = facts(SILENT, tier_since=D - timedelta(days=1),
                    last_contact=D - timedelta(days=20), has_account=True)
    assert moves(demoted) == []
    contacted = facts(SILENT, tier_since=D - timedelta(days=1), last_contact=D,
                      has_account=True)
    assert moves(contacted) == [(rules.UP_SILENT_TEST, TEST)]


# ----- the trap question ----------------------------------------------------------------------


@pytest.mark.parametrize("tier,window_day", [
    (CONTRACT, months_back(D, 1)), (TEST, months_back(D, 1)),
    (INTENT, D - timedelta(days=15)), (SILENT, months_back(D, 3)),
])
def test_trap_a_contact_log_in_the_window_prevents_any_downgrade(tier, window_day):
    """只要有联系日志，证明还在争取跟客户的沟通，是不会降级的 — even on the window's first day,
    and even for an expired contract without usage."""
    f = facts(tier, last_contact=window_day, contract_end=date(2025, 6, 30))
    assert not any(d.is_move and rules.TIERS.index(d.to_tier) > rules.TIERS.index(tier)
                   for d in decide(f, D, THRESHOLD))
    assert not any(d.rule.startswith("down") for d in decide(f, D, THRESHOLD))


def test_trap_silent_customer_with_a_contact_log_never_falls_into_the_pool():
    f = facts(SILENT, last_contact=D - timedelta(days=80))
    assert moves(f) == []
