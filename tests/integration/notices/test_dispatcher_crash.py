"""The crash test: `python -m tally.cli deliver` killed with SIGKILL in the middle of a batch and
started again. Every notice still arrives; only rows in flight at the kill may arrive twice.

Runs on the suite's database (a SQLite file, or the scratch PostgreSQL database when
TALLY_TEST_DB=postgres); the fakes run in this process, the dispatcher in a child process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from domain.customers.models import Contact
from domain.notices.models import OutboxMessage
from domain.org.models import Staff
from tests.conftest import SHANGHAI
from tests.integration.notices.test_dispatcher import queue_notices
from tests.support.delivery import GROUP_SECRET, GROUP_TOKEN, fresh_delivery_settings

ROOT = Path(__file__).resolve().parents[3]
CONTACTS, STAFF = 60, 10


def child_env(settings, fake_wechat, fake_dingtalk, tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "TALLY_DATABASE_URL": settings.database_url,
        "TALLY_SECRET_KEY": "crash-test",
        "TALLY_DATA_DIR": str(tmp_path),
        "TALLY_WECHAT_API_BASE": fake_wechat.base_url,
        "TALLY_DINGTALK_OPENAPI_BASE": fake_dingtalk.base_url,
        "TALLY_DINGTALK_GROUP_WEBHOOK":
            f"{fake_dingtalk.base_url}/robot/send?access_token={GROUP_TOKEN}",
        "TALLY_DINGTALK_GROUP_SECRET": GROUP_SECRET,
        "TALLY_DELIVERY_LEASE_SECONDS": "1",
        "TALLY_DELIVERY_BATCH_SIZE": "20",
        "TALLY_DELIVERY_CONCURRENCY": "4",
        "TALLY_DELIVERY_RATE_WECHAT": "10000",
        "TALLY_DELIVERY_RATE_DINGTALK": "10000",
    }


def start_deliver(env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tally.cli", "deliver", "--until-empty"], cwd=ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )


def received(fake_wechat, fake_dingtalk) -> Counter:
    counts = Counter(m["payload"]["touser"] for m in fake_wechat.sent)
    counts.update(u for m in fake_dingtalk.sent if m["kind"] == "batch" for u in m["user_ids"])
    return counts


async def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def in_flight_recipients() -> set[str]:
    rows = await OutboxMessage.filter(status="sending").values_list(
        "recipient_kind", "recipient_id")
    contacts = {int(i) for k, i in rows if k == "contact"}
    staff = {int(i) for k, i in rows if k == "staff"}
    openids = await Contact.filter(id__in=contacts).values_list("openid", flat=True)
    userids = await Staff.filter(id__in=staff).values_list("dingtalk_userid", flat=True)
    return set(openids) | set(userids)


async def until_leases_expire() -> None:
    """Sleep until the killed worker's leases have run out."""
    leases = await OutboxMessage.filter(status="sending").values_list("lease_until", flat=True)
    if leases:
        wait = (max(leases) - datetime.now(SHANGHAI)).total_seconds()
        await asyncio.sleep(max(wait, 0) + 0.05)


@pytest.fixture
def slow_fakes(settings, fake_wechat, fake_dingtalk):
    """The fakes answer after 10 ms, so a kill lands in the middle of a batch."""
    fresh_delivery_settings(settings, fake_wechat, fake_dingtalk)
    fake_wechat.latency = fake_dingtalk.latency = 0.01
    yield
    fake_wechat.latency = fake_dingtalk.latency = 0.0


async def test_a_killed_deliverer_restarted_delivers_everything_duplicating_only_in_flight_rows(
    client, settings, fake_wechat, fake_dingtalk, slow_fakes, tmp_path
):
    # Due by the real clock: the child process runs on it.
    await queue_notices(datetime.now(SHANGHAI) - timedelta(minutes=1), CONTACTS, STAFF,
                        prefix="crash-")
    env = child_env(settings, fake_wechat, fake_dingtalk, tmp_path)
    log = tmp_path / "deliver.log"

    first = start_deliver(env, log)
    try:
        await wait_until(lambda: len(fake_wechat.sent) >= 25, 15, "the first sends")
    finally:
        first.kill()
        first.wait(5)
    in_flight = await in_flight_recipients()
    before_restart = received(fake_wechat, fake_dingtalk)
    await until_leases_expire()
    second = start_deliver(env, log)
    await asyncio.to_thread(second.wait, 30)

    assert second.returncode == 0, log.read_text()
    assert 0 < len(in_flight) and sum(before_restart.values()) < CONTACTS + STAFF
    counts = received(fake_wechat, fake_dingtalk)
    expected = {f"crash-o-{i}" for i in range(CONTACTS)} | {f"crash-s-{i}" for i in range(STAFF)}
    assert set(counts) == expected
    twice = {who for who, n in counts.items() if n > 1}
    assert twice <= in_flight and max(counts.values()) <= 2
    assert set(await OutboxMessage.all().values_list("status", flat=True)) == {"sent"}
