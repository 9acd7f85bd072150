"""Abuse at the edges: exact public routes, plain login failures, sessions that honour the
database, and the H5 page's security headers."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import timedelta

from domain.customers.models import MpSession
from tally.app import create_app
from tests.support import post_ok, shared_statement

BO = "/api/backoffice/v1"
MP = "/api/mp/v1"


async def _login(client, fake_wechat, openid: str) -> dict:
    fake_wechat.register_code(f"code-{openid}", openid)
    body = await post_ok(client, f"{MP}/login", {}, {"code": f"code-{openid}"})
    return {"Authorization": f"Bearer {body['token']}"}


async def test_only_the_back_office_document_itself_is_served_without_a_key(client, admin):
    assert (await client.get(f"{BO}/openapi.json")).status == 200
    resp = await client.put(f"{BO}/departments/openapi.json", json={"head": None})
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "missing_api_key"
    resp = await client.get(f"{BO}/statements/openapi.json")
    assert resp.status == 401


async def test_only_the_mini_program_login_and_document_skip_the_session(client):
    assert (await client.get(f"{MP}/openapi.json")).status == 200
    for resp in (await client.get(f"{MP}/statements/login"),
                 await client.post(f"{MP}/statements/login", json={}),
                 await client.get(f"{MP}/me/login")):
        assert resp.status == 401, resp.url
        assert (await resp.json())["error"]["code"] == "bad_session"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_failed_wechat_login_answers_a_plain_message(aiohttp_client, settings, clock):
    upstream = f"http://127.0.0.1:{_closed_port()}/"
    client = await aiohttp_client(create_app(replace(settings, wechat_api_base=upstream),
                                             clock=clock))
    resp = await client.post(f"{MP}/login", json={"code": "any-code"})
    assert resp.status == 401
    error = (await resp.json())["error"]
    assert error["code"] == "wechat_login_failed"
    assert error["message"] == "微信登录失败，请重新打开小程序再试"
    assert "127.0.0.1" not in await resp.text() and "detail" not in error


async def test_a_session_ends_when_revoked_or_expired_in_the_database(
    client, fake_wechat, clock
):
    revoked = await _login(client, fake_wechat, "o-revoked")
    expired = await _login(client, fake_wechat, "o-expired")
    deleted = await _login(client, fake_wechat, "o-deleted")
    for session in (revoked, expired, deleted):  # each one is known (and was cached before)
        assert (await client.get(f"{MP}/me", headers=session)).status == 200

    assert (await post_ok(client, f"{MP}/logout", revoked))["revoked"] is True
    await MpSession.filter(openid="o-expired").update(expires_at=clock() - timedelta(seconds=1))
    await MpSession.filter(openid="o-deleted").delete()

    for session in (revoked, expired, deleted):
        resp = await client.get(f"{MP}/me", headers=session)
        assert resp.status == 401
        assert (await resp.json())["error"]["code"] == "bad_session"


H5_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


async def test_the_h5_page_cannot_be_framed_or_leak_its_url(client, admin):
    _, path = await shared_statement(client, admin)
    for url in (path, f"{path}/pdf", f"{path}/qr.png", "/s/not-a-token"):
        resp = await client.get(url)
        for name, value in H5_HEADERS.items():
            assert resp.headers.get(name) == value, (url, name)
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    resp = await client.post(f"{path}/answer", json={"answer": "nonsense"})
    assert resp.status == 400 and resp.headers["Referrer-Policy"] == "no-referrer"
