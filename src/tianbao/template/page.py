"""How every sheet tianbao writes prints: the one page setup of templates, 退回修改 copies and consolidated
workbooks.

- A4. Portrait when the sheet's columns fit a portrait page at full size (the cover), landscape otherwise.
- A list short enough to fit one page at a readable scale (报送情况 of a few dozen units) fitted to it.
- Fitted to the page width, so a table or a title is never cut between two pages side by side — except a
  sheet too wide to be read at that size (明细, a column per cell), which prints at the smallest readable
  scale, page after page, with its unit columns repeated on each.
- The header rows repeated on every page; a header with the workbook (left) and the sheet (right), a footer
  with “第 n 页，共 m 页”.

Widths are in characters, as xlsxwriter's `set_column` takes them; pixels are xlsxwriter's conversion of them
(7 pixels a character of the default font, plus 5), at 96 pixels an inch.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from tianbao.cells import xml_text

A4 = 9  # xlsxwriter's paper code
LEFT_RIGHT_MARGIN = 0.4  # inches
TOP_BOTTOM_MARGIN = 0.75  # room for the header and the footer (each 0.3 inch from the edge)
_PRINTABLE_INCHES = {"portrait": 8.27 - 2 * LEFT_RIGHT_MARGIN, "landscape": 11.69 - 2 * LEFT_RIGHT_MARGIN}
PRINTABLE_PX = {k: int(v * 96) for k, v in _PRINTABLE_INCHES.items()}
# The height a page leaves for rows, in points (the other side of the sheet, less the top and bottom margins).
PRINTABLE_PT = {
    "portrait": (11.69 - 2 * TOP_BOTTOM_MARGIN) * 72,
    "landscape": (8.27 - 2 * TOP_BOTTOM_MARGIN) * 72,
}
DEFAULT_ROW_PT = 15.0
SMALLEST_SCALE = 70  # percent: 10-point text prints at 7 points, the smallest that reads comfortably
FOOTER = "&C第 &P 页，共 &N 页"
_HEADER_MAX = 255  # Excel's limit for a header or footer (xlsxwriter drops a longer one)
_LINE_BREAK = re.compile(r"[\t\r\n]")


def column_px(width: float) -> int:
    """The pixels of a column `width` characters wide, as xlsxwriter converts it."""
    return int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5


def set_columns(ws: Any, widths: Sequence[float]) -> None:
    """Column widths from column A, one a column."""
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def orientation(widths: Sequence[float]) -> str:
    """“portrait” when the columns fit a portrait A4 page at full size, else “landscape”."""
    return "portrait" if sum(map(column_px, widths)) <= PRINTABLE_PX["portrait"] else "landscape"


def width_scale(widths: Sequence[float]) -> float:
    """The scale (percent) that fits the columns to the width of their page."""
    return 100 * PRINTABLE_PX[orientation(widths)] / max(sum(map(column_px, widths)), 1)


def fits_width(widths: Sequence[float]) -> bool:
    """Whether the columns fit the width of their page at `SMALLEST_SCALE` or larger."""
    return width_scale(widths) >= SMALLEST_SCALE


def fits_one_page(widths: Sequence[float], height: float) -> bool:
    """Whether a sheet `height` points tall, its columns `widths`, fits one page at `SMALLEST_SCALE` or larger."""
    tall = 100 * PRINTABLE_PT[orientation(widths)] / max(height, 1)
    return min(width_scale(widths), tall) >= SMALLEST_SCALE


def header_text(text: str, limit: int = 255) -> str:
    """`text` for a header or footer section, on one line and at most `limit` characters: `xml_text`, tabs and
    line breaks as spaces, “&” doubled (it starts a code)."""
    out = ""
    for ch in _LINE_BREAK.sub(" ", xml_text(text)):
        piece = "&&" if ch == "&" else ch
        if len(out) + len(piece) > limit:
            break
        out += piece
    return out


def setup_page(
    ws: Any,
    widths: Sequence[float],
    title: str,
    *,
    repeat_rows: tuple[int, int] | None = None,
    repeat_cols: tuple[int, int] | None = None,
    height: float | None = None,
) -> None:
    """The page setup of a sheet whose columns are `widths` wide: see the module. `title` names the
    workbook in the page header; `repeat_rows`/`repeat_cols` (first, last; 0-based) print on every page;
    `height` (points, all rows): a list that fits one page at a readable scale is fitted to it."""
    ws.set_paper(A4)
    if orientation(widths) == "portrait":
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.set_margins(
        left=LEFT_RIGHT_MARGIN, right=LEFT_RIGHT_MARGIN, top=TOP_BOTTOM_MARGIN, bottom=TOP_BOTTOM_MARGIN
    )
    ws.center_horizontally()
    if height is not None and fits_one_page(widths, height):
        ws.fit_to_pages(1, 1)
    elif fits_width(widths):
        ws.fit_to_pages(1, 0)
    else:  # pages side by side: across first, so that a band of rows reads page after page
        ws.set_print_scale(SMALLEST_SCALE)
        ws.print_across()
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if repeat_cols is not None:
        ws.repeat_columns(*repeat_cols)
    ws.set_header(f"&L{header_text(title, _HEADER_MAX - len('&L&R&A'))}&R&A")
    ws.set_footer(FOOTER)


def display_width(text: str) -> int:
    """Columns `text` takes in a cell: 2 for a wide (CJK, full-width) character, 1 for others."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines_of(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (each paragraph at least one)."""
    room = max(int(width) - 1, 1)
    return sum(max(1, -(-display_width(part) // room)) for part in text.split("\n"))


def row_height(cells: Sequence[tuple[str, float]], line: float = 14.0) -> float:
    """The height of a row of wrapped cells (text, column width) in points: the tallest cell's lines.
    Set explicitly because not every client grows a row to its wrapped text."""
    return line * max([lines_of(text, width) for text, width in cells] or [1])
