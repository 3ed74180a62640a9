"""What the sheet writers share while one template is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from xlsxwriter.workbook import Workbook

from tianbao.spec.compiled import RuleInstance, Spec
from tianbao.spec.layout import SheetLayout, sheet_layouts
from tianbao.template.styles import Styles


@dataclass(frozen=True)
class Mark:
    """A cell to highlight in a 退回修改 copy: red for errors, amber for warnings, with the messages."""

    severity: str  # error | warning
    messages: tuple[str, ...]


class UnitLike(Protocol):
    """What a template needs of its unit: a roster's Unit, a consolidation's Parent … (read-only)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> str: ...


@dataclass(frozen=True)
class TemplateOptions:
    """What varies between templates of one spec: the year, the unit, last year's values, the password."""

    year: int
    unit: UnitLike | None = None
    previous: Mapping[str, float] | None = None
    password: str | None = None
    # A 退回修改 copy: values to prefill (cell id or meta.<id> → value) and cells to mark with a comment.
    prefill: Mapping[str, Any] | None = None
    marks: Mapping[str, Mark] | None = None
    # A consolidated workbook: the value of every cell (input and computed), stored as the result of each
    # formula so that readers without a calculation engine see the numbers; the formulas of the input cells
    # (sums over 明细); the stamp's kind and constituent units; the cover's notes instead of the instructions.
    results: Mapping[str, float] | None = None
    input_formulas: Mapping[str, str] | None = None
    kind: str = "template"
    members: tuple[str, ...] = ()
    notes: tuple[str, ...] | None = None


@dataclass
class Context:
    spec: Spec
    options: TemplateOptions
    workbook: Workbook
    styles: Styles
    layouts: tuple[SheetLayout, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.layouts = sheet_layouts(self.spec, self.with_previous)

    @property
    def with_previous(self) -> bool:
        return bool(self.options.previous)

    def active_checks(self) -> list[RuleInstance]:
        """The checks a filled template can evaluate live: last year's values and the unit type permitting."""
        unit_type = self.options.unit.type if self.options.unit else None
        prev = self.options.previous or {}
        out = []
        for inst in self.spec.iter_checks(unit_type, previous=self.with_previous):
            if all(c in prev for c in inst.relation.cells(prev=True)):
                out.append(inst)
        return out

    def result(self, cell_id: str) -> float | str:
        """The stored result of a cell's formula: its value in a consolidated workbook, else none ("")."""
        if self.options.results is None:
            return ""
        return self.options.results.get(cell_id, 0.0)

    def check_result(self, inst: RuleInstance) -> tuple[float, float] | None:
        """Both sides of a check evaluated on the stored results; None when there are no results."""
        results = self.options.results
        if results is None:
            return None
        prev = self.options.previous or {}

        def get(cell_id: str, is_prev: bool) -> float:
            return float(prev[cell_id]) if is_prev else float(results.get(cell_id, 0.0))

        lhs, rhs = inst.values(get)
        return round(float(lhs), 6), round(float(rhs), 6)

    def mark(self, worksheet, row: int, col: int, cell_id: str) -> Any:  # type: ignore[no-untyped-def]
        """Comment a marked cell; return the highlight format for it (None when not marked)."""
        mark = (self.options.marks or {}).get(cell_id)
        if mark is None:
            return None
        worksheet.write_comment(
            row, col, "\n".join(mark.messages), {"x_scale": 2.5, "y_scale": 1.5, "author": "tianbao"}
        )
        return self.styles["error_cell" if mark.severity == "error" else "warning_cell"]

    def protect(self, worksheet) -> None:  # type: ignore[no-untyped-def]
        worksheet.protect(
            self.options.password or "",
            {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": False},
        )
