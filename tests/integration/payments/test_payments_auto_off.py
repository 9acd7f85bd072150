"""With automatic write-off turned off (settings.auto_write_off), imported payments are matched
to their customers and wait in the pool; nothing is written off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.billing.models import Bill
from domain.payments.models import WriteOff
from tests.support import payments as support
from tests.support.payments import (
    import_rows,
    make_bill,
    pay,
)

world = support.world  # fixture


@pytest.fixture
def settings(settings):
    return replace(settings, auto_write_off=False)


async def test_with_automatic_write_off_off_payments_are_only_matched(client, world):
    await make_bill(world["customers"]["C001"], "2026-10", "100.00")
    row = (await import_rows(client, world, [pay("BK-1", "上海明辉商贸有限公司",
                                                 "100.00")]))["payments"][0]
    assert (row["status"], row["matched_by"], row["reserved"]) == ("matched", "name", "0.00")
    assert not await WriteOff.exists()
    assert await Bill.filter(status="unpaid").count() == 1
