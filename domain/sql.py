"""Plain SQL for the few hot paths where building the query with the ORM costs more than
running it. Templates use {0}, {1}, … for parameters; each dialect gets its own markers."""

from __future__ import annotations

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
