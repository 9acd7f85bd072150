"""Finance's confirmation mark (对账确认) on documents of any number-keyed model: set on the
rows not confirmed yet, dropped from those that have one. Confirmation is finance's state, not
the salesperson's document: it is allowed on closed days and never bumps a version. Each change
is one UPDATE per chunk of ids, and only rows not already in the target state are counted."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from tortoise.queryset import QuerySet

from domain.sql import id_chunks


async def mark_confirmed(model, ids: Collection[int], *, by: str, now: datetime) -> int:
    """Confirm the given rows of a model that are not confirmed yet; how many were."""
    return sum([await confirm_unconfirmed(model.filter(id__in=chunk), by=by, now=now)
                for chunk in id_chunks(ids)])


async def mark_unconfirmed(model, ids: Collection[int]) -> int:
    """Drop the confirmation of the given rows of a model; how many had one."""
    return sum([await clear_confirmed(model.filter(id__in=chunk)) for chunk in id_chunks(ids)])


async def confirm_unconfirmed(query: QuerySet, *, by: str, now: datetime) -> int:
    """Confirm the query's rows that are not confirmed yet; how many were."""
    return await query.filter(confirmed_at__isnull=True).update(confirmed_at=now,
                                                                confirmed_by=by)


async def clear_confirmed(query: QuerySet) -> int:
    """Drop the confirmation of the query's rows that have one; how many had."""
    return await query.filter(confirmed_at__isnull=False).update(confirmed_at=None,
                                                                 confirmed_by="")
