"""How the delivery ledger reads an outbox row: its state, how it went out, its error in words."""

from __future__ import annotations

import pytest

from domain.notices.ledger import RESENDABLE, State, error_in_words, how_sent, state_of


@pytest.mark.parametrize(("status", "attempts", "error", "state"), [
    ("pending", 0, "", State.QUEUED),
    ("pending", 2, "wechat -1: system busy", State.RETRYING),
    ("sending", 1, "", State.SENDING),
    ("sent", 1, "", State.SENT),
    ("dead", 3, "wechat 40003: invalid openid", State.FAILED),
    ("dead", 1, "no_channel: 客户已取消关注公众号，且未使用小程序", State.UNDELIVERED),
    ("dead", 1, "no_channel", State.UNDELIVERED),
])
def test_each_row_has_one_state(status, attempts, error, state):
    assert state_of(status, attempts, error) == state


def test_only_rows_nobody_is_sending_may_be_resent():
    assert RESENDABLE == {State.RETRYING, State.FAILED, State.UNDELIVERED}


@pytest.mark.parametrize(("error", "words"), [
    ("wechat None: HTTP 500", "微信接口没有正常应答（HTTP 500）"),
    ("wechat 40003: invalid openid",
     "联系人的微信身份（openid）无效（错误码 40003：invalid openid）"),
    ("wechat 48001: api unauthorized", "微信拒收了这条消息（错误码 48001：api unauthorized）"),
    ("dingtalk 403 Forbidden.AccessDenied: no permission",
     "钉钉拒收了这条消息（403 Forbidden.AccessDenied：no permission）"),
    ("webhook answered 502: bad gateway", "ERP 接口回复 HTTP 502：bad gateway"),
    ("template data: thing1 too long", "template data: thing1 too long"),
])
def test_failures_read_in_words_keeping_the_code(error, words):
    assert error_in_words(error) == words


def test_how_a_notice_goes_out_comes_from_the_catalogue_and_the_send():
    assert how_sent("wechat", "statement_issued", "123") == "微信模板消息"
    assert how_sent("wechat", "statement_issued", "subscribe:9") == "小程序订阅消息"
    assert how_sent("dingtalk", "approval_task", "") == "钉钉互动卡片"
    assert how_sent("dingtalk_group", "delivery_dead", "") == "钉钉群机器人"
    assert how_sent("fax", "retired_kind", "") == "fax"
