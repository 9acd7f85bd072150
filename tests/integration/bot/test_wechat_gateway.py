"""The real WeChatGateway (wechatpy) against the fake WeChat API on 127.0.0.1."""

import asyncio
import socket
import threading
import time
import traceback

import aiohttp
import pytest

from bot.wechat import WeChatError, WeChatGateway
from tests.fakes.wechat import MP_APPID, MP_SECRET, OA_APPID, OA_SECRET, FakeWeChat

TOKEN = "cgi-bin/token"
TEMPLATE = "cgi-bin/message/template/send"
SESSION = "sns/jscode2session"


@pytest.fixture(autouse=True)
def no_thread_leak():
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set(threading.enumerate()) - before == set()


@pytest.fixture
def fake():
    with FakeWeChat() as server:
        yield server


def make_gateway(fake, secret=OA_SECRET, timeout=2.0):
    return WeChatGateway(
        OA_APPID,
        secret,
        fake.base_url,
        mp_appid=MP_APPID,
        mp_secret=MP_SECRET,
        timeout=timeout,
        max_threads=4,
    )


@pytest.fixture
async def gateway(fake):
    gw = make_gateway(fake)
    yield gw
    await gw.close()


async def send(gateway, openid="o-1"):
    return await gateway.send_template(openid, "tpl-1", {"amount": {"value": "12.00"}})


async def test_code_to_session_returns_registered_openid(fake, gateway):
    fake.register_code("c1", "openid-1", unionid="union-1")
    result = await gateway.code_to_session("c1")
    assert result["openid"] == "openid-1"
    assert result["unionid"] == "union-1"
    assert result["session_key"]
    query = fake.requests[0]["query"]
    assert query["appid"] == MP_APPID and query["js_code"] == "c1"
    assert "access_token" not in query and fake.count(TOKEN) == 0


async def test_unregistered_code_maps_to_openid_without_unionid(gateway):
    result = await gateway.code_to_session("abc")
    assert result["openid"] == "o-abc" and result["unionid"] is None


async def test_reused_code_is_rejected(gateway):
    await gateway.code_to_session("once")
    with pytest.raises(WeChatError) as err:
        await gateway.code_to_session("once")
    assert err.value.errcode == 40163


async def test_bad_code_is_rejected(gateway):
    with pytest.raises(WeChatError) as err:
        await gateway.code_to_session("bad-code")
    assert err.value.errcode == 40029 and not err.value.retryable


async def test_send_template_payload_is_recorded(fake, gateway):
    answer = await gateway.send_template(
        "openid-9",
        "tpl-statement",
        {"amount": {"value": "100.00"}},
        url="https://example.test/s/1",
        miniprogram={"appid": MP_APPID, "pagepath": "pages/s?id=1"},
    )
    assert answer["errcode"] == 0
    [sent] = fake.sent
    assert sent["kind"] == "template" and sent["appid"] == OA_APPID
    assert sent["msgid"] == answer["msgid"]
    assert sent["payload"] == {
        "touser": "openid-9",
        "template_id": "tpl-statement",
        "data": {"amount": {"value": "100.00"}},
        "url": "https://example.test/s/1",
        "miniprogram": {"appid": MP_APPID, "pagepath": "pages/s?id=1"},
    }


async def test_token_is_reused_between_calls(fake, gateway):
    await send(gateway)
    await send(gateway)
    assert fake.count(TOKEN) == 1 and len(fake.sent) == 2


async def test_expired_token_is_refreshed_once(fake, gateway):
    await send(gateway)
    fake.expire_tokens()
    answer = await send(gateway)
    assert answer["errcode"] == 0
    assert fake.count(TOKEN) == 2
    assert fake.count(TEMPLATE) == 3 and len(fake.sent) == 2


async def test_concurrent_token_errors_refresh_once(fake, gateway):
    await send(gateway)
    fake.expire_tokens()
    fake.latency = 0.05
    await asyncio.gather(*(send(gateway, f"o-{i}") for i in range(4)))
    assert fake.count(TOKEN) == 2 and len(fake.sent) == 5


async def test_permanently_bad_token_is_bounded(fake, gateway):
    fake.reject_tokens()
    with pytest.raises(WeChatError) as err:
        await send(gateway)
    assert err.value.errcode == 40001
    assert fake.count(TOKEN) == 2 and fake.count(TEMPLATE) == 2


async def test_wrong_secret_fails_on_token_fetch(fake):
    gw = make_gateway(fake, secret="wrong")
    try:
        with pytest.raises(WeChatError) as err:
            await send(gw)
    finally:
        await gw.close()
    assert err.value.errcode == 40125 and fake.count(TEMPLATE) == 0


