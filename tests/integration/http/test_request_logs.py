"""Request ids and logs: every response carries an X-Request-Id (the caller's, or a new one),
the notices a request queues carry it too and the dispatcher logs it when it delivers them;
logs are readable text or JSON, and never show a share token, an API key, a bind code or an
app secret (the service's own access logger masks the H5 path)."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from tortoise.contrib.test import truncate_all_models

from domain.customers.models import Contact
from domain.notices.models import OutboxMessage
from tally.app import create_app
from tally.logs import CHATTY_LIBRARIES, AccessLogger, configure_for, configure_logging
from tests.support import REAL_CREDENTIALS, make_statement, post_ok, seed, shared_statement
from tests.support.delivery import dispatcher_factory, fresh_delivery_settings

ROOT = Path(__file__).resolve().parents[3]
BO, MP = "/api/backoffice/v1", "/api/mp/v1"


@pytest.fixture
async def client(aiohttp_client, settings, clock):
    """The service with its own access logger, as `tally serve` runs it."""
    server = TestServer(create_app(settings, clock=clock))
    await server.start_server(access_log_class=AccessLogger)
    test_client = await aiohttp_client(server)
    await truncate_all_models()
    yield test_client
    await test_client.close()


@pytest.fixture
def log_output():
    """``start(log_format, level, settings=None)``: the service's logging into a buffer; the
    buffer's text is returned by ``text()``. The handler is removed after the test."""
    buffer, handlers = io.StringIO(), []
    root_level = logging.getLogger().level

    class Output:
        def start(self, log_format="text", level="INFO", settings=None):
            if settings is not None:
                handler = configure_for(settings)
                handler.setStream(buffer)
            else:
                handler = configure_logging(log_format, level, stream=buffer)
            handlers.append(handler)

        def text(self) -> str:
            return buffer.getvalue()

    yield Output()
    for handler in handlers:
        logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(root_level)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET)


async def test_every_response_carries_the_callers_request_id_or_a_new_one(client):
    given = await client.get("/healthz", headers={"X-Request-Id": "req-42"})
    made = await client.get("/healthz")
    refused = await client.get("/healthz", headers={"X-Request-Id": "x" * 65})
    unknown = await client.get("/no/such/page", headers={"X-Request-Id": "req-404"})
    failing = await client.get(f"{BO}/statements", headers={"X-Request-Id": "req-401"})

    assert given.headers["X-Request-Id"] == "req-42"
    assert len(made.headers["X-Request-Id"]) == 32
    assert len(refused.headers["X-Request-Id"]) == 32
    assert made.headers["X-Request-Id"] != refused.headers["X-Request-Id"]
    assert (unknown.status, unknown.headers["X-Request-Id"]) == (404, "req-404")
    assert (failing.status, failing.headers["X-Request-Id"]) == (401, "req-401")


async def test_notices_carry_the_request_id_that_queued_them_and_their_delivery_logs_it(
    client, admin, app, clock, settings, fake_wechat, fake_dingtalk, log_output
):
    log_output.start("text")
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    await post_ok(client, f"{BO}/statements", {**admin, "X-Request-Id": "req-issue"},
                  {"customer_id": customers["C001"]["id"], "date_from": "2021-12-01",
                   "date_to": "2021-12-22"}, status=201)
    issued = await OutboxMessage.get(kind="statement_issued")
    path = issued.payload["url"].removeprefix("http://tally.test")
    await post_ok(client, f"{path}/answer", {"X-Request-Id": "req-answer"},
                  {"answer": "mismatched", "description": "少一张退货单"})

    rows = {r.kind: r.request_id for r in await OutboxMessage.all()}
    assert rows.pop("statement_issued") == "req-issue"
    assert rows and set(rows.values()) == {"req-answer"}
    async with dispatcher_factory(app, clock) as build:
        await (await build(fresh_delivery_settings(settings, fake_wechat,
                                                   fake_dingtalk))).run_until_empty()

    sent = [line for line in log_output.text().splitlines() if " sent" in line]
    assert len(sent) == 4
    assert sum("[req-issue] outbox row" in line for line in sent) == 1
    assert sum("[req-answer] outbox row" in line for line in sent) == 3


