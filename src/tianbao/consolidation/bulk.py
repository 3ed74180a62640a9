"""A worksheet whose long run of data rows is written in bulk: 明细 has a row per unit and a column per cell
(204 columns; two million cells for 10,000 units), 报送情况 and 来源 a row per unit or file. xlsxwriter's
cell-by-cell path costs about 13 µs and 100 bytes of bookkeeping a cell (and `add_table` another dictionary
entry a cell); here the rows are kept as values, rendered when the workbook is closed, and come out exactly
as xlsxwriter writes them — the same `<row>` and `<c>` elements, shared-string indices and spans, byte for
byte (tests/test_merge_bulk.py).

Only what these sheets need: text (as shared strings) and finite numbers, one format per column, every
column written in every row, no row options.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_range
from xlsxwriter.worksheet import Worksheet, _utf16_len, _utf16_truncate

XLS_STRMAX = 32767  # xlsxwriter truncates longer strings (in UTF-16 units) the same way


class BulkSheet(Worksheet):
    """`set_bulk_rows` replaces `write_string`/`write_number` for rows `first`…`first + len(rows) - 1`."""

    def __init__(self) -> None:
        super().__init__()
        self._bulk_first = 0
        self._bulk_rows: list[list[Any]] = []
        self._bulk_formats: Sequence[Any] = ()
        self._bulk_text: frozenset[int] = frozenset()  # columns holding text (shared-string indices)

    def set_bulk_rows(
        self,
        first: int,
        rows: Sequence[Sequence[Any]],
        formats: Sequence[Any],
        text_columns: Sequence[int],
    ) -> None:
        """Rows of values from column 0, every row as wide as `formats` (the format of each column): text
        in `text_columns`, finite numbers elsewhere. Text is entered in the shared strings now, in the order
        xlsxwriter would enter it (row by row)."""
        if self.constant_memory:
            raise ValueError("bulk rows need the worksheet's cell table (not constant_memory)")
        width = len(formats)
        text = sorted(set(text_columns))
        numbers = [c for c in range(width) if c not in set(text)]
        index = self.str_table._get_shared_string_index
        stored: list[list[Any]] = []
        for row in rows:
            if len(row) != width:
                raise ValueError(f"a bulk row has {len(row)} values for {width} columns")
            out = list(row)
            for c in text:
                s = out[c]
                if len(s) > XLS_STRMAX // 2 and _utf16_len(s) > XLS_STRMAX:
                    s = _utf16_truncate(s, XLS_STRMAX)
                out[c] = index(s)
            if not math.isfinite(sum(out[c] for c in numbers)) and not all(
                math.isfinite(out[c]) for c in numbers
            ):
                raise TypeError("NAN/INF not supported in bulk rows")
            stored.append(out)
        self._bulk_first, self._bulk_rows, self._bulk_formats = first, stored, list(formats)
        self._bulk_text = frozenset(text)
        if stored:
            self._check_dimensions(first + len(stored) - 1, width - 1)
            self._check_dimensions(first, 0)

    def add_table_over_bulk(self, first_row: int, last_col: int, options: dict[str, Any]) -> int:
        """`add_table` over the header row and the bulk rows. xlsxwriter's own call visits every cell of the
        range to record it; the table is declared over its first data row and then widened to the bulk."""
        last_row = first_row + max(len(self._bulk_rows), 1)
        result = self.add_table(first_row, 0, first_row + 1, last_col, options)
        if result == 0:
            table = self.tables[-1]
            table["range"] = xl_range(first_row, 0, last_row, last_col)
            table["a_range"] = xl_range(first_row, 0, last_row, last_col)
            if "autofilter" in table:
                table["autofilter"] = table["a_range"]
        return result

    def _write_rows(self) -> None:
        if not self._bulk_rows:
            super()._write_rows()
            return
        last = self.dim_rowmax
        self.dim_rowmax = self._bulk_first - 1  # xlsxwriter writes the rows before the bulk
        try:
            super()._write_rows()
        finally:
            self.dim_rowmax = last
        for text in self._render():
            self.fh.write(text)

    def _render(self) -> Iterator[str]:
        width = len(self._bulk_formats)
        heads = [f'<c r="{xl_col_to_name(c)}' for c in range(width)]
        tails = [
            (f'" s="{f._get_xf_index()}"' if f is not None else '"')
            + (' t="s"><v>' if c in self._bulk_text else "><v>")
            for c, f in enumerate(self._bulk_formats)
        ]
        span = f"1:{width}"  # every row holds every column: each block of 16 rows spans them all
        for i, row in enumerate(self._bulk_rows):
            r = str(self._bulk_first + i + 1)
            cells = "".join([f"{h}{r}{t}{v:.16G}</v></c>" for h, t, v in zip(heads, tails, row, strict=True)])
            yield f'<row r="{r}" spans="{span}">{cells}</row>'
