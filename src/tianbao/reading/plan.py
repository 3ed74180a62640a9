"""What the reader expects of a workbook made from a spec, derived once per spec from its layout: the cells to
fetch, the label texts, the defined names and the formulas of computed cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from tianbao import caches
from tianbao.cells import cell_text
from tianbao.reading.values import Where
from tianbao.spec import Spec, cell_name
from tianbao.spec.layout import (
    COVER_LAST_COL,
    COVER_SHEET,
    Box,
    SheetLayout,
    a1,
    cover_boxes,
    sheet_layouts,
)
from tianbao.spec.model import ValueType
from tianbao.spec.rules import Term
from tianbao.spec.text_layout import TEXT_COL, text_layout
from tianbao.template.formulas import definition_formula

PAD = 5  # rows/columns fetched beyond the layout, to recognise content moved by inserted rows or columns
_WS = re.compile(r"\s+")


@caches.memoized(caches.LABEL_TEXTS, typed=True)  # labels are the same text in every copy of a template
def norm_text(value: Any) -> str:
    """Label text for comparison: the cell's text (`cell_text`) in NFKC (full-width punctuation as ASCII),
    without any whitespace."""
    return _WS.sub("", unicodedata.normalize("NFKC", cell_text(value)))


@dataclass(frozen=True)
class ExpectedLabel:
    sheet: str
    row: int
    col: int
    text: str

    @cached_property
    def norm(self) -> str:
        return norm_text(self.text)

    @cached_property
    def key(self) -> tuple[str, int, int]:
        """The label's place as `RawWorkbook.cells` keys it."""
        return self.sheet, self.row, self.col


@dataclass(frozen=True, eq=False)
class InputCell(caches.Shared):
    """One input cell of a plan. It stands for itself in the values cache's keys (`caches.VALUES`): what a
    typed value reads as depends on the cell (its type, its place in messages), so another plan's cell of
    the same rank is another key."""

    cell_id: str
    sheet: str
    row: int
    col: int
    type: ValueType  # count, int, amount
    where: Where  # where its issues point


@dataclass
class Plan:
    spec: Spec
    layouts: tuple[SheetLayout, ...]
    wanted: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)
    labels: dict[str, list[ExpectedLabel]] = field(default_factory=dict)  # sheet → labels
    names: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # defined name → (sheet, row, col)
    places: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # cell id / meta.<id> → position
    formulas: dict[str, str] = field(default_factory=dict)  # computed cell id → expected formula
    optional: tuple[str, ...] = ()  # sheets a workbook may lack (正文: templates made before it existed)
    text: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # text cell id → position

    @property
    def sheets(self) -> list[str]:
        """The sheets a submission must have: the cover and the table sheets."""
        return [COVER_SHEET, *(lay.sheet for lay in self.layouts)]

    def sheets_of(self, present: Collection[str]) -> list[str]:
        """The sheets to check in a workbook holding the sheets `present`: the required ones, and the
        optional ones it has."""
        return [*self.sheets, *(s for s in self.optional if s in present)]

    def a1(self, key: str) -> str:
        _, row, col = self.places[key]
        return a1(row, col)

    @cached_property
    def keys_at(self) -> dict[tuple[str, int, int], str]:
        """position → the cell id (or meta.<id>) there."""
        return {v: k for k, v in self.places.items()}

    @cached_property
    def sheet_inputs(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each table sheet with its input cell ids, in layout order."""
        cells = self.spec.cells
        return [(lay.sheet, tuple(c for c in lay.cells if not cells[c].computed)) for lay in self.layouts]

    @cached_property
    def inputs(self) -> tuple[InputCell, ...]:
        """Each input cell, in the spec's order."""
        out = []
        for cell_id in self.spec.input_ids:
            cell = self.spec.cells[cell_id]
            sheet, row, col = self.places[cell_id]
            where = Where(cell_id, sheet, a1(row, col), cell.full_label)
            out.append(InputCell(cell_id, sheet, row, col, cell.type, where))
        return tuple(out)


@cache
def plan_for(spec: Spec) -> Plan:
    plan = Plan(spec, sheet_layouts(spec))
    boxes = cover_boxes(spec)
    cover_rows = max(b.row for b in boxes.values()) + PAD
    plan.wanted[COVER_SHEET] = frozenset(
        (r, c) for r in range(cover_rows + 1) for c in range(COVER_LAST_COL + 1)
    )
    plan.labels[COVER_SHEET] = [ExpectedLabel(COVER_SHEET, b.row, 0, f.label) for f, b in _meta(spec, boxes)]
    for f, b in _meta(spec, boxes):
        plan.places[f"meta.{f.id}"] = (COVER_SHEET, b.row, b.col)
        plan.names[f"meta_{f.id}"] = (COVER_SHEET, b.row, b.col)
    for lay in plan.layouts:
        rows, cols = lay.last_row + PAD, lay.width - 1 + PAD
        plan.wanted[lay.sheet] = frozenset((r, c) for r in range(rows + 1) for c in range(cols + 1))
        plan.labels[lay.sheet] = [
            ExpectedLabel(lay.sheet, lab.box.row, lab.box.col, lab.text) for lab in lay.labels
        ]
        for cell_id, b in lay.cells.items():
            plan.places[cell_id] = (lay.sheet, b.row, b.col)
            plan.names[cell_name(cell_id)] = (lay.sheet, b.row, b.col)
    for lay in plan.layouts:
        for cell_id in lay.cells:
            if cell_id in spec.definitions:
                plan.formulas[cell_id] = definition_formula(spec.definitions[cell_id], _locator(plan, lay))
    _text_sheet(plan)
    return plan


def _text_sheet(plan: Plan) -> None:
    """The 正文 sheet, when the spec has one: optional, read and checked like a table sheet when present."""
    lay = text_layout(plan.spec)
    if lay is None:
        return
    plan.optional = (lay.sheet,)
    rows, cols = lay.last_row + PAD, TEXT_COL + PAD
    plan.wanted[lay.sheet] = frozenset((r, c) for r in range(rows + 1) for c in range(cols + 1))
    plan.labels[lay.sheet] = [
        ExpectedLabel(lay.sheet, lab.box.row, lab.box.col, lab.text) for lab in lay.labels
    ]
    for cell_id, b in lay.cells.items():
        plan.text[cell_id] = (lay.sheet, b.row, b.col)
        plan.names[cell_name(cell_id)] = (lay.sheet, b.row, b.col)


def _meta(spec: Spec, boxes: dict[str, Box]) -> list[tuple[Any, Box]]:
    return [(f, boxes[f.id]) for f in spec.meta]


def _locator(plan: Plan, lay: SheetLayout) -> Any:
    def locate(t: Term) -> str | Box:
        assert t.cell is not None  # a reference, not a constant
        sheet, row, col = plan.places[t.cell]
        if sheet == lay.sheet:
            return lay.cells[t.cell]
        return f"'{sheet}'!{a1(row, col)}"

    return locate
