"""The tier funnel's rules (SPEC §8, seed 004 升降级规则) as one pure function: a customer's
facts on a day in, what happens to it out. No database, no clock.

Tiers, top to bottom: contract, test, intent, silent, pool.

Windows are counted back from the day ``D`` of the run: "3 months" and "1 month" are calendar
months (2026-05-31 minus one month is 2026-04-30), "15 days" is 15 days. A contact log counts
for a window when it is dated on or after the window's first day and on or before ``D``: a log
exactly one month (or 15 days) old still counts, one day older does not.

Upgrades need a real contact log in the window, made on or after the day the customer entered
its tier (decision: else the contact that failed to keep a customer up lifts it straight back,
and it cycles test → intent → silent → test). Downgrades need a whole window without one,
measured from the customer's *anchor* — the latest of its last contact, the day it entered its
tier (``tier_since``) and the day it was created — so a customer that just entered a tier (or
was just created) is not moved down the next day for lack of contacts it could not have had.

The trap question of the seed's exam: a customer with any contact log in its tier's window is
never moved down. Every downgrade goes through ``_quiet`` (no contact in the window), including
the expired contract's, which also needs no usage since expiry.

"Contract flow archived" (合同流程归档) is read as: an archived contract in force on ``D``
(``starts_on <= D``, no end or ``ends_on >= D``) — for every upgrade to contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.dates import add_months

CONTRACT, TEST, INTENT, SILENT, PUBLIC_POOL = "contract", "test", "intent", "silent", "pool"
TIERS = (CONTRACT, TEST, INTENT, SILENT, PUBLIC_POOL)
TIER_LABELS = {CONTRACT: "合同客户", TEST: "测试客户", INTENT: "意向客户", SILENT: "沉默客户",
               PUBLIC_POOL: "公共池客户"}

# Profile fields (seed 004: 手机+人名+职位、电话、QQ、微信、邮件) scored for completeness.
PROFILE_FIELDS = ("contact_name", "mobile", "position", "telephone", "qq", "wechat", "email")
PROFILE_LABELS = {"contact_name": "联系人", "mobile": "手机", "position": "职位",
                  "telephone": "电话", "qq": "QQ", "wechat": "微信", "email": "邮箱"}

# Rule ids, as stored in tier_change.rule (upgrade 1 is the pool claim, an approval).
POOL_CLAIM = "pool_claim"
UP_SILENT_INTENT = "up2_silent_intent"
UP_SILENT_TEST = "up3_silent_test"
UP_SILENT_CONTRACT = "up4_silent_contract"
UP_INTENT_TEST = "up5_intent_test"
UP_INTENT_CONTRACT = "up6_intent_contract"
UP_TEST_CONTRACT = "up7_test_contract"
CONTRACT_NO_CONTACT = "down1_contract_no_contact"  # notice only
CONTRACT_ENDING = "down2_contract_ending"  # notice only
CONTRACT_EXPIRED = "down3_contract_expired"
TEST_QUIET = "down4_test_intent"
INTENT_QUIET = "down5_intent_silent"
SILENT_QUIET = "down6_silent_pool"

RULE_LABELS = {
    POOL_CLAIM: "公共池客户申请通过，升级为意向客户",
    UP_SILENT_INTENT: "沉默客户 3 个月内有联系日志且资料完善，升级为意向客户",
    UP_SILENT_TEST: "沉默客户 3 个月内有联系日志且有测试账号或产品账号，升级为测试客户",
    UP_SILENT_CONTRACT: "沉默客户 3 个月内有联系日志、有账号且合同已归档，升级为合同客户",
    UP_INTENT_TEST: "意向客户 15 日内有联系日志且有测试账号或产品账号，升级为测试客户",
    UP_INTENT_CONTRACT: "意向客户 15 日内有联系日志、有账号且合同已归档，升级为合同客户",
    UP_TEST_CONTRACT: "测试客户 1 个月内有联系日志且合同在有效期内，升级为合同客户",
    CONTRACT_NO_CONTACT: "合同客户 1 个月没有联系日志",
    CONTRACT_ENDING: "合同客户的合同将在 1 个月内到期",
    CONTRACT_EXPIRED: "合同到期 3 个月未续签且无发送量，降级为测试客户",
    TEST_QUIET: "测试客户 1 个月没有联系日志，降级为意向客户",
    INTENT_QUIET: "意向客户 15 日没有联系日志，降级为沉默客户",
    SILENT_QUIET: "沉默客户 3 个月没有联系日志，降入公共池",
}
NOTICE_RULES = frozenset({CONTRACT_NO_CONTACT, CONTRACT_ENDING})


@dataclass(frozen=True)
class Facts:
    """What the rules need to know of one customer on the day of the run."""

    tier: str
    tier_since: date  # the day it entered its tier (its creation day when never moved)
    created_on: date
    last_contact: date | None = None  # the latest contact log on or before the day
    profile_filled: int = 0  # how many of PROFILE_FIELDS are filled in
    has_account: bool = False  # an archived test account, or an account of one of its products
    contract_in_force: bool = False  # an archived contract with starts_on <= D <= ends_on
    # The latest end of its archived contracts; None when it has none, or one without an end.
    contract_end: date | None = None
    usage_after_end: bool = False  # usage (quantity > 0) in a month after contract_end


@dataclass(frozen=True)
class Decision:
    """A move to ``to_tier`` by ``rule``, or a notice (``to_tier`` is the current tier)."""

    rule: str
    from_tier: str
    to_tier: str

    @property
    def is_move(self) -> bool:
        return self.from_tier != self.to_tier


def months_back(day: date, months: int) -> date:
    """``day`` minus calendar months, the day of month clamped (03-31 minus 1 → 02-28)."""
    return add_months(day, -months)


def window_start(tier: str, day: date) -> date:
    """The first day of the tier's contact window ending on ``day``."""
    if tier == INTENT:
        return day - timedelta(days=15)
    if tier == SILENT:
        return months_back(day, 3)
    return months_back(day, 1)  # contract and test


