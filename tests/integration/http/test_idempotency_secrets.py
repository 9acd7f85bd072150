"""An Idempotency-Key record never holds a secret: answers carrying a key, a bind code, a share
link or a session token are recorded redacted, and a replay says what it left out."""

from __future__ import annotations

from domain.system.models import IdempotencyRecord
from tests.support import make_statement, seed

BO = "/api/backoffice/v1"
MP = "/api/mp/v1"


async def _twice(client, path, headers, json, key):
    """The first answer and its replay, both with this Idempotency-Key."""
    headers = {**headers, "Idempotency-Key": key}
    first = await client.post(path, json=json, headers=headers)
    again = await client.post(path, json=json, headers=headers)
    assert again.status == first.status < 300 and "Idempotent-Replayed" in again.headers
    return await first.json(), await again.json()


async def _assert_not_stored(secrets: list[str]) -> None:
    bodies = " ".join(await IdempotencyRecord.all().values_list("body", flat=True))
    assert bodies, "the records exist"
    for secret in secrets:
        assert secret not in bodies


async def test_a_new_api_key_is_shown_once_and_never_stored(client, admin):
    first, replay = await _twice(client, f"{BO}/api-keys", admin,
                                 {"name": "出纳", "role": "finance"}, "key-1")
    assert first["key"].startswith("tly_")
    await _assert_not_stored([first["key"], first["key"][10:]])
    assert replay["key"] is None and replay["id"] == first["id"]
    assert replay["redacted"]["fields"] == ["key"] and replay["redacted"]["message"]
    assert "redacted" not in first


async def test_bind_codes_share_links_and_sessions_are_not_stored(client, admin, fake_wechat):
    customers = await seed(client, admin)
    customer_id = customers["C001"]["id"]
    bind, bind_replay = await _twice(client, f"{BO}/customers/{customer_id}/bind-codes", admin,
                                     {}, "bind-1")
    statement = await make_statement(client, admin, customer_id)
    share, share_replay = await _twice(client, f"{BO}/statements/{statement['id']}/share",
                                       admin, {}, "share-1")
    fake_wechat.register_code("code-idem", "o-idem")
    login, login_replay = await _twice(client, f"{MP}/login", {}, {"code": "code-idem"},
                                       "login-1")

    await _assert_not_stored([bind["code"], share["token"], share["url"], login["token"]])
    assert bind_replay["code"] is None and bind_replay["redacted"]["fields"] == ["code"]
    assert share_replay["token"] is None and share_replay["url"] is None
    assert share_replay["link_id"] == share["link_id"]
    assert set(share_replay["redacted"]["fields"]) == {"url", "qr_png", "qr_svg", "mp_path",
                                                       "token"}
    assert login_replay["token"] is None and login_replay["redacted"]["fields"] == ["token"]
    session = {"Authorization": f"Bearer {login['token']}"}
    assert (await client.get(f"{MP}/me", headers=session)).status == 200
