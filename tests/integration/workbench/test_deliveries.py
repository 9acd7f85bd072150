"""发送记录 in the workbench: the day's ledger with names, channels, states and reasons in words,
重发 of a failed notice (which the dispatcher then sends), the bulk resend of a day, and the
period summary — for finance and admin only, as the API's GET /deliveries."""

from __future__ import annotations

import re

import pytest

from domain.notices.models import OutboxMessage
from domain.system.models import AuditLog
from tests.support.delivery import failed_statement_notice
from tests.support.workbench import WB, post_form, sign_in

DAY = "2026-11-23"  # the clock fixture's today


@pytest.fixture
async def failed_notice(client, admin, settings, fake_wechat, fake_dingtalk, make_dispatcher):
    """A dead statement notice to 陈会计 (WeChat answered 500) and its managers' alert, sent."""
    row, statement = await failed_statement_notice(client, admin, settings, fake_wechat,
                                                   fake_dingtalk, make_dispatcher)
    return {"row": row, "statement": statement}


def row_html(html: str, row_id: int) -> str:
    found = re.search(rf'<tr id="delivery-{row_id}".*?</tr>', html, re.S)
    assert found, f"row {row_id} not shown"
    return found.group(0)


async def test_the_ledger_shows_what_to_whom_how_where_it_stands_and_why(client, failed_notice):
    await sign_in(client, "finance", name="钱会计")
    html = await (await client.get(f"{WB}/deliveries")).text()  # today by the clock

    row = row_html(html, failed_notice["row"].id)
    statement_id = failed_notice["statement"]["id"]
    assert "对账单通知" in row and "联想" in row and "陈会计" in row
    assert f'href="{WB}/statements/{statement_id}"' in row
    assert "微信模板消息" in row and "失败" in row
    assert "发送失败（已尝试 1 次）：微信接口没有正常应答（HTTP 500）" in row
    assert "重发" in row
    alert = await OutboxMessage.get(kind="delivery_dead")
    alert_row = row_html(html, alert.id)
    assert "通知投递失败" in alert_row and "管理群" in alert_row and "钉钉群机器人" in alert_row
    assert "已发送" in alert_row and "重发" not in alert_row
    assert "o-chen" not in html and "statement_issued" not in html  # no ids, no codes
    assert re.search(r'data-state="failed">\s*<span class="label">失败</span>\s*'
                     r'<span class="value neg">1</span>', html)


async def test_the_ledger_filters_by_state_and_channel_and_by_day(client, failed_notice):
    await sign_in(client, "admin")
    failed = await (await client.get(f"{WB}/deliveries?date={DAY}&state=failed")).text()
    assert 'id="delivery-' in failed and "通知投递失败" not in failed
    group = await (await client.get(f"{WB}/deliveries?date={DAY}&channel=dingtalk_group")).text()
    assert "通知投递失败" in group and "对账单通知" not in group
    other_day = await (await client.get(f"{WB}/deliveries?date=2026-11-22")).text()
    assert "2026-11-22 没有发送记录" in other_day
    bad = await client.get(f"{WB}/deliveries?date=2026-13-45")
    assert bad.status == 400 and "日期格式不对" in await bad.text()


async def test_resend_puts_a_dead_row_back_and_the_dispatcher_sends_it(
    client, failed_notice, delivery_settings, make_dispatcher, fake_wechat
):
    row = failed_notice["row"]
    csrf = await sign_in(client, "finance", name="钱会计")

    response = await post_form(client, f"{WB}/deliveries/{row.id}/resend", csrf,
                               {"date": DAY, "state": "failed"}, allow_redirects=False)

    assert response.status == 303
    assert response.headers["Location"] == f"{WB}/deliveries?date={DAY}&state=failed"
    again = await OutboxMessage.get(id=row.id)
    assert (again.status, again.attempts, again.last_error) == ("pending", 0, "")
    audit = await AuditLog.get(action="resend", entity="outbox", entity_id=str(row.id))
    assert audit.actor == "staff:钱会计"
    assert audit.detail["last_error"] == "wechat None: HTTP 500"
    page = await (await client.get(f"{WB}/deliveries?date={DAY}")).text()
    assert "已重新排队发送：对账单通知 → 陈会计" in page
    assert "待发送" in row_html(page, row.id) and "重发" not in row_html(page, row.id)

    await (await make_dispatcher(delivery_settings)).run_until_empty()

    sent = await OutboxMessage.get(id=row.id)
    assert (sent.status, sent.attempts) == ("sent", 1)
    [message] = [m for m in fake_wechat.sent if m["payload"]["touser"] == "o-chen"]
    assert message["kind"] == "template"
    page = await (await client.get(f"{WB}/deliveries?date={DAY}")).text()
    assert "已发送" in row_html(page, row.id)


