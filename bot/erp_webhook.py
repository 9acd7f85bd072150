"""The ERP webhook sender: an outbox row of ``Channel.WEBHOOK`` (one domain event for one
configured endpoint) becomes one signed JSON POST.

The body is the event as the feed gives it, ``{"id", "type", "occurred_at", "data"}``, encoded
once per attempt. Headers: ``X-Tally-Event`` (the type), ``X-Tally-Delivery`` (the outbox row's
id: the same on every retry, so the ERP can drop a repeat), ``X-Tally-Timestamp`` (Unix seconds)
and ``X-Tally-Signature: sha256=<hex>``, the HMAC-SHA256 of ``f"{timestamp}.{body}"`` under the
endpoint's secret. A 2xx answer is delivered; 408, 429, 5xx, a timeout or a refused connection
are tried again later (the dispatcher's backoff, then dead); any other answer is permanent.
Redirects are not followed (a signed body is not re-sent to an address nobody configured).

A dead delivery raises no managers' alert: an ERP that is down would otherwise flood the
managers' group (20 messages a minute) with one alert per event and crowd out the alerts people
act on. Dead rows show in ``GET /deliveries`` and ``/metrics``; the ERP catches up from the pull
feed, whose events outlive their deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aiohttp

from domain.delivery import DeliveryFailed, Notice
from domain.notices.catalogue import Kind

RETRYABLE_STATUSES = frozenset({408, 429})
MAX_ANSWER = 200  # characters of the endpoint's answer kept in last_error


def webhook_body(payload: Mapping[str, Any]) -> bytes:
    """The POST's body: the event, compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# The renderer registry bot.senders lists for Channel.WEBHOOK (the catalogue test checks it).
WEBHOOK_BODIES = {Kind.ERP_EVENT: webhook_body}


class WebhookSender:
    """POSTs to the endpoints ``{name: (url, secret)}`` with a shared HTTP session."""

    def __init__(self, session: aiohttp.ClientSession, endpoints: Mapping[str, tuple[str, str]],
                 timeout_seconds: float = 10.0) -> None:
        self._session = session
        self._endpoints = dict(endpoints)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def prepare(self, notices: list[Notice]) -> None:
        return None

    async def send(self, notice: Notice, now: datetime) -> str:
        endpoint = self._endpoints.get(notice.recipient_id)
        if endpoint is None:  # configured when it was queued, not any more
            raise DeliveryFailed(f"webhook endpoint {notice.recipient_id!r} is not configured",
                                 retryable=False, alert=False)
        url, secret = endpoint
        body = WEBHOOK_BODIES[Kind(notice.kind)](notice.payload)
        timestamp = str(int(now.timestamp()))
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Tally-Event": str(notice.payload.get("type", "")),
                   "X-Tally-Delivery": str(notice.id), "X-Tally-Timestamp": timestamp,
                   "X-Tally-Signature": signature(secret, timestamp, body)}
        try:
            async with self._session.post(url, data=body, headers=headers, timeout=self._timeout,
                                          allow_redirects=False) as response:
                answer = (await response.text(errors="replace"))[:MAX_ANSWER]
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryFailed(f"webhook {type(exc).__name__}: {exc}", retryable=True,
                                 alert=False) from None
        if 200 <= status < 300:
            return f"http {status}"
        retryable = status >= 500 or status in RETRYABLE_STATUSES
        raise DeliveryFailed(f"webhook answered {status}: {answer}", retryable=retryable,
                             alert=False)
