"""The national tables as grids: each table of the format as a published report shows it — its header
cells with their row and column spans, and a cell per value — derived from the spec's sheet layout (which the
template draws), never drawn by hand.

A grid is the table part of a sheet: from the first section's first row to the last data row. The sheet's
title row, its unit/year line and the check rows below the table are not part of the table a report
publishes; the table's title (二、主动公开政府信息情况 …) is the grid's `title`, printed as the heading above it.
Positions are 0-based within the grid; every position of the grid is covered by exactly one cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Literal

from tianbao.spec.compiled import Spec
from tianbao.spec.layout import Box, SheetLayout, sheet_layouts

CellKind = Literal["section_title", "corner", "col_header", "row_header", "value"]
_TABLE_LABELS = ("section_title", "corner", "col_header", "row_header")


@dataclass(frozen=True)
class GridCell:
    """One cell of a grid: a header (`text`, no `cell_id`) or a value (`cell_id`, no text)."""

    row: int
    col: int
    rowspan: int
    colspan: int
    kind: CellKind
    text: str = ""
    cell_id: str | None = None

    @property
    def is_header(self) -> bool:
        return self.cell_id is None

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass(frozen=True)
class Grid:
    """One national table. `cells` are in reading order (by row, then column), as an HTML table lists them."""

    table_id: str
    sheet: str
    title: str
    n_rows: int
    n_cols: int
    cells: tuple[GridCell, ...]
    repeat_rows: int  # header rows to repeat on each printed page (0: the table has several sections)

    @cached_property
    def rows(self) -> tuple[tuple[GridCell, ...], ...]:
        """The cells that start in each row, in column order (a `<tr>` each)."""
        out: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        return tuple(tuple(r) for r in out)

    @cached_property
    def _covering(self) -> dict[tuple[int, int], GridCell]:
        return {(r, k): c for c in self.cells for r, k in _positions(c)}

    def at(self, row: int, col: int) -> GridCell:
        """The cell covering a position of the grid."""
        return self._covering[row, col]

    @cached_property
    def label_cols(self) -> int:
        """Columns left of the first value: the row labels (0 for 表四)."""
        return min(c.col for c in self.cells if not c.is_header)

    @property
    def cell_ids(self) -> list[str]:
        return [c.cell_id for c in self.cells if c.cell_id is not None]


def _positions(c: GridCell) -> Iterator[tuple[int, int]]:
    for r in range(c.row, c.last_row + 1):
        for k in range(c.col, c.last_col + 1):
            yield r, k


def _cell(box: Box, top: int, kind: CellKind, text: str = "", cell_id: str | None = None) -> GridCell:
    return GridCell(
        row=box.row - top,
        col=box.col,
        rowspan=box.last_row - box.row + 1,
        colspan=box.last_col - box.col + 1,
        kind=kind,
        text=text,
        cell_id=cell_id,
    )


def _grid(lay: SheetLayout) -> Grid:
    labels = [lab for lab in lay.labels if lab.kind in _TABLE_LABELS]
    top = min([lab.box.row for lab in labels] + [b.row for b in lay.cells.values()])
    bottom = max(b.last_row for b in lay.cells.values())
    cells = [_cell(lab.box, top, lab.kind, lab.text) for lab in labels]  # type: ignore[arg-type]
    cells += [_cell(b, top, "value", cell_id=cid) for cid, b in lay.cells.items()]
    cells.sort(key=lambda c: (c.row, c.col))
    repeat = len(lay.header_rows) if len(lay.table.sections) == 1 else 0
    grid = Grid(lay.table.id, lay.sheet, lay.table.title, bottom - top + 1, lay.width, tuple(cells), repeat)
    _check_tiling(grid)
    return grid


def _check_tiling(grid: Grid) -> None:
    """Every position covered exactly once: a layout that overlaps or leaves holes is a bug, not a table."""
    seen: set[tuple[int, int]] = set()
    for c in grid.cells:
        for pos in _positions(c):
            if pos in seen:
                raise ValueError(f"{grid.table_id}: two cells cover {pos}")
            seen.add(pos)
    missing = [(r, k) for r in range(grid.n_rows) for k in range(grid.n_cols) if (r, k) not in seen]
    if missing:
        raise ValueError(f"{grid.table_id}: no cell covers {missing[0]}")


@cache
def table_grids(spec: Spec) -> tuple[Grid, ...]:
    """The grid of every table of the spec, in the spec's order."""
    return tuple(_grid(lay) for lay in sheet_layouts(spec))


def table_grid(spec: Spec, table_id: str) -> Grid:
    for g in table_grids(spec):
        if g.table_id == table_id:
            return g
    raise KeyError(table_id)