async def test_resending_a_sent_row_is_refused_and_changes_nothing(client, failed_notice):
    alert = await OutboxMessage.get(kind="delivery_dead")  # sent to the managers' group
    csrf = await sign_in(client, "finance")

    response = await post_form(client, f"{WB}/deliveries/{alert.id}/resend", csrf, {"date": DAY})

    assert response.status == 409
    assert "这条通知已发送，不能重发" in await response.text()
    same = await OutboxMessage.get(id=alert.id)
    assert (same.status, same.attempts, same.sent_at) == ("sent", 1, alert.sent_at)
    assert not await AuditLog.filter(action="resend").exists()
    missing = await post_form(client, f"{WB}/deliveries/99999999/resend", csrf, {"date": DAY})
    assert missing.status == 404 and "发送记录 99999999 不存在" in await missing.text()
    for bad_id in ("abc", "9" * 40):
        response = await post_form(client, f"{WB}/deliveries/{bad_id}/resend", csrf, {"date": DAY})
        assert response.status == 404
    bad_day = await post_form(client, f"{WB}/deliveries/resend-failed", csrf, {"date": "23/11"})
    assert bad_day.status == 400 and "日期格式不对" in await bad_day.text()
    assert (await OutboxMessage.get(kind="statement_issued")).status == "dead"


async def test_resend_all_failed_of_a_day_takes_failed_and_retrying_rows_only(
    client, failed_notice
):
    dead = failed_notice["row"]
    retrying = await OutboxMessage.create(**_copy(dead, "retrying", status="pending", attempts=2,
                                                  last_error="wechat -1: system busy"))
    undelivered = await OutboxMessage.create(**_copy(
        dead, "undelivered", status="dead", attempts=1,
        last_error="no_channel: 客户已取消关注公众号，且未使用小程序"))
    csrf = await sign_in(client, "admin")
    page = await (await client.get(f"{WB}/deliveries?date={DAY}")).text()
    assert "当天有 2 条失败或重试中的通知" in page
    assert "客户已取消关注公众号，且未使用小程序" in row_html(page, undelivered.id)
    assert ("第 2 次发送失败，将自动重试：微信系统繁忙（错误码 -1：system busy）"
            in row_html(page, retrying.id))

    response = await post_form(client, f"{WB}/deliveries/resend-failed", csrf, {"date": DAY})

    assert response.status == 200  # followed the redirect to the ledger
    assert "已将 2026-11-23 的 2 条失败通知重新排队发送" in await response.text()
    states = {r.id: (r.status, r.attempts) for r in await OutboxMessage.filter(
        id__in=[dead.id, retrying.id, undelivered.id])}
    assert states == {dead.id: ("pending", 0), retrying.id: ("pending", 0),
                      undelivered.id: ("dead", 1)}
    audit = await AuditLog.get(action="resend_failed")
    assert (audit.entity_id, audit.detail) == (DAY, {"count": 2})
    response = await post_form(client, f"{WB}/deliveries/resend-failed", csrf, {"date": DAY})
    assert "没有可重发的失败通知" in await response.text()


def _copy(row: OutboxMessage, tag: str, **changes) -> dict:
    return {"channel": row.channel, "kind": row.kind, "recipient_kind": row.recipient_kind,
            "recipient_id": row.recipient_id, "recipient_name": row.recipient_name,
            "payload": row.payload, "dedupe_key": f"{row.dedupe_key}:{tag}",
            "next_attempt_at": row.next_attempt_at, "business_date": row.business_date,
            "created_at": row.created_at, **changes}


async def test_the_period_summary_counts_each_day_by_status(client, failed_notice):
    await sign_in(client, "finance")
    html = await (await client.get(
        f"{WB}/deliveries/summary?from=2026-11-20&to=2026-11-23")).text()
    day = re.search(rf'<tr id="day-{DAY}">.*?</tr>', html, re.S).group(0)
    assert f'href="{WB}/deliveries?date={DAY}"' in day
    assert re.search(r'data-label="合计">2<', day)
    assert re.search(r'data-status="sent">1<', day) and re.search(r'data-status="dead">1<', day)
    empty = await (await client.get(
        f"{WB}/deliveries/summary?from=2026-10-01&to=2026-10-02")).text()
    assert "2026-10-01 至 2026-10-02 没有发送记录" in empty
    backwards = await client.get(f"{WB}/deliveries/summary?from=2026-11-23&to=2026-11-01")
    assert backwards.status == 400 and "开始日期不能晚于结束日期" in await backwards.text()


async def test_a_salesperson_is_refused_the_ledger_and_the_resend(client, failed_notice):
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    assert (await client.get(f"{WB}/deliveries")).status == 403
    assert (await client.get(f"{WB}/deliveries/summary")).status == 403
    row = failed_notice["row"]
    response = await post_form(client, f"{WB}/deliveries/{row.id}/resend", csrf, {"date": DAY})
    assert response.status == 403
    assert (await OutboxMessage.get(id=row.id)).status == "dead"
