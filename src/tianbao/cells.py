"""Small helpers for values as they come out of spreadsheet cells."""

from __future__ import annotations

from typing import Any


def cell_text(value: Any) -> str:
    """A cell as stripped text; integral floats (Excel stores every number as a float) lose their “.0”."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
