"""The official-account callback over HTTP: signatures, safe mode, replay window, redelivery,
and the keyword bot (help, bind, statements with links, balance)."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import replace

import pytest
import xmltodict
from tortoise.contrib.test import truncate_all_models
from wechatpy.crypto import WeChatCrypto

from bot.wechat_callback import CALLBACK_PATH, add_wechat_routes
from domain.customers.models import BindCode, Contact
from domain.statements.models import ShareLink
from domain.system.models import InboundMessage
from tally.app import create_app
from tests.support import make_statement, post_ok, seed

URL = CALLBACK_PATH
TOKEN = "demo-callback-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx-demo-official"
ACCOUNT = "gh_tally"
BO = "/api/backoffice/v1"
_msg_ids = itertools.count(10001)


@pytest.fixture
async def client(aiohttp_client, settings, clock):
    """The whole service with the WeChat callback mounted, on an emptied database."""
    app = create_app(replace(settings, wechat_aes_key=AES_KEY), clock=clock)
    if not any(r.canonical == CALLBACK_PATH for r in app.router.resources()):
        add_wechat_routes(app)  # until tally/app.py mounts it
    test_client = await aiohttp_client(app)
    await truncate_all_models()
    yield test_client
    await test_client.close()


# ----- building WeChat's requests -----


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed(clock, nonce: str = "nonce-1", token: str = TOKEN, skew: int = 0) -> dict:
    timestamp = str(int(clock().timestamp()) + skew)
    return {"timestamp": timestamp, "nonce": nonce,
            "signature": signature(token, timestamp, nonce)}


def text_xml(content: str, openid: str = "o-chen", msg_id: int | None = None) -> str:
    msg_id = next(_msg_ids) if msg_id is None else msg_id
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1700000000</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event: str, key: str = "", openid: str = "o-chen") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{next(_msg_ids)}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
        f"<Ticket><![CDATA[ticket-1]]></Ticket></xml>"
    )


async def post(client, clock, xml: str, **query):
    return await client.post(URL, params={**signed(clock), **query}, data=xml.encode())


async def say(client, clock, content: str, openid: str = "o-chen") -> str:
    """Send a text message in plain mode and return the bot's reply text."""
    return await reply_text(await post(client, clock, text_xml(content, openid)))


async def reply_text(resp) -> str:
    assert resp.status == 200, await resp.text()
    return xmltodict.parse(await resp.text())["xml"]["Content"]


async def bind_code(client, admin, customer_id: int) -> str:
    return (await post_ok(client, f"{BO}/customers/{customer_id}/bind-codes", admin,
                          status=201))["code"]


async def bound(client, clock, admin, openid: str = "o-chen") -> dict:
    customers = await seed(client, admin)
    code = await bind_code(client, admin, customers["C001"]["id"])
    assert "绑定成功" in await say(client, clock, f"绑定 {code}", openid)
    return customers


# ----- verification and authenticity -----


async def test_url_verification_echoes_echostr(client, clock):
    resp = await client.get(URL, params={**signed(clock), "echostr": "echo-123"})
    assert resp.status == 200 and await resp.text() == "echo-123"


async def test_url_verification_with_a_forged_signature_is_refused(client, clock):
    query = {**signed(clock, token="not-our-token"), "echostr": "echo-123"}
    resp = await client.get(URL, params=query)
    assert resp.status == 403 and "echo-123" not in await resp.text()


async def test_a_forged_message_is_refused_and_changes_nothing(client, clock, admin):
    customers = await seed(client, admin)
    code = await bind_code(client, admin, customers["C001"]["id"])
    query = signed(clock, token="not-our-token")
    resp = await client.post(URL, params=query, data=text_xml(f"绑定 {code}").encode())
    assert resp.status == 403
    assert await InboundMessage.all().count() == 0
    assert await Contact.filter(openid="o-chen").count() == 0
    assert (await BindCode.get(code=code)).used_at is None


