"""Excel formulas compiled from rule instances. Only functions that Excel 2010, WPS and LibreOffice all
support are used: SUM, IF, ABS."""

from __future__ import annotations

import re
from collections.abc import Callable

from tianbao import caches
from tianbao.spec.compiled import RuleInstance
from tianbao.spec.layout import Box, a1
from tianbao.spec.rules import Term

TOLERANCE = "0.00001"
_WS = re.compile(r"\s+")


@caches.memoized(caches.FORMULAS)
def norm_formula(text: str) -> str:
    """Formula text as the reader compares it with the formula written here: no “=”, “$”, quotes around
    sheet names or spaces; upper case (a spreadsheet program may save the same formula either way)."""
    s = text.strip().lstrip("=").replace("$", "").replace("'", "")
    return _WS.sub("", s).upper()


def _ranges(boxes: list[Box]) -> list[str]:
    """Runs of adjacent cells in one column or one row become ranges (D8:D29)."""
    out: list[str] = []
    i = 0
    while i < len(boxes):
        j = i
        same_col = i + 1 < len(boxes) and boxes[i + 1].col == boxes[i].col
        while j + 1 < len(boxes):
            a, b = boxes[j], boxes[j + 1]
            if (same_col and b.col == a.col and b.row == a.row + 1) or (
                not same_col and b.row == a.row and b.col == a.last_col + 1
            ):
                j += 1
            else:
                break
        first, last = boxes[i], boxes[j]
        ref = a1(first.row, first.col)
        out.append(ref if j == i else f"{ref}:{a1(last.row, last.col)}")
        i = j + 1
    return out


def side_formula(terms: tuple[Term, ...], locate: Callable[[Term], str | Box]) -> str:
    """An expression for one side. `locate` gives a Box on the same sheet, or a full reference string."""
    plus = [t for t in terms if t.cell is not None and t.coef == 1]
    other = [t for t in terms if not (t.cell is not None and t.coef == 1)]
    parts: list[str] = []
    boxes = [locate(t) for t in plus]
    if len(plus) > 2 and all(isinstance(b, Box) for b in boxes):
        parts.append(f"SUM({','.join(_ranges(boxes))})")  # type: ignore[arg-type]
    else:
        parts.extend(b if isinstance(b, str) else a1(b.row, b.col) for b in boxes)
    expr = "+".join(parts)
    for t in other:
        if t.cell is None:
            piece = _num(abs(t.coef))
        else:
            loc = locate(t)
            ref = loc if isinstance(loc, str) else a1(loc.row, loc.col)
            piece = ref if abs(t.coef) == 1 else f"{_num(abs(t.coef))}*{ref}"
        expr = f"{expr}{'-' if t.coef < 0 else '+'}{piece}" if expr else ("-" if t.coef < 0 else "") + piece
    return expr or "0"


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else repr(v)


def definition_formula(inst: RuleInstance, locate: Callable[[Term], str | Box]) -> str:
    return "=" + side_formula(inst.relation.rhs, locate)


def condition(inst: RuleInstance, lhs: str, rhs: str) -> str:
    """The Excel condition that the relation holds, given the two side expressions."""
    op = inst.relation.op
    diff = f"({lhs})-({rhs})"
    if op == "=":
        return f"ABS({diff})<{TOLERANCE}"
    if op == ">=":
        return f"{diff}>-{TOLERANCE}"
    return f"{diff}<{TOLERANCE}"


PASS_MARK = "✓"
FAIL_MARK = "✗"


def mark_of(inst: RuleInstance, lhs: float, rhs: float) -> str:
    """The mark the check formula shows for these two side values (the same test as `condition`)."""
    diff, tol, op = lhs - rhs, float(TOLERANCE), inst.relation.op
    if op == "=":
        ok = abs(diff) < tol
    elif op == ">=":
        ok = diff > -tol
    else:
        ok = diff < tol
    return PASS_MARK if ok else FAIL_MARK


def check_formula(inst: RuleInstance, locate: Callable[[Term], str | Box]) -> str:
    lhs = side_formula(inst.relation.lhs, locate)
    rhs = side_formula(inst.relation.rhs, locate)
    return f'=IF({condition(inst, lhs, rhs)},"{PASS_MARK}","{FAIL_MARK}")'
