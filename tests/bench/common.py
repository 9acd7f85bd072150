"""What the database benchmarks share: a scratch database (a fresh SQLite file, or a PostgreSQL
database created and dropped around the run) and the command-line options that choose it; the
ORM opened on it; the peak RSS of the process; and the seed rows most benchmarks start from
(salespeople, customers, one bound WeChat contact per customer)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg

from domain.customers.models import Contact, Customer
from domain.org.models import Staff
from tally import db
from tally.settings import Settings

PG_ADMIN_URL = os.environ.get("TALLY_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")


def bench_parser(doc: str, count: int = 100_000) -> argparse.ArgumentParser:
    """The options every database benchmark takes: ``-n`` and the database's."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=count)
    add_database_args(parser)
    return parser


def add_database_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--postgres", action="store_true",
                        help="a scratch PostgreSQL database (default: a fresh SQLite file)")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)


def scratch_database(args: argparse.Namespace):
    """The scratch database ``add_database_args``' options ask for (a context manager)."""
    return scratch_postgres(args.pg_admin_url) if args.postgres else scratch_sqlite()


@contextlib.contextmanager
def scratch_postgres(admin_url: str):
    """A fresh PostgreSQL database for the run, dropped afterwards."""
    name = f"tally_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_admin(admin_url: str, sql: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def scratch_sqlite():
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite://{os.path.join(tmp, 'bench.sqlite3')}"


@contextlib.asynccontextmanager
async def bench_orm(database_url: str) -> AsyncIterator[Settings]:
    """The schema migrated and the ORM open on ``database_url``; yields the settings."""
    settings = Settings(database_url=database_url, secret_key="bench")
    await db.migrate(settings)
    await db.init_orm(settings)
    try:
        yield settings
    finally:
        await db.close_orm()


# ----- peak memory ------------------------------------------------------------------------------


def peak_rss_reset() -> bool:
    """Reset the process's RSS high-water mark (Linux ≥ 4.0); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    """The process's RSS high-water mark (``VmHWM``) since the last reset."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ----- seed rows (inside the caller's transaction) ----------------------------------------------

BATCH = 5000


async def seed_sellers(managers: list[int] | None = None, departments: list[str] | None = None,
                       count: int = 200) -> list[int]:
    """``count`` salespeople 业务员{i} (DingTalk s-{i}), the i-th under ``managers[i % len]``
    and in ``departments[i % len]`` when given; their ids in order."""
    await Staff.bulk_create([Staff(
        name=f"业务员{i}", dingtalk_userid=f"s-{i}",
        manager_id=managers[i % len(managers)] if managers else None,
        department=departments[i % len(departments)] if departments else "",
    ) for i in range(count)])
    return list(await Staff.filter(dingtalk_userid__startswith="s-").order_by("id").values_list(
        "id", flat=True))


async def seed_customers(count: int, sellers: list[int], *, name: str = "客户",
                         fields: Callable[[int], dict] | None = None) -> list[int]:
    """``count`` customers C000000… named ``name``{i}, the i-th with salesperson
    ``sellers[i % len]`` and ``fields(i)``; their ids in order."""
    await Customer.bulk_create([Customer(
        code=f"C{i:06d}", name=f"{name}{i}", salesperson_id=sellers[i % len(sellers)],
        **(fields(i) if fields else {})) for i in range(count)], batch_size=BATCH)
    return list(await Customer.all().order_by("id").values_list("id", flat=True))


async def seed_contacts(customer_ids: list[int]) -> None:
    """One contact bound to WeChat (openid o-{id}) per customer."""
    await Contact.bulk_create([Contact(customer_id=c, name=f"联系人{c}", openid=f"o-{c}")
                               for c in customer_ids], batch_size=BATCH)