async def test_json_logs_carry_the_request_id_and_mask_the_share_token(
    client, admin, log_output
):
    _, path = await shared_statement(client, admin)
    token = path.removeprefix("/s/")
    log_output.start("json")

    resp = await client.get(path, headers={"X-Request-Id": "req-h5"})
    await client.get(f"{path}/pdf")

    assert resp.status == 200
    lines = [json.loads(line) for line in log_output.text().splitlines()]
    access = [line for line in lines if line["logger"] == "aiohttp.access"]
    assert len(access) == 2 and token not in log_output.text()
    first = access[0]
    assert first["request_id"] == "req-h5" and first["route"] == "/s/{token}"
    assert first["path"] == "/s/***" and first["status"] == 200
    assert first["message"].startswith("GET /s/*** 200 ")
    assert access[1]["path"] == "/s/***/pdf"


async def test_no_share_token_api_key_bind_code_or_app_secret_reaches_the_logs(
    client, admin, settings, fake_wechat, log_output
):
    log_output.start(settings=replace(settings, log_level="DEBUG"))
    customers = await seed(client, admin)
    key = (await post_ok(client, f"{BO}/api-keys", admin, {"name": "erp", "role": "erp"},
                         status=201))["key"]
    assert (await client.get(f"{BO}/statements",
                             headers={"Authorization": f"Bearer {key}x"})).status == 401
    statement = await make_statement(client, admin, customers["C001"]["id"])
    share = await post_ok(client, f"{BO}/statements/{statement['id']}/share", admin,
                          status=201)
    token = share["url"].rsplit("/", 1)[1]
    await client.get(f"/s/{token}")
    await client.get(f"/s/{token}x")
    fake_wechat.register_code("code-o-log", "o-log")
    login = await post_ok(client, f"{MP}/login", {}, {"code": "code-o-log"})
    bind = await post_ok(client, f"{BO}/customers/{customers['C001']['id']}/bind-codes", admin,
                         status=201)
    await post_ok(client, f"{MP}/bind", {"Authorization": f"Bearer {login['token']}"},
                  {"code": bind["code"]})
    logging.getLogger("tests").info("leaked %s %s %s", settings.mp_secret,
                                    settings.wechat_secret, admin["Authorization"])

    text = log_output.text()
    assert "/s/***" in text and "leaked *** *** Bearer ***" in text
    for secret in (token, key, admin["Authorization"], bind["code"], login["token"],
                   settings.mp_secret, settings.wechat_secret, settings.secret_key):
        assert secret not in text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_tally_serve_logs_json_lines_with_request_ids_and_masked_tokens(settings, tmp_path):
    port = free_port()
    env = {**os.environ, "TALLY_DATABASE_URL": settings.database_url,
           "TALLY_SECRET_KEY": "serve-test", "TALLY_DATA_DIR": str(tmp_path),
           "TALLY_PORT": str(port), "TALLY_LOG_FORMAT": "json", "TALLY_DINGTALK_STREAM": "0",
           "TALLY_DELIVERY_WORKER": "0", "TALLY_JOBS_ENABLED": "0",
           **REAL_CREDENTIALS}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "tally.cli", "serve"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=out)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/healthz", log)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/s/abc.123.sig",
                                         headers={"X-Request-Id": "req-serve"})
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.headers["X-Request-Id"] == "req-serve"
        _wait_logged("req-serve", log)  # the access line is written after the answer is sent
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    [h5] = [line for line in lines if line.get("request_id") == "req-serve"]
    assert h5["logger"] == "aiohttp.access" and h5["path"] == "/s/***"
    assert "abc.123.sig" not in text


def _wait_logged(text: str, log: Path) -> None:
    deadline = time.monotonic() + 10
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)


def _wait_ready(url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"tally serve did not answer:\n{log.read_text()}")
