"""POST /deliveries/{id}/resend and /deliveries/resend-failed: a failed notice goes back to the
queue (finance and admin only), a sent or waiting one is refused 409 and left as it was, and the
ledger reads each row's state, channel and reason in words."""

from __future__ import annotations

from domain.notices.models import OutboxMessage
from domain.org.models import Staff
from tests.support.delivery import failed_statement_notice

BO = "/api/backoffice/v1"


async def dead_notice(client, admin, settings, fake_wechat, fake_dingtalk, make_dispatcher):
    row, _ = await failed_statement_notice(client, admin, settings, fake_wechat, fake_dingtalk,
                                           make_dispatcher)
    return row


async def test_finance_resends_a_dead_notice_once(
    client, admin, finance, settings, fake_wechat, fake_dingtalk, make_dispatcher
):
    row = await dead_notice(client, admin, settings, fake_wechat, fake_dingtalk, make_dispatcher)
    [entry] = (await (await client.get(f"{BO}/deliveries?state=failed", headers=finance)).json()
               )["items"]
    assert (entry["id"], entry["state"], entry["state_label"], entry["resendable"]) == (
        row.id, "failed", "失败", True)
    assert (entry["kind_label"], entry["channel_label"], entry["customer"]) == (
        "对账单通知", "微信模板消息", "联想")

    response = await client.post(f"{BO}/deliveries/{row.id}/resend", headers=finance)

    assert response.status == 200
    body = await response.json()
    assert (body["id"], body["status"], body["state"], body["attempts"], body["reason"]) == (
        row.id, "pending", "queued", 0, "")
    again = await client.post(f"{BO}/deliveries/{row.id}/resend", headers=finance)
    assert again.status == 409
    assert (await again.json())["error"]["code"] == "notice_not_resendable"
    assert (await OutboxMessage.get(id=row.id)).status == "pending"


async def test_a_sent_notice_an_unknown_one_and_a_salesperson_are_refused(
    client, admin, make_key, settings, fake_wechat, fake_dingtalk, make_dispatcher
):
    row = await dead_notice(client, admin, settings, fake_wechat, fake_dingtalk, make_dispatcher)
    sales = await make_key("sales", (await Staff.get(dingtalk_userid="sales-li")).id)
    alert = await OutboxMessage.get(kind="delivery_dead")
    refused = await client.post(f"{BO}/deliveries/{alert.id}/resend", headers=admin)
    assert refused.status == 409
    assert (await OutboxMessage.get(id=alert.id)).status == "sent"
    missing = await client.post(f"{BO}/deliveries/99999999/resend", headers=admin)
    assert missing.status == 404
    assert (await missing.json())["error"]["code"] == "notice_not_found"
    forbidden = await client.post(f"{BO}/deliveries/{row.id}/resend", headers=sales)
    assert forbidden.status == 403
    assert (await OutboxMessage.get(id=row.id)).status == "dead"


async def test_resend_failed_of_a_day_and_the_ledger_filters(
    client, admin, finance, settings, fake_wechat, fake_dingtalk, make_dispatcher
):
    row = await dead_notice(client, admin, settings, fake_wechat, fake_dingtalk, make_dispatcher)
    bad = await client.get(f"{BO}/deliveries?state=lost", headers=finance)
    assert bad.status == 400
    bad = await client.get(f"{BO}/deliveries?channel=fax", headers=finance)
    assert bad.status == 400
    group = await (await client.get(f"{BO}/deliveries?channel=dingtalk_group",
                                    headers=finance)).json()
    assert [i["kind"] for i in group["items"]] == ["delivery_dead"]

    response = await client.post(f"{BO}/deliveries/resend-failed", headers=finance,
                                 json={"date": "2026-11-23"})

    assert response.status == 200
    assert await response.json() == {"date": "2026-11-23", "count": 1}
    assert (await OutboxMessage.get(id=row.id)).status == "pending"
    missing = await client.post(f"{BO}/deliveries/resend-failed", headers=finance, json={})
    assert missing.status == 400
