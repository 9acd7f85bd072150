"""Database set-up: the Tortoise configuration and migration runner."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.exceptions import BaseORMException
from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.executor import MigrationExecutor

from domain import MODEL_MODULES
from tally.settings import Settings

MODELS = MODEL_MODULES


def tortoise_config(settings: Settings) -> dict:
    url = settings.database_url
    if url.startswith("sqlite://") and not url.startswith("sqlite://:memory:"):
        Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODELS,
                "default_connection": "default",
                "migrations": "tally.migrations",
            }
        },
        "use_tz": True,
        "timezone": settings.timezone,
    }


async def migrate(settings: Settings) -> None:
    """Apply every migration not yet applied."""
    try:
        await migrate_api(config=tortoise_config(settings))
    except OSError as exc:  # refused, unknown host: nothing was applied
        raise DatabaseUnreachable(str(exc) or type(exc).__name__) from None
    finally:  # an open aiosqlite thread would keep a failed run from exiting
        await Tortoise.close_connections()


class DatabaseUnreachable(Exception):
    """The database did not answer (the message says why, without the URL)."""


async def pending_migrations(settings: Settings) -> list[str]:
    """The names of the migrations not yet applied; DatabaseUnreachable if it does not answer."""
    config = tortoise_config(settings)
    try:
        await Tortoise.init(config=config, _enable_global_fallback=True)
        connection = connections.get("default")
        await connection.execute_query("SELECT 1")
        executor = MigrationExecutor(connection, config["apps"])
        steps = await executor.plan()
    except (OSError, BaseORMException) as exc:
        raise DatabaseUnreachable(str(exc) or type(exc).__name__) from None
    finally:
        await Tortoise.close_connections()
    return [step.migration.name for step in steps if not step.backward]


async def init_orm(settings: Settings) -> None:
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_orm() -> None:
    await Tortoise.close_connections()
