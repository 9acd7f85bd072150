"""The shared body parsers read numbers as JSON Schema does: 3.0 is an integer."""

from decimal import Decimal

import pytest

from domain.errors import Invalid
from httpcommon.params import int_value


def test_an_integer_with_a_zero_fraction_is_an_integer():
    assert int_value(Decimal("3742101.0"), "customer_id") == 3742101
    assert int_value(7, "customer_id") == 7


@pytest.mark.parametrize("value", [Decimal("1.5"), True, "1", None, Decimal("1e40")])
def test_anything_else_is_a_400(value):
    with pytest.raises(Invalid):
        int_value(value, "customer_id")
