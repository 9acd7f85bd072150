"""Database set-up: the Tortoise configuration and migration runner."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate as migrate_api

from tally.settings import Settings

MODELS = ["domain.models"]


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
    finally:  # an open aiosqlite thread would keep a failed run from exiting
        await Tortoise.close_connections()


async def init_orm(settings: Settings) -> None:
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_orm() -> None:
    await Tortoise.close_connections()
