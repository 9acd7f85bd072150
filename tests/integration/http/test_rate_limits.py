"""Rate limits per client address: 429 with a JSON error and Retry-After on mini-program login
and bind, share-link opens and wrong API keys; X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tortoise.contrib.test import truncate_all_models

from domain.apikeys import create_api_key
from tally.app import create_app
from tests.support import post_ok, shared_statement

BO = "/api/backoffice/v1"
MP = "/api/mp/v1"
LIMITS = {"rate_limit_mp_login": 3, "rate_limit_mp_bind": 3, "rate_limit_share_open": 3,
          "rate_limit_bad_api_key": 3}


async def _service(aiohttp_client, settings, clock, **changes):
    """The service with limits of 3 a minute, on an emptied database."""
    test_client = await aiohttp_client(create_app(replace(settings, **LIMITS, **changes),
                                                  clock=clock))
    await truncate_all_models()
    return test_client


@pytest.fixture
async def limited(aiohttp_client, settings, clock):
    return await _service(aiohttp_client, settings, clock)


@pytest.fixture
async def admin(limited):
    _, key = await create_api_key("test admin", "admin")
    return {"Authorization": f"Bearer {key}"}


async def _assert_limited(resp) -> None:
    assert resp.status == 429, await resp.text()
    error = (await resp.json())["error"]
    assert error["code"] == "rate_limited"
    assert int(resp.headers["Retry-After"]) == error["detail"]["retry_after"] >= 1


async def test_mini_program_logins_are_limited_per_client(limited, fake_wechat, clock):
    for _ in range(3):
        resp = await limited.post(f"{MP}/login", json={"code": "bad-never-issued"})
        assert resp.status == 401
    await _assert_limited(await limited.post(f"{MP}/login", json={"code": "bad-never-issued"}))
    fake_wechat.register_code("code-late", "o-late")
    await _assert_limited(await limited.post(f"{MP}/login", json={"code": "code-late"}))
    clock.advance(seconds=20)  # a minute refills 3 tries: one every 20 seconds
    assert (await limited.post(f"{MP}/login", json={"code": "code-late"})).status == 200


async def test_wrong_bind_codes_are_limited_per_client(limited, fake_wechat):
    fake_wechat.register_code("code-guess", "o-guess")
    token = (await post_ok(limited, f"{MP}/login", {}, {"code": "code-guess"}))["token"]
    session = {"Authorization": f"Bearer {token}"}
    for guess in ("AAAA2222", "AAAA3333", "AAAA4444"):
        resp = await limited.post(f"{MP}/bind", json={"code": guess}, headers=session)
        assert resp.status == 400
    await _assert_limited(
        await limited.post(f"{MP}/bind", json={"code": "AAAA5555"}, headers=session))


async def test_share_link_opens_are_limited_per_client(limited, admin):
    _, path = await shared_statement(limited, admin)
    for url in (path, f"{path}/qr.png", "/s/a-guessed-token"):
        assert (await limited.get(url)).status in (200, 403)
    await _assert_limited(await limited.get(path))
    await _assert_limited(await limited.get(f"{path}/pdf"))
    await _assert_limited(await limited.post(f"{path}/answer", data={"answer": "matched"}))


async def test_wrong_api_keys_lock_the_client_out_for_a_while(limited, admin, clock):
    wrong = {"Authorization": "Bearer tly_wrong"}
    for _ in range(3):
        assert (await limited.get(f"{BO}/statements", headers=wrong)).status == 401
    await _assert_limited(await limited.get(f"{BO}/statements", headers=wrong))
    await _assert_limited(await limited.get(f"{BO}/statements", headers=admin))
    clock.advance(seconds=20)
    assert (await limited.get(f"{BO}/statements", headers=admin)).status == 200


async def test_right_keys_are_never_counted(limited, admin):
    for _ in range(10):
        assert (await limited.get(f"{BO}/statements", headers=admin)).status == 200


WRONG = {"Authorization": "Bearer tly_wrong"}


async def test_forwarded_for_is_not_believed_from_an_untrusted_peer(limited):
    direct, wrong = limited, WRONG
    for n in range(3):  # spoofed headers from an untrusted peer change nothing
        headers = {**wrong, "X-Forwarded-For": f"203.0.113.{n}"}
        assert (await direct.get(f"{BO}/statements", headers=headers)).status == 401
    await _assert_limited(await direct.get(
        f"{BO}/statements", headers={**wrong, "X-Forwarded-For": "203.0.113.99"}))


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(
    aiohttp_client, settings, clock
):
    wrong = WRONG
    proxied = await _service(aiohttp_client, settings, clock, trusted_proxies="127.0.0.1, ::1")
    for _ in range(3):
        headers = {**wrong, "X-Forwarded-For": "spoofed, 198.51.100.7"}
        assert (await proxied.get(f"{BO}/statements", headers=headers)).status == 401
    await _assert_limited(await proxied.get(
        f"{BO}/statements", headers={**wrong, "X-Forwarded-For": "198.51.100.7"}))
    other = {**wrong, "X-Forwarded-For": "198.51.100.8"}  # another client behind the proxy
    assert (await proxied.get(f"{BO}/statements", headers=other)).status == 401
