"""A worksheet whose long run of data rows is written in bulk: 明细 has a row per unit and a column per cell
(204 columns; two million cells for 10,000 units), 报送情况 and 来源 a row per unit or file. xlsxwriter's
cell-by-cell path costs about 13 µs and 100 bytes of bookkeeping a cell (and `add_table` another dictionary
entry a cell); here the rows are kept as values, rendered when the workbook is closed, and come out exactly
as xlsxwriter writes them — the same `<row>` and `<c>` elements, shared-string indices and spans, byte for
byte (tests/test_merge_bulk.py).

Only what these sheets need: text (as shared strings, `xml_text` as `SafeSheet` writes it) and finite numbers,
one format per column, every column written in every row; of the row options only a height (for wrapped text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from xlsxwriter.utility import xl_col_to_name, xl_range
from xlsxwriter.worksheet import _utf16_len, _utf16_truncate

from tianbao.cells import picker, xml_text
from tianbao.template.book import SafeSheet

XLS_STRMAX = 32767  # xlsxwriter truncates longer strings (in UTF-16 units) the same way
ROW = "\x00"  # stands for the row number in a row's template (never in the XML around it)
ATTRS = "\x01"  # stands for a row's own attributes (its height) in the template


class BulkSheet(SafeSheet):
    """`set_bulk_rows` replaces `write_string`/`write_number` for rows `first`…`first + len(rows) - 1`."""

    dim_rowmax: int | None  # xlsxwriter's: the last row written (None: none yet)

    def __init__(self) -> None:
        super().__init__()
        self._bulk_first = 0
        self._bulk_count = 0
        self._bulk_strings: list[tuple[int, ...]] = []  # a row's shared-string indices, text columns in order
        self._bulk_numbers = np.zeros((0, 0))  # the number columns of each row, as floats
        self._bulk_formats: Sequence[Any] = ()
        self._bulk_text: tuple[int, ...] = ()  # columns holding text (shared-string indices)
        self._bulk_attrs: list[str] = []  # each row's height attributes ("" for the default height)

    def set_bulk_rows(
        self,
        first: int,
        rows: Sequence[Sequence[Any]],
        formats: Sequence[Any],
        text_columns: Sequence[int],
        heights: Sequence[float | None] | None = None,
    ) -> None:
        """Rows of values from column 0, every row as wide as `formats` (the format of each column): text
        in `text_columns`, finite numbers elsewhere. Text is entered in the shared strings now, in the order
        xlsxwriter would enter it (row by row). `heights`: each row's height in points, as `set_row` takes
        it (None: the default)."""
        width = len(formats)
        text = sorted(set(text_columns))
        texts_of, numbers_of = picker(text), picker([c for c in range(width) if c not in set(text)])
        for row in rows:
            if len(row) != width:
                raise ValueError(f"a bulk row has {len(row)} values for {width} columns")
        numbers = np.array([numbers_of(row) for row in rows], dtype=float)
        self.set_bulk_table(first, [texts_of(row) for row in rows], numbers, formats, text)
        if heights is not None:
            self._bulk_attrs = [self._height_attrs(h) for h in heights]

    def set_bulk_table(
        self,
        first: int,
        texts: Sequence[Sequence[str]],
        numbers: np.ndarray,
        formats: Sequence[Any],
        text_columns: Sequence[int],
    ) -> None:
        """`set_bulk_rows` with each row's values given apart: its text (those of `text_columns`, in
        order) and its numbers (the other columns, in order; a row of `numbers` per row)."""
        if self.constant_memory:
            raise ValueError("bulk rows need the worksheet's cell table (not constant_memory)")
        text = tuple(sorted(set(text_columns)))
        numbers = numbers.reshape(len(texts), len(formats) - len(text))
        if not np.isfinite(numbers).all():
            raise TypeError("NAN/INF not supported in bulk rows")
        index = self.str_table._get_shared_string_index
        half = XLS_STRMAX // 2  # no text this short is too long, whatever its UTF-16 length
        strings = [
            tuple([index(xml_text(s) if len(s) <= half else _truncated(xml_text(s))) for s in row])
            for row in texts
        ]
        self._bulk_first, self._bulk_count, self._bulk_formats = first, len(texts), list(formats)
        self._bulk_strings, self._bulk_numbers, self._bulk_text = strings, numbers, text
        self._bulk_attrs = []
        if texts:
            self._check_dimensions(first + len(texts) - 1, len(formats) - 1)
            self._check_dimensions(first, 0)

    def add_table_over_bulk(self, first_row: int, last_col: int, options: dict[str, Any]) -> int:
        """`add_table` over the header row and the bulk rows. xlsxwriter's own call visits every cell of the
        range to record it; the table is declared over its first data row and then widened to the bulk."""
        last_row = first_row + max(self._bulk_count, 1)
        result = self.add_table(first_row, 0, first_row + 1, last_col, options)
        if result == 0:
            table = self.tables[-1]
            table["range"] = xl_range(first_row, 0, last_row, last_col)
            table["a_range"] = xl_range(first_row, 0, last_row, last_col)
            if "autofilter" in table:
                table["autofilter"] = table["a_range"]
        return result

    def _write_rows(self) -> None:
        if not self._bulk_count:
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
        """Each row from one template (a row's cells differ only in the row number and the values): the row
        number put in with one `replace`, the values with one `%`, both in C."""
        template = self._row_template()
        numbers = self._number_texts()
        attrs = self._bulk_attrs
        if not attrs:
            template = template.replace(ATTRS, "")
        for i, strings in enumerate(self._bulk_strings):
            cells: list[Any] = numbers[i]
            for c, index in zip(self._bulk_text, strings, strict=True):  # in column order
                cells.insert(c, index)
            row = template.replace(ROW, str(self._bulk_first + i + 1))
            yield (row.replace(ATTRS, attrs[i]) if attrs else row) % tuple(cells)

    def _height_attrs(self, height: float | None) -> str:
        """A row's height attributes as xlsxwriter's `_write_row` writes them after `set_row(row, height)`."""
        if height is None:
            return ""
        pixels = int(height * 4.0 / 3.0 + 0.5)
        if pixels == self.original_row_height == self.default_row_height:
            return ""
        return f' ht="{pixels * 0.75:.16g}" customHeight="1"'

    def _row_template(self) -> str:
        """`<row>` with a `<c>` per column: `ROW` where the row number goes, `%s` where a value goes."""
        cells = []
        for c, f in enumerate(self._bulk_formats):
            style = f' s="{f._get_xf_index()}"' if f is not None else ""
            kind = ' t="s"' if c in self._bulk_text else ""
            cells.append(f'<c r="{xl_col_to_name(c)}{ROW}"{style}{kind}><v>%s</v></c>')
        # Every row holds every column: each block of 16 rows spans them all.
        return f'<row r="{ROW}" spans="1:{len(cells)}"{ATTRS}>{"".join(cells)}</row>'

    def _number_texts(self) -> list[list[str]]:
        """Every number as xlsxwriter writes it (`.16G`). The two million numbers of 明细 hold a few thousand
        distinct values: each is formatted once (told apart by their bits, so that -0.0 stays "-0")."""
        import pandas as pd  # loaded by the validation before anything is written

        values = self._bulk_numbers
        codes, distinct = pd.factorize(values.view(np.uint64).ravel())
        texts = np.array([f"{v:.16G}" for v in distinct.view(np.float64).tolist()], dtype=object)
        return texts[codes.reshape(values.shape)].tolist()  # type: ignore[no-any-return]


def _truncated(text: str) -> str:
    """Text longer than Excel's limit, cut as xlsxwriter cuts it."""
    return _utf16_truncate(text, XLS_STRMAX) if _utf16_len(text) > XLS_STRMAX else text
