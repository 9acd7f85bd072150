"""Sandbox mode: the service talks to local WeChat and DingTalk stand-ins (tests/fakes), and a
person plays the customer and the salesperson with `tally sandbox …`.

`tally serve --sandbox` starts both fakes in their own threads and mounts `/_sandbox`, through
which the CLI pushes DingTalk messages and card presses into the fake gateway and reads what
the service sent. The workbench's 钉钉扫码登录 goes to the fake's OAuth page, where you choose
which demo person "scans". WeChat messages go the real way: a signed callback to `/wechat/callback`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import sys
import time
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

from aiohttp import web

from tally.settings import Settings

GROUP_TOKEN = "sandbox-managers"
GROUP_SECRET = "SECsandbox-managers-secret"
REPLY_WAIT_SECONDS = 10.0


@dataclass
class Fakes:
    wechat: object
    dingtalk: object

    def stop(self) -> None:
        self.wechat.stop()
        self.dingtalk.stop()


def start_fakes(settings: Settings) -> tuple[Settings, Fakes]:
    """Start both stand-ins and point the settings at them."""
    source_root = str(Path(__file__).resolve().parents[1])
    if source_root not in sys.path:
        sys.path.insert(0, source_root)  # tests/fakes lives in the source tree, beside tally/
    try:
        from tests.fakes.dingtalk import FakeDingTalk
        from tests.fakes.dingtalk_cards import CORP_ID
        from tests.fakes.dingtalk_contacts import load_demo_org
        from tests.fakes.wechat import FakeWeChat
    except ImportError as exc:
        raise SystemExit(f"sandbox mode needs the source checkout (tests/fakes): {exc}") from exc
    fakes = Fakes(FakeWeChat(), FakeDingTalk())
    wechat_base, dingtalk_base = fakes.wechat.start(), fakes.dingtalk.start()
    webhook = fakes.dingtalk.add_group_robot(GROUP_TOKEN, GROUP_SECRET)
    load_demo_org(fakes.dingtalk.contacts)  # the demo staff, so the org-sync job finds them
    settings = replace(
        settings, sandbox=True, wechat_api_base=wechat_base, dingtalk_openapi_base=dingtalk_base,
        dingtalk_group_webhook=webhook, dingtalk_group_secret=GROUP_SECRET, dingtalk_stream=True,
        dingtalk_oapi_base=dingtalk_base, dingtalk_org_sync=True,
        # the workbench's DingTalk sign-in: QR login goes to the fake's OAuth page, which lists
        # the demo org's people to "scan as"; 免登 asks codes for the fake's org
        dingtalk_login_base=dingtalk_base, dingtalk_corp_id=CORP_ID,
    )
    return settings, fakes


def sandbox_app(fakes: Fakes) -> web.Application:
    """`/_sandbox`: drive the fake DingTalk gateway and read what the fakes received."""
    app = web.Application()
    routes = web.RouteTableDef()

    @routes.post("/dingtalk/message")
    async def dingtalk_message(request: web.Request) -> web.Response:
        body = await request.json()
        before = len(fakes.dingtalk.replies)
        fakes.dingtalk.push_bot_message(body["userid"], body["text"])
        replies = await _wait_for(lambda: fakes.dingtalk.replies[before:])
        return web.json_response({"replies": replies})

    @routes.post("/dingtalk/card")
    async def dingtalk_card(request: web.Request) -> web.Response:
        body = await request.json()
        card_id = body["card"]
        updates_before = fakes.dingtalk.cards.get(card_id, {}).get("updates", 0)
        fakes.dingtalk.push_card_callback(
            body["userid"], card_id, {"action": body["action"], "comment": body.get("comment", "")})
        await _wait_for(lambda: fakes.dingtalk.cards.get(card_id, {}).get("updates", 0)
                        > updates_before)
        return web.json_response({"card": fakes.dingtalk.cards.get(card_id)})

    @routes.get("/sent")
    async def sent(request: web.Request) -> web.Response:
        return web.json_response({
            "wechat": fakes.wechat.sent[-20:], "dingtalk": fakes.dingtalk.sent[-20:],
        })

    app.router.add_routes(routes)
    return app


async def _wait_for(check):
    deadline = time.monotonic() + REPLY_WAIT_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.05)
    return check()


# -- the `tally sandbox` command -------------------------------------------------------------


def _post(url: str, data: bytes, content_type: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=REPLY_WAIT_SECONDS + 5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _service(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.port}"


def wechat_callback(settings: Settings, openid: str, xml_fields: dict) -> str:
    """Send what a follower's WeChat client would, signed, and return the reply's text."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(6)
    signature = hashlib.sha1(
        "".join(sorted([settings.wechat_callback_token, timestamp, nonce])).encode()).hexdigest()
    fields = {"ToUserName": "gh_sandbox", "FromUserName": openid,
              "CreateTime": timestamp, **xml_fields}
    body = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
    url = (f"{_service(settings)}/wechat/callback?signature={signature}&timestamp={timestamp}"
           f"&nonce={nonce}&openid={openid}")
    status, reply = _post(url, body.encode(), "text/xml")
    if status != 200:
        return f"[HTTP {status}] {reply.decode(errors='replace')}"
    return _reply_text(reply.decode())


