"""The stream client and the staff bot against the fake DingTalk gateway on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bot.dingtalk_stream import running, stop
from domain.customers.models import Contact
from domain.notices.models import OutboxMessage
from domain.statements.models import Statement, StatementLine
from domain.system.models import InboundMessage
from tests.fakes.dingtalk import CLIENT_ID
from tests.support import INGEST, post_ok, seed
from tests.support.dingtalk import ask, drain, wait_connected


@pytest.fixture
async def seeded(client, admin):
    return await seed(client, admin)


async def test_connects_with_our_subscriptions_and_a_loopback_address(fake, stream):
    # The client may see its websocket open a moment before the fake's handler counts it.
    await fake.await_connections(1, timeout=3)
    assert fake.connections_opened == 1
    [opened] = [r for r in fake.requests if r["path"] == "/v1.0/gateway/connections/open"]
    body = opened["json"]
    assert body["clientId"] == CLIENT_ID and body["localIp"] == "127.0.0.1"
    topics = {s["topic"] for s in body["subscriptions"]}
    assert topics == {"/v1.0/im/bot/messages/get", "/v1.0/card/instances/callback"}


async def test_help_is_answered_on_the_session_webhook(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "帮助")
    assert reply["user_id"] == "sales-li" and reply["msgtype"] == "markdown"
    assert "客户 <名称>" in reply["content"] and "对账 <名称>" in reply["content"]
    assert reply["body"]["at"] == {"atUserIds": ["sales-li"]}


async def test_unknown_command_gets_the_help(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "你好")
    assert "没有听懂「你好」" in reply["content"] and "待办" in reply["content"]


async def test_customer_shows_receivable_and_credit_debts(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "客户 联想")
    assert "应收余额：¥53,776.00" in reply["content"]
    assert "最近对账单：暂无" in reply["content"]
    assert "- 赊销欠款：无" in reply["content"]


async def test_customer_by_partial_name_in_a_group_with_a_mention(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-wang", "@Tally 客户 明辉", conversation_type="2")
    assert "明辉商贸" in reply["content"] and "¥8,800.00" in reply["content"]


async def test_salesperson_cannot_reach_another_salespersons_customer(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "客户 明辉商贸")
    assert "没有找到你可以查看的客户「明辉商贸」" in reply["content"]
    assert "8,800" not in reply["content"]


async def test_statement_command_creates_and_issues_a_statement(fake, stream, seeded):
    await Contact.filter(external_id="P001").update(openid="o-chen")
    reply = await ask(fake, stream, "sales-li", "对账 联想 2021-12-01 2021-12-22")
    statement = await Statement.get(customer_id=seeded["C001"]["id"])
    assert (statement.date_from.isoformat(), statement.date_to.isoformat()) == (
        "2021-12-01", "2021-12-22")
    assert str(statement.closing) == "53776.00" and statement.created_by == "staff:李业务"
    assert await StatementLine.filter(statement_id=statement.id).count() == 4
    contact = await Contact.get(external_id="P001")
    [issued] = await OutboxMessage.filter(kind="statement_issued")
    assert issued.recipient_id == str(contact.id)
    assert issued.payload["statement_id"] == statement.id
    assert "期末应收：¥53,776.00" in reply["content"] and "期初应收：¥5,000.00" in reply["content"]
    assert "已发送给 1 位客户联系人" in reply["content"]
    assert issued.payload["url"] in reply["content"]


async def test_statement_without_a_bound_contact_replies_with_a_fresh_link(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "对账 联想 2021-12-01 2021-12-22")
    assert "http://tally.test/s/" in reply["content"] and "还没有绑定微信" in reply["content"]
    assert await OutboxMessage.filter(kind="statement_issued").count() == 0


async def test_statement_defaults_to_this_month_so_far(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "对账 联想")  # the clock says 2026-11-23
    # No documents this month: a balance confirmation of what is owed.
    assert "（2026-11-01 至 2026-11-23）" in reply["content"]
    assert "期初应收：¥53,776.00" in reply["content"]
    statement = await Statement.get()
    assert (statement.line_count, str(statement.closing)) == (0, "53776.00")


async def test_statement_for_an_invisible_customer_is_refused(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-wang", "对账 联想 2021-12-01 2021-12-22")
    assert "没有找到" in reply["content"]
    assert await Statement.all().count() == 0


async def test_unknown_staff_user_is_refused_politely(fake, stream, seeded):
    reply = await ask(fake, stream, "stranger-1", "客户 联想")
    assert "还没有登记为 Tally 员工" in reply["content"]
    assert "53,776" not in reply["content"]


async def test_a_redelivered_message_is_acked_and_handled_once(fake, stream, seeded):
    message_id = fake.push_bot_message("sales-li", "对账 联想 2021-12-01 2021-12-22")
    await fake.await_ack(message_id)
    fake.redeliver(message_id)
    await fake._until(lambda: len(fake.acks[message_id]) == 2, 5, "second ack")
    await drain(stream)
    assert [a["code"] for a in fake.acks[message_id]] == [200, 200]
    assert len(fake.replies) == 1
    assert await Statement.all().count() == 1
    assert await InboundMessage.filter(source="dingtalk", message_id=message_id).count() == 1


async def test_a_disconnect_frame_makes_it_reconnect(fake, stream, seeded):
    message_id = fake.push_system_disconnect()
    await fake.await_ack(message_id)
    await fake.await_connections(2, timeout=3)  # well before the fake's own 5 s grace
    assert fake.connections_opened == 2 and fake.connected == 1
    reply = await ask(fake, stream, "sales-li", "帮助")
    assert "对账" in reply["content"]


async def test_a_dropped_connection_is_reopened(fake, stream, seeded):
    fake.drop_connections()
    await fake.await_connections(2, timeout=3)
    reply = await ask(fake, stream, "sales-li", "帮助")
    assert "对账" in reply["content"]


async def test_it_keeps_retrying_while_the_gateway_fails(fake, client, make_stream):
    fake.fail_next(3, status=503, path="/v1.0/gateway/connections/open")
    stream_client = make_stream()
    async with running(stream_client):
        await wait_connected(stream_client)
    assert fake.open_requests == 1 and fake.count("/v1.0/gateway/connections/open") == 4


async def tasks_left_over(since: set, grace: float = 0.5) -> set:
    """Tasks started after ``since`` and still running once a short grace has passed.

    asyncpg releases every pool connection in a task of its own (``asyncio.shield``), so a
    release that the app's background work started a moment ago is not a leftover of ours.
    """
    started = asyncio.all_tasks() - since
    if started:
        await asyncio.wait(started, timeout=grace)
    return {task for task in started if not task.done()}


async def test_cancelling_run_stops_promptly_without_leftovers(fake, client, make_stream, seeded):
    threads = set(threading.enumerate())
    tasks = asyncio.all_tasks()
    stream_client = make_stream()
    task = asyncio.create_task(stream_client.run())
    await wait_connected(stream_client)
    fake.latency = 3.0  # the reply below hangs in flight while we stop
    message_id = fake.push_bot_message("sales-li", "帮助")
    await fake.await_ack(message_id)
    assert stream_client.pending_tasks >= 1
    started = time.monotonic()
    await stop(task)
    assert time.monotonic() - started < 1.0
    assert task.cancelled()
    assert stream_client.pending_tasks == 0
    assert await tasks_left_over(since=tasks) == set()
    assert set(threading.enumerate()) - threads == set()
    assert fake.replies == []



async def test_several_matching_customers_are_named_in_pinyin_order(fake, stream, client, admin,
                                                                    seeded):
    await post_ok(client, f"{INGEST}/customers", admin, {"items": [
        {"code": f"K{n}", "name": name, "salesperson": "sales-li"}
        for n, name in enumerate(("周记商行", "张记粮油", "李记批发"))]})
    reply = await ask(fake, stream, "sales-li", "客户 记")
    assert "找到多个客户：李记批发、张记粮油、周记商行。" in reply["content"]