@pytest.mark.parametrize("skew", [-301, 301])
async def test_a_request_outside_the_five_minute_window_is_refused(client, clock, skew):
    query = signed(clock, skew=skew)
    assert (await client.get(URL, params={**query, "echostr": "x"})).status == 403
    resp = await client.post(URL, params=query, data=text_xml("帮助").encode())
    assert resp.status == 403
    assert await InboundMessage.all().count() == 0


async def test_a_request_within_the_window_is_accepted(client, clock):
    resp = await client.post(URL, params=signed(clock, skew=-290), data=text_xml("帮助").encode())
    assert "对账单" in await reply_text(resp)


async def test_the_same_message_delivered_twice_is_answered_once(client, clock):
    xml = text_xml("帮助", msg_id=777)
    first = await post(client, clock, xml)
    assert "对账单" in await reply_text(first)
    again = await post(client, clock, xml)
    assert again.status == 200 and await again.text() == "success"
    assert await InboundMessage.filter(source="wechat", message_id="777").count() == 1


# ----- plain and safe mode -----


async def test_help_in_plain_mode_gets_the_help_reply(client, clock):
    resp = await post(client, clock, text_xml("帮助"))
    reply = xmltodict.parse(await resp.text())["xml"]
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == "o-chen" and reply["FromUserName"] == ACCOUNT
    assert "对账单" in reply["Content"] and "绑定" in reply["Content"]


async def test_unknown_text_gets_the_help_reply(client, clock):
    assert "帮助" in await say(client, clock, "你好")


