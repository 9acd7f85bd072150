"""Outbox delivery: claim due rows, send each through its channel's sender, record the outcome.

One round, per channel: claim up to ``limit`` due rows — pending rows whose ``next_attempt_at``
has come, and "sending" rows whose lease ran out (their worker died) — by marking them
"sending" with a lease and one more attempt; then send them with bounded concurrency and a
per-channel rate limit, and record each outcome in its own small statement right after its send:
sent (with the provider's reference), back to pending with a jittered exponential backoff, or
dead (with one managers' alert). A row is therefore sent twice only when its worker died between
the send and that record, and the lease ran out — at-least-once delivery.

Claiming: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` then ``UPDATE`` in one transaction,
so replicas draining together never take the same row. On SQLite a single
``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`` takes the write lock at once (SQLite
serialises writers and has no row locks; a read-then-write transaction could fail to upgrade).
SQLite keeps datetimes as text with their UTC offset, so due times are compared through
``julianday()``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from domain.delivery import DeliveryFailed, Notice, Sender
from domain.notices import outbox
from domain.notices.catalogue import (
    MANAGERS,
    Channel,
    DeliveryDead,
    Kind,
    delivery_dead_key,
)
from domain.sql import execute, execute_many, is_postgres

log = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 3600
GROUP_ROBOT_PER_MINUTE = 20  # DingTalk custom robots: 20 messages a minute, then 10 min blocked
IDLE_SECONDS = 1.0
ERROR_PAUSE_SECONDS = 5.0
MAX_ERROR_LENGTH = 1000
COLUMNS = ("id, channel, kind, recipient_kind, recipient_id, recipient_name, payload, attempts, "
           "request_id")
SENT, RETRIED, DEAD = "sent", "retried", "dead"

DUE_SQLITE = """(status = 'pending' AND julianday(next_attempt_at) <= julianday(?))
    OR (status = 'sending' AND julianday(lease_until) <= julianday(?))"""
CLAIM_SQLITE = f"""UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox WHERE channel = ? AND ({DUE_SQLITE})
             ORDER BY next_attempt_at, id LIMIT ?)
