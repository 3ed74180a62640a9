"""Exact sums of reported numbers: counts and 万元 amounts (up to 4 decimals) add up without float drift."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

PLACES = Decimal("0.0001")


def to_decimal(value: float | int | None) -> Decimal:
    """A value as the decimal a person wrote: 26.55 → Decimal('26.55'); None → 0."""
    if value is None:
        return Decimal(0)
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(int(value))


def exact_sum(values: Iterable[float | int | None]) -> float:
    """The sum, computed in decimals and rounded to 4 places (half up), as a float."""
    total = sum((to_decimal(v) for v in values), Decimal(0))
    return float(total.quantize(PLACES, rounding=ROUND_HALF_UP))
