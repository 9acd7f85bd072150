"""Who is acting: a staff key, the ERP, a customer contact, or an anonymous share-link holder."""

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

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"


SYSTEM = Actor(kind="system", name="system", role=ADMIN)
