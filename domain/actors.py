"""Who is acting: a staff key, the ERP, a customer contact, or an anonymous share-link holder.

A salesperson who manages others (in DingTalk: people report to them, or they head a
department) carries their team: the staff below them, whose customers they see too."""

from __future__ import annotations

from dataclasses import dataclass

ADMIN, FINANCE, SALES, ERP = "admin", "finance", "sales", "erp"
ROLES = (ADMIN, FINANCE, SALES, ERP)


@dataclass(frozen=True)
class Actor:
    kind: str  # "staff" | "contact" | "share" | "system"
    name: str
    role: str = ""
    staff_id: int | None = None
    contact_id: int | None = None
    customer_id: int | None = None
    team: frozenset[int] = frozenset()  # staff ids below a manager, direct and indirect

    @property
    def is_manager(self) -> bool:
        return bool(self.team)

    @property
    def sales_staff_ids(self) -> frozenset[int]:
        """The salespeople whose customers this actor works: themself and their team."""
        own = frozenset({self.staff_id}) if self.staff_id is not None else frozenset()
        return own | self.team

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"


SYSTEM = Actor(kind="system", name="system", role=ADMIN)
