"""Plain SQL for the few hot paths where building the query with the ORM costs more than
running it. Templates use {0}, {1}, … for parameters; each dialect gets its own markers."""

from __future__ import annotations

from tortoise.connection import get_connection


def _render(connection, template: str, count: int) -> str:
    if connection.capabilities.dialect == "postgres":
        return template.format(*(f"${i}" for i in range(1, count + 1)))
    return template.format(*(["?"] * count))


async def fetch_one(template: str, *values) -> dict | None:
    connection = get_connection("default")
    rows = await connection.execute_query_dict(_render(connection, template, len(values)),
                                               list(values))
    return rows[0] if rows else None


async def execute_many(template: str, rows: list[list]) -> None:
    if not rows:
        return
    connection = get_connection("default")
    await connection.execute_many(_render(connection, template, len(rows[0])), rows)
