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
    code: str
    name: str
    type: str


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
