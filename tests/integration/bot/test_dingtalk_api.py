"""DingTalkApi (aiohttp) against the fake DingTalk OpenAPI and group robot on 127.0.0.1."""

import time

import pytest

from bot.dingtalk_api import DingTalkApi, DingTalkError, send_group_robot, sign_group_robot
from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE

TOKEN = "/v1.0/oauth2/accessToken"
BATCH = "/v1.0/robot/oToMessages/batchSend"


async def test_send_text_posts_batch_send_with_the_robot_code(fake, api):
    key = await api.send_text(["sales-li", "sales-wang"], "你好")
    [sent] = fake.sent
    assert sent["kind"] == "batch" and key == sent["process_query_key"]
    assert sent["payload"]["robotCode"] == ROBOT_CODE
    assert sent["user_ids"] == ["sales-li", "sales-wang"]
    assert sent["msg_key"] == "sampleText" and sent["param"] == {"content": "你好"}


async def test_send_markdown_uses_sample_markdown(fake, api):
    await api.send_markdown(["sales-li"], "对账提醒", "**联想** 不符合")
    [sent] = fake.sent
    assert sent["msg_key"] == "sampleMarkdown"
    assert sent["param"] == {"title": "对账提醒", "text": "**联想** 不符合"}


async def test_token_is_fetched_once_and_reused(fake, api):
    await api.send_text(["u1"], "a")
    await api.send_text(["u1"], "b")
    assert fake.count(TOKEN) == 1
    assert fake.requests[0]["json"] == {"appKey": CLIENT_ID, "appSecret": CLIENT_SECRET}


async def test_rejected_token_is_refreshed_once_and_the_call_retried(fake, api):
    await api.send_text(["u1"], "a")
    fake.expire_tokens()
    await api.send_text(["u1"], "b")
    assert fake.count(TOKEN) == 2
    assert [s["param"]["content"] for s in fake.sent] == ["a", "b"]


async def test_a_token_refused_twice_is_an_error_not_a_loop(fake, api):
    await api.send_text(["u1"], "a")
    fake.expire_tokens()
    fake.fail_next(1, status=401, path=BATCH)
    fake.fail_next(1, status=401, path=BATCH)
    with pytest.raises(DingTalkError) as err:
        await api.send_text(["u1"], "b")
    assert err.value.status == 401 and not err.value.retryable
    assert fake.count(TOKEN) == 2


async def test_server_error_is_retryable(fake, api):
    fake.fail_next(1, status=503, path=BATCH)
    with pytest.raises(DingTalkError) as err:
        await api.send_text(["u1"], "a")
    assert err.value.status == 503 and err.value.retryable


async def test_throttling_is_retryable(fake, api):
    fake.rate_limit_next(1, path=BATCH)
    with pytest.raises(DingTalkError) as err:
        await api.send_text(["u1"], "a")
    assert err.value.status == 429 and err.value.code == "Throttling" and err.value.retryable


async def test_timeout_is_retryable(fake):
    fake.latency = 0.5
    api = DingTalkApi(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.base_url, timeout=0.1)
    try:
        with pytest.raises(DingTalkError) as err:
            await api.send_text(["u1"], "a")
    finally:
        await api.close()
    assert err.value.status is None and err.value.code == "timeout" and err.value.retryable


async def test_connection_refused_is_retryable():
    api = DingTalkApi(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, "http://127.0.0.1:9", timeout=1.0)
    try:
        with pytest.raises(DingTalkError) as err:
            await api.send_text(["u1"], "a")
    finally:
        await api.close()
    assert err.value.code == "connection" and err.value.retryable


async def test_wrong_app_secret_is_not_retryable(fake):
    api = DingTalkApi(CLIENT_ID, "wrong", ROBOT_CODE, fake.base_url)
    try:
        with pytest.raises(DingTalkError) as err:
            await api.send_text(["u1"], "a")
    finally:
        await api.close()
    assert err.value.status == 400 and not err.value.retryable
    assert fake.sent == []


async def test_bad_request_is_not_retryable(fake):
    api = DingTalkApi(CLIENT_ID, CLIENT_SECRET, "other-robot", fake.base_url)
    try:
        with pytest.raises(DingTalkError) as err:
            await api.send_text(["u1"], "a")
    finally:
        await api.close()
    assert err.value.status == 400 and err.value.code == "InvalidParameter"
    assert not err.value.retryable


