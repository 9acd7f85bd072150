"""Delivery rules without a database: backoff, rate limits, templates, texts, error mapping."""

from __future__ import annotations

import random

import pytest

from bot.senders import (
    _wechat_failure,
    dead_alert_text,
    dispute_markdown,
)
from bot.templates import load_templates
from bot.texts import plain
from bot.wechat import WeChatError
from domain.delivery import NO_CHANNEL
from jobs.dispatcher import TokenBucket, WindowLimiter, backoff_seconds


class FakeTime:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_backoff_is_full_jitter_under_an_exponential_cap():
    rng = random.Random(5)
    for attempts, ceiling in ((1, 30), (2, 60), (4, 240), (12, 3600)):
        delays = [backoff_seconds(attempts, 30, rng) for _ in range(200)]
        assert 0 <= min(delays) and max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8  # spread over the whole range


def test_a_token_bucket_allows_its_burst_then_spaces_callers_by_the_rate():
    clock = FakeTime()
    bucket = TokenBucket(10, capacity=3, monotonic=clock)
    assert [bucket.reserve() for _ in range(3)] == [0, 0, 0]
    assert bucket.reserve() == pytest.approx(0.1)
    assert bucket.reserve() == pytest.approx(0.2)
    clock.now += 1.0
    assert bucket.reserve() == 0


def test_the_group_robot_limit_never_exceeds_20_in_any_minute():
    clock = FakeTime()
    limiter = WindowLimiter(20, 60.0, monotonic=clock)
    sends = []
    for _ in range(45):
        sends.append(clock.now + limiter.reserve())
        clock.now += 0.5
    for start in sends:
        assert sum(1 for t in sends if start <= t < start + 60) <= 20
    assert sends[20] == pytest.approx(sends[0] + 60)


def test_templates_default_for_the_demo_and_are_overridden_per_kind():
    templates = load_templates('{"statement_issued": {"template_id": "REAL-ID"}}')
    issued = templates["statement_issued"]
    assert issued.template_id == "REAL-ID" and issued.fields["thing1"] == "customer"
    assert issued.mp_template_id == "demo-mp-statement-issued"
    assert set(templates) == {"statement_issued", "repayment_reminder", "overdue_notice"}


@pytest.mark.parametrize("raw", ["{not json", '{"statement_issued": {"templat_id": "x"}}',
                                 '["x"]', '{"new_kind": {"fields": {}}}'])
def test_bad_template_settings_fail_at_start_up(raw):
    with pytest.raises(ValueError):
        load_templates(raw)


def test_a_customers_words_cannot_add_links_or_markup_to_a_managers_message():
    cleaned = plain("看 [这里](http://evil) **急**\n# 标题", 100)
    assert cleaned == "看 ［这里］（http://evil） ＊＊急＊＊ ＃ 标题"
    title, text = dispute_markdown({"customer": "联想", "closing": "-0.001",
                                    "description": "x", "date_from": "a", "date_to": "b"})
    assert title == "对账异议：联想" and "期末应收：¥0.00" in text and "查看" not in text


def test_the_dead_alert_says_what_failed_and_for_whom():
    text = dead_alert_text({"kind": "statement_issued", "recipient_name": "陈会计",
                            "customer": "联想", "attempts": 8, "error": "wechat 43004: x",
                            "outbox_id": 7})
    assert text.splitlines()[0] == "【通知投递失败】对账单通知 → 陈会计（联想）"
    assert "已尝试 8 次" in text and "43004" in text and "7" in text


@pytest.mark.parametrize("errcode, retryable, alert, reason", [
    (None, True, True, "wechat None"), (-1, True, True, "wechat -1"),
    (45009, True, True, "wechat 45009"), (42001, True, True, "wechat 42001"),
    (43004, False, True, "wechat 43004"),
    (40003, False, True, "wechat 40003"), (43101, False, False, NO_CHANNEL),
])
def test_wechat_errors_map_to_retry_or_give_up(errcode, retryable, alert, reason):
    failure = _wechat_failure(WeChatError(errcode, "x"))
    assert (failure.retryable, failure.alert) == (retryable, alert)
    assert failure.reason.startswith(reason)
