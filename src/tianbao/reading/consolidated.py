"""Reading a consolidated workbook (written by `tianbao merge`): the unit rows of its 明细 sheet and their sums.

The cached results of the 汇总 sheets are never trusted. The values of a consolidated submission are the sums
of the 明细 rows (exact decimals, 4 places); each input cell of 表二…表四 must hold the expected SUM over its 明细
column (else `formula-overwritten`), and a cached result that differs from the recomputed sum is reported as
`cached-value-mismatch`.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tianbao import issues as catalogue
from tianbao.amounts import TOLERANCE, exact_sums
from tianbao.cells import cell_text
from tianbao.issues import Issue
from tianbao.reading.container import too_large
from tianbao.reading.integrity import formula_overwritten
from tianbao.reading.values import Where, parse_value
from tianbao.spec import Spec, fmt_number
from tianbao.spec.layout import (
    DETAIL_FIXED,
    DETAIL_HEADER_ROW,
    DETAIL_SHEET,
    a1,
    cell_boxes,
    detail_columns,
    detail_sum_formula,
)
from tianbao.stamp import Stamp, is_short_form, member_rows
from tianbao.template.formulas import norm_formula

_HEADER_ID = re.compile(r"〔([A-Za-z0-9_.]+)〕\s*$")
MAX_LISTED = 10  # cells or units named in one message


@dataclass(frozen=True)
class DetailRow:
    """One unit of the 明细 sheet. `values`: every cell id of the sheet → value (blank counts as 0)."""

    row: int  # 0-based sheet row
    unit_code: str
    unit_name: str
    unit_type: str
    file: str
    values: dict[str, float]


@dataclass
class Detail:
    rows: list[DetailRow] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # cell id → 0-based column, as found
    totals: dict[str, float] = field(default_factory=dict)  # input cell id → exact sum over the rows
    issues: list[Issue] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)  # A1 addresses of blank value cells

    def by_unit(self) -> dict[str, dict[str, float]]:
        """unit code → its values (last year's values for S1/S2 come from here)."""
        return {r.unit_code: dict(r.values) for r in self.rows}


def _number(value: Any) -> float | None:
    """A stored result of the 汇总 sheets as a number; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _layout_issue(detail: str) -> Issue:
    return catalogue.make("layout-changed", sheet=DETAIL_SHEET, detail=detail)


def parse_detail(spec: Spec, rows: Iterable[Sequence[Any]]) -> Detail:
    """The unit rows of a 明细 sheet given as rows of cell values (header first), and the sums of the inputs."""
    out = Detail()
    it = iter(rows)
    for _ in range(DETAIL_HEADER_ROW):
        next(it, None)
    header = [cell_text(v) for v in (next(it, None) or ())]
    if tuple(header[: len(DETAIL_FIXED)]) != DETAIL_FIXED:
        out.issues.append(_layout_issue(f"表头前 {len(DETAIL_FIXED)} 列应为“{'、'.join(DETAIL_FIXED)}”"))
        return out
    for col, text in enumerate(header):
        m = _HEADER_ID.search(text)
        if m and m.group(1) in spec.cells:
            out.columns.setdefault(m.group(1), col)
    missing = [c for c in spec.input_ids if c not in out.columns]
    if missing:
        out.issues.append(_layout_issue(f"缺少 {len(missing)} 列：{'、'.join(missing[:5])}"))
        return out
    seen: dict[str, int] = {}
    for r, row in enumerate(it, start=DETAIL_HEADER_ROW + 1):
        cells = list(row)
        if not any(cell_text(v) for v in cells):
            break  # the table ends at the first empty row
        cells += [None] * (len(header) - len(cells))
        code = cell_text(cells[0])
        if code in seen:
            out.issues.append(
                _layout_issue(f"单位代码 {code} 出现两次（第 {seen[code] + 1} 行和第 {r + 1} 行）")
            )
            continue
        seen[code] = r
        values: dict[str, float] = {}
        for cell_id, col in out.columns.items():
            values[cell_id] = _detail_value(spec, cell_id, code, r, col, cells[col], out)
        out.rows.append(
            DetailRow(r, code, cell_text(cells[1]), cell_text(cells[2]), cell_text(cells[3]), values)
        )
    if out.blank:
        listed = "、".join(out.blank[:MAX_LISTED]) + (" 等" if len(out.blank) > MAX_LISTED else "")
        out.issues.append(
            catalogue.make(
                "value-blank", sheet=DETAIL_SHEET, cell=out.blank[0], count=len(out.blank), cells=listed
            )
        )
    matrix = np.array([[row.values[c] for c in spec.input_ids] for row in out.rows], dtype=float)
    sums = exact_sums(matrix.reshape(len(out.rows), len(spec.input_ids)))
    out.totals = dict(zip(spec.input_ids, sums, strict=True))
    return out


def _detail_value(spec: Spec, cell_id: str, code: str, r: int, col: int, value: Any, out: Detail) -> float:
    """One 明细 value, as strictly as a unit's input (`parse_value`: a number of the cell's domain; “nan” or
    1E+25 is an error at the cell); 0 when it is not usable, the file being rejected anyway. tianbao writes a
    number in every cell: a blank one counts as 0, with a `value-blank` warning for the sheet."""
    where = Where(cell_id, DETAIL_SHEET, a1(r, col), f"{DETAIL_SHEET} {code} {spec.cells[cell_id].label}")
    parsed = parse_value(value, spec.cells[cell_id].type, where)
    if parsed.blank:
        out.blank.append(where.cell)
    elif parsed.issue is not None:
        out.issues.append(parsed.issue)
    return 0.0 if parsed.value is None else float(parsed.value)


def read_detail(spec: Spec, path: str | os.PathLike[str], max_cells: int | None = None) -> Detail:
    """Parse the 明细 sheet of a consolidated workbook file (openpyxl, read-only, stored values). A sheet of
    more than `max_cells` cells is not read (a `file-too-large` issue)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        if DETAIL_SHEET not in wb.sheetnames:
            return Detail(issues=[catalogue.make("sheet-missing", sheet=DETAIL_SHEET)])
        rows = list(_bounded(wb[DETAIL_SHEET].iter_rows(values_only=True), max_cells))
        if rows and rows[-1] is None:
            detail = f"工作表“{DETAIL_SHEET}”的单元格超过上限（读到第 {(max_cells or 0) + 1:,} 个时停止）"
            return Detail(issues=[too_large("max_cells", detail, DETAIL_SHEET)])
        return parse_detail(spec, [r for r in rows if r is not None])
    finally:
        wb.close()


