"""Has the template been changed? Sheets, defined names, label texts, formulas, protection, cached totals.

Inserting or deleting a row or column moves everything below or to the right of it. When several labels or
names are found moved by the same offset, one `layout-changed` issue is reported for the sheet instead of dozens
of `label-changed` / `name-mismatch`, and the sheet's values are not read (they would be taken from wrong cells).
So is a sheet with more than a few changed labels (another table pasted over the template's).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tianbao import caches
from tianbao.amounts import TOLERANCE
from tianbao.cells import shorten
from tianbao.issues import Issue, make
from tianbao.reading.backend import EMPTY, RawWorkbook
from tianbao.reading.container import too_large
from tianbao.reading.identity import defined_name_value
from tianbao.reading.plan import PAD, Plan, norm_text
from tianbao.spec.compiled import fmt_number
from tianbao.spec.layout import a1, col_letter
from tianbao.template.formulas import norm_formula

Offset = tuple[int, int]
MAX_LABEL_ISSUES = 10  # more changed labels than this on one sheet: the table is not the template's any more


@dataclass
class Integrity:
    missing: set[str] = field(default_factory=set)  # sheets not in the workbook (or too large to read)
    changed: set[str] = field(default_factory=set)  # sheets whose layout was changed
    issues: list[Issue] = field(default_factory=list)

    def unusable(self, sheet: str) -> bool:
        return sheet in self.missing or sheet in self.changed


def formula_overwritten(where: dict[str, str], label: str, found: str, expected: str) -> Issue:
    """A total whose formula was replaced (by a typed number, blank or another formula)."""
    if found == expected:
        detail = "数字碰巧正确，但以后改动数字时不会再自动计算"
    else:
        detail = f"按填写的数字应为 {expected}"
    return make("formula-overwritten", **where, label=label, found=found, detail=detail)


def check_structure(plan: Plan, raw: RawWorkbook) -> Integrity:
    """Sheets present, layout where the plan expects it (names and labels), sheet protection on."""
    out = Integrity()
    sheets = plan.sheets_of(raw.sheets)
    absent = {s for s in plan.optional if s not in raw.sheets}  # made without it: nothing to check
    for sheet in sheets:
        if sheet in raw.oversized:
            out.missing.add(sheet)
            detail = f"工作表“{sheet}”的单元格超过上限（读到第 {raw.oversized[sheet]:,} 个时停止）"
            out.issues.append(too_large("max_cells", detail, sheet))
        elif sheet not in raw.sheets:
            out.missing.add(sheet)
            out.issues.append(make("sheet-missing", sheet=sheet))
    name_issues, name_moves = _names(plan, raw, out.missing | absent)
    for sheet in sheets:
        if sheet in out.missing:
            continue
        label_issues, label_moves = _labels(plan, raw, sheet)
        moves = name_moves.get(sheet, []) + label_moves
        mismatches = len(label_issues) + sum(1 for i in name_issues if i.sheet == sheet)
        shift = _common_shift(moves, mismatches)
        if shift is not None:
            out.changed.add(sheet)
            offset, first = shift
            out.issues.append(
                make("layout-changed", sheet=sheet, cell=a1(*first), detail=_shift_text(offset, first))
            )
        elif len(label_issues) > MAX_LABEL_ISSUES:
            out.changed.add(sheet)
            first_label = label_issues[0]
            detail = (
                f"有 {len(label_issues)} 处标题或栏目文字与模板不同（如 {first_label.cell}），不是下发的表格"
            )
            out.issues.append(make("layout-changed", sheet=sheet, cell=first_label.cell, detail=detail))
        else:
            out.issues.extend(i for i in name_issues if i.sheet == sheet)
            out.issues.extend(label_issues)
    for sheet in sheets:
        if sheet not in out.missing and raw.protected.get(sheet) is False:
            out.issues.append(make("protection-removed", sheet=sheet))
    return out


def _names(
    plan: Plan, raw: RawWorkbook, missing: set[str]
) -> tuple[list[Issue], dict[str, list[tuple[Offset, tuple[int, int]]]]]:
    issues: list[Issue] = []
    moves: dict[str, list[tuple[Offset, tuple[int, int]]]] = {}
    by_name = plan.keys_at
    names = raw.names
    for name, place in plan.names.items():
        if place[0] in missing:
            continue
        text = names.get(name)
        found = parse_reference(text) if text is not None else None
        if found == place:
            continue
        sheet, row, col = place
        expected = f"{sheet}!{a1(row, col)}"
        if found is not None and found[0] == sheet:
            moves.setdefault(sheet, []).append(((found[1] - row, found[2] - col), (row, col)))
        shown = "（已删除）" if text is None else _reference_text(text)
        key = by_name.get((sheet, row, col))
        issues.append(
            make(
                "name-mismatch",
                cell_id=key,
                sheet=sheet,
                cell=a1(row, col),
                name=name,
                expected=expected,
                found=shown,
            )
        )
    return issues, moves


def _reference_text(text: str) -> str:
    ref = parse_reference(text)
    return f"{ref[0]}!{a1(ref[1], ref[2])}" if ref is not None else (defined_name_value(text) or "（空）")


@caches.memoized(caches.REFERENCES)  # the names of a template's cells are the same text in every copy
def parse_reference(text: str) -> tuple[str, int, int] | None:
    """`='表三'!$D$6` or `表三!D6` → ('表三', 5, 3); None when it is not a single-cell reference."""
    s = text.strip().lstrip("=")
    sheet, bang, ref = s.rpartition("!")
    if not bang:
        return None
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    ref = ref.replace("$", "").upper()
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not letters.isalpha() or not letters.isascii() or not digits or len(letters) > 3:
        return None
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return sheet, int(digits) - 1, col - 1


def _labels(
    plan: Plan, raw: RawWorkbook, sheet: str
) -> tuple[list[Issue], list[tuple[Offset, tuple[int, int]]]]:
    texts: dict[tuple[int, int], str] | None = None  # every cell's text, when a label is not where expected
    issues: list[Issue] = []
    moves: list[tuple[Offset, tuple[int, int]]] = []
    cells = raw.cells
    for lab in plan.labels.get(sheet, []):
        value = cells.get(lab.key, EMPTY).value
        if value == lab.text or norm_text(value) == lab.norm:  # the text as written, or the same text
            continue
        if texts is None:
            texts = {(r, c): norm_text(cell.value) for (s, r, c), cell in raw.cells.items() if s == sheet}
        offset = _find_nearby(texts, lab.norm, lab.row, lab.col)
        if offset is not None:
            moves.append((offset, (lab.row, lab.col)))
        shown = raw.cell(sheet, lab.row, lab.col).value
        issues.append(
            make(
                "label-changed",
                sheet=sheet,
                cell=a1(lab.row, lab.col),
                expected=lab.text,
                found="（空白）" if shown is None else shorten(str(shown)),
            )
        )
    return issues, moves


def _find_nearby(texts: Mapping[tuple[int, int], str], want: str, row: int, col: int) -> Offset | None:
    candidates = [
        (abs(dr) + abs(dc), dr, dc)
        for dr in range(-PAD, PAD + 1)
        for dc in range(-PAD, PAD + 1)
        if (dr or dc) and texts.get((row + dr, col + dc)) == want
    ]
    if not candidates:
        return None
    _, dr, dc = min(candidates)
    return dr, dc


def _common_shift(
    moves: list[tuple[Offset, tuple[int, int]]], mismatches: int
) -> tuple[Offset, tuple[int, int]] | None:
    """The offset most labels/names moved by, when it explains at least two and half of the mismatches."""
    if not moves:
        return None
    votes = Counter(offset for offset, _ in moves)
    offset, count = votes.most_common(1)[0]
    if count < 2 or count * 2 < mismatches:
        return None
    moved = [pos for off, pos in moves if off == offset]
    first = min(moved, key=lambda p: (p[1], p[0])) if not offset[0] else min(moved)
    return offset, first


def _shift_text(offset: Offset, first: tuple[int, int]) -> str:
    dr, dc = offset
    parts, what = [], []
    if dr:
        parts.append(f"{'下' if dr > 0 else '上'}移了 {abs(dr)} 行")
        what.append(("插入" if dr > 0 else "删除") + "了行")
    if dc:
        parts.append(f"{'右' if dc > 0 else '左'}移了 {abs(dc)} 列")
        what.append(("插入" if dc > 0 else "删除") + "了列")
    start = (
        f"第 {first[0] + 1} 行"
        if dr and not dc
        else f"{col_letter(first[1])} 列"
        if dc and not dr
        else a1(*first)
    )
    return f"{start}起的内容{'、'.join(parts)}（可能{'、'.join(what)}）"


def check_formulas(
    plan: Plan,
    raw: RawWorkbook,
    integrity: Integrity,
    recomputed: Mapping[str, Any],
    invalid: set[str],
) -> tuple[list[Issue], dict[str, float | None]]:
    """Computed cells still hold the template's formula; cached results agree with the recomputed totals."""
    issues: list[Issue] = []
    cached: dict[str, float | None] = {}
    unusable = plan.spec.unusable(invalid)  # no comparison for a total over an unusable cell
    for cell_id, formula in plan.formulas.items():
        sheet, row, col = plan.places[cell_id]
        cached[cell_id] = None
        if integrity.unusable(sheet):
            continue
        cell = raw.cell(sheet, row, col)
        if cell.formula is None or norm_formula(cell.formula) != norm_formula(formula):
            found = cell.formula if cell.formula is not None else _typed(cell.value)
            issues.append(
                formula_overwritten(
                    _where(plan, cell_id), _label(plan, cell_id), found, fmt_number(recomputed[cell_id])
                )
            )
            continue
        value = cell.cached
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue  # no stored result to compare (the usual case: a file saved by tianbao or openpyxl)
        cached[cell_id] = float(value)
        stale = abs(float(value) - float(recomputed[cell_id])) > TOLERANCE
        if stale and cell_id not in unusable:
            issues.append(
                make(
                    "cached-value-mismatch",
                    **_where(plan, cell_id),
                    label=_label(plan, cell_id),
                    found=fmt_number(value),
                    expected=fmt_number(recomputed[cell_id]),
                )
            )
    return issues, cached


def _where(plan: Plan, cell_id: str) -> dict[str, str]:
    sheet, row, col = plan.places[cell_id]
    return {"cell_id": cell_id, "sheet": sheet, "cell": a1(row, col)}


def _label(plan: Plan, cell_id: str) -> str:
    return plan.spec.cells[cell_id].full_label


def _typed(value: Any) -> str:
    if value is None:
        return "空白"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value)
    return f"“{shorten(str(value))}”"
