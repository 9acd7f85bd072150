"""The workbench on a private fake DingTalk whose demo org (tests.fakes.dingtalk_contacts:
赵经理, 李业务, 王业务, 钱会计 of 财务 …) is synced into Tally by the real org sync, so staff carry
the user ids and unionids DingTalk's sign-in answers with; and the steps of QR login a browser
takes through the fake's OAuth page."""

from __future__ import annotations

import socket
from dataclasses import replace

import aiohttp
from yarl import URL

from jobs.org_sync import sync_from_dingtalk
from tally.app import create_app
from tests.conftest import empty_every_table
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.dingtalk_contacts import load_demo_org
from tests.fakes.dingtalk_login import SCAN_PATH

WB = "/workbench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def workbench_on(fake: FakeDingTalk, aiohttp_client, settings, clock):
    """The whole service on ``fake`` (every DingTalk host), its public address the test
    server's own (QR login comes back to it), the demo org loaded there and synced here."""
    load_demo_org(fake.contacts)
    port = free_port()
    settings = replace(settings, dingtalk_openapi_base=fake.base_url,
                       dingtalk_oapi_base=fake.base_url, dingtalk_login_base=fake.base_url,
                       public_base_url=f"http://127.0.0.1:{port}")
    client = await aiohttp_client(create_app(settings, clock=clock),
                                  server_kwargs={"port": port})
    await empty_every_table()
    await sync_from_dingtalk(settings)
    return client


async def scan_as(auth_page: str, userid: str) -> URL:
    """What DingTalk's QR page does once ``userid`` scanned and confirmed: the address it sends
    the browser back to (the workbench's callback with authCode and state)."""
    page = URL(auth_page)
    form = {name: page.query[name] for name in ("redirect_uri", "client_id", "state")}
    async with aiohttp.ClientSession() as session, session.post(
            page.with_path(SCAN_PATH).with_query(None), data={**form, "userid": userid},
            allow_redirects=False) as response:
        assert response.status == 302, await response.text()
        return URL(response.headers["Location"])
