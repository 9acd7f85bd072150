"""Hot-path checks for statement views, one plain-SQL round trip each.

A statement view is the most frequent request there is, and building its queries with the ORM
cost more than running them (see docs/performance.md). These probes
answer only "may this caller see statement N, and at which version": the view itself comes
from a cache keyed by that version, or from the ordinary use cases on a miss.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.sql import fetch_one

_LINK_SQL = (
    "SELECT l.statement_id, l.revoked_at, s.version, s.deleted_at, c.name"
    " FROM share_link l JOIN statement s ON s.id = l.statement_id"
    " JOIN customer c ON c.id = s.customer_id WHERE l.nonce = {0}"
)
_CONTACT_SQL = (
    "SELECT s.version, c.name FROM contact k JOIN statement s ON s.customer_id = k.customer_id"
    " JOIN customer c ON c.id = s.customer_id"
    " WHERE k.mp_openid = {0} AND s.id = {1} AND s.deleted_at IS NULL"
)


@dataclass(frozen=True)
class Probe:
    statement_id: int
    version: int
    customer_name: str

    @property
    def cache_key(self) -> tuple:
        return (self.statement_id, self.version, self.customer_name)


async def live_share_link(nonce: str) -> Probe | None:
    """The statement behind a share link, or None when the link is unknown, revoked or the
    statement deleted (the slow path then says which)."""
    row = await fetch_one(_LINK_SQL, nonce)
    if row is None or row["revoked_at"] is not None or row["deleted_at"] is not None:
        return None
    return Probe(row["statement_id"], row["version"], row["name"])


async def contact_statement(mp_openid: str, statement_id: int) -> Probe | None:
    """The statement if the contact with this mini-program openid belongs to its customer."""
    row = await fetch_one(_CONTACT_SQL, mp_openid, statement_id)
    return None if row is None else Probe(statement_id, row["version"], row["name"])