RETURNING {COLUMNS}"""
LOCK_PG = """SELECT id FROM outbox WHERE channel = $1
    AND ((status = 'pending' AND next_attempt_at <= $2)
         OR (status = 'sending' AND lease_until <= $2))
ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED"""
CLAIM_PG = f"""UPDATE outbox SET status = 'sending', lease_until = $1, attempts = attempts + 1
WHERE id = ANY($2::bigint[]) RETURNING {COLUMNS}"""
# Sent wins over whatever else happened to the row meanwhile (a reclaim, a failure record).
MARK_SENT = """UPDATE outbox SET status = 'sent', sent_at = {0}, provider_ref = {1},
    lease_until = NULL, last_error = '' WHERE id = {2} AND status <> 'sent'"""
# Failures only touch the claim they belong to (same attempt, still sending).
MARK_RETRY = """UPDATE outbox SET status = 'pending', next_attempt_at = {0}, lease_until = NULL,
    last_error = {1} WHERE id = {2} AND status = 'sending' AND attempts = {3}"""
MARK_DEAD = """UPDATE outbox SET status = 'dead', lease_until = NULL, last_error = {0}
    WHERE id = {1} AND status = 'sending' AND attempts = {2}"""


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    alerts: int = 0

    def __add__(self, other: DispatchStats) -> DispatchStats:
        return DispatchStats(*(getattr(self, f.name) + getattr(other, f.name)
                               for f in fields(self)))


# ----- rate limits (real time, per process) ----------------------------------------------------


class TokenBucket:
    """``rate`` per second with bursts of ``capacity``; callers are served first come, first
    served (each reserves the next token and sleeps until it is due)."""

    def __init__(self, rate: float, capacity: float | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._rate = float(rate)
        self._capacity = float(capacity if capacity is not None else max(rate, 1))
        self._tokens = self._capacity
        self._monotonic = monotonic
        self._stamp = monotonic()

    def reserve(self) -> float:
        """Take a token; returns how long to wait before using it."""
        now = self._monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self._rate

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)

    def per_lease(self, lease_seconds: float) -> int:
        return int(self._rate * lease_seconds)


class WindowLimiter:
    """At most ``count`` uses in any ``window`` seconds (DingTalk's robot rule, exactly)."""

    def __init__(self, count: int, window: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._count = count
        self._window = window
        self._slots: collections.deque[float] = collections.deque()
        self._monotonic = monotonic

    def reserve(self) -> float:
        now = self._monotonic()
        while self._slots and self._slots[0] <= now - self._window:
            self._slots.popleft()
        slot = now if len(self._slots) < self._count else self._slots[-self._count] + self._window
        self._slots.append(slot)
        return max(slot - now, 0.0)

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)

    def per_lease(self, lease_seconds: float) -> int:
        return int(self._count * lease_seconds / self._window)


def default_limiters(settings) -> dict[str, TokenBucket | WindowLimiter]:
    return {
        Channel.WECHAT: TokenBucket(settings.delivery_rate_wechat),
        Channel.DINGTALK: TokenBucket(settings.delivery_rate_dingtalk),
        Channel.DINGTALK_GROUP: WindowLimiter(GROUP_ROBOT_PER_MINUTE, 60.0),
    }


def backoff_seconds(attempts: int, base: float, rng: random.Random,
                    cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^(attempts-1))]."""
    return rng.uniform(0, min(cap, base * 2 ** max(attempts - 1, 0)))


# ----- SQL ------------------------------------------------------------------------------------


def _notice(row: dict) -> Notice:
    payload = row["payload"]
    if isinstance(payload, (str, bytes)):
        payload = json.loads(payload)
    return Notice(id=row["id"], channel=row["channel"], kind=row["kind"],
                  recipient_kind=row["recipient_kind"], recipient_id=row["recipient_id"],
                  recipient_name=row["recipient_name"], payload=payload or {},
                  attempts=row["attempts"], request_id=row["request_id"] or "")


async def claim(channel: str, limit: int, now: datetime, lease_until: datetime) -> list[Notice]:
    """Take up to ``limit`` due rows of ``channel``: "sending", leased, one more attempt."""
    connection = get_connection("default")
    if is_postgres(connection):
        async with in_transaction() as tx:
            ids = [r["id"] for r in await tx.execute_query_dict(LOCK_PG, [channel, now, limit])]
            rows = await tx.execute_query_dict(CLAIM_PG, [lease_until, ids]) if ids else []
    else:
        rows = await connection.execute_query_dict(
            CLAIM_SQLITE, [lease_until, channel, now, now, limit])
    return sorted((_notice(r) for r in rows), key=lambda n: n.id)


class SentMarker:
    """Group commit of "sent" marks. A finished send queues its mark; whoever finds no write in
    progress writes everything queued in one transaction, the others wait for that write and
    take the next turn if theirs was not in it. Under load one commit records many rows (a
    SQLite commit waits for an fsync, ~1.4 ms here); each row is still marked right after its
    send, and until then it stays leased."""

    def __init__(self) -> None:
        self._pending: list[tuple[list, asyncio.Future]] = []
        self._writing = False
        self._written = asyncio.Event()

    async def mark(self, notice_id: int, provider_ref: str, sent_at: datetime) -> None:
        done = asyncio.get_running_loop().create_future()
        self._pending.append(([sent_at, provider_ref, notice_id], done))
        while not done.done():
            if self._writing:
                await self._written.wait()
            else:
                await self._write_pending()
        done.result()

    async def _write_pending(self) -> None:
        self._writing = True
        batch, self._pending = self._pending, []
        try:
            await _write_batch(batch)
        except BaseException:  # cancelled mid-write: the marks go back for the next writer
            self._pending = [entry for entry in batch if not entry[1].done()] + self._pending
            raise
        finally:
            self._writing = False
            written, self._written = self._written, asyncio.Event()
            written.set()


async def _write_batch(batch: list[tuple[list, asyncio.Future]]) -> None:
    try:
        await execute_many(MARK_SENT, [v for v, _ in batch])
    except Exception as exc:
        for _, done in batch:
            done.set_exception(exc)
    else:
        for _, done in batch:
            done.set_result(None)


# ----- the dispatcher -------------------------------------------------------------------------


def _ignore(channel: str, outcome: str) -> None:
    pass


class Dispatcher:
    """Drains the outbox through ``senders`` (channel -> Sender). ``clock`` gives the business
    time (due times, leases, sent_at); rate limits run on real time. ``observe(channel,
    outcome)`` hears of each row sent, retried or dead (the service counts them for /metrics)."""

    def __init__(self, senders: Mapping[str, Sender], settings, clock: Callable[[], datetime],
                 *, rng: random.Random | None = None, limiters: Mapping | None = None,
                 observe: Callable[[str, str], None] = _ignore) -> None:
        self._observe = observe
        self._senders = dict(senders)
        self._settings = settings
        self._clock = clock
        self._rng = rng or random.Random()
        self._limiters = {**default_limiters(settings), **(limiters or {})}
        self._slots = asyncio.Semaphore(max(settings.delivery_concurrency, 1))
        self._wakers: set[asyncio.Event] = set()
        self._marker = SentMarker()

    def notify(self) -> None:
        """Something was queued: idle loops look again now rather than after IDLE_SECONDS."""
        for event in self._wakers:
            event.set()

    async def run_once(self, limit: int | None = None) -> DispatchStats:
        """One round over every channel: claim up to ``limit`` rows in all, deliver them."""
        return await self._round(list(self._senders), limit or self._settings.delivery_batch_size)

    async def run_until_empty(self, limit: int | None = None) -> DispatchStats:
        """Rounds until nothing is due (rows waiting for a retry later are left waiting)."""
        total = DispatchStats()
        while (stats := await self.run_once(limit)).claimed:
            total += stats
        return total

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Drain each channel in its own loop (a slow channel does not hold up the others)
        until ``stop`` is set; a round in progress finishes first."""
        await asyncio.gather(*(self._channel_loop(ch, stop) for ch in self._senders))

    @contextlib.asynccontextmanager
    async def running(self, grace: float = 10.0):
        """Run ``run_forever`` in a task for the block's duration (for an app's cleanup_ctx)."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.run_forever(stop), name="outbox-dispatcher")
        try:
            yield self
        finally:
            stop.set()
            self.notify()
            try:
                await asyncio.wait_for(task, grace)
            except TimeoutError:
                log.warning("outbox dispatcher did not stop within %ss; cancelled", grace)

    async def _channel_loop(self, channel: str, stop: asyncio.Event) -> None:
        wake = asyncio.Event()
        self._wakers.add(wake)
        try:
            while not stop.is_set():
                pause = await self._safe_round(channel)
                if pause:
                    await _wait_any(stop, wake, pause)
                    wake.clear()
        finally:
            self._wakers.discard(wake)

    async def _safe_round(self, channel: str) -> float:
        """One round of ``channel``; how long to pause after it (0 when there may be more)."""
        try:
            stats = await self._round([channel], self._settings.delivery_batch_size)
        except Exception:  # the database may be away for a while: keep the worker alive
            log.exception("outbox round for %s failed", channel)
            return ERROR_PAUSE_SECONDS
        return 0.0 if stats.claimed else IDLE_SECONDS

    async def _round(self, channels: list[str], limit: int) -> DispatchStats:
        now = self._clock()
        lease_until = now + timedelta(seconds=self._settings.delivery_lease_seconds)
        claimed: list[Notice] = []
        for channel in channels:
            room = min(limit - len(claimed), self._claim_cap(channel))
            if room > 0:
                notices = await claim(channel, room, now, lease_until)
                if notices:
                    await self._senders[channel].prepare(notices)
                claimed += notices
        results = await asyncio.gather(*(self._deliver(n) for n in claimed))
        return sum(results, DispatchStats(claimed=len(claimed)))

    def _claim_cap(self, channel: str) -> int:
        """No more rows than the channel's rate can send in half a lease, so none is still
        waiting for its turn when its lease runs out (and another worker takes it)."""
        limiter = self._limiters.get(channel)
        if limiter is None:
            return self._settings.delivery_batch_size
        return max(limiter.per_lease(self._settings.delivery_lease_seconds / 2), 1)

    async def _deliver(self, notice: Notice) -> DispatchStats:
        """Send one row and record the outcome; never raises (but for cancellation): a row whose
        outcome could not be recorded stays leased and is tried again when the lease ends."""
        try:
            return await self._send_and_record(notice)
        except Exception:
            log.exception("outbox row %s: the outcome could not be recorded", notice.id)
            return DispatchStats()

    async def _send_and_record(self, notice: Notice) -> DispatchStats:
        limiter = self._limiters.get(notice.channel)
        if limiter is not None:
            await limiter.acquire()
        async with self._slots:
            try:
                ref = await self._senders[notice.channel].send(notice, self._clock())
            except DeliveryFailed as exc:
                return await self._failed(notice, exc)
            except Exception as exc:  # a bug or an outage in a sender: retried, then dead
                log.exception("sending outbox row %s failed", notice.id)
                return await self._failed(notice, DeliveryFailed(
                    f"{type(exc).__name__}: {exc}", retryable=True))
        await self._marker.mark(notice.id, ref or "", self._clock())
        log.info("outbox row %s (%s to %s) sent", notice.id, notice.kind, notice.recipient_name,
                 extra=_row_extra(notice))
        self._observe(notice.channel, SENT)
        return DispatchStats(sent=1)

    async def _failed(self, notice: Notice, exc: DeliveryFailed) -> DispatchStats:
        error = exc.reason[:MAX_ERROR_LENGTH]
        if exc.retryable and notice.attempts < self._settings.delivery_max_attempts:
            delay = backoff_seconds(notice.attempts, self._settings.delivery_backoff_seconds,
                                    self._rng)
            retry_at = self._clock() + timedelta(seconds=delay)
            await execute(MARK_RETRY, retry_at, error, notice.id, notice.attempts)
            log.info("outbox row %s: %s; retry in %.0fs", notice.id, error, delay,
                     extra=_row_extra(notice))
            self._observe(notice.channel, RETRIED)
            return DispatchStats(retried=1)
        return await self._dead(notice, exc, error)

    async def _dead(self, notice: Notice, exc: DeliveryFailed, error: str) -> DispatchStats:
        alert = exc.alert and notice.kind != Kind.DELIVERY_DEAD
        async with in_transaction() as tx:
            if not await execute(MARK_DEAD, error, notice.id, notice.attempts, connection=tx):
                return DispatchStats()
            queued = alert and await outbox.enqueue(
                Kind.DELIVERY_DEAD, MANAGERS, _alert_payload(notice, error),
                delivery_dead_key(notice.id, MANAGERS), self._clock())
        log.warning("outbox row %s (%s to %s) is dead: %s", notice.id, notice.kind,
                    notice.recipient_name, error, extra=_row_extra(notice))
        self._observe(notice.channel, DEAD)
        if queued:
            self.notify()
        return DispatchStats(dead=1, alerts=1 if queued else 0)


def _row_extra(notice: Notice) -> dict:
    """Log fields of a row: its id and the request that queued it."""
    return {"outbox_id": notice.id, "request_id": notice.request_id}


def _alert_payload(notice: Notice, error: str) -> DeliveryDead:
    return {
        "outbox_id": notice.id, "kind": notice.kind, "channel": notice.channel,
        "recipient_kind": notice.recipient_kind, "recipient_id": notice.recipient_id,
        "recipient_name": notice.recipient_name, "attempts": notice.attempts, "error": error,
        "customer": notice.payload.get("customer", ""),
        "statement_id": notice.payload.get("statement_id"),
    }


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
