"""The outbox dispatcher with the real senders against the fake WeChat and DingTalk servers:
fast delivery settings, a factory of dispatchers whose HTTP sessions close with the block, and a
drain that moves the clock past every backoff. The fixtures built on these (`deliver`,
`make_dispatcher`, `delivery_settings`) are in tests/integration/conftest.py."""

from __future__ import annotations

import random
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace

from bot.senders import open_senders
from domain.customers.models import Contact
from domain.notices.models import OutboxMessage
from httpcommon.keys import WECHAT
from jobs.dispatcher import Dispatcher
from tests.support import make_statement, seed

GROUP_TOKEN, GROUP_SECRET = "grp-managers", "SEC-managers"
TEMPLATE = "cgi-bin/message/template/send"


def fresh_delivery_settings(settings, fake_wechat, fake_dingtalk, **changes):
    """Empties the fakes' records, adds the managers' group robot; settings for fast tests."""
    fake_wechat.reset()
    fake_dingtalk.reset()
    fake_dingtalk.add_group_robot(GROUP_TOKEN, GROUP_SECRET)
    return delivery_config(settings, fake_dingtalk, **changes)


def delivery_config(settings, fake_dingtalk, **changes):
    """Fast settings for tests: high rates, 1 s base backoff, 3 attempts."""
    values = {
        "dingtalk_openapi_base": fake_dingtalk.base_url,
        "dingtalk_group_webhook": f"{fake_dingtalk.base_url}/robot/send?access_token={GROUP_TOKEN}",
        "dingtalk_group_secret": GROUP_SECRET, "delivery_rate_wechat": 10_000,
        "delivery_rate_dingtalk": 10_000, "delivery_backoff_seconds": 1,
        "delivery_max_attempts": 3, "delivery_concurrency": 8, "delivery_batch_size": 50,
    }
    return replace(settings, **{**values, **changes})


@asynccontextmanager
async def dispatcher_factory(app, clock):
    """``await build(settings)``: a Dispatcher with real senders over the app's WeChat gateway;
    their HTTP sessions close when the block ends."""
    async with AsyncExitStack() as stack:
        async def build(settings, **options):
            senders = await stack.enter_async_context(open_senders(settings, app[WECHAT]))
            return Dispatcher(senders, settings, clock, rng=random.Random(1), **options)

        yield build


async def drain(dispatcher, clock, rounds: int = 20) -> None:
    """Run rounds, moving the clock past every backoff, until no row is pending or sending."""
    for _ in range(rounds):
        await dispatcher.run_until_empty()
        if not await OutboxMessage.filter(status__in=["pending", "sending"]).exists():
            return
        clock.advance(hours=2)
    raise AssertionError("outbox did not drain")


async def failed_statement_notice(client, admin, settings, fake_wechat, fake_dingtalk,
                                  build) -> tuple[OutboxMessage, dict]:
    """联想's statement issued to 陈会计 (openid o-chen) whose one allowed try WeChat answered
    HTTP 500: the row is dead and the managers' group alert about it sent. ``build`` makes a
    dispatcher (``make_dispatcher`` or ``dispatcher_factory``'s). The row and the statement."""
    customers = await seed(client, admin)
    await Contact.filter(external_id="P001").update(openid="o-chen")
    statement = await make_statement(client, admin, customers["C001"]["id"])
    config = fresh_delivery_settings(settings, fake_wechat, fake_dingtalk, delivery_max_attempts=1)
    fake_wechat.fail_next(1, status=500, path=TEMPLATE)
    await (await build(config)).run_until_empty()
    row = await OutboxMessage.get(kind="statement_issued")
    assert (row.status, row.attempts) == ("dead", 1)
    return row, statement
