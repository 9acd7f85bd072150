"""Signed webhooks through the outbox: each published event queues one delivery for the
configured endpoint, which the dispatcher POSTs to a local receiver (loopback aiohttp server)
with the documented headers and a signature the ERP can check; a 5xx is retried with the same
delivery id, a 400 gives up at once, and a delivery that keeps failing ends dead."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import replace

import pytest
from aiohttp import web

from domain.events.publish import set_webhook_endpoints
from domain.notices.models import OutboxMessage
from tally.settings import Settings, SettingsError
from tests.integration.events.test_events_published import feed
from tests.support.delivery import drain
from tests.support.handover import call, make_staff

SECRET = "whsec-test-0123456789"
CLOSE = {"staff": ["sales-li"], "dates": ["2026-11-23"]}


def verify(secret: str, headers, body: bytes, now: float, tolerance: int = 300) -> dict:
    """What the ERP does (the README's example): check the signature over the timestamp and
    the raw body, refuse a stale timestamp, then parse the event."""
    timestamp = headers["X-Tally-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                                    hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers["X-Tally-Signature"]):
        raise ValueError("bad signature")
    if abs(now - int(timestamp)) > tolerance:
        raise ValueError("stale")
    return json.loads(body)


class Receiver:
    """The ERP's endpoint: records each request, answers the queued statuses (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status < 300 else "nope")


@pytest.fixture
async def receiver(aiohttp_server):
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/erp/hooks", receiver.handle)
    receiver.server = await aiohttp_server(app)
    return receiver


@pytest.fixture
def settings(settings, receiver):
    """The service with the ERP webhook pointed at the local receiver."""
    return replace(settings, erp_webhook_url=str(receiver.server.make_url("/erp/hooks")),
                   erp_webhook_secret=SECRET)


@pytest.fixture(autouse=True)
def no_endpoints_after():
    yield
    set_webhook_endpoints(())  # the next test's app sets its own; tests without one see none


@pytest.fixture
async def dispatcher(make_dispatcher, delivery_settings, client):
    return await make_dispatcher(delivery_settings)


@pytest.fixture
async def closed_day(client, finance):
    """A real change that publishes an event (finance closes a day); its outbox row."""
    await make_staff("sales-li", "李业务")
    await call(client, "POST", "/handover/close", finance, CLOSE)
    [row] = await OutboxMessage.filter(channel="webhook")
    return row


async def test_an_event_is_posted_signed_with_its_delivery_id(
        client, erp, dispatcher, clock, receiver, closed_day):
    assert (closed_day.kind, closed_day.recipient_id, closed_day.dedupe_key) == (
        "erp_event", "erp", f"erp_event:{closed_day.payload['id']}:webhook:erp")

    await drain(dispatcher, clock)

    [(headers, body)] = receiver.requests
    event = verify(SECRET, headers, body, clock().timestamp())
    [item] = (await feed(client, erp))["events"]
    assert event == item  # the webhook's body is the feed's item
    assert headers["X-Tally-Event"] == "day.closed"
    assert headers["X-Tally-Delivery"] == str(closed_day.id)
    assert headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError, match="bad signature"):
        verify("another secret", headers, body, clock().timestamp())
    with pytest.raises(ValueError, match="bad signature"):
        verify(SECRET, headers, body.replace(b"sales-li", b"sales-xx"), clock().timestamp())
    with pytest.raises(ValueError, match="stale"):
        verify(SECRET, headers, body, time.time() + 3600 * 24 * 400)
    row = await OutboxMessage.get(id=closed_day.id)
    assert (row.status, row.attempts, row.provider_ref) == ("sent", 1, "http 200")


async def test_a_500_is_retried_with_the_same_delivery_id(
        dispatcher, clock, receiver, closed_day):
    receiver.statuses = [500, 503]

    await drain(dispatcher, clock)

    assert [h["X-Tally-Delivery"] for h, _ in receiver.requests] == [str(closed_day.id)] * 3
    assert len({b for _, b in receiver.requests}) == 1  # the same event each time
    for headers, body in receiver.requests:  # each attempt signed with its own timestamp
        verify(SECRET, headers, body, int(headers["X-Tally-Timestamp"]))
    row = await OutboxMessage.get(id=closed_day.id)
    assert (row.status, row.attempts) == ("sent", 3)


async def test_a_delivery_failing_every_attempt_ends_dead(dispatcher, clock, receiver,
                                                         closed_day):
    receiver.statuses = [500] * 10

    await drain(dispatcher, clock)

    row = await OutboxMessage.get(id=closed_day.id)
    assert (row.status, row.attempts) == ("dead", 3)  # delivery_max_attempts
    assert "500" in row.last_error
    assert len(receiver.requests) == 3
    # no managers' alert per event: a down ERP would flood the group; the feed catches up
    assert await OutboxMessage.filter(kind="delivery_dead").count() == 0


@pytest.mark.parametrize("status,tries", [(400, 1), (404, 1), (429, 2), (408, 2)])
async def test_a_4xx_gives_up_at_once_but_408_and_429_are_retried(
        dispatcher, clock, receiver, closed_day, status, tries):
    receiver.statuses = [status]

    await drain(dispatcher, clock)

    row = await OutboxMessage.get(id=closed_day.id)
    assert (row.status, row.attempts) == (("dead", 1) if tries == 1 else ("sent", 2))
    assert len(receiver.requests) == tries


async def test_an_unreachable_endpoint_is_retried(client, finance, make_dispatcher,
                                                  delivery_settings, clock, receiver):
    await make_staff("sales-li", "李业务")
    await call(client, "POST", "/handover/close", finance, CLOSE)
    gone = replace(delivery_settings, erp_webhook_url="http://127.0.0.1:9/nothing-listens")
    dispatcher = await make_dispatcher(gone)

    await dispatcher.run_until_empty()

    [row] = await OutboxMessage.filter(channel="webhook")
    assert (row.status, row.attempts) == ("pending", 1)
    assert "webhook" in row.last_error


def test_a_webhook_url_needs_its_secret():
    env = {"TALLY_SECRET_KEY": "k", "TALLY_ERP_WEBHOOK_URL": "https://erp.example.com/hooks"}
    with pytest.raises(SettingsError, match="TALLY_ERP_WEBHOOK_SECRET"):
        Settings.from_env(env)
    with pytest.raises(SettingsError, match="TALLY_ERP_WEBHOOK_URL"):
        Settings.from_env({**env, "TALLY_ERP_WEBHOOK_URL": "erp.example.com",
                           "TALLY_ERP_WEBHOOK_SECRET": "s"})
    configured = Settings.from_env({**env, "TALLY_ERP_WEBHOOK_SECRET": "s"})
    assert configured.webhook_endpoints() == {
        "erp": ("https://erp.example.com/hooks", "s")}
