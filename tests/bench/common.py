"""What the database benchmarks share: a scratch database (a fresh SQLite file, or a PostgreSQL
database created and dropped around the run) and the command-line options that choose it; the
ORM opened on it; the peak RSS of the process; and the seed rows most benchmarks start from
(salespeople, customers, one bound WeChat contact per customer, statements with their lines and
share links)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
from tortoise.connection import get_connection

from bot.card_templates import DEFAULTS as CARD_DEFAULTS
from domain.bulk_rows import BulkTable
from domain.customers.models import Contact, Customer
from domain.documents.rules import DOC_TYPES, RECEIPT, SALES_OUT
from domain.org.models import Staff
from domain.sql import insert_rows
from domain.statements import rules
from domain.statements.models import ShareLink, Statement, StatementLine
from tally import db
from tally.settings import Settings
from tally.startup import DEMO_CREDENTIALS

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


# ----- a `tally serve` process ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# Not sandbox mode: `tally serve` refuses the demo credentials and card templates.
BENCH_CREDENTIALS = {f"TALLY_{name.upper()}": f"bench-{name}" for name in DEMO_CREDENTIALS}
BENCH_CARD_TEMPLATES = json.dumps({kind: {**template, "template_id": f"bench-{kind}.schema"}
                                   for kind, template in CARD_DEFAULTS.items()})


def service_env(database_url: str, port: int, secret: str, data_dir: Path | str,
                **settings: str) -> dict[str, str]:
    """The environment of a `tally serve` on 127.0.0.1:``port`` over ``database_url``, with
    bench credentials, WeChat at a closed port, no per-client share-link limit (one client on
    purpose) and ``settings`` (TALLY_ names) on top."""
    return {**os.environ, "TALLY_DATABASE_URL": database_url, "TALLY_PORT": str(port),
            "TALLY_HOST": "127.0.0.1", "TALLY_SECRET_KEY": secret,
            "TALLY_DATA_DIR": str(data_dir),
            "TALLY_WECHAT_API_BASE": f"http://127.0.0.1:{free_port()}/",
            "TALLY_RATE_LIMIT_SHARE_OPEN": "0",
            "TALLY_DINGTALK_CARD_TEMPLATES": BENCH_CARD_TEMPLATES,
            **BENCH_CREDENTIALS, **settings}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict | None = None) -> int:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as r:
        return r.status


@contextlib.contextmanager
def process(name: str, args: list[str], port: int, log: Path, env: dict | None = None):
    """Run a server; yield it once /healthz answers; always stop it."""
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited with {proc.returncode}:\n{log.read_text()}")
            with contextlib.suppress(OSError):
                if get(f"http://127.0.0.1:{port}/healthz") == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not answer /healthz in 30 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()



def process_peak_rss_mib(pid: int) -> float:
    """Another process's RSS high-water mark (``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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


def statement_lines(index: int, count: int) -> list[dict]:
    """The ``index``-th statement's ``count`` lines of October 2026 (fields, no statement id
    yet): mostly sales-outs, every fifth a return, receipt or sales-out in turn; amounts vary
    with the index and the position."""
    lines = []
    for position in range(count):
        doc_type = DOC_TYPES[position % 3] if position % 5 == 4 else SALES_OUT
        amount = Decimal(f"{(index * 37 + position * 101) % 90_000 + 100}.00")
        lines.append({
            "position": position, "number": f"XS-{index}-{position}", "doc_type": doc_type,
            "date": date(2026, 10, 1) + timedelta(days=position), "amount": amount,
            "owed": amount if doc_type == SALES_OUT else -amount,
            "account": "银行存款-中国银行" if doc_type == RECEIPT else "",
        })
    return lines


STATEMENTS, LINES, LINKS = BulkTable(Statement), BulkTable(StatementLine), BulkTable(ShareLink)


async def seed_statements(customer_ids: list[int], count: int, lines: int, now: datetime, *,
                          link_days: int = 30) -> list[tuple[int, int, str]]:
    """``count`` October statements of ``lines`` lines each, the i-th (from 1) for customer
    ``customer_ids[(i - 1) % len]``, created ``now`` with one share link each (nonce
    ``f"{i:024x}"``, expiring ``link_days`` later); (statement id, customer id, nonce) in order.
    Call inside the caller's transaction, on a database without statements. Multi-row INSERTs
    shaped by the models (``domain.bulk_rows``), as month-end issues statements."""
    connection = get_connection("default")
    customers = [customer_ids[(i - 1) % len(customer_ids)] for i in range(1, count + 1)]
    lines_of = [statement_lines(i, lines) for i in range(1, count + 1)]
    await _insert(connection, STATEMENTS, [
        _statement(c, rows, now) for c, rows in zip(customers, lines_of, strict=True)])
    ids = list(await Statement.all().order_by("id").values_list("id", flat=True))
    await _insert(connection, LINES, [{**row, "statement_id": statement_id}
                                      for statement_id, rows in zip(ids, lines_of, strict=True)
                                      for row in rows])
    nonces = [f"{i:024x}" for i in range(1, count + 1)]
    expires = now + timedelta(days=link_days)
    await _insert(connection, LINKS, [
        {"statement_id": s, "nonce": n, "created_by": "bench", "created_at": now,
         "expires_at": expires} for s, n in zip(ids, nonces, strict=True)])
    return list(zip(ids, customers, nonces, strict=True))


async def _insert(connection, table: BulkTable, rows: list[dict]) -> None:
    await insert_rows(connection, table.table, table.columns, table.rows(rows))


def _statement(customer_id: int, lines: list[dict], now: datetime) -> dict:
    totals = rules.statement_totals(Decimal("1000.00"), (
        rules.LineValues(r["doc_type"], r["amount"], r["owed"]) for r in lines))
    return {"customer_id": customer_id, "date_from": date(2026, 10, 1),
            "date_to": date(2026, 10, 31), "opening": totals.opening,
            "increase": totals.increase, "receipts": totals.receipts, "closing": totals.closing,
            "line_count": totals.line_count, "owed_total": totals.owed_total,
            "created_by": "bench", "created_at": now}
