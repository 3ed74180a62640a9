"""A worksheet part as openpyxl's worksheet parser reads it (rows, cells, dimension, protection): its shell
checked once per distinct content, `<sheetData>` cut with `bytes.split` and each distinct cell parsed once;
when the bytes are not in that plain form, every element through expat handlers or ElementTree."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import XML

from tianbao import caches
from tianbao.reading.backend import RawCell
from tianbao.reading.fast_backend.base import (
    _ROW_TAG,
    ET_ROW,
    MAIN,
    PROTECTION,
    Unusual,
    _attr,
    _coordinate,
    _parser,
)
from tianbao.reading.fast_backend.cells import _cell_parts, _CellReader, _Sheet, _Stop
from tianbao.reading.fast_backend.parts import _protection
from tianbao.reading.fast_backend.rows import (
    Tokens,
    _Context,
    _KnownRow,
    _remember_shell,
    _shell,
    _tag_attrs,
    _tokenize,
    _window,
)


class _SheetParser(_CellReader):
    """The passes over a worksheet part: by its bytes where they are in the plain form (a known shell, then
    rows and cells known by their bytes), else every element through the handlers of `_CellReader`."""

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
        known = _shell(data, start, end)
        if known is None:
            return False
        body = data[start:end]
        if body.count(b"sheetData") != 2 or b"dimension" in body or b"sheetProtection" in body:
            return False
        dimension, protection, declared = known
        context = self._context(declared)
        tokens = _tokenize(body, context)
        if tokens is None:
            return False
        self.out.dimension, self.protection = dimension, protection
        self._cached_cells(tokens, context)
        return True

    def _dimension_only(self, data: bytes) -> None:
        """What openpyxl reads of a sheet it does not need when it opens the file: up to the dimension.
        The elements before <sheetData> go through the handlers (once per distinct head), the rest is only
        checked by expat. A part checked so before is recognised by its bytes (the same in every copy of a
        template: the inflated bytes are then the same object, whose hash Python keeps)."""
        known = caches.DIMENSIONS.get(data)
        if known is not None:
            self.out.dimension = known
            return
        self._check_dimension(data)
        if self.out.dimension is not None:
            caches.DIMENSIONS.put(data, self.out.dimension)

    def _check_dimension(self, data: bytes) -> None:
        start = data.find(b"<sheetData") if _window(data) is not None else -1
        if start >= 0:
            known = caches.SHEET_HEADS.get(data[:start])
            if known is not None:
                self.out.dimension = known
                return
        p = _parser()
        p.StartElementHandler, p.EndElementHandler = self.start, self.end
        if start >= 0:
            p.Parse(data[:start], False)
            if self.out.dimension is not None:
                caches.SHEET_HEADS.put(data[:start], self.out.dimension)
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
        known = _shell(data, start, end)
        body = data[start:end]
        if known is not None:
            context = self._context(known[2])
            tokens = _tokenize(body, context)
            if tokens is not None:
                self.out.dimension, self.protection, _ = known
                self._cached_cells(tokens, context)
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
        _remember_shell(data, start, end, (self.out.dimension, self.protection, declared))
        self._cells(body, declared)

    def _cells(self, body: bytes, declared: bytes) -> None:
        """The rows and cells of `<sheetData>…</sheetData>` (`declared`: the root's namespace declarations)."""
        context = self._context(declared)
        rows = _tokenize(body, context)
        if rows is not None:
            self._cached_cells(rows, context)
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

    def _context(self, declared: bytes) -> _Context:
        """This sheet's context (`declared`: the root's namespace declarations)."""
        key = (self.title, self.positions, declared, self.date_formats, self.timedelta_formats, self.epoch)
        return caches.SHEET_CONTEXTS.lookup(key, lambda: _Context(*key))

    def _cached_cells(self, tokens: Tokens, context: _Context) -> None:
        """Cells by their bytes: each distinct `<c>…</c>` is parsed once per process (by ElementTree, read
        as openpyxl reads it) and, where its outcome does not depend on the file (a reference, no shared
        string, no shared formula), kept as the finished `RawCell`. A template's labels, formulas, blank
        cells and most typed numbers are the same bytes in every copy. So are many whole rows: a numbered
        row of such cells is kept with its outcome (`_KnownRow`) and recognised by its bytes when cut."""
        out, max_cells, declared = self.out, self.max_cells, context.declared
        dimension = out.dimension
        extent = not (dimension and dimension[2] and dimension[3])  # else the sheet's extent is not used
        sheet_data, rows = tokens
        _tag_attrs(b"<sheetData", sheet_data, declared)  # checked, as expat would
        for row in rows:
            if isinstance(row, _KnownRow):
                self.row_counter, self.col_counter = row.number, row.column
                out.cells.update(row.cells)
                self.seen += row.count
                if extent and row.widest:
                    out.max_row = max(out.max_row, row.number)
                    out.max_col = max(out.max_col, row.widest)
            else:
                row_attrs, row_cells, chunk = row
                attrs = _tag_attrs(b"<row", row_attrs, declared)
                self._row(attrs)
                learn = chunk is not None and "r" in attrs
                found = self._row_cells(row_cells, context, extent, learn)
                if found is not None and chunk is not None:
                    cells, widest = found
                    known = _KnownRow(self.row_counter, cells, len(row_cells), self.col_counter, widest)
                    caches.ROWS.put(
                        (context, chunk), known, size=caches.from_bytes(len(chunk), 5 * len(cells) + 2)
                    )
            if max_cells is not None and self.seen > max_cells:  # the reference stops at the first cell over
                out.oversized = max_cells + 1
                raise _Stop

    def _row_cells(
        self, row_cells: list[bytes], context: _Context, extent: bool, learn: bool
    ) -> tuple[tuple[tuple[tuple[str, int, int], RawCell], ...], int] | None:
        """The cells of one row, each by its bytes; with `learn`, when every one of them is the same in any
        file, (the cells kept, the column of the last cell holding something or 0), else None."""
        out, positions, title, max_cells = self.out, self.positions, self.title, self.max_cells
        cells = out.cells
        kept: list[tuple[tuple[str, int, int], RawCell]] | None = [] if learn else None
        row = self.row_counter
        column = self.col_counter
        seen = widest = 0
        known_cells, declared = caches.CELLS.get, context.declared
        for raw in row_cells:
            known = known_cells((context, raw))
            if known is None:
                known = caches.CELLS.put(
                    (context, raw), self._known(raw, declared), caches.from_bytes(len(raw), 6)
                )
            if known[0] is None:  # depends on this file: interpret it here
                self.seen += seen
                seen = 0
                if max_cells is not None and self.seen > max_cells:  # the reference stops at the first over
                    out.oversized = max_cells + 1
                    raise _Stop
                self.col_counter = column
                self._cell(*known[1])
                column = self.col_counter
                kept = None
                continue
            _, column, cell, coordinate_row, key = known
            seen += 1
            if cell is None:
                continue
            widest = max(widest, column)
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
        return None if kept is None else (tuple(kept), widest)

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
        probe = _CellReader(
            [], self.date_formats, self.timedelta_formats, self.epoch, None, None, title=self.title
        )
        row, column = _coordinate(coordinate)
        probe.row_counter = row
        probe._cell(*parts)
        key = (self.title, row - 1, column - 1)
        wanted = self.positions is None or key[1:] in self.positions
        return True, column, probe.out.cells.get(key), row, key if wanted else None
