"""What the sheet writers share while one template is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from xlsxwriter.workbook import Workbook

from tianbao.spec.compiled import RuleInstance, Spec
from tianbao.spec.layout import SheetLayout, cover_title, sheet_layouts
from tianbao.template.page import lines_of, set_columns, setup_page
from tianbao.template.styles import Styles


@dataclass(frozen=True)
class Mark:
    """A cell to highlight in a 退回修改 copy: red for errors, orange for warnings; its comment holds
    `messages` (each problem and how to fix it, one a paragraph)."""

    severity: str  # error | warning
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """A box at the top of the cover saying what the workbook is and what to do with it (a 退回修改 copy, a
    核实 notice, a fresh template, a consolidated workbook). `tone` colours it."""

    title: str
    lines: tuple[str, ...]
    tone: Literal["error", "warning", "info"] = "info"


@dataclass(frozen=True)
class Coverage:
    """What a consolidated workbook holds and lacks, in units: its 校验 sheet leads with these."""

    included: int  # units whose data is in the totals
    returned: int  # units whose files were rejected (not in the totals)
    missing: int  # roster units that sent nothing
    listed_on: str  # the sheet that lists every unit with its status


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
    coverage: Coverage | None = None
    # What the workbook is, at the top of the cover (none for a template as issued).
    notice: Notice | None = None
    # The 正文 sheet (the report's text) after 封面, when the spec has a text part; False: statistics only.
    text: bool = True


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
    def title(self) -> str:
        """The workbook's title, as the cover shows it."""
        return cover_title(self.options.year)

    @property
    def page_title(self) -> str:
        """What the page header of every sheet names: the unit (when known) and the title."""
        unit = self.options.unit.name if self.options.unit else ""
        return f"{unit}　{self.title}" if unit else self.title

    def page(self, ws: Any, widths: Sequence[float], **setup: Any) -> None:
        """Column widths and the page setup of a sheet (tianbao.template.page.setup_page)."""
        set_columns(ws, widths)
        setup_page(ws, widths, self.page_title, **setup)

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
        text = "\n".join(mark.messages)
        # 3 × the default 128 pixels: about 60 columns of text a line; 16 pixels a line of the 74 by default.
        tall = max(1.0, lines_of(text, 60) * 16 / 74)
        worksheet.write_comment(row, col, text, {"x_scale": 3, "y_scale": tall, "author": "tianbao"})
        return self.styles["error_cell" if mark.severity == "error" else "warning_cell"]

    def protect(self, worksheet, filters: bool = False) -> None:  # type: ignore[no-untyped-def]
        """Protect a sheet; with `filters`, its filters and sorting still work (a list sheet)."""
        options = {"select_locked_cells": True, "select_unlocked_cells": True}
        options.update({"autofilter": True, "sort": True} if filters else {"format_columns": False})
        worksheet.protect(self.options.password or "", options)
