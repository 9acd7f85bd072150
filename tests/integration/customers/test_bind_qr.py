"""Bind QR codes through the back office and the signed image link, against the fake WeChat:
the official-account QR code (scene = the bind code, expiring with it), the mini-program code,
WeChat's refusals as a declared 502, and a scan that binds the follower."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import xmltodict
from yarl import URL

from bot.wechat_callback import CALLBACK_PATH
from domain.customers.models import BindCode, Contact
from domain.qr import qr_png
from tests.support import API, seed

PNG = b"\x89PNG\r\n\x1a\n"
CALLBACK_TOKEN = "demo-callback-token"  # the settings' default (plain mode)


@pytest.fixture
def settings(settings, request):
    """The session's settings, changed by ``indirect`` parametrisation where a test asks."""
    return replace(settings, **getattr(request, "param", {}))


@pytest.fixture(autouse=True)
def wechat(fake_wechat):
    fake_wechat.reset()
    yield fake_wechat
    fake_wechat.reset()


@pytest.fixture
async def customers(client, admin):
    return await seed(client, admin)


async def bind_qr(client, headers, customer_id, status=201, **body):
    resp = await client.post(f"{API}/customers/{customer_id}/bind-qr", json=body,
                             headers=headers)
    answer = await resp.json()
    assert resp.status == status, answer
    return answer


def made_for(wechat, path):
    return [r for r in wechat.requests if r["path"] == path]


def image_of(answer) -> bytes:
    return base64.b64decode(answer["image_base64"])


async def test_official_account_qr_carries_the_code_and_expires_with_it(
        client, admin, customers, wechat, clock):
    answer = await bind_qr(client, admin, customers["C001"]["id"], channel="official_account")
    bind = await BindCode.get(code=answer["code"])
    assert bind.customer_id == customers["C001"]["id"] and bind.used_at is None
    assert datetime.fromisoformat(answer["expires_at"]) == clock() + timedelta(hours=72)
    [create] = made_for(wechat, "cgi-bin/qrcode/create")
    assert create["json"] == {"expire_seconds": 72 * 3600, "action_name": "QR_STR_SCENE",
                              "action_info": {"scene": {"scene_str": answer["code"]}}}
    [made] = wechat.qrcodes
    assert made["scene"] == answer["code"] and made["expire_seconds"] == 72 * 3600
    # The image is the QR code of the URL WeChat gave for the ticket, drawn by Tally.
    assert answer["content_type"] == "image/png" and image_of(answer) == qr_png(made["url"])
    assert bind.oa_qr_url == made["url"]


async def test_the_code_image_is_served_again_without_a_second_ticket(
        client, admin, customers, wechat):
    answer = await bind_qr(client, admin, customers["C001"]["id"])
    resp = await client.get(f"{API}/bind-codes/{answer['code']}/qr", headers=admin)
    assert resp.status == 200 and resp.content_type == "image/png"
    assert await resp.read() == image_of(answer)
    linked = await client.get(URL(answer["image_url"]).path)  # no API key: the signed link
    assert linked.status == 200 and await linked.read() == image_of(answer)
    assert answer["image_url"].startswith("http://tally.test/bind-qr/")
    assert len(made_for(wechat, "cgi-bin/qrcode/create")) == 1


@pytest.mark.parametrize("settings", [{"bind_code_ttl_hours": 40 * 24}], indirect=True)
async def test_a_code_outliving_thirty_days_gets_a_new_qr_code_when_the_first_dies(
        client, admin, customers, wechat, clock):
    answer = await bind_qr(client, admin, customers["C001"]["id"])
    clock.advance(days=29, hours=23, minutes=30)  # WeChat's 30 days are nearly over
    resp = await client.get(f"{API}/bind-codes/{answer['code']}/qr", headers=admin)
    assert resp.status == 200
    first, second = made_for(wechat, "cgi-bin/qrcode/create")
    assert first["json"]["expire_seconds"] == 2_592_000  # WeChat's most
    assert second["json"]["expire_seconds"] == 10 * 24 * 3600 + 30 * 60  # the code's rest
    assert await resp.read() == qr_png(wechat.qrcodes[1]["url"])


async def test_miniprogram_code_opens_the_bind_page_with_the_code(
        client, admin, customers, wechat):
    answer = await bind_qr(client, admin, customers["C002"]["id"], channel="miniprogram")
    assert answer["content_type"] == "image/png" and image_of(answer).startswith(PNG)
    [fetch] = made_for(wechat, "wxa/getwxacodeunlimit")
    assert fetch["json"] == {"scene": answer["code"], "page": "pages/bind/index",
                             "check_path": False, "env_version": "release"}
    resp = await client.get(f"{API}/bind-codes/{answer['code']}/qr",
                            params={"channel": "miniprogram"}, headers=admin)
    assert resp.status == 200 and (await resp.read()).startswith(PNG)
    assert made_for(wechat, "cgi-bin/qrcode/create") == []


@pytest.mark.parametrize("settings", [{"mp_code_env_version": "trial"}], indirect=True)
async def test_miniprogram_code_for_the_trial_version(client, admin, customers, wechat):
    await bind_qr(client, admin, customers["C002"]["id"], channel="miniprogram")
    [fetch] = made_for(wechat, "wxa/getwxacodeunlimit")
    assert fetch["json"]["env_version"] == "trial"


