"""Money as Decimal: parsing and rounding (amounts to 2 places, half-up)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 16  # the store's money columns: 16 digits, 2 of them decimals
LIMIT = Decimal(10) ** (MAX_DIGITS - 2)  # amounts stay below ¥100,000,000,000,000


def to_amount(value: object) -> Decimal:
    """Parse a money amount; floats are refused because they have already lost precision."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("amount must be a string or integer, not a float")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    if abs(amount) >= LIMIT:
        raise ValueError(f"amount must be below {LIMIT:,}: {value!r}")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"amount has more than 2 decimals: {value!r}")
    return amount.quantize(CENT)


def round_amount(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """An amount as the API shows it: a string with 2 decimals."""
    return str(Decimal(value).quantize(CENT))


def yuan(amount: Decimal) -> str:
    """For people: ¥ with thousands separators and 2 decimals, half-up (¥1,234.50, ¥-100.00)."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)  # no "¥-0.00"
    return f"¥{value:,.2f}"