def _reply_text(xml: str) -> str:
    from xml.etree import ElementTree

    if not xml.strip() or xml.strip() == "success":
        return "(no reply)"
    root = ElementTree.fromstring(xml)
    return root.findtext("Content") or xml


def run_command(settings: Settings, args) -> int:
    if args.action == "wechat":
        print(wechat_callback(settings, args.openid, {
            "MsgType": "text", "Content": " ".join(args.text), "MsgId": secrets.randbelow(10**12)}))
    elif args.action == "scan":
        print(wechat_callback(settings, args.openid, {
            "MsgType": "event", "Event": "subscribe", "EventKey": f"qrscene_{args.code}"}))
    elif args.action in ("follow", "unfollow"):
        event = "subscribe" if args.action == "follow" else "unsubscribe"
        print(wechat_callback(settings, args.openid, {"MsgType": "event", "Event": event}))
    elif args.action == "ding":
        answer = _control(settings, "dingtalk/message",
                          {"userid": args.userid, "text": " ".join(args.text)})
        print("\n\n".join(r["content"] for r in answer["replies"]) or "(no reply)")
    elif args.action == "press":
        _show(_control(settings, "dingtalk/card", {
            "userid": args.userid, "card": args.card, "action": args.button,
            "comment": args.comment or ""}))
    else:
        with urllib.request.urlopen(f"{_service(settings)}/_sandbox/sent", timeout=10) as resp:
            _show(json.loads(resp.read()))
    return 0


def _control(settings: Settings, path: str, body: dict) -> dict:
    status, reply = _post(f"{_service(settings)}/_sandbox/{path}",
                          json.dumps(body, ensure_ascii=False).encode(), "application/json")
    if status != 200:
        raise SystemExit(f"[HTTP {status}] {reply.decode(errors='replace')}")
    return json.loads(reply)


def _show(data: dict) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def add_sandbox_command(sub) -> None:
    parser = sub.add_parser("sandbox", help="play the customer or the salesperson (sandbox mode)")
    actions = parser.add_subparsers(dest="action", required=True)
    text = actions.add_parser("wechat", help="send a WeChat text as a follower")
    text.add_argument("openid")
    text.add_argument("text", nargs="+")
    scan = actions.add_parser("scan", help="follow the account by scanning a bind QR code")
    scan.add_argument("openid")
    scan.add_argument("code")
    for action, says in (("follow", "follow the official account"),
                         ("unfollow", "leave the official account (no template messages)")):
        actions.add_parser(action, help=says).add_argument("openid")
    ding = actions.add_parser("ding", help="send a DingTalk message to the bot as a staff member")
    ding.add_argument("userid")
    ding.add_argument("text", nargs="+")
    press = actions.add_parser("press", help="press a button on a DingTalk card")
    press.add_argument("userid")
    press.add_argument("card", help="the card's out_track_id (see `tally sandbox sent`)")
    press.add_argument("button")
    press.add_argument("--comment")
    actions.add_parser("sent", help="what the fakes received from the service")
    parser.set_defaults(func=run_command)