@pytest.mark.parametrize("settings", [{"mp_appid": ""}], indirect=True)
async def test_miniprogram_code_without_a_miniprogram_is_a_conflict(
        client, admin, customers, wechat):
    answer = await bind_qr(client, admin, customers["C001"]["id"], status=409,
                           channel="miniprogram")
    assert answer["error"]["code"] == "miniprogram_not_configured"
    assert "TALLY_MP_APPID" in answer["error"]["message"]
    assert await BindCode.all().count() == 0 and wechat.requests == []


async def test_wechat_refusing_the_token_answers_a_declared_502(client, admin, customers, wechat):
    wechat.reject_tokens()
    answer = await bind_qr(client, admin, customers["C001"]["id"], status=502)
    assert answer["error"] == {"code": "wechat_qr_failed",
                               "message": "微信暂时无法生成二维码，请稍后再试",
                               "detail": {"errcode": 40001}}
    assert await BindCode.all().count() == 0  # no code that nobody was shown stays usable


async def test_wechat_down_answers_a_declared_502(client, admin, customers, wechat):
    wechat.fail_next(5, status=503, path="wxa/getwxacodeunlimit")
    answer = await bind_qr(client, admin, customers["C001"]["id"], status=502,
                           channel="miniprogram")
    assert answer["error"]["code"] == "wechat_qr_failed"
    assert answer["error"]["detail"] == {"errcode": None}


@pytest.mark.parametrize("settings", [{"mp_bind_page": "/pages/bind/index"}], indirect=True)
async def test_a_page_wechat_refuses_is_named(client, admin, customers, wechat):
    answer = await bind_qr(client, admin, customers["C001"]["id"], status=502,
                           channel="miniprogram")
    assert answer["error"]["detail"] == {"errcode": 41030}
    assert "「/pages/bind/index」" in answer["error"]["message"]
    assert "TALLY_MP_BIND_PAGE" in answer["error"]["message"]


async def test_bad_channel_and_unknown_code_are_refused(client, admin, customers):
    answer = await bind_qr(client, admin, customers["C001"]["id"], status=400, channel="sms")
    assert answer["error"]["code"] == "bad_field"
    resp = await client.get(f"{API}/bind-codes/NOPE2345/qr", headers=admin)
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "bind_code_not_found"
    code = (await bind_qr(client, admin, customers["C001"]["id"]))["code"]
    resp = await client.get(f"{API}/bind-codes/{code}/qr", params={"channel": "sms"},
                            headers=admin)
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "bad_query"


async def test_the_signed_link_dies_with_the_code_and_refuses_forgeries(
        client, admin, customers, clock):
    answer = await bind_qr(client, admin, customers["C001"]["id"])
    path = URL(answer["image_url"]).path
    forged = await client.get(path[:-3] + "AAA")
    assert forged.status == 403
    assert (await forged.json())["error"]["code"] == "bind_qr_link_invalid"
    not_ascii = await client.get("/bind-qr/a.1.%C3%A9")  # compare_digest takes ASCII only
    assert not_ascii.status == 403
    clock.advance(hours=72)
    expired = await client.get(path)
    assert expired.status == 400 and (await expired.json())["error"]["code"] == (
        "bind_code_expired")


# ----- a scan binds -----


def signed(clock) -> dict:
    timestamp, nonce = str(int(clock().timestamp())), "nonce-qr"
    signature = hashlib.sha1("".join(sorted((CALLBACK_TOKEN, timestamp, nonce))).encode())
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature.hexdigest()}


async def push(client, clock, xml: str) -> str:
    """Deliver a WeChat event to the callback as WeChat does; the reply's text."""
    resp = await client.post(CALLBACK_PATH, params=signed(clock), data=xml.encode())
    assert resp.status == 200, await resp.text()
    return xmltodict.parse(await resp.text())["xml"]["Content"]


async def test_scanning_the_qr_code_follows_and_binds(client, admin, customers, wechat, clock):
    answer = await bind_qr(client, admin, customers["C002"]["id"])
    [made] = wechat.qrcodes
    assert image_of(answer) == qr_png(made["url"])  # what the customer scans
    reply = await push(client, clock, wechat.scan_event_xml(made["url"], "o-zhou",
                                                            unionid="u-zhou"))
    assert "欢迎关注" in reply and "绑定成功" in reply and "明辉商贸" in reply
    contact = await Contact.get(openid="o-zhou")
    assert contact.customer_id == customers["C002"]["id"]
    assert contact.unionid == "u-zhou"  # asked of cgi-bin/user/info: the scanner now follows
    assert (await BindCode.get(code=answer["code"])).used_by_id == contact.id
    # Used now: its image is no longer handed out, and a second scan binds nobody else.
    resp = await client.get(f"{API}/bind-codes/{answer['code']}/qr", headers=admin)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "bind_code_used"
    again = await push(client, clock, wechat.scan_event_xml(made["url"], "o-other",
                                                            following=True))
    assert "已被使用" in again and not await Contact.exists(openid="o-other")


async def test_a_replayed_request_makes_no_second_code_and_stores_no_image(
        client, admin, customers, wechat):
    headers = {**admin, "Idempotency-Key": "qr-1"}
    first = await bind_qr(client, headers, customers["C001"]["id"])
    replay = await bind_qr(client, headers, customers["C001"]["id"])
    assert first["code"] and first["image_base64"] and first["image_url"]
    assert (replay["code"], replay["image_base64"], replay["image_url"]) == (None, None, None)
    assert replay["expires_at"] == first["expires_at"]
    assert await BindCode.all().count() == 1 and len(wechat.qrcodes) == 1
