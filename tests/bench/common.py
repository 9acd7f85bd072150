"""What the database benchmarks share: a scratch database (a fresh SQLite file, or a PostgreSQL
database created and dropped around the run) and the command-line options that choose it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import uuid

import asyncpg

PG_ADMIN_URL = os.environ.get("TALLY_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")


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
