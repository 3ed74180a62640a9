"""Parse an input cell the way people fill it in: numbers, numbers stored as text, full-width digits,
thousands separators, spaces, dashes meaning “none”, unit suffixes. Each cell yields a value (None when blank
or unusable) and at most one issue, which names the cell (cell id, sheet, A1 address, readable label).

Policy: a count (件) is a whole number ≥ 0; an int is a signed whole number (2019 “本年增/减”, where “减4”
means −4); an amount is ≥ 0 in 万元 with at most 4 decimals (more are rounded with a warning; “380元” is
converted to 0.038 万元). Each is bounded (`tianbao.spec.domain`): beyond, `value-out-of-range`. A formula
typed into an input cell is an error: its cached result is never used.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tianbao.cells import shorten
from tianbao.issues import Issue, make
from tianbao.spec.compiled import fmt_number
from tianbao.spec.domain import DOMAINS
from tianbao.spec.model import ValueType

DASHES = frozenset({"-", "--", "—", "——", "–", "―", "‐", "‑", "−", "/", "//", "\\", "无", "没有"})
COUNT_UNITS = {"件": 1.0, "个": 1.0, "项": 1.0, "次": 1.0}
AMOUNT_UNITS = {"万元": 1.0, "万": 1.0, "元": 0.0001}
_UNIT = re.compile(r"^(.*?)(万元|万|元|件|个|项|次)$")
_SPACE = re.compile(r"[\s\u200b\ufeff]+")
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
MAX_RAW = 40  # characters of a typed value quoted in a message


@dataclass(frozen=True)
class Where:
    """The cell a value comes from, as messages name it."""

    cell_id: str
    sheet: str
    cell: str  # A1 address, e.g. D12
    label: str  # e.g. “表三 一、本年新收政府信息公开申请数量 / 自然人”

    def issue(self, code: str, **fields: Any) -> Issue:
        return make(code, cell_id=self.cell_id, sheet=self.sheet, cell=self.cell, label=self.label, **fields)


@dataclass(frozen=True)
class Parsed:
    value: int | float | None  # None: blank or unusable
    issue: Issue | None = None
    blank: bool = False

    @property
    def invalid(self) -> bool:
        return self.value is None and not self.blank


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not _SPACE.sub("", value))


def parse_value(value: Any, value_type: ValueType, where: Where, formula: str | None = None) -> Parsed:
    """The value of one input cell (`value` as typed; `formula` when the cell holds a formula)."""
    if formula is not None:
        return Parsed(None, where.issue("value-formula", raw=shorten(formula, MAX_RAW)))
    if is_blank(value):
        return Parsed(None, blank=True)
    if isinstance(value, bool):
        return _not_a_number(where, "TRUE" if value else "FALSE")
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return _not_a_number(where, _date_text(value))
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):  # no client stores these; “1e309” does
            return _not_a_number(where, str(value))
        if isinstance(value, int) and abs(value) >= DOMAINS[value_type].bound:  # also beyond any float
            return _out_of_range(where, value_type, _number_text(value))
        return _checked(float(value), value_type, where, _number_text(value), None)
    if isinstance(value, str):
        parsed = parse_text(value, value_type)
        if parsed is None:
            return _not_a_number(where, value)
        number, code = parsed
        return _checked(number, value_type, where, value, code)
    return _not_a_number(where, str(value))


def parse_text(text: str, value_type: ValueType) -> tuple[float, str] | None:
    """A number typed as text → (number, warning code), or None when it is not a number."""
    s = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    if s in DASHES:
        return 0.0, "value-dash"
    code = "value-text-number"
    factor = 1.0
    m = _UNIT.match(s)
    if m:
        units = AMOUNT_UNITS if value_type == "amount" else COUNT_UNITS
        if m.group(2) not in units:
            return None
        s, factor, code = m.group(1), units[m.group(2)], "value-unit-suffix"
    if value_type == "int" and s[:1] in ("增", "减"):
        s = ("-" if s[0] == "减" else "") + s[1:]
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _PLAIN.match(s):
        return None
    return float(s) * factor, code


def _checked(v: float, value_type: ValueType, where: Where, raw: str, warning: str | None) -> Parsed:
    domain = DOMAINS[value_type]
    if not domain.within(v):  # also ±inf: 400 digits as text
        return _out_of_range(where, value_type, raw)
    raw = shorten(raw, MAX_RAW)
    if v < domain.minimum:
        return Parsed(None, where.issue("value-negative", raw=raw))
    if domain.decimals:
        rounded = round(v, domain.decimals)
        if abs(rounded - v) > 1e-9 and warning is None:
            warning = "value-precision"
        if not domain.within(rounded):  # 9999999.99999 rounds to the bound
            return _out_of_range(where, value_type, raw)
        return _ok(rounded + 0.0, where, raw, warning)  # + 0.0: no “-0”
    if abs(v - round(v)) > 1e-9:
        return Parsed(None, where.issue("value-not-integer", raw=raw))
    whole = round(v)
    if not domain.within(whole):  # 9999999999.6 rounds to the bound
        return _out_of_range(where, value_type, raw)
    return _ok(whole, where, raw, warning)


def _out_of_range(where: Where, value_type: ValueType, raw: str) -> Parsed:
    bound = DOMAINS[value_type].describe()
    return Parsed(None, where.issue("value-out-of-range", raw=shorten(raw, MAX_RAW), bound=bound))


def _ok(v: int | float, where: Where, raw: str, warning: str | None) -> Parsed:
    if warning is None:
        return Parsed(v)
    return Parsed(v, where.issue(warning, raw=raw, value=fmt_number(v)))


def _not_a_number(where: Where, raw: str) -> Parsed:
    return Parsed(None, where.issue("value-not-a-number", raw=shorten(raw, MAX_RAW)))


def _number_text(v: int | float) -> str:
    """A stored number as a message quotes it: 12, 1.5, and a huge float as 1E+25 rather than 26 digits that
    nobody typed (a whole number stored as such keeps its digits)."""
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        return str(v)
    if abs(v) >= 1e15:
        return f"{Decimal(repr(v)).normalize():G}"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.10g}"


def _date_text(v: dt.datetime | dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d" if v.time() == dt.time() else "%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    return str(v)