def encrypted_request(clock, xml: str, nonce: str = "nonce-aes") -> tuple[dict, str]:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    query = signed(clock, nonce)
    sealed = xmltodict.parse(crypto.encrypt_message(xml, nonce, query["timestamp"]))["xml"]
    body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>")
    return {**query, "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}, body


async def test_safe_mode_decrypts_the_message_and_encrypts_the_reply(client, clock):
    query, body = encrypted_request(clock, text_xml("帮助"))
    resp = await client.post(URL, params=query, data=body.encode())
    assert resp.status == 200
    sealed = xmltodict.parse(await resp.text())["xml"]
    assert "Content" not in sealed
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    plain = crypto.decrypt_message(await resp.text(), sealed["MsgSignature"],
                                   sealed["TimeStamp"], sealed["Nonce"])
    reply = xmltodict.parse(plain)["xml"]
    assert reply["ToUserName"] == "o-chen" and "对账单" in reply["Content"]


async def test_safe_mode_with_a_forged_msg_signature_is_refused(client, clock):
    query, body = encrypted_request(clock, text_xml("帮助"))
    resp = await client.post(URL, params={**query, "msg_signature": "0" * 40},
                             data=body.encode())
    assert resp.status == 403
    assert await InboundMessage.all().count() == 0


# ----- binding -----


async def test_bind_command_binds_the_follower_to_the_customer(client, clock, admin):
    customers = await seed(client, admin)
    code = await bind_code(client, admin, customers["C001"]["id"])
    reply = await say(client, clock, f"绑定　{code.lower()}")  # full-width space, lower case
    assert "绑定成功" in reply and "联想" in reply
    contact = await Contact.get(openid="o-chen")
    assert contact.customer_id == customers["C001"]["id"]


async def test_a_used_bind_code_is_refused_politely(client, clock, admin):
    customers = await seed(client, admin)
    code = await bind_code(client, admin, customers["C001"]["id"])
    await say(client, clock, f"绑定 {code}")
    reply = await say(client, clock, f"绑定 {code}", openid="o-other")
    assert "已被使用" in reply
    assert await Contact.filter(openid="o-other").count() == 0


async def test_bind_without_a_code_asks_for_one(client, clock):
    assert "绑定码" in await say(client, clock, "绑定")


async def test_subscribing_through_a_bind_qr_code_binds(client, clock, admin):
    customers = await seed(client, admin)
    code = await bind_code(client, admin, customers["C002"]["id"])
    resp = await post(client, clock, event_xml("subscribe", f"qrscene_{code}"))
    reply = await reply_text(resp)
    assert "欢迎关注" in reply and "明辉商贸" in reply
    assert (await Contact.get(openid="o-chen")).customer_id == customers["C002"]["id"]


async def test_a_follower_scanning_a_bind_qr_code_is_bound(client, clock, admin):
    customers = await seed(client, admin)
    code = await bind_code(client, admin, customers["C001"]["id"])
    reply = await reply_text(await post(client, clock, event_xml("SCAN", code)))
    assert "绑定成功" in reply and "联想" in reply
    assert (await Contact.get(openid="o-chen")).customer_id == customers["C001"]["id"]


async def test_a_plain_subscribe_is_welcomed_with_help(client, clock):
    reply = await reply_text(await post(client, clock, event_xml("subscribe")))
    assert "欢迎关注" in reply and "对账单" in reply


@pytest.mark.parametrize("event", ["unsubscribe", "TEMPLATESENDJOBFINISH", "some_new_event"])
async def test_other_events_get_no_reply(client, clock, event):
    resp = await post(client, clock, event_xml(event))
    assert resp.status == 200 and await resp.text() == "success"


async def test_a_picture_gets_the_help_reply(client, clock):
    xml = text_xml("", msg_id=4242).replace("[text]", "[image]")
    assert "对账单" in await reply_text(await post(client, clock, xml))


# ----- asking for data -----


async def test_an_unbound_follower_is_told_how_to_bind(client, clock):
    for keyword in ("对账单", "余额", "欠款"):
        reply = await say(client, clock, keyword, openid="o-stranger")
        assert "尚未绑定" in reply and "绑定码" in reply
    assert await Contact.filter(openid="o-stranger").count() == 0


async def test_statements_lists_the_latest_three_with_working_links(client, clock, admin):
    customers = await seed(client, admin)
    ids = [(await make_statement(client, admin, customers["C001"]["id"]))["id"]
           for _ in range(4)]
    await make_statement(client, admin, customers["C002"]["id"])
    code = await bind_code(client, admin, customers["C001"]["id"])
    await say(client, clock, f"绑定 {code}")

    reply = await say(client, clock, "对账单")
    assert reply.startswith("联想")
    assert reply.count("2021-12-01 至 2021-12-22｜未确认｜期末应收 ¥53,776.00") == 3
    urls = [line.split("：", 1)[1] for line in reply.splitlines() if "http" in line]
    assert len(urls) == 3 and all(u.startswith("http://tally.test/s/") for u in urls)
    shared = await ShareLink.filter(statement_id__in=ids).values_list("statement_id", flat=True)
    assert sorted(shared) == sorted(ids[1:])  # the newest three
    page = await client.get(urls[0].removeprefix("http://tally.test"))
    assert page.status == 200 and "联想" in await page.text()

    again = await say(client, clock, "对账单")
    assert [line.split("：", 1)[1] for line in again.splitlines() if "http" in line] == urls
    assert await ShareLink.all().count() == 3  # live links are reused


async def test_balance_shows_the_receivable_and_the_unconfirmed_statements(client, clock, admin):
    customers = await bound(client, clock, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    reply = await say(client, clock, "余额")
    assert "联想 当前应收余额：¥53,776.00" in reply
    assert "2021-12-01 至 2021-12-22：¥53,776.00" in reply
    await post_ok(client, f"{BO}/statements/{statement['id']}/match", admin,
                  {"description": "无误"})
    assert "没有待确认的对账单" in await say(client, clock, "欠款")


async def test_a_bound_follower_without_statements_is_told_so(client, clock, admin):
    await bound(client, clock, admin)
    assert "暂无对账单" in await say(client, clock, "对账单")
