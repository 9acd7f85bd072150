"""Configuration for the `tortoise` command (makemigrations, sqlmigrate); only the CLI reads it."""

from tally.db import tortoise_config
from tally.settings import Settings

TORTOISE_ORM = tortoise_config(Settings.from_env())
