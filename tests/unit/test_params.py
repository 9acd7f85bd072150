"""The shared body types read numbers as JSON Schema does: 3.0 is an integer."""

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from httpcommon.fields import Int

INTEGER = TypeAdapter(Int)


def test_an_integer_with_a_zero_fraction_is_an_integer():
    assert INTEGER.validate_python(Decimal("3742101.0")) == 3742101
    assert INTEGER.validate_python(7) == 7


@pytest.mark.parametrize("value", [Decimal("1.5"), True, "1", None, Decimal("1e40")])
def test_anything_else_is_a_400(value):
    with pytest.raises(ValidationError):
        INTEGER.validate_python(value)