async def test_card_is_created_and_delivered_then_updated_by_out_track_id(fake, api):
    await api.send_card("sales-li", "card-1", "demo-card-dispute.schema",
                        {"title": "对账不符", "markdown": "**客户**：联想", "buttons": "[]"},
                        "对账不符")
    await api.update_card("card-1", {"title": "已处理"})
    card = fake.cards["card-1"]
    assert card["delivered_to"] == ["sales-li"] and card["updates"] == 1
    assert card["params"] == {"title": "已处理", "markdown": "**客户**：联想", "buttons": "[]"}
    sent = fake.sent[0]["payload"]
    assert sent["cardTemplateId"] == "demo-card-dispute.schema"
    assert sent["openSpaceId"] == "dtv1.card//IM_ROBOT.sales-li"
    assert sent["imRobotOpenDeliverModel"] == {"spaceType": "IM_ROBOT", "robotCode": ROBOT_CODE}
    assert sent["callbackType"] == "STREAM" and sent["userIdType"] == 1
    assert [s["kind"] for s in fake.sent] == ["card", "card_update"]


async def test_the_card_platform_refuses_an_unknown_template_as_a_final_error(fake, api):
    with pytest.raises(DingTalkError) as err:
        await api.send_card("sales-li", "card-1", "no-such.schema", {"title": "x"})
    assert err.value.status == 400 and not err.value.retryable
    assert err.value.code == "param.cardTemplateIdInvalid" and fake.cards == {}


async def test_updating_an_unknown_card_fails(api):
    with pytest.raises(DingTalkError) as err:
        await api.update_card("nope", {"title": "x"})
    assert err.value.status == 400 and not err.value.retryable


async def test_a_todo_is_created_for_a_union_id_and_marked_done(fake, api):
    todo_id = await api.create_todo("union-li", {"sourceId": "s-1", "subject": "审批：报销 800"})
    await api.complete_todo("union-li", todo_id)
    todo = fake.todos[todo_id]
    assert todo["done"] and todo["body"]["executorIds"] == ["union-li"]
    [create, update] = [r for r in fake.requests if "/todo/" in r["path"]]
    assert create["path"] == "/v1.0/todo/users/union-li/tasks"
    assert create["query"] == {"operatorId": "union-li"}
    assert update["path"] == f"/v1.0/todo/users/union-li/tasks/{todo_id}"
    with pytest.raises(DingTalkError) as err:  # one per sourceId, as DingTalk
        await api.create_todo("union-li", {"sourceId": "s-1", "subject": "again"})
    assert err.value.code == "todo.taskCreate.paramError" and err.value.message == "task exist"


async def test_group_robot_signature_with_plus_and_slash_survives_the_url(fake):
    webhook = fake.add_group_robot("grp-1", "SECgood")
    now = int(time.time() * 1000)
    ts = next(t for t in range(now, now + 10_000)
              if {"+", "/"} <= set(sign_group_robot("SECgood", t)))
    await send_group_robot(webhook, "SECgood", "hi", timestamp_ms=ts)
    assert fake.requests[-1]["query"]["sign"] == sign_group_robot("SECgood", ts)
    assert [s["kind"] for s in fake.sent] == ["group"]


async def test_group_robot_message_is_signed_and_accepted(fake, api):
    webhook = fake.add_group_robot("grp-1", "SECgood")
    await api.send_group_robot(webhook, "SECgood", "逾期提醒: 联想 ¥1,000.00")
    [sent] = fake.sent
    assert sent["kind"] == "group" and sent["access_token"] == "grp-1"
    assert sent["payload"] == {"msgtype": "text", "text": {"content": "逾期提醒: 联想 ¥1,000.00"}}


async def test_group_robot_with_a_wrong_secret_is_refused(fake):
    webhook = fake.add_group_robot("grp-1", "SECgood")
    with pytest.raises(DingTalkError) as err:
        await send_group_robot(webhook, "SECwrong", "hi")
    assert err.value.code == "310000" and not err.value.retryable
    assert fake.sent == []


async def test_group_robot_with_a_stale_timestamp_is_refused(fake):
    webhook = fake.add_group_robot("grp-1", "SECgood")
    stale = int(time.time() * 1000) - 2 * 3600 * 1000
    with pytest.raises(DingTalkError) as err:
        await send_group_robot(webhook, "SECgood", "hi", timestamp_ms=stale)
    assert err.value.code == "310000"


async def test_group_robot_without_signature_is_refused(fake):
    import aiohttp

    webhook = fake.add_group_robot("grp-1", "SECgood")
    async with aiohttp.ClientSession() as session:
        resp = await session.post(webhook, json={"msgtype": "text", "text": {"content": "x"}})
        assert (await resp.json())["errcode"] == 310000
    assert fake.sent == []