def _bounded(rows: Iterable[Sequence[Any]], max_cells: int | None) -> Iterable[Sequence[Any] | None]:
    """The rows, then None (and no more) once they hold more than `max_cells` cells."""
    seen = 0
    for row in rows:
        seen += len(row)
        if max_cells is not None and seen > max_cells:
            yield None
            return
        yield row


def summary_issues(spec: Spec, detail: Detail, cells: Mapping[str, tuple[str | None, Any]]) -> list[Issue]:
    """Check the input cells of the 汇总 sheets against the 明细 rows.

    `cells`: input cell id → (formula text or None, cached result or typed value). An input cell must hold
    the sum over its 明细 column; a cached result must equal the recomputed sum.
    """
    out: list[Issue] = []
    if not detail.columns:
        return out
    boxes = cell_boxes(spec)
    canonical = detail_columns(spec)
    n_rows = len(detail.rows)
    for cell_id in spec.input_ids:
        formula, stored = cells.get(cell_id, (None, None))
        sheet, box = boxes[cell_id]
        where = {"cell_id": cell_id, "sheet": sheet, "cell": a1(box.row, box.col)}
        label = spec.cells[cell_id].full_label
        total = detail.totals.get(cell_id, 0.0)
        expected = detail_sum_formula(canonical[cell_id], n_rows)
        if formula is None or norm_formula(formula) != norm_formula(expected):
            found = formula if formula is not None else ("空白" if stored is None else cell_text(stored))
            out.append(formula_overwritten(where, label, found, fmt_number(total)))
            continue
        cached = _number(stored) if stored is not None else None
        if cached is not None and abs(cached - total) > TOLERANCE:
            out.append(
                catalogue.make(
                    "cached-value-mismatch",
                    **where,
                    label=label,
                    found=fmt_number(cached),
                    expected=fmt_number(total),
                )
            )
    return out


def member_issues(detail: Detail, stamp: Stamp) -> list[Issue]:
    """The 明细 rows must be the stamp's members, each exactly once, no other; and no unit may be held twice
    (by two rows, or by a row and a row it holds). Otherwise the next level would count a unit in neither
    place (a row deleted: its own file is then taken for a double count) or in two."""
    if is_short_form(stamp.members):
        return [_inconsistent("隐藏工作表“_meta”中没有完整的汇总单位名单，无法核对“明细”")]
    listed = member_rows(stamp.members)
    rows = [r.unit_code for r in detail.rows]
    problems = []
    missing = sorted({code for code, _ in listed} - set(rows))
    extra = sorted(set(rows) - {code for code, _ in listed})
    held = Counter(unit for code, units in listed for unit in (code, *units))
    twice = sorted(code for code, n in held.items() if n > 1)
    if missing:
        problems.append(f"戳记的汇总单位 {_codes(missing)} 在明细中没有数据行")
    if extra:
        problems.append(f"明细中的单位 {_codes(extra)} 不在戳记的汇总单位中")
    if twice:
        problems.append(f"戳记中单位 {_codes(twice)} 出现了不止一次")
    return [_inconsistent("；".join(problems))] if problems else []


def _inconsistent(detail: str) -> Issue:
    return catalogue.make("stamp-inconsistent", sheet=DETAIL_SHEET, detail=detail)


def _codes(codes: Sequence[str], limit: int = MAX_LISTED) -> str:
    return "、".join(codes[:limit]) + (f" 等 {len(codes)} 个" if len(codes) > limit else "")


__all__ = ["Detail", "DetailRow", "member_issues", "parse_detail", "read_detail", "summary_issues"]
