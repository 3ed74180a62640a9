"""A worksheet part as openpyxl's worksheet parser reads it (rows, cells, dimension, protection): its shell
checked once per distinct content, `<sheetData>` cut with `bytes.split` and each distinct cell parsed once;
when the bytes are not in that plain form, every element through expat handlers or ElementTree."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import XML, Element

from tianbao.reading.backend import RawCell, cell_number, stored_result
from tianbao.reading.fast_backend.base import (
    _MARKERS,
    _ROW_TAG,
    CACHE_SIZE,
    DIMENSION,
    ET_FORMULA,
    ET_INLINE,
    ET_ROW,
    ET_TEXT,
    ET_VALUE,
    FORMULA,
    INLINE,
    MAIN,
    PROTECTION,
    ROW,
    SHEET_DATA,
    TEXT,
    VALUE,
    Unusual,
    _attr,
    _coordinate,
    _parser,
    _plain_attrs,
    _remember,
    _window_bytes,
)
from tianbao.reading.fast_backend.parts import (
    _dimension,
    _protection,
)


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
    pass


class _SheetParser:
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

    # the pass over the part

    def parse(self, data: bytes) -> _Sheet:
        try:
            if self.dimension_only:
                self._dimension_only(data)
            elif not self._known_shell(data):
                window = _window(data)
                if window is None:
                    self._full(data)
                else:
                    self._windowed(data, *window)
        except _Stop:
            return self.out
        if self.protection is not None:
            self.out.protected = _protection(self.protection)
        return self.out

    def _known_shell(self, data: bytes) -> bool:
        """The usual case, without scanning the part: its shell (all but sheetData) is one checked before
        (`_windowed`), and sheetData holds nothing openpyxl would find besides rows and cells."""
        start, close = data.find(b"<sheetData"), data.rfind(b"</sheetData>")
        if start < 0 or close < start:
            return False
        end = close + len(b"</sheetData>")
        known = _SHELLS.get(data, start, end)
        if known is None:
            return False
        body = data[start:end]
        if body.count(b"sheetData") != 2 or b"dimension" in body or b"sheetProtection" in body:
            return False
        dimension, protection, declared = known
        caches = self._caches(declared)
        tokens = _tokenize(body, caches.rows)
        if tokens is None:
            return False
        self.out.dimension, self.protection = dimension, protection
        self._cached_cells(tokens, declared, caches)
        return True

    def _dimension_only(self, data: bytes) -> None:
        """What openpyxl reads of a sheet it does not need when it opens the file: up to the dimension.
        The elements before <sheetData> go through the handlers (once per distinct head), the rest is only
        checked by expat. A part checked so before is recognised by its bytes (the same in every copy of a
        template: the inflated bytes are then the same object, whose hash Python keeps)."""
        known = _CHECKED.get(data)
        if known is not None:
            self.out.dimension = known
            return
        self._check_dimension(data)
        if self.out.dimension is not None:
            _remember(_CHECKED, data, self.out.dimension)

    def _check_dimension(self, data: bytes) -> None:
        start = data.find(b"<sheetData") if _window(data) is not None else -1
        if start >= 0:
            known = _HEADS.get(data[:start])
            if known is not None:
                self.out.dimension = known
                return
        p = _parser()
        p.StartElementHandler, p.EndElementHandler = self.start, self.end
        if start >= 0:
            p.Parse(data[:start], False)
            if self.out.dimension is not None:
                _remember(_HEADS, data[:start], self.out.dimension)
                return
            p.StartElementHandler = p.EndElementHandler = None
            p.Parse(data[start:], True)
        else:
            p.Parse(data, True)

    def _full(self, data: bytes) -> None:
        """Every element through the handlers: anything unusual in the bytes."""
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.chars
        p.Parse(data, True)

    def _windowed(self, data: bytes, start: int, end: int, protection: int) -> None:
        """The part's shell (all but `<sheetData>`) is the same in every copy of a template: expat checks it,
        with handlers only before <sheetData> (dimension) and on the one <sheetProtection> after it, once
        per distinct shell. `<sheetData>` is then checked and read piece by piece (`_tokenize`, each
        distinct row tag and cell parsed once by ElementTree); when it cannot be cut so, the whole part
        goes through expat and ElementTree reads the cells with the calls openpyxl itself makes."""
        known = _SHELLS.get(data, start, end)
        body = data[start:end]
        if known is not None:
            caches = self._caches(known[2])
            tokens = _tokenize(body, caches.rows)
            if tokens is not None:
                self.out.dimension, self.protection, declared = known
                self._cached_cells(tokens, declared, caches)
                return
        namespaces: dict[str | None, str] = {}

        def declare(prefix: str | None, uri: str) -> None:
            if self.depth == 0:
                namespaces[prefix] = uri

        p = _parser()
        p.StartElementHandler, p.EndElementHandler = self.start, self.end
        p.StartNamespaceDeclHandler = declare
        p.Parse(data[:start], False)
        if self.depth != 1:
            raise Unusual("sheetData is not a child of the root")
        if namespaces.get(None) != MAIN:  # unprefixed names are not SpreadsheetML's (Strict OOXML, damage)
            raise Unusual("another default namespace")
        p.StartElementHandler = p.EndElementHandler = p.StartNamespaceDeclHandler = None
        if protection >= 0:
            p.Parse(data[start:protection], False)

            def first(name: str, attrs: dict[str, str]) -> None:
                p.StartElementHandler = None
                if name == PROTECTION:
                    self._protection(attrs)

            p.StartElementHandler = first
            p.Parse(data[protection:], True)
        else:
            p.Parse(data[start:], True)
        declared = b"".join(
            b' xmlns%s="%s"' % (b":" + k.encode() if k else b"", _attr(v)) for k, v in namespaces.items()
        )
        _SHELLS.remember(data, start, end, (self.out.dimension, self.protection, declared))
        self._cells(body, declared)

    def _cells(self, body: bytes, declared: bytes) -> None:
        """The rows and cells of `<sheetData>…</sheetData>` (`declared`: the root's namespace declarations)."""
        caches = self._caches(declared)
        rows = _tokenize(body, caches.rows)
        if rows is not None:
            self._cached_cells(rows, declared, caches)
            return
        root = XML(b"<w" + declared + b">" + body + b"</w>")
        sheet_data = root[0]
        found = [r for r in sheet_data if r.tag == ET_ROW]
        if len(found) != len(_ROW_TAG.findall(body)):
            raise Unusual("a row nested where openpyxl would still find it")
        for row in found:
            self._row(row.attrib)
            for cell in row:
                self._cell(*_cell_parts(cell))

    def _caches(self, declared: bytes) -> _Known:
        """The cells and rows known in this sheet's context (`declared`: the root's namespace declarations)."""
        return _known_in(
            (self.title, self.positions, declared, self.date_formats, self.timedelta_formats, self.epoch)
        )

    def _cached_cells(self, tokens: Tokens, declared: bytes, known: _Known) -> None:
        """Cells by their bytes: each distinct `<c>…</c>` is parsed once per process (by ElementTree, read
        as openpyxl reads it) and, where its outcome does not depend on the file (a reference, no shared
        string, no shared formula), kept as the finished `RawCell`. A template's labels, formulas, blank
        cells and most typed numbers are the same bytes in every copy. So are many whole rows: a numbered
        row of such cells is kept with its outcome (`_KnownRow`) and recognised by its bytes when cut."""
        out, max_cells = self.out, self.max_cells
        dimension = out.dimension
        extent = not (dimension and dimension[2] and dimension[3])  # else the sheet's extent is not used
        sheet_data, rows = tokens
        _tag_attrs(b"<sheetData", sheet_data, declared)  # checked, as expat would
        for row in rows:
            if isinstance(row, _KnownRow):
                self.row_counter, self.col_counter = row.number, row.column
                out.cells.update(row.cells)
                self.seen += row.count
            else:
                row_attrs, row_cells, chunk = row
                attrs = _tag_attrs(b"<row", row_attrs, declared)
                self._row(attrs)
                learn = chunk is not None and not extent and "r" in attrs
                found = self._row_cells(row_cells, declared, known.cells, extent, learn)
                if found is not None and chunk is not None:
                    known.remember(
                        chunk, _KnownRow(self.row_counter, found, len(row_cells), self.col_counter)
                    )
            if max_cells is not None and self.seen > max_cells:  # the reference stops at the first cell over
                out.oversized = max_cells + 1
                raise _Stop

    def _row_cells(
        self,
        row_cells: list[bytes],
        declared: bytes,
        cache: dict[bytes, tuple[Any, ...]],
        extent: bool,
        learn: bool,
    ) -> tuple[tuple[tuple[str, int, int], RawCell], ...] | None:
        """The cells of one row, each by its bytes; with `learn`, the cells kept when every one of them is
        the same in any file (else None)."""
        out, positions, title = self.out, self.positions, self.title
        cells = out.cells
        kept: list[tuple[tuple[str, int, int], RawCell]] | None = [] if learn else None
        row = self.row_counter
        column = self.col_counter
        seen = 0
        for raw in row_cells:
            known = cache.get(raw)
            if known is None:
                known = cache[raw] = self._known(raw, declared)
            if known[0] is None:  # depends on this file: interpret it here
                self.seen += seen
                seen = 0
                self.col_counter = column
                self._cell(*known[1])
                column = self.col_counter
                kept = None
                continue
            _, column, cell, coordinate_row, key = known
            seen += 1
            if cell is None:
                continue
            if extent:
                out.max_row = max(out.max_row, row)
                out.max_col = max(out.max_col, column)
            if coordinate_row != row:  # filed under its row element's number
                key = (title, row - 1, column - 1)
                if positions is not None and key[1:] not in positions:
                    continue
            elif key is None:
                continue
            cells[key] = cell
            if kept is not None:
                kept.append((key, cell))
        self.col_counter = column
        self.seen += seen
        return None if kept is None else tuple(kept)

    def _known(self, raw: bytes, declared: bytes) -> tuple[Any, ...]:
        """(True, column, RawCell or None, row, key) when the cell's outcome is the same in any file, else
        (None, parts). `key`: the cell's key in `_Sheet.cells` when it is filed under its own reference's
        row and is one of the positions kept, else None (a cell whose row element has another number is
        filed under that row). `raw`: the bytes after the cell's `<c `, which must hold that one element
        (and text, which openpyxl ignores in a row) and nothing else."""
        root = XML(b"<w" + declared + b"><c " + raw + b"</w>")
        if len(root) != 1:
            raise Unusual("an element after a cell")
        parts = _cell_parts(root[0])
        attrs, _, f_attrs, _, _ = parts
        coordinate = attrs.get("r")
        if not coordinate or attrs.get("t") == "s" or (f_attrs is not None and f_attrs.get("t") == "shared"):
            return None, parts
        probe = _SheetParser(
            [], self.date_formats, self.timedelta_formats, self.epoch, None, None, title=self.title
        )
        row, column = _coordinate(coordinate)
        probe.row_counter = row
        probe._cell(*parts)
        key = (self.title, row - 1, column - 1)
        wanted = self.positions is None or key[1:] in self.positions
        return True, column, probe.out.cells.get(key), row, key if wanted else None


_WS = rb"[ \t\r\n]"  # XML's whitespace (regular expressions' \s also takes \f and \v, which XML refuses)
_ATTRS = rb"((?:" + _WS + rb"+[^\s=/>]+" + _WS + rb"*=" + _WS + rb"*(?:\"[^\"]*\"|'[^']*'))*" + _WS + rb"*)"
_SHEET_DATA_RE = re.compile(rb"<sheetData" + _ATTRS + rb"(?:/>|>(.*)</sheetData>)\Z", re.S)
_ATTRS_NC = _ATTRS.replace(b"((", b"(?:(", 1)  # the same without a group
_ROW_OPEN = re.compile(_WS + rb"*<row" + _ATTRS + rb">")
_TOKEN_RE = re.compile(  # one piece of sheetData: a cell, a row's start tag or a row's end tag
    _WS + rb"*<(?:c" + _ATTRS_NC + rb"(?:/>|>[^<]*(?:<(?!/c>)[^<]*)*</c>)|row" + _ATTRS_NC + rb"/?>|/row>)"
)
_TAGS: dict[tuple[bytes, bytes, bytes], dict[str, str]] = {}
_HEADS: dict[bytes, Any] = {}
_CHECKED: dict[bytes, Any] = {}  # a whole part read for its dimension → that dimension


class _Shells:
    """Checked shells of sheet parts (all but `<sheetData>`) → what they hold. Found without building or
    hashing the shell (tens of kilobytes where a sheet has data validations and conditional formats): by
    the lengths of the pieces before and after `<sheetData>`, then compared byte for byte."""

    def __init__(self) -> None:
        self._by_size: dict[tuple[int, int], list[tuple[bytes, bytes, Any]]] = {}
        self._count = 0

    def get(self, data: bytes, start: int, end: int) -> Any:
        """What the shell of `data` (sheetData from `start` to `end`) holds, or None when not checked yet."""
        for head, tail, value in self._by_size.get((start, len(data) - end), ()):
            if data.startswith(head) and data.endswith(tail):
                return value
        return None

    def remember(self, data: bytes, start: int, end: int, value: Any) -> None:
        if self._count >= CACHE_SIZE:
            self._by_size.clear()
            self._count = 0
        self._by_size.setdefault((start, len(data) - end), []).append((data[:start], data[end:], value))
        self._count += 1


_SHELLS = _Shells()
CELL_CACHE_SIZE = 50_000  # cells kept in all


@dataclass(frozen=True)
class _KnownRow:
    """A row whose outcome is the same in any file: numbered, and each of its cells the same in any file."""

    number: int  # the row element's number
    cells: tuple[tuple[tuple[str, int, int], RawCell], ...]  # the cells kept, keyed as `_Sheet.cells`
    count: int  # cells in the row
    column: int  # the column of its last cell


class _Known:
    """What is known in one context (sheet, positions kept, namespaces, date styles, epoch): cells by their
    bytes after `<c `, rows by their bytes up to `</row>`."""

    def __init__(self) -> None:
        self.cells: dict[bytes, tuple[Any, ...]] = {}
        self.rows: dict[bytes, _KnownRow] = {}

    def remember(self, chunk: bytes, row: _KnownRow) -> None:
        if len(self.rows) >= ROW_CACHE_SIZE:
            self.rows.clear()
        self.rows[chunk] = row


ROW_CACHE_SIZE = 5_000  # rows kept per context
_CELL_CACHE: dict[tuple[Any, ...], _Known] = {}  # context → cells and rows known there


def _known_in(context: tuple[Any, ...]) -> _Known:
    """The cells and rows known in a context, bounded."""
    known = _CELL_CACHE.get(context)
    if known is None:
        if len(_CELL_CACHE) >= 64 or sum(len(k.cells) for k in _CELL_CACHE.values()) > CELL_CACHE_SIZE:
            _CELL_CACHE.clear()
        known = _CELL_CACHE[context] = _Known()
    elif len(known.cells) > CELL_CACHE_SIZE:
        known.cells.clear()
    return known


Row = tuple[bytes, list[bytes], bytes | None] | _KnownRow  # (row attributes, cells' bytes, the row's bytes)
Tokens = tuple[bytes, list[Row]]  # (sheetData's attributes, its rows)
_NO_ROWS: dict[bytes, _KnownRow] = {}


def _tokenize(body: bytes, known: dict[bytes, _KnownRow] = _NO_ROWS) -> Tokens | None:
    """`<sheetData>` cut into rows and cells by one regular expression: (sheetData's attributes, [(row
    attributes, [cell bytes])]). None unless the pieces tile the body exactly (XML whitespace between
    them) with nothing else in it — no namespace declarations, no element other than rows in sheetData
    and cells in rows, no cell in a cell. Each tag and cell is then parsed by ElementTree (once per
    distinct bytes), so the body is checked as expat would check it. A row in `known` is given as known.
    """
    m = _SHEET_DATA_RE.match(body)
    if m is None or b"xmlns" in body:
        return None
    inner = m.group(2) or b""
    rows = _split_rows(inner, known)
    if rows is None:
        rows = _token_rows(inner)
    if rows is None:
        return None
    count = sum(row.count if isinstance(row, _KnownRow) else len(row[1]) for row in rows)
    if inner.count(b"<c") != count or inner.count(b"row") != len(rows) + inner.count(b"</row>"):
        return None  # maybe a cell in a cell or a row in a cell, which openpyxl would still find
    return m.group(1), rows


def _split_rows(inner: bytes, known: dict[bytes, _KnownRow]) -> list[Row] | None:
    """sheetData's content cut with `bytes.split` (twenty times faster than a regular expression): each
    `</row>` ends a row whose start tag is matched alone and whose cells each start with `<c `. A cell is
    given as the bytes after its `<c `; that it is one whole cell is checked when it is parsed (`_known`).
    None when the content does not have this form. A row whose bytes are `known` is given as known."""
    chunks = inner.split(b"</row>")
    if chunks[-1].strip(b" \t\r\n"):
        return None  # an empty <row/> at the end, or something else
    rows: list[Row] = []
    for chunk in chunks[:-1]:
        row = known.get(chunk)
        if row is not None:
            rows.append(row)
            continue
        start = _ROW_OPEN.match(chunk)
        if start is None:
            return None
        pieces = chunk[start.end() :].split(b"<c ")
        if pieces[0].strip(b" \t\r\n"):
            return None
        rows.append((start.group(1), pieces[1:], chunk))
    return rows


def _token_rows(inner: bytes) -> list[Row] | None:
    """sheetData's content cut by one regular expression into row tags and cells (any whitespace, empty
    rows); None unless the pieces tile it."""
    tokens = _TOKEN_RE.findall(inner)
    if sum(map(len, tokens)) != len(inner.rstrip(b" \t\r\n")):
        return None  # something between the pieces
    rows: list[Row] = []
    cells: list[bytes] | None = None
    for token in tokens:
        tag = token if token[:1] == b"<" else token.lstrip(b" \t\r\n")
        kind = tag[1:2]
        if kind == b"c":
            if cells is None or tag[2:3] != b" ":
                return None  # a cell outside a row, or another white space after <c
            cells.append(tag[3:])
        elif kind == b"r":
            if cells is not None:
                return None  # a row in a row
            if tag.endswith(b"/>"):
                rows.append((tag[4:-2], [], None))
            else:
                cells = []
                rows.append((tag[4:-1], cells, None))
        else:  # </row>
            if cells is None:
                return None
            cells = None
    if cells is not None:
        return None
    return rows


def _tag_attrs(tag: bytes, raw: bytes, declared: bytes) -> dict[str, str]:
    """The attributes of a start tag given as bytes (ElementTree's parse, once per distinct tag)."""
    key = (tag, raw, declared)
    attrs = _TAGS.get(key)
    if attrs is None:
        if len(_TAGS) > 10_000:
            _TAGS.clear()
        attrs = _TAGS[key] = dict(XML(b"<w" + declared + b">" + tag + raw + b"/></w>")[0].attrib)
    return attrs


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


def _window(data: bytes) -> tuple[int, int, int] | None:
    """(start of `<sheetData`, end of `</sheetData>`, start of the `<sheetProtection` after it or -1) when the
    bytes (see `_window_bytes`) show that rows are only inside that one sheetData and that no dimension or
    protection is inside it; None otherwise (the part is then read with every element through the
    handlers)."""
    if _window_bytes(data) is None:
        return None
    if data.count(b"sheetData") != 2:
        return None
    start, close = data.find(b"<sheetData"), data.find(b"</sheetData>")
    if start < 0 or close < start:
        return None
    end = close + len(b"</sheetData>")
    if (data.find(b"row", end) >= 0 and _ROW_TAG.search(data, end)) or data.find(
        b"dimension", start, end
    ) >= 0:
        return None
    count = data.count(b"sheetProtection", start)
    if count == 0:
        return start, end, -1
    protection = data.find(b"<sheetProtection", end)
    if count != 1 or protection < 0:
        return None
    return start, end, protection


# ---- the backend -------------------------------------------------------------------------------------------
