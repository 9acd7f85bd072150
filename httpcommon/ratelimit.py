"""Per-client rate limits, in this process: one token bucket per (rule, client address).

Each rule allows ``per_minute`` tries, refilled evenly over a minute (a rule at 0 is off).
Buckets live in this process only: with several replicas each holds its own, so a client may
get up to replicas × the limit. The client is the peer address; ``X-Forwarded-For`` is believed
only for peers listed as trusted proxies (the rightmost address not itself a trusted proxy).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import ip_address, ip_network

from aiohttp import web

from httpcommon.error_codes import RATE_LIMITED
from httpcommon.keys import RATE_LIMITER, now

MP_LOGIN, MP_BIND, SHARE_OPEN, BAD_API_KEY = "mp_login", "mp_bind", "share_open", "bad_api_key"
MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float  # when `tokens` was computed, epoch seconds


class RateLimiter:
    def __init__(self, per_minute: Mapping[str, int], trusted_proxies: Iterable[str] = ()):
        self._rates = {rule: n for rule, n in per_minute.items() if n > 0}
        self._trusted = [ip_network(p.strip(), strict=False) for p in trusted_proxies
                         if p.strip()]
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()

    def client(self, request: web.Request) -> str:
        """The caller's address: the peer, or what trusted proxies say they forwarded for."""
        peer = request.remote or ""
        if not self._is_trusted(peer):
            return peer
        forwarded = [part.strip() for header in request.headers.getall("X-Forwarded-For", [])
                     for part in header.split(",") if part.strip()]
        for address in reversed(forwarded):
            if not self._is_trusted(address):
                return address
        return forwarded[0] if forwarded else peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def check(self, rule: str, client: str, at: float) -> None:
        """Refuse with RateLimited when the client has no try left under this rule."""
        rate = self._rates.get(rule)
        if rate is None:
            return
        bucket = self._bucket(rule, client, at, rate)
        if bucket.tokens < 1:
            wait = (1 - bucket.tokens) * 60 / rate
            retry_after = max(1, math.ceil(wait))
            raise RATE_LIMITED(f"请求过于频繁，请 {retry_after} 秒后再试",
                               retry_after=retry_after)

    def spend(self, rule: str, client: str, at: float) -> None:
        """Count one try (no refusal here: `check` refuses)."""
        rate = self._rates.get(rule)
        if rate is not None:
            bucket = self._bucket(rule, client, at, rate)
            bucket.tokens = max(0.0, bucket.tokens - 1)

    def refund(self, rule: str, client: str, at: float) -> None:
        """Give one try back (it succeeded: only failures are meant to count)."""
        rate = self._rates.get(rule)
        if rate is not None:
            bucket = self._bucket(rule, client, at, rate)
            bucket.tokens = min(float(rate), bucket.tokens + 1)

    def _bucket(self, rule: str, client: str, at: float, rate: int) -> _Bucket:
        key = (rule, client)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(rate), at)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        else:
            bucket.tokens = min(float(rate), bucket.tokens + (at - bucket.at) * rate / 60)
            bucket.at = max(bucket.at, at)
        self._buckets.move_to_end(key)
        return bucket


def _where(request: web.Request) -> tuple[RateLimiter, str, float]:
    limiter: RateLimiter = request.config_dict[RATE_LIMITER]
    return limiter, limiter.client(request), now(request).timestamp()


def take_try(request: web.Request, rule: str) -> None:
    """One try under `rule` for this request's client, or 429 when none is left."""
    limiter, client, at = _where(request)
    limiter.check(rule, client, at)
    limiter.spend(rule, client, at)


def give_back(request: web.Request, rule: str) -> None:
    """Return the try ``take_try`` took, when it succeeded."""
    limiter, client, at = _where(request)
    limiter.refund(rule, client, at)


def refuse_if_exhausted(request: web.Request, rule: str) -> None:
    limiter, client, at = _where(request)
    limiter.check(rule, client, at)


def count_failure(request: web.Request, rule: str) -> None:
    limiter, client, at = _where(request)
    limiter.spend(rule, client, at)
