"""What /metrics shows, in one registry per app (prometheus-client): request latency by route,
outbox rows by channel and status, deliveries sent / retried / dead, job runs and the last
duration of each job, the DingTalk stream's connection state, and whether the database
answered the scrape. Counters are this process's; the outbox and job gauges are read from the
database at each scrape (so they hold for every replica and for `tally deliver` workers)."""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from domain.notices import outbox
from jobs.runs import last_durations, run_counts
from jobs.schedule import DAILY_JOBS

log = logging.getLogger(__name__)
READ_TIMEOUT = 5.0
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """The service's metrics; the stream gauge only when the service runs the stream."""

    def __init__(self, *, stream: bool = False) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Histogram(
            "tally_http_request_duration_seconds", "HTTP request latency by route",
            ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=registry)
        self.deliveries = Counter(
            "tally_outbox_deliveries", "Outbox rows handled by this process's dispatcher",
            ["channel", "outcome"], registry=registry)
        self.outbox_rows = Gauge(
            "tally_outbox_rows", "Outbox rows by channel and status", ["channel", "status"],
            registry=registry)
        self.job_runs = Gauge(
            "tally_job_runs", "Recorded daily job runs by job and status", ["job", "status"],
            registry=registry)
        self.job_duration = Gauge(
            "tally_job_last_duration_seconds", "How long the latest finished run of a job took",
            ["job"], registry=registry)
        self.stream_connected = Gauge(
            "tally_dingtalk_stream_connected", "1 when the DingTalk stream is connected, else 0",
            registry=registry) if stream else None
        self.database_up = Gauge(
            "tally_database_up", "1 when the database answered the last scrape", registry=registry)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """One request's latency; odd methods count as OTHER (labels stay few)."""
        method = method if method in METHODS else "OTHER"
        self.requests.labels(route, method, str(status)).observe(seconds)

    def observe_delivery(self, channel: str, outcome: str) -> None:
        self.deliveries.labels(channel, outcome).inc()

    async def render(self, stream=None) -> bytes:
        """The registry in Prometheus text format, database gauges read now."""
        if self.stream_connected is not None:
            self.stream_connected.set(1 if stream is not None and stream.connected else 0)
        try:
            await asyncio.wait_for(self._read_database(), READ_TIMEOUT)
        except Exception:  # the scrape still answers: tally_database_up says what happened
            log.warning("metrics: reading the database failed", exc_info=True)
            self.database_up.set(0)
        else:
            self.database_up.set(1)
        return generate_latest(self.registry)

    async def _read_database(self) -> None:
        rows, runs = await outbox.counts_by_channel_and_status(), await run_counts()
        durations = await last_durations(list(DAILY_JOBS))
        _replace(self.outbox_rows, rows)
        _replace(self.job_runs, runs)
        _replace(self.job_duration, {(job,): seconds for job, seconds in durations.items()})


def _replace(gauge: Gauge, values: dict[tuple, float]) -> None:
    """Set the gauge to exactly these labelled values (labels no longer present go away)."""
    gauge.clear()
    for labels, value in values.items():
        gauge.labels(*labels).set(value)
