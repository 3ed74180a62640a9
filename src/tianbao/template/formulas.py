"""Excel formulas compiled from rule instances. Only functions that Excel 2010, WPS and LibreOffice all
support are used: SUM, IF, ABS, COUNTA."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from tianbao import caches
from tianbao.spec.compiled import RuleInstance, Spec
from tianbao.spec.layout import Box, SheetLayout, a1, sheet_layouts
from tianbao.spec.rules import Term, holds

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
UNFILLED_MARK = "未填写"  # a check none of whose input cells holds anything yet


def mark_of(inst: RuleInstance, lhs: float, rhs: float) -> str:
    """The mark the check formula shows for these two side values (the test of `condition`, at its tolerance;
    values of at most 4 decimals never differ by exactly the tolerance)."""
    return PASS_MARK if holds(inst.relation.op, lhs, rhs, float(TOLERANCE)) else FAIL_MARK


def check_formula(inst: RuleInstance, locate: Callable[[Term], str | Box], inputs: Sequence[str]) -> str:
    """✓ or ✗ as the relation holds, “未填写” while none of its `inputs` (references to the input cells its
    values are made of: `input_refs`) holds anything."""
    lhs = side_formula(inst.relation.lhs, locate)
    rhs = side_formula(inst.relation.rhs, locate)
    return check_expression(inst, lhs, rhs, inputs)


def check_expression(inst: RuleInstance, lhs: str, rhs: str, inputs: Sequence[str]) -> str:
    """`check_formula` given the two side expressions."""
    marks = f'IF({condition(inst, lhs, rhs)},"{PASS_MARK}","{FAIL_MARK}")'
    if not inputs:
        return f"={marks}"
    return f'=IF(COUNTA({",".join(inputs)})=0,"{UNFILLED_MARK}",{marks})'


def input_rectangles(
    lay: SheetLayout, input_ids: set[str] | frozenset[str]
) -> list[tuple[int, int, int, int]]:
    """The input cells of a sheet as few rectangles as possible (first_row, first_col, last_row, last_col)."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for cid, b in lay.cells.items():
        if cid in input_ids:
            row_runs = runs.setdefault(b.row, [])
            if row_runs and row_runs[-1][1] == b.col - 1:
                row_runs[-1] = (row_runs[-1][0], b.col)
            else:
                row_runs.append((b.col, b.col))
    rects: list[tuple[int, int, int, int]] = []
    for row in sorted(runs):
        for c0, c1 in runs[row]:
            for i, (r0, rc0, r1, rc1) in enumerate(rects):
                if rc0 == c0 and rc1 == c1 and r1 == row - 1:
                    rects[i] = (r0, c0, row, c1)
                    break
            else:
                rects.append((row, c0, row, c1))
    return rects


def check_inputs(spec: Spec, inst: RuleInstance) -> frozenset[str]:
    """The input cells a check's values are made of (its cells, each total by the inputs it adds up)."""
    return frozenset().union(*(spec.inputs_of.get(c, {c}) for c in inst.relation.cells()))


def check_input_refs(spec: Spec, with_previous: bool, inst: RuleInstance, here: str) -> tuple[str, ...]:
    """`input_refs` of a check's input cells, written on sheet `here`."""
    return _check_refs(spec, with_previous, here)[inst.key]


@functools.cache  # the same for every template of a spec: keyed by all it is computed from
def _check_refs(spec: Spec, with_previous: bool, here: str) -> dict[str, tuple[str, ...]]:
    layouts = sheet_layouts(spec, with_previous)
    return {inst.key: tuple(input_refs(layouts, check_inputs(spec, inst), here)) for inst in spec.checks}


def input_refs(layouts: tuple[SheetLayout, ...], cell_ids: frozenset[str], here: str | None) -> list[str]:
    """References to `cell_ids` as ranges (D6:I28), sheet by sheet; prefixed with the sheet unless on `here`."""
    refs = []
    for lay in layouts:
        prefix = "" if lay.sheet == here else f"'{lay.sheet}'!"
        for r0, c0, r1, c1 in input_rectangles(lay, cell_ids):
            first, last = a1(r0, c0), a1(r1, c1)
            refs.append(prefix + (first if first == last else f"{first}:{last}"))
    return refs
