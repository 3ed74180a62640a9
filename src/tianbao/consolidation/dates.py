"""The fill date (填报日期) of a submission, as people write it: a date cell, 2026-01-15, 2026/1/15, 2026年1月15日."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tianbao import caches

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIALS = (20_000, 80_000)  # Excel day numbers of the years 1954–2119


def parse_fill_date(value: Any) -> dt.date | None:
    """The date a submission was filled in; None when it is missing or cannot be read."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if SERIALS[0] <= value <= SERIALS[1]:  # a date cell read as its Excel day number
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return None
    return _parse_text(value)


@caches.memoized(caches.DATES)  # units of a run fill in much the same few dates
def _parse_text(value: str) -> dt.date | None:
    text = value.translate(_FULL_WIDTH)
    m = _DATE.match(text) or _COMPACT.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
