"""Landing an ERP batch of documents, whatever their model (``domain.documents.ingest``, the
hand-over's expenses, other income and exchanges): each good row against what is stored under
its number. The rows that are new or changed must not be of a closed day — by their new values
or their stored ones — or the whole batch is refused (423) before anything is written; a
confirmed row whose figures, date or people change loses its confirmation (finance looks
again); a receipt's audit change confirms or un-confirms it as the 交款交账参数 says (decided by
the caller, carried as ``Landing.audit``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.documents import day_close
from domain.documents.confirmation import mark_confirmed, mark_unconfirmed
from domain.documents.rules import CONFIRM, UNCONFIRM, day_closed_error
from domain.ingest_rows import IngestResult, apply_fields
from domain.org.models import Staff

# Who a row is of, on which day: its salesperson on its date, its driver on the delivery day.
PEOPLE = (("salesperson_id", "date"), ("driver_id", "delivered_on"))
# Changing only these leaves finance's confirmation standing: the rest is what it checked.
KEEPS_CONFIRMATION = frozenset({"audit_status", "erp_type", "status", "remark", "department"})


@dataclass
class Landing:
    """A good row of a batch against what is stored under its number."""

    index: int  # the row's place in the batch
    number: str
    values: dict  # the stored fields as the row has them
    found: Any = None  # the stored row; None: the row is new
    extra: bool = False  # something besides the fields differs (a receipt's settlements)
    audit: str | None = None  # what the receipt's audit change does: CONFIRM, UNCONFIRM
    changed: set[str] = field(init=False)

    def __post_init__(self):
        self.changed = set() if self.found is None else {
            name for name, value in self.values.items() if getattr(self.found, name) != value}

    @property
    def touches(self) -> bool:
        """New or changed: what a closed day refuses."""
        return self.found is None or bool(self.changed) or self.extra

    def pairs(self) -> set[tuple]:
        """The (staff id, day) pairs of the row, by its new values and its stored ones."""
        sides = [self.values]
        if self.found is not None:
            sides.append({name: getattr(self.found, name) for name in self.values})
        return {(side.get(person), side.get(day)) for side in sides
                for person, day in PEOPLE if person in self.values}

    def confirmation(self) -> str | None:
        """CONFIRM, UNCONFIRM or None (left as it is) for the row's hand-over confirmation."""
        if self.audit:
            return self.audit
        confirmed = self.found is not None and self.found.confirmed_at is not None
        if confirmed and (self.extra or self.changed - KEEPS_CONFIRMATION):
            return UNCONFIRM
        return None


async def ensure_days_open(landings: list[Landing]) -> None:
    """Refuse the batch (423) when a new or changed row is of a closed day, listing each such
    row (index, number, staff, day)."""
    touching = [x for x in landings if x.touches]
    closed = await day_close.closed_pairs(pair for x in touching for pair in x.pairs())
    if not closed:
        return
    names = dict(await Staff.filter(id__in={s for s, _ in closed}).values_list("id", "name"))
    rows = [{"index": x.index, "number": x.number, "staff": names[s], "day": d.isoformat()}
            for x in touching for s, d in sorted(x.pairs() & closed)]
    raise day_closed_error({(names[s], d) for s, d in closed}, rows=rows)


async def land(model, landings: list[Landing], result: IngestResult, *, by: str,
               now: datetime | None, defaults: dict | None = None) -> list[Landing]:
    """Create the new rows in bulk (``defaults`` filling what a row does not say), save the
    changed ones (version + 1), count the rest, then confirm or un-confirm as each says;
    returns the changed landings."""
    new = [model(number=x.number, **{**(defaults or {}), **x.values})
           for x in landings if x.found is None]
    changed = [x for x in landings if x.found is not None and x.touches]
    for landing in changed:
        apply_fields(landing.found, landing.values)
        landing.found.version += 1
        await landing.found.save()
    if new:
        await model.bulk_create(new, batch_size=500)
    result.created += len(new)
    result.updated += len(changed)
    result.unchanged += len(landings) - len(new) - len(changed)
    await _confirmations(model, landings, by=by, now=now)
    return changed


async def _confirmations(model, landings: list[Landing], *, by: str,
                         now: datetime | None) -> None:
    dropped = [x.found.id for x in landings if x.confirmation() == UNCONFIRM]
    if dropped:
        await mark_unconfirmed(model, dropped)
    confirmed = [x.number for x in landings if x.confirmation() == CONFIRM]
    if confirmed:
        if now is None:
            raise ValueError("confirming on audit needs the time (now)")
        ids = await model.filter(number__in=confirmed).values_list("id", flat=True)
        await mark_confirmed(model, ids, by=by, now=now)
