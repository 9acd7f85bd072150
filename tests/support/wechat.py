"""The official account's side of a test: WeChat's signed callback pushes (events the fake
WeChat makes, text messages), the reply text, bind codes, and a mini-program login."""

from __future__ import annotations

import hashlib
import itertools

import xmltodict

from tests.support import API, post_ok

CALLBACK = "/wechat/callback"
TOKEN = "demo-callback-token"  # tally.settings' demo callback token, which the tests keep
MP = "/api/mp/v1"
_msg_ids = itertools.count(50001)


def _signed(clock) -> dict:
    timestamp, nonce = str(int(clock().timestamp())), "nonce-identity"
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature}


async def push(client, clock, xml: str) -> str:
    """WeChat posts ``xml`` to the callback (plain mode); the reply's text ('' for none)."""
    resp = await client.post(CALLBACK, params=_signed(clock), data=xml.encode())
    body = await resp.text()
    assert resp.status == 200, body
    return "" if body == "success" else xmltodict.parse(body)["xml"]["Content"]


async def say(client, clock, openid: str, content: str) -> str:
    """A follower's text message; the bot's reply."""
    xml = (f"<xml><ToUserName><![CDATA[gh_tally]]></ToUserName>"
           f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
           f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{content}]]></Content><MsgId>{next(_msg_ids)}</MsgId></xml>")
    return await push(client, clock, xml)


async def bind_code(client, admin, customer_id: int) -> str:
    return (await post_ok(client, f"{API}/customers/{customer_id}/bind-codes", admin,
                          status=201))["code"]


async def mp_login(client, fake_wechat, mp_openid: str, unionid: str | None = None
                   ) -> tuple[dict, dict]:
    """wx.login → POST /login: (the Authorization header, the login's answer)."""
    code = f"code-{mp_openid}-{next(_msg_ids)}"
    fake_wechat.register_code(code, mp_openid, unionid=unionid)
    body = await post_ok(client, f"{MP}/login", {}, {"code": code})
    return {"Authorization": f"Bearer {body['token']}"}, body
