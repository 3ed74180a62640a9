"""A worksheet's elements as openpyxl's worksheet parser reads them: the expat handlers for rows,
cells, dimension and protection, each cell interpreted as `parse_cell` interprets it (types, shared and
inline strings, dates by style, shared formulas), and a cell element read by ElementTree the same way."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from tianbao.reading.backend import RawCell, cell_number, stored_result
from tianbao.reading.fast_backend.base import (
    _MARKERS,
    DIMENSION,
    ET_FORMULA,
    ET_INLINE,
    ET_TEXT,
    ET_VALUE,
    FORMULA,
    INLINE,
    PROTECTION,
    ROW,
    SHEET_DATA,
    TEXT,
    VALUE,
    Unusual,
    _coordinate,
    _plain_attrs,
)
from tianbao.reading.fast_backend.parts import _dimension


@dataclass
class _Sheet:
    """What one worksheet part yields: dimension, protection and the cells kept."""

    dimension: tuple[Any, ...] | None = None  # (min_col, min_row, max_col, max_row) as openpyxl has it
    protected: bool = False
    cells: dict[tuple[str, int, int], RawCell] = field(default_factory=dict)  # keyed as `RawWorkbook.cells`
    max_row: int = 0
    max_col: int = 0
    oversized: int = 0  # cells seen when the sheet turned out too large


class _Stop(Exception):
    """The part is read as far as needed (the dimension found, or the cells over the limit)."""


class _CellReader:
    """Mirrors openpyxl's WorkSheetParser (and tianbao's extension keeping cached results) for the rows,
    the cells, the dimension and the sheet protection. Depth: 1 worksheet, 2 sheetData, 3 row, 4 cell,
    5 the cell's v / f / is, 6 the inline string's t."""

    def __init__(
        self,
        strings: list[str],
        date_formats: frozenset[int],
        timedelta_formats: frozenset[int],
        epoch: Any,
        positions: Collection[tuple[int, int]] | None,
        max_cells: int | None,
        dimension_only: bool = False,
        title: str = "",
    ) -> None:
        self.strings, self.date_formats, self.timedelta_formats = strings, date_formats, timedelta_formats
        self.epoch = epoch
        self.title = title  # the sheet's: the first element of the cells' keys
        # The cells to keep, (row, col) 0-based; None: all. Immutable, being part of `_cached_cells`'s context.
        self.positions = (
            positions if positions is None or isinstance(positions, frozenset) else frozenset(positions)
        )
        self.max_cells = max_cells
        self.dimension_only = dimension_only
        self.out = _Sheet()
        self.depth = 0
        self.seen_data = self.in_data = False
        self.protection: dict[str, str] | None = None
        self.row_counter = self.col_counter = 0
        self.seen = 0
        self.shared: dict[str | None, Any] = {}
        self.cell: dict[str, str] | None = None
        self.v: str | None = None  # the first <v>'s text; None when there is no <v>
        self.f_attrs: dict[str, str] | None = None
        self.f: str | None = None
        self.inline: str | None = None  # the first <is>'s text; None when there is no <is>
        self.in_is = self.has_t = False
        self.text: list[str] | None = None
        self.target = ""  # "v", "f" or "t" while their text is collected

    # expat handlers

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth = self.depth = self.depth + 1
        if self.in_data:
            if self.dimension_only:
                return
            if depth == 4:  # openpyxl takes any child of a row for a cell
                if name in _MARKERS:
                    raise Unusual("a row inside a row")
                self.cell = attrs
                self.v = self.f_attrs = self.f = self.inline = None
            elif depth == 5:
                if self.target:
                    raise Unusual("an element inside a cell value or formula")
                if name == VALUE:
                    if self.v is None:
                        self.text, self.target = [], "v"
                elif name == FORMULA:
                    if self.f_attrs is None:
                        self.f_attrs, self.text, self.target = attrs, [], "f"
                elif name == INLINE:
                    if self.inline is None:
                        if _plain_attrs(attrs):
                            raise Unusual("attributes on an inline string")
                        self.inline, self.in_is, self.has_t = "", True, False
                elif name in _MARKERS:
                    raise Unusual("a row, sheetData, dimension or protection inside a cell")
            elif depth == 3:
                if name != ROW:
                    raise Unusual("an element other than a row in sheetData")
                self._row(attrs)
            elif self.target or name in _MARKERS:
                raise Unusual("an element inside a cell value or formula, or a misplaced row")
            elif self.in_is:  # depth 6: the inline string's children
                if name != TEXT or self.has_t or depth != 6:
                    raise Unusual("a rich inline string")
                self.has_t, self.text, self.target = True, [], "t"
        elif depth == 2 and name == SHEET_DATA:
            if self.seen_data:
                raise Unusual("two sheetData elements")
            self.seen_data = self.in_data = True
            if self.dimension_only and self.out.dimension is not None:
                raise _Stop
        elif depth == 2 and name == DIMENSION:
            if self.seen_data or self.out.dimension is not None:
                raise Unusual("a second or late dimension")
            self.out.dimension = _dimension(attrs)
        elif depth == 2 and name == PROTECTION:
            self._protection(attrs)
        elif name in _MARKERS:
            raise Unusual(f"{name} at depth {depth}")

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if not self.in_data or self.dimension_only:
            return
        if self.target:
            text = "".join(self.text or ())
            if self.target == "v":
                self.v = text
            elif self.target == "f":
                self.f = text or None
            else:
                self.inline = text
            self.text, self.target = None, ""
        elif depth == 5:
            self.in_is = False
        elif depth == 4:
            assert self.cell is not None
            self._cell(self.cell, self.v, self.f_attrs, self.f, self.inline)
            self.cell = None
        elif depth == 2:
            self.in_data = False

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def _protection(self, attrs: dict[str, str]) -> None:
        if self.protection is not None:
            raise Unusual("two sheetProtection elements")
        self.protection = attrs

    # rows and cells, as openpyxl's parse_row / parse_cell

    def _row(self, attrs: dict[str, str]) -> None:
        if "r" in attrs:
            try:
                self.row_counter = int(attrs["r"])
            except ValueError:
                val = float(attrs["r"])
                if val.is_integer():
                    self.row_counter = int(val)
                else:
                    raise ValueError(f"{attrs['r']} is not a valid row number") from None
        else:
            self.row_counter += 1
        self.col_counter = 0

    def _cell(
        self,
        attrs: dict[str, str],
        v: str | None,
        f_attrs: dict[str, str] | None,
        f: str | None,
        inline: str | None,
    ) -> None:
        """One cell as openpyxl's parse_cell reads it: `v` the text of its first <v> (None: no <v>), `f_attrs`
        and `f` those of its first <f>, `inline` the content of its first <is>."""
        data_type = attrs.get("t", "n")
        coordinate = attrs.get("r")
        style_id: Any = attrs.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value: Any = None if data_type == "inlineStr" else (v or None)
        # tianbao's openpyxl backend files a cell under its row element's number and its own column.
        row = self.row_counter
        if coordinate:
            column = _coordinate(coordinate)[1]
            self.col_counter = column
        else:
            self.col_counter += 1
            column = self.col_counter
        formula: str | None = None
        if f_attrs is not None:
            formula = self._formula(f_attrs, f, coordinate)
        elif value is not None:
            if data_type == "n":
                value = cell_number(value)
                if style_id in self.date_formats and not isinstance(value, str):
                    from openpyxl.utils.datetime import from_excel

                    try:
                        value = from_excel(value, self.epoch, timedelta=style_id in self.timedelta_formats)
                    except (OverflowError, ValueError):
                        value = "#VALUE!"
            elif data_type == "s":
                value = self.strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                from openpyxl.utils.datetime import from_ISO8601

                value = from_ISO8601(value)
        elif data_type == "inlineStr":
            value = inline
        self.seen += 1
        if self.max_cells is not None and self.seen > self.max_cells:
            self.out.oversized = self.seen
            raise _Stop
        if formula is None and value is None:
            return
        out = self.out
        if row > out.max_row:
            out.max_row = row
        if column > out.max_col:
            out.max_col = column
        if self.positions is not None and (row - 1, column - 1) not in self.positions:
            return
        if formula is not None:
            out.cells[self.title, row - 1, column - 1] = RawCell(None, formula, self._cached(data_type, v))
        else:
            out.cells[self.title, row - 1, column - 1] = RawCell(value)

    def _formula(self, attrs: dict[str, str], text: str | None, coordinate: str | None) -> str:
        kind = attrs.get("t")
        value = "=" + (text or "")
        if kind == "shared":
            index = attrs.get("si")
            if index in self.shared:
                return str(self.shared[index].translate_formula(coordinate))
            if value != "=":
                from openpyxl.formula.translate import Translator

                self.shared[index] = Translator(value, coordinate)
        elif kind == "dataTable":
            raise Unusual("a data table formula")
        return value

    def _cached(self, kind: str, text: str | None) -> Any:
        """The stored result of a formula cell (tianbao's extension of openpyxl's parser)."""
        return stored_result(kind, text, self.strings)


def _cell_parts(cell: Element) -> tuple[Any, str | None, Any, str | None, str | None]:
    """What openpyxl's parse_cell reads of a cell element: its attributes, the text of its first <v>, the
    attributes and text of its first <f> and the content of its first <is>."""
    inline = None
    if cell.get("t") == "inlineStr":
        child = cell.find(ET_INLINE)
        if child is not None:
            inline = _inline_text(child)
    f = cell.find(ET_FORMULA)
    return (
        cell.attrib,
        cell.findtext(ET_VALUE),
        None if f is None else f.attrib,
        None if f is None else f.text,
        inline,
    )


def _inline_text(element: Element) -> str:
    """An inline string's content, as openpyxl's `Text.from_tree(element).content`."""
    children = list(element)
    if not element.attrib and len(children) == 1 and children[0].tag == ET_TEXT and not len(children[0]):
        return children[0].text or ""
    from openpyxl.cell.text import Text

    return str(Text.from_tree(element).content)
