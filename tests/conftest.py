"""Test set-up: one scratch database per run (SQLite file or a fresh PostgreSQL database),
migrated once, emptied before each test; the app runs with a fixed clock and the fake WeChat."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.contrib.test import _topological_sort_models, truncate_all_models

from domain.apikeys import create_api_key
from tally import db
from tally.app import create_app
from tally.registries import build_registries
from tally.settings import Settings
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.wechat import FakeWeChat
from tests.response_check import ResponseCheck

SHANGHAI = ZoneInfo("Asia/Shanghai")
DB_KIND = os.environ.get("TALLY_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("TALLY_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")


# What `make test-fast` leaves out (marker `slow`; `make test` runs it): browsers, end-to-end
# journeys, the fuzzer, and tests that start `tally` or `python -m …` processes of their own (a
# cold interpreter each). Node-id prefixes: a file, or the tests of a file whose names start so.
# The Chromium walks run once, on the SQLite pass: what they store goes through the same use
# cases and queries that tests/integration (workbench pages included) runs on both databases,
# and each walk costs seconds of browser time the PostgreSQL pass would spend again.
BROWSER_ONCE = "browser walks: run on the SQLite pass (their pages are tested on both by HTTP)"
SLOW = (
    "tests/browser/",
    "tests/e2e/",
    "tests/integration/http/test_openapi_fuzz.py",
    "tests/integration/ops/test_startup.py",
    "tests/integration/notices/test_dispatcher_crash.py",
    "tests/integration/documents/test_cli_import.py",
    "tests/integration/documents/test_day_close_sources.py::test_tally_import_",
    "tests/integration/payments/test_payments_import_cli.py",
    "tests/integration/billing/test_billing_usage_import.py",
    "tests/integration/org/test_sync_cli.py",
    "tests/integration/http/test_request_logs.py::test_tally_serve_",
    "tests/unit/test_pdf.py::test_importing_the_module_registers_no_font",
    "tests/unit/test_qr.py::test_both_formats_work_without_pillow",
)


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite once per database; what touches none runs on the first only.
    The slow groups get the `slow` marker, for `make test-fast` to leave out."""
    slow = pytest.mark.slow
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(slow)
    if DB_KIND == "postgres":
        once = pytest.mark.skip(reason="db_agnostic: run on the SQLite pass")
        in_browser = pytest.mark.skip(reason=BROWSER_ONCE)
        for item in items:
            if item.get_closest_marker("db_agnostic"):
                item.add_marker(once)
            elif item.nodeid.startswith("tests/browser/"):
                item.add_marker(in_browser)


@pytest.fixture(scope="session", autouse=True)
def registries():
    """The flow kinds and card buttons, registered as the app and the CLI register them (the
    tests that never build the app look kinds up too)."""
    build_registries()


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> datetime:
        self.current += timedelta(**delta)
        return self.current


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if DB_KIND == "postgres":
        name = f"tally_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    else:
        name = None
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'tally.sqlite3'}"
    asyncio.run(db.migrate(Settings(database_url=url, secret_key="x")))
    yield url
    if name:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def fake_wechat():
    with FakeWeChat() as fake:  # started, and stopped after the session
        yield fake


@pytest.fixture(scope="session")
def fake_dingtalk():
    with FakeDingTalk() as fake:  # started, and stopped after the session
        yield fake


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def settings(database_url, fake_wechat, fake_dingtalk, tmp_path):
    """Both chat platforms are the local fakes; the DingTalk stream and the delivery worker
    stay off unless a test turns them on (tests drive them explicitly)."""
    return Settings(
        database_url=database_url, secret_key="test-secret", data_dir=str(tmp_path),
        public_base_url="http://tally.test", wechat_api_base=fake_wechat.base_url,
        dingtalk_openapi_base=fake_dingtalk.base_url, dingtalk_stream=False,
        delivery_worker=False, jobs_enabled=False,
    )


async def empty_every_table() -> None:
    """Each test starts on empty tables. On PostgreSQL, DELETE children before parents: TRUNCATE
    gives each of the ~70 tables new files (about 210 ms a test, a third of the pass), while
    DELETE on a test's few rows takes about 2 ms."""
    models = _topological_sort_models(list(Tortoise.apps.get_models_iterable()))
    connection = models[0]._meta.db
    if connection.capabilities.dialect != "postgres":
        await truncate_all_models()  # which deletes in the same order on SQLite
        return
    await connection.execute_script(";".join(f'DELETE FROM "{model._meta.db_table}"'
                                             for model in models))


@pytest.fixture
async def client(aiohttp_client, settings, clock):
    """The whole service over HTTP, on an emptied database; every answer of a declared
    operation must match the served OpenAPI document (tests.response_check)."""
    app = create_app(settings, clock=clock)
    check = ResponseCheck()
    app.middlewares.insert(0, check.middleware)
    test_client = await aiohttp_client(app)
    await empty_every_table()
    yield test_client
    await test_client.close()
    assert not check.mismatches, "responses unlike the document:\n" + "\n".join(
        check.mismatches[:10])


@pytest.fixture
def app(client):
    return client.server.app


async def _key(role: str, staff_id: int | None = None) -> dict:
    _, key = await create_api_key(f"test {role}", role, staff_id)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def admin(client):
    return await _key("admin")


@pytest.fixture
async def finance(client):
    return await _key("finance")


@pytest.fixture
async def erp(client):
    return await _key("erp")


@pytest.fixture
def make_key(client):
    return _key