def profile_filled(profile: Any) -> int:
    """How many of the profile fields hold a non-blank value."""
    if not isinstance(profile, dict):
        return 0
    return sum(1 for name in PROFILE_FIELDS if str(profile.get(name) or "").strip())


def profile_complete(filled: int, threshold: Decimal) -> bool:
    """Filled share at least the threshold (seed: 完善率高于一定阈值; a share equal to the
    threshold counts, so a threshold of 1 means every field)."""
    return Decimal(filled) >= threshold * len(PROFILE_FIELDS)


def decide(facts: Facts, day: date, threshold: Decimal) -> tuple[Decision, ...]:
    """The move the customer makes on ``day`` (one), or the notices it gets, or nothing."""
    step = RULES.get(facts.tier)
    return step(facts, day, threshold) if step else ()


def _contacted(facts: Facts, day: date) -> bool:
    """A contact log in the tier's window (what keeps a customer from moving down)."""
    start = window_start(facts.tier, day)
    return facts.last_contact is not None and start <= facts.last_contact <= day


def _contacted_since_entry(facts: Facts, day: date) -> bool:
    """A contact log in the window, made since the customer entered its tier (what every
    upgrade needs): the contact that did not keep a customer up does not lift it back the
    next day — intent demoted for 15 quiet days would else rise to test on a 3-month-old
    contact, and fall and rise again."""
    # _contacted has checked last_contact is not None.
    return _contacted(facts, day) and facts.last_contact >= facts.tier_since  # type: ignore[operator]


def _quiet(facts: Facts, day: date) -> bool:
    """No contact log in the tier's window, counted from the anchor (what every downgrade
    needs — the trap: any contact log in the window keeps the customer where it is)."""
    anchor = max(d for d in (facts.last_contact, facts.tier_since, facts.created_on) if d)
    return anchor < window_start(facts.tier, day) and not _contacted(facts, day)


def _move(rule: str, facts: Facts, to_tier: str) -> tuple[Decision, ...]:
    return (Decision(rule, facts.tier, to_tier),)


def _contract(facts: Facts, day: date, threshold: Decimal) -> tuple[Decision, ...]:
    expired = (not facts.contract_in_force and facts.contract_end is not None
               and facts.contract_end <= months_back(day, 3))
    if _quiet(facts, day) and expired and not facts.usage_after_end:
        return _move(CONTRACT_EXPIRED, facts, TEST)
    notices = []
    if _quiet(facts, day):
        notices.append(Decision(CONTRACT_NO_CONTACT, CONTRACT, CONTRACT))
    if facts.contract_end is not None and day <= facts.contract_end <= add_months(day, 1):
        notices.append(Decision(CONTRACT_ENDING, CONTRACT, CONTRACT))
    return tuple(notices)


def _test(facts: Facts, day: date, threshold: Decimal) -> tuple[Decision, ...]:
    if _contacted_since_entry(facts, day) and facts.contract_in_force:
        return _move(UP_TEST_CONTRACT, facts, CONTRACT)
    if _quiet(facts, day):
        return _move(TEST_QUIET, facts, INTENT)
    return ()


def _intent(facts: Facts, day: date, threshold: Decimal) -> tuple[Decision, ...]:
    if _contacted_since_entry(facts, day) and facts.has_account:
        if facts.contract_in_force:
            return _move(UP_INTENT_CONTRACT, facts, CONTRACT)
        return _move(UP_INTENT_TEST, facts, TEST)
    if _quiet(facts, day):
        return _move(INTENT_QUIET, facts, SILENT)
    return ()


def _silent(facts: Facts, day: date, threshold: Decimal) -> tuple[Decision, ...]:
    if _contacted_since_entry(facts, day):
        if facts.has_account and facts.contract_in_force:
            return _move(UP_SILENT_CONTRACT, facts, CONTRACT)
        if facts.has_account:
            return _move(UP_SILENT_TEST, facts, TEST)
        if profile_complete(facts.profile_filled, threshold):
            return _move(UP_SILENT_INTENT, facts, INTENT)
        return ()
    if _quiet(facts, day):
        return _move(SILENT_QUIET, facts, PUBLIC_POOL)
    return ()


# The public pool has no automatic rule: a customer leaves it only through an approved claim.
RULES = {CONTRACT: _contract, TEST: _test, INTENT: _intent, SILENT: _silent}


def usage_from(contract_end: date) -> date:
    """The first usage month that has a day after the contract's end: usage there counts as
    usage since expiry (a contract ending mid-month counts that month's usage, as the
    customer may have sent after the end)."""
    return (contract_end + timedelta(days=1)).replace(day=1)


def parse_threshold(text: str) -> Decimal:
    """The completeness threshold setting, a share between 0 and 1."""
    value = Decimal(str(text).strip())
    if not value.is_finite() or not 0 <= value <= 1:
        raise ValueError(f"tier_profile_threshold must be between 0 and 1: {text!r}")
    return value
