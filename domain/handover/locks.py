"""Day close (关账) as a guard: which (staff, day) pairs are closed, and the refusal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.handover.rules import day_closed_error
from domain.models import DayClose, Staff

Pair = tuple[int, date]  # (staff id, business date)


async def closed_pairs(pairs: Iterable[Pair | tuple[None, date]]) -> set[Pair]:
    """The given (staff id, day) pairs that are closed; pairs without a staff id never are."""
    wanted = {(staff_id, day) for staff_id, day in pairs if staff_id and day}
    if not wanted:
        return set()
    rows = await DayClose.filter(
        staff_id__in={s for s, _ in wanted}, day__in={d for _, d in wanted},
    ).values_list("staff_id", "day")
    return {(staff_id, day) for staff_id, day in rows} & wanted


async def ensure_open(pairs: Iterable[Pair | tuple[None, date]], **detail) -> None:
    """Refuse (423, naming each closed day) when any pair is a closed day."""
    closed = await closed_pairs(pairs)
    if closed:
        names = dict(await Staff.filter(id__in={s for s, _ in closed}).values_list(
            "id", "name"))
        raise day_closed_error({(names.get(s, str(s)), d) for s, d in closed}, **detail)
