"""Bulk rows take their columns and defaults from the models, and refuse a forgotten column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.billing.models import Bill
from domain.bulk_rows import BulkTable
from domain.statements.models import Statement


async def test_a_row_holds_every_column_with_the_model_defaults_for_those_not_given(client):
    table = BulkTable(Statement)
    row = dict(zip(table.columns, table.row(
        customer_id=1, date_from=date(2021, 12, 1), date_to=date(2021, 12, 31),
        opening=Decimal("1"), increase=Decimal("2.346"), receipts=Decimal(0),
        closing=Decimal(3), line_count=2, owed_total=Decimal(2), created_at=None), strict=True))
    assert set(row) == set(Statement._meta.db_fields) - {"id"}
    assert row["status"] == "unconfirmed" and row["version"] == 1
    assert row["received_amount"] == Decimal("0.00") and row["answered_at"] is None
    assert str(row["increase"]) == "2.35"  # quantized as the field keeps money


async def test_a_row_without_a_required_column_or_with_an_unknown_one_is_refused(client):
    with pytest.raises(ValueError, match=r"required fields missing \['closing'"):
        BulkTable(Statement).row(customer_id=1)
    with pytest.raises(ValueError, match=r"unknown fields \['colour'\]"):
        BulkTable(Bill).row(colour="red")
