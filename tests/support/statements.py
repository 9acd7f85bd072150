"""A statement as domain.statements.views shows it, for the renderers' unit tests (the H5 page
and the PDF): seed 000's 联想 example with the lines a test gives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

STATUS_LABELS = {"unconfirmed": "未确认", "matched": "符合", "mismatched": "不符合"}


def statement_view(lines: list[dict], status: str = "unconfirmed", /, **changes) -> dict:
    """The view with ``lines`` (``line_count`` counts them) in ``status``, then ``changes``."""
    answered = status != "unconfirmed"
    return {
        "id": 7,
        "customer": {"id": 3, "code": "C001", "name": "联想"},
        "date_from": date(2021, 12, 1),
        "date_to": date(2021, 12, 22),
        "opening": Decimal("0.00"),
        "increase": Decimal("48876.00"),
        "receipts": Decimal("100.00"),
        "closing": Decimal("-48876.00"),
        "line_count": len(lines),
        "owed_total": Decimal("1134.50"),
        "received_amount": Decimal("0.00"),
        "status": status,
        "status_label": STATUS_LABELS[status],
        "source_changed": False,
        "created_at": datetime(2021, 12, 22, 8, 0, tzinfo=UTC),
        "answered_at": datetime(2021, 12, 23, tzinfo=UTC) if answered else None,
        "answered_by_customer": answered,
        "lines": lines,
        **changes,
    }
