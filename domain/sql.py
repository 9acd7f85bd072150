"""Plain SQL for the few hot paths where building the query with the ORM costs more than
running it. Templates use {0}, {1}, … for parameters; each dialect gets its own markers."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from tortoise.connection import get_connection


def is_postgres(connection) -> bool:
    return connection.capabilities.dialect == "postgres"


def render(connection, template: str, count: int) -> str:
    """The template with `count` parameter markers of the connection's dialect."""
    if is_postgres(connection):
        return template.format(*(f"${i}" for i in range(1, count + 1)))
    return template.format(*(["?"] * count))


async def fetch_one(template: str, *values) -> dict | None:
    connection = get_connection("default")
    rows = await connection.execute_query_dict(render(connection, template, len(values)),
                                               list(values))
    return rows[0] if rows else None


async def execute(template: str, *values, connection=None) -> int:
    """Run one statement; returns the number of rows it changed."""
    connection = connection or get_connection("default")
    affected, _ = await connection.execute_query(
        render(connection, template, len(values)), list(values))
    return affected


async def execute_many(template: str, rows: list[list], connection=None) -> None:
    if not rows:
        return
    connection = connection or get_connection("default")
    await connection.execute_many(render(connection, template, len(rows[0])), rows)


# ----- writers of the same natural keys, one after the other ------------------------------------

KEY_LOCK_BUCKETS = 64  # advisory locks a transaction takes at most per scope


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


async def lock_keys(scope: str, keys: Iterable[str]) -> None:
    """Hold, until the current transaction ends, the advisory locks of these natural keys
    (document numbers, bill keys …) in ``scope`` (PostgreSQL; SQLite runs one writer at a
    time). Call it before reading what is stored under the keys: a writer racing another
    with the same keys (a resend, a double click) then waits, and reads what the other
    wrote instead of inserting it again and failing on the unique key. Keys hash into at
    most KEY_LOCK_BUCKETS locks, taken in ascending order, so writers never deadlock."""
    connection = get_connection("default")
    if not is_postgres(connection):
        return
    buckets = sorted({_crc(key) % KEY_LOCK_BUCKETS for key in keys})
    if buckets:  # unnest keeps the array's order, so the locks are taken in that order
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock($1, b) FROM unnest($2::int[]) AS b",
            [_crc(scope) - 2**31, buckets])


# ----- many rows at once (the month-end run) ----------------------------------------------------

MAX_PARAMETERS = 30000  # per statement: under SQLite's 32,766 (and PostgreSQL's 65,535)
ID_CHUNK = 5000  # ids per ``IN (…)`` list


def id_chunks(ids: Iterable[int]) -> list[list[int]]:
    """The distinct ids, sorted, in lists of at most ``ID_CHUNK`` for ``IN (…)``."""
    ordered = sorted(set(ids))
    return [ordered[i:i + ID_CHUNK] for i in range(0, len(ordered), ID_CHUNK)]


async def insert_rows(connection, table: str, columns: tuple[str, ...], rows: list[tuple], *,
                      returning: tuple[str, ...] = (), ignore_conflicts: bool = False,
                      ) -> list[tuple]:
    """Multi-row ``INSERT`` in chunks under the parameter limit; the ``returning`` columns of
    the inserted rows (in no particular order), or ``[]``. Values are bound as Python objects
    (tortoise registers SQLite's adapters: Decimal → text, date/datetime → ISO text)."""
    found: list[tuple] = []
    per_chunk = MAX_PARAMETERS // len(columns)
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start:start + per_chunk]
        sql = _insert_sql(connection, table, columns, len(chunk), returning, ignore_conflicts)
        values = [value for row in chunk for value in row]
        if returning:  # asyncpg's execute_query drops what an INSERT returns
            result = await connection.execute_query_dict(sql, values)
            found += [tuple(r[c] for c in returning) for r in result]
        else:
            await connection.execute_query(sql, values)
    return found


def _insert_sql(connection, table, columns, count, returning, ignore_conflicts) -> str:
    width = len(columns)
    groups: Iterable[str]
    if is_postgres(connection):
        groups = ("(" + ", ".join(f"${r * width + c}" for c in range(1, width + 1)) + ")"
                  for r in range(count))
    else:
        groups = ["(" + ", ".join(["?"] * width) + ")"] * count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(groups)}"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return sql


async def select_in(connection, template: str, values: list, ids: list,
                    chunk: int = ID_CHUNK) -> list[tuple]:
    """Rows of ``template`` (parameters {0}, {1}, … then ``{in}``, filled with ``ids`` in
    chunks), as tuples."""
    pg = is_postgres(connection)
    found: list[tuple] = []
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        first = len(values)
        if pg:
            markers = [f"${i}" for i in range(1, first + 1)]
            listed = ", ".join(f"${i}" for i in range(first + 1, first + len(part) + 1))
        else:
            markers, listed = ["?"] * first, ", ".join(["?"] * len(part))
        sql = template.format(*markers, **{"in": listed})
        _, rows = await connection.execute_query(sql, [*values, *part])
        found += [tuple(r) for r in rows]
    return found


# ----- values as the dialects hand them back ----------------------------------------------------


@functools.lru_cache(maxsize=4096)  # a batch holds a handful of distinct dates, many times
def as_date(value) -> date:
    """A DateField read with plain SQL: SQLite hands back ISO text, PostgreSQL a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def as_decimal(value) -> Decimal:
    """A DecimalField read with plain SQL: SQLite keeps it as text, PostgreSQL a Decimal."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


# ----- exact sums of money in a GROUP BY ---------------------------------------------------------


def exact_sum_sql(column: str) -> str:
    """SQL for an exact SUM of a decimal column or expression: NUMERIC on PostgreSQL; SQLite
    keeps decimals as text and would sum them through floats, so there in integer cents
    (``sum_amount`` reads either back)."""
    if is_postgres(get_connection("default")):
        return f"COALESCE(SUM({column}), 0)"
    return f"COALESCE(SUM(CAST(ROUND(({column}) * 100) AS INTEGER)), 0)"


def sum_amount(value) -> Decimal:
    """An ``exact_sum_sql`` result as a Decimal with 2 places."""
    if is_postgres(get_connection("default")):
        return Decimal(value or 0).quantize(CENT)
    return (Decimal(int(value or 0)) / 100).quantize(CENT)


CENT = Decimal("0.01")
