"""/healthz answers while the process lives; /readyz answers 200 only when the service can do
its work — database reachable, every migration applied, the DingTalk stream connected (when
enabled), the outbox moving — and 503 naming the failing check otherwise."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import replace

import pytest
from tortoise import connections

from domain.customers.models import Contact
from httpcommon.keys import STREAM
from tally.app import create_app
from tally.health import migration_names
from tests.conftest import DB_KIND, PG_ADMIN_URL, _pg_admin
from tests.support import make_statement, seed
from tests.support.delivery import dispatcher_factory, fresh_delivery_settings
from tests.support.dingtalk import wait_connected


@pytest.fixture
async def own_database(database_url, tmp_path):
    """A copy of the suite's migrated database for this test alone, and ``vanish()`` to take
    it away under the running service (PostgreSQL: dropped; SQLite: closed and its folder
    deleted)."""
    if DB_KIND == "postgres":
        name = f"tally_ready_{uuid.uuid4().hex[:10]}"
        template = database_url.rsplit("/", 1)[1]
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

        async def vanish():
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = tmp_path / "db"
        folder.mkdir()
        shutil.copy(database_url.removeprefix("sqlite://"), folder / "tally.sqlite3")
        url = f"sqlite://{folder / 'tally.sqlite3'}"

        async def vanish():
            await connections.get("default").close()
            shutil.rmtree(folder)
    yield url, vanish
    if DB_KIND == "postgres":
        await vanish()


@pytest.fixture
async def latest_unapplied(client):
    """The newest migration's record taken away from the suite's database (put back after)."""
    latest = migration_names()[-1]
    connection = connections.get("default")
    [row] = await connection.execute_query_dict(
        f"SELECT app, name, applied_at FROM tortoise_migrations WHERE name = '{latest}'")
    await connection.execute_query(f"DELETE FROM tortoise_migrations WHERE name = '{latest}'")
    yield latest
    await connections.get("default").execute_query(
        "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES "
        f"('{row['app']}', '{row['name']}', '{row['applied_at']}')")


async def ready(client) -> tuple[int, dict]:
    resp = await client.get("/readyz")
    return resp.status, await resp.json()


async def test_readyz_is_503_when_the_database_is_gone_while_healthz_and_metrics_answer(
    aiohttp_client, settings, own_database
):
    url, vanish = own_database
    client = await aiohttp_client(create_app(replace(settings, database_url=url)))
    status, body = await ready(client)
    assert status == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "outbox"}

    await vanish()

    status, body = await ready(client)
    assert status == 503, body
    assert body["status"] == "not_ready"
    assert body["checks"]["database"]["ok"] is False
    resp = await client.get("/healthz")
    assert resp.status == 200 and await resp.json() == {"status": "ok"}
    metrics = await client.get("/metrics")
    assert metrics.status == 200 and "tally_database_up 0.0" in await metrics.text()


async def test_readyz_is_503_while_a_migration_is_not_applied(client, latest_unapplied):
    status, body = await ready(client)

    assert status == 503
    assert body["checks"]["migrations"] == {"ok": False, "pending": [latest_unapplied]}


async def test_readyz_is_503_when_a_due_notice_waits_too_long_and_200_once_it_is_sent(
    client, admin, clock, app, settings, fake_wechat, fake_dingtalk
):
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    await make_statement(client, admin, customers["C001"]["id"])
    status, body = await ready(client)
    assert status == 200 and body["checks"]["outbox"]["ok"] is True, body

    clock.advance(minutes=settings.ready_outbox_stuck_minutes + 1)

    status, body = await ready(client)
    assert status == 503
    assert body["checks"]["outbox"] == {"ok": False, "oldest_due_seconds": 960,
                                        "limit_seconds": 900}
    async with dispatcher_factory(app, clock) as build:
        await (await build(fresh_delivery_settings(settings, fake_wechat,
                                                   fake_dingtalk))).run_until_empty()
    status, body = await ready(client)
    assert status == 200 and body["checks"]["outbox"]["oldest_due_seconds"] == 0


async def test_readyz_is_503_while_the_enabled_dingtalk_stream_is_not_connected(
    aiohttp_client, settings, fake
):
    away = replace(settings, dingtalk_stream=True, dingtalk_openapi_base="http://127.0.0.1:9")
    client = await aiohttp_client(create_app(away))
    status, body = await ready(client)
    assert status == 503 and body["checks"]["dingtalk_stream"] == {"ok": False}
    await client.close()

    client = await aiohttp_client(create_app(
        replace(settings, dingtalk_stream=True, dingtalk_openapi_base=fake.base_url)))
    await wait_connected(client.server.app[STREAM])
    status, body = await ready(client)
    assert status == 200 and body["checks"]["dingtalk_stream"] == {"ok": True}, body