async def test_server_error_surfaces_as_wechat_error(fake, gateway):
    await send(gateway)
    fake.fail_next(1, status=502, path=TEMPLATE)
    with pytest.raises(WeChatError) as err:
        await send(gateway)
    assert err.value.errcode is None and err.value.status == 502 and err.value.retryable
    assert (await send(gateway))["errcode"] == 0


async def test_server_error_on_token_fetch(fake, gateway):
    fake.fail_next(5, status=500)
    with pytest.raises(WeChatError) as err:
        await gateway.send_template("o-1", "tpl", {})
    assert err.value.status == 500 and fake.count(TOKEN) == 1


async def test_rate_limit_is_retryable_error(fake, gateway):
    fake.rate_limit_next(1, path=TEMPLATE)
    with pytest.raises(WeChatError) as err:
        await send(gateway)
    assert err.value.errcode == 45009 and err.value.retryable


@pytest.mark.parametrize("call", ["code_to_session", "send_template"])
async def test_slow_server_times_out(fake, call):
    fake.latency = 1.0  # send_template times out on its token fetch
    gw = make_gateway(fake, timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(WeChatError) as err:
            if call == "code_to_session":
                await gw.code_to_session("slow")
            else:
                await send(gw)
    finally:
        await gw.close()
    assert err.value.errcode is None and time.monotonic() - started < 0.9


async def test_event_loop_is_not_blocked(fake, gateway):
    fake.latency = 0.3
    ticks = []

    async def ticker():
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        started = time.monotonic()
        await asyncio.gather(*(gateway.code_to_session(f"c{i}") for i in range(4)))
        elapsed = time.monotonic() - started
    finally:
        task.cancel()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    # a blocking 0.3 s call would show as a gap of 0.3 s or more; a loaded machine's scheduler
    # alone has been seen to delay a 10 ms tick by 150 ms
    assert len(ticks) >= 15 and max(gaps) < 0.25
    assert elapsed < 0.9  # four 0.3 s calls ran in parallel threads


async def test_closed_gateway_refuses_calls(fake):
    gw = make_gateway(fake)
    await gw.close()
    await gw.close()
    with pytest.raises(RuntimeError):
        await gw.code_to_session("late")


async def test_close_waits_for_calls_whose_caller_was_cancelled(fake):
    fake.latency = 0.2
    gw = make_gateway(fake)
    task = asyncio.create_task(gw.code_to_session("c1"))
    await asyncio.sleep(0.05)
    task.cancel()
    await gw.close()
    assert fake.count(SESSION) == 1


async def test_fake_subscribe_send_and_wxacode(fake):
    async with aiohttp.ClientSession(fake.base_url) as http:
        async with http.get(TOKEN, params=_token_params()) as resp:
            token = (await resp.json())["access_token"]
        body = {"touser": "o-1", "template_id": "sub-1", "data": {"thing1": {"value": "x"}}}
        async with http.post(
            "cgi-bin/message/subscribe/send", params={"access_token": token}, json=body
        ) as resp:
            assert (await resp.json())["errcode"] == 0
        async with http.post(
            "wxa/getwxacodeunlimit", params={"access_token": token}, json={"scene": "b=42"}
        ) as resp:
            assert resp.content_type == "image/png"
            png = await resp.read()
    assert png.startswith(b"\x89PNG") and b"b=42" in png
    assert fake.sent[0]["kind"] == "subscribe" and fake.sent[0]["payload"] == body


async def test_fake_validates_tokens(fake):
    async with aiohttp.ClientSession(fake.base_url) as http:
        params = {"access_token": "made-up"}
        async with http.post(TEMPLATE, params=params, json={"touser": "x"}) as resp:
            assert (await resp.json())["errcode"] == 40001
        async with http.post(TEMPLATE, json={"touser": "x"}) as resp:
            assert (await resp.json())["errcode"] == 41001


def _token_params():
    return {"grant_type": "client_credential", "appid": MP_APPID, "secret": MP_SECRET}


async def test_fake_reset_forgets_used_codes_and_faults(fake, gateway):
    await gateway.code_to_session("c1")
    fake.fail_next(3)
    fake.reset()
    assert fake.requests == [] and (await gateway.code_to_session("c1"))["openid"] == "o-c1"


async def test_transport_errors_do_not_leak_the_secret():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the call: connection refused
    gw = WeChatGateway(
        OA_APPID, OA_SECRET, f"http://127.0.0.1:{port}/", mp_appid=MP_APPID, mp_secret=MP_SECRET
    )
    code = "-".join(["login", "code", "77"])
    try:
        with pytest.raises(WeChatError) as err:
            await gw.code_to_session(code)
    finally:
        await gw.close()
    assert err.value.errcode is None and err.value.retryable
    text = "".join(traceback.format_exception(err.value))
    assert "secret=***" in text and "js_code=***" in text
    assert MP_SECRET not in text and code not in text
