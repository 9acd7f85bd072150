"""The notice catalogue: every kind declared once, drawn by each of its channels' senders, and
keyed as the rows already stored are keyed (so they still dedupe)."""

from __future__ import annotations

from datetime import date

from bot.senders import RENDERERS
from bot.templates import DEFAULTS as WECHAT_TEMPLATES
from domain.notices import catalogue as c
from domain.notices.catalogue import CATALOGUE, MANAGERS, Channel, Kind, Render

DAY = date(2026, 11, 23)
CONTACT, STAFF = c.contact_recipient(7, "陈会计"), c.staff_recipient(3, "李业务")


def test_every_kind_is_declared_with_a_label_a_payload_and_channels():
    assert set(CATALOGUE) == set(Kind)
    for kind, spec in CATALOGUE.items():
        assert spec.label and spec.channels, kind
        assert spec.payload.__annotations__, kind


def test_every_kind_has_a_renderer_for_each_of_its_channels():
    for kind, spec in CATALOGUE.items():
        for channel, render in spec.renders.items():
            assert kind in RENDERERS[channel][render], (kind, channel, render)
            if render is Render.TEMPLATE:
                assert kind in WECHAT_TEMPLATES, kind


def test_no_renderer_is_registered_for_an_undeclared_kind_or_channel():
    for channel, registries in RENDERERS.items():
        for render, registry in registries.items():
            for kind in registry:
                assert isinstance(kind, Kind), kind
                assert CATALOGUE[kind].renders.get(channel) is render, (kind, channel, render)
    for kind in WECHAT_TEMPLATES:
        assert CATALOGUE[Kind(kind)].renders.get(Channel.WECHAT) is Render.TEMPLATE, kind


def test_a_notice_is_refused_on_a_channel_its_kind_is_not_declared_for():
    c.check_channel(Kind.DISPUTE_ALERT, Channel.DINGTALK_GROUP)
    try:
        c.check_channel(Kind.STATEMENT_ISSUED, Channel.DINGTALK)
    except ValueError:
        return
    raise AssertionError("a statement notice was accepted for DingTalk")


def test_the_dedupe_keys_are_the_formats_stored_rows_carry():
    assert c.statement_issued_key(5, CONTACT) == "statement_issued:5:contact:7"
    assert c.statement_issued_key(5, CONTACT).startswith(c.statement_issued_prefix(5))
    assert c.statement_disputed_key(5, 9, STAFF) == "statement_disputed:5:9:staff:3"
    assert c.dispute_alert_key(5, 9, MANAGERS) == "statement_disputed:5:9:managers"
    assert c.delivery_dead_key(11, MANAGERS) == "delivery_dead:11:managers"
    assert c.approval_task_key(4, STAFF) == "approval_task:4:staff:3"
    assert c.approval_task_closed_key(4, STAFF) == "approval_task_closed:4:staff:3"
    assert c.approval_outcome_key(2, 8, "approved", STAFF) == \
        "approval_outcome:2:8:approved:staff:3"
    assert c.approval_reminder_key(4, DAY, STAFF) == "approval_reminder:4:2026-11-23:staff:3"
    assert c.pool_payment_refused_key(6, "no_bills", STAFF) == \
        "pool_payment_refused:6:no_bills:staff:3"
    assert c.credit_limit_exceeded_key(12, 2, STAFF) == "credit_limit_exceeded:12:2:staff:3"
    assert c.handover_summary_key(DAY, STAFF) == "handover_summary:2026-11-23:staff:3"
    assert c.handover_pending_key(DAY, STAFF) == "handover_pending:2026-11-23:staff:3"
    assert c.credit_overuse_key("XSTH-1", STAFF) == "credit_overuse:XSTH-1:staff:3"
    assert c.credit_overuse_key("XSTH-1", MANAGERS) == "credit_overuse:XSTH-1:managers"


def test_the_digest_keys_hash_what_they_list_as_before():
    # sha1 of "1/due,2/before:7", of "1/due", of "1/before:7", of "1,2"; sha256 of "a\nb"
    assert c.overdue_alert_key(DAY, [(2, "before:7"), (1, "due")], MANAGERS) == \
        "overdue_alert:2026-11-23:group:577bcb8a4ab0:managers"
    assert c.overdue_alert_key(DAY, [(1, "due")], STAFF) == \
        "overdue_alert:2026-11-23:staff-3:427b3f1f0faf:staff:3"
    assert c.debt_digest_key(DAY, [(1, "due")], STAFF) == \
        "debt_digest:2026-11-23:staff-3:427b3f1f0faf:staff:3"
    assert c.repayment_reminder_key(DAY, [(1, "before:7")], CONTACT) == \
        "repayment_reminder:2026-11-23:contact-7:c0fafc6ca97f:contact:7"
    assert c.overdue_notice_key(DAY, [(1, "due")], CONTACT) == \
        "overdue_notice:2026-11-23:contact-7:427b3f1f0faf:contact:7"
    assert c.tier_digest_key(DAY, [2, 1], STAFF) == "tier_digest:2026-11-23:2219fecb861a:staff:3"
    assert c.billing_exceptions_key(["b", "a"], STAFF) == \
        "billing_exceptions:staff:3:7e18f737311b2dc3b2f269dd78396b0351f14fb6"
