"""The one page setup (tianbao.template.page), read back as Excel stores it: a short list fitted to one page,
a long one fitted to the width with its header row on every page, a sheet too wide for any page at the
smallest readable scale, a narrow sheet in portrait. (How LibreOffice prints them: test_printing.py.)"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tianbao.template.page import DEFAULT_ROW_PT, SMALLEST_SCALE, header_text, setup_page

LIST_WIDTHS = [11, 24, 9, 13, 36, 50]  # 报送情况's columns: a landscape page at full size


def printed_as(
    tmp_path: Path, widths: list[float], rows: int, **setup: object
) -> openpyxl.worksheet.worksheet.Worksheet:
    path = tmp_path / "page.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("报送情况")
    for r in range(rows):
        ws.write_string(r, 0, f"第{r}行")
    setup_page(ws, widths, "鄂伦春自治旗　2025年度", **setup)  # type: ignore[arg-type]
    wb.close()
    return openpyxl.load_workbook(path)["报送情况"]


def fit(ws: openpyxl.worksheet.worksheet.Worksheet) -> tuple[int, int]:
    """Pages across and down the sheet is fitted to (0: as many as it takes; absent: OOXML's default, 1)."""
    setup = ws.page_setup
    return tuple(1 if n is None else int(n) for n in (setup.fitToWidth, setup.fitToHeight))  # type: ignore[return-value]


@pytest.mark.parametrize("units", [20, 40])
def test_a_list_that_fits_one_page_at_a_readable_scale_prints_on_one(tmp_path: Path, units: int) -> None:
    ws = printed_as(tmp_path, LIST_WIDTHS, units + 1, repeat_rows=(0, 0), height=(units + 1) * DEFAULT_ROW_PT)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert fit(ws) == (1, 1)
    assert ws.print_title_rows == "$1:$1"
    assert (
        ws.oddHeader.left.text == "鄂伦春自治旗　2025年度"
        and ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    )


def test_a_longer_list_is_fitted_to_the_width_page_after_page(tmp_path: Path) -> None:
    # 60 rows of 15 points: one landscape page only below 70%, so the pages follow at full size.
    ws = printed_as(tmp_path, LIST_WIDTHS, 61, repeat_rows=(0, 0), height=61 * DEFAULT_ROW_PT)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert fit(ws) == (1, 0)
    assert ws.print_title_rows == "$1:$1"


def test_a_sheet_too_wide_for_a_page_prints_at_the_smallest_readable_scale(tmp_path: Path) -> None:
    ws = printed_as(tmp_path, [11, 20, 9, 24, *[10] * 200], 21, repeat_rows=(0, 0), repeat_cols=(0, 1))
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.scale == SMALLEST_SCALE and ws.page_setup.pageOrder == "overThenDown"
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$B"


def test_a_narrow_sheet_is_portrait(tmp_path: Path) -> None:
    ws = printed_as(tmp_path, [14, 30, 40], 10)
    assert ws.page_setup.orientation == "portrait"
    assert fit(ws) == (1, 0)


def test_a_header_is_one_line_of_xml_text_with_its_ampersands_doubled() -> None:
    # A unit's name from a roster or a file may hold a line break, Word's U+000B, an unpaired surrogate.
    assert header_text("A&B\x0b镇\n政府\ud800", 255) == "A&&B 镇 政府\ufffd"
    assert header_text("甲&乙", 3) == "甲&&"
