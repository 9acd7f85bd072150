"""The gateway's QR calls (qrcode/create, getwxacodeunlimit) against the fake WeChat, and the
fake refusing what WeChat refuses."""

from __future__ import annotations

import aiohttp
import pytest

from bot.wechat import WeChatError, WeChatGateway
from tests.fakes.wechat import JPEG_BYTES, MP_APPID, MP_SECRET, OA_APPID, OA_SECRET, FakeWeChat


@pytest.fixture
def fake():
    with FakeWeChat() as server:
        yield server


@pytest.fixture
async def gateway(fake):
    gw = WeChatGateway(OA_APPID, OA_SECRET, fake.base_url, mp_appid=MP_APPID,
                       mp_secret=MP_SECRET, timeout=2.0, max_threads=2)
    yield gw
    await gw.close()


async def test_a_temporary_qr_code_has_a_ticket_a_lifetime_and_a_url(fake, gateway):
    answer = await gateway.create_temporary_qr("ABCD2345", 3600)
    assert answer["expire_seconds"] == 3600 and answer["url"].startswith("http://weixin.qq.com/q/")
    [made] = fake.qrcodes
    assert made["ticket"] == answer["ticket"] and made["scene"] == "ABCD2345"
    assert made["appid"] == OA_APPID and made["action_name"] == "QR_STR_SCENE"
    async with aiohttp.ClientSession() as http:
        async with http.get(fake.showqrcode_url(answer["ticket"])) as resp:
            assert resp.status == 200 and resp.content_type == "image/jpeg"
            assert await resp.read() == JPEG_BYTES
        async with http.get(fake.showqrcode_url("made-up")) as resp:
            assert resp.status == 404


@pytest.mark.parametrize(("scene", "seconds"), [("x" * 65, 60), ("", 60), ("A", 2_592_001)])
async def test_qr_codes_wechat_would_refuse(fake, gateway, scene, seconds):
    with pytest.raises(WeChatError) as refused:
        await gateway.create_temporary_qr(scene, seconds)
    assert refused.value.errcode == 47001 and fake.qrcodes == []


async def test_a_token_error_is_retried_once_with_a_fresh_token(fake, gateway):
    await gateway.create_temporary_qr("FIRST234", 60)
    fake.expire_tokens()
    assert (await gateway.create_temporary_qr("ABCD2345", 60))["url"]
    assert len(fake.qrcodes) == 2


async def test_a_miniprogram_code_is_the_image_wechat_sent(fake, gateway):
    body = await gateway.miniprogram_code("ABCD2345", "pages/bind/index", "develop")
    assert body.startswith(b"\x89PNG")
    [asked] = [r for r in fake.requests if r["path"] == "wxa/getwxacodeunlimit"]
    assert asked["json"] == {"scene": "ABCD2345", "page": "pages/bind/index",
                             "check_path": False, "env_version": "develop"}


@pytest.mark.parametrize(("scene", "page", "errcode"), [
    ("x" * 33, "pages/bind/index", 40169),  # more than 32 characters
    ("码", "pages/bind/index", 40169),  # not a visible ASCII character WeChat allows
    ("ABCD2345", "/pages/bind/index", 41030),  # a leading slash
    ("ABCD2345", "pages/bind/index?x=1", 41030),  # a query belongs in the scene
])
async def test_miniprogram_codes_wechat_would_refuse(gateway, scene, page, errcode):
    with pytest.raises(WeChatError) as refused:
        await gateway.miniprogram_code(scene, page, "release")
    assert refused.value.errcode == errcode


async def test_check_path_refuses_a_page_the_app_has_not_published(fake):
    params = {"grant_type": "client_credential", "appid": MP_APPID, "secret": MP_SECRET}
    async with aiohttp.ClientSession(fake.base_url) as http:
        async with http.get("cgi-bin/token", params=params) as resp:
            token = {"access_token": (await resp.json())["access_token"]}
        for check_path, errcode in ((True, 41030), (False, None)):
            body = {"scene": "A", "page": "pages/new/index", "check_path": check_path}
            async with http.post("wxa/getwxacodeunlimit", params=token, json=body) as resp:
                answer = await resp.json() if resp.content_type == "application/json" else {}
            assert answer.get("errcode") == errcode
