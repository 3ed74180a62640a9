"""The sheets a consolidated workbook adds after 校验: 明细, 报送情况, 问题清单 and 来源.

Everything that came from a submission (unit names, file names, messages quoting cell text) is written with
`write_string`, so a name such as “=1+1” stays text.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tianbao.cells import picker
from tianbao.consolidation.bulk import BulkSheet
from tianbao.consolidation.model import STATUSES, Consolidation
from tianbao.spec.layout import DETAIL_FIXED, DETAIL_HEADER_ROW, DETAIL_SHEET, detail_columns, detail_header
from tianbao.template.context import Context
from tianbao.template.issue_sheet import IssueEntry, counts_text, issue_order, write_issue_sheet
from tianbao.template.page import DEFAULT_ROW_PT, display_width, lines_of, row_height
from tianbao.validation.report import STATUS_ZH

STATUS_SHEET, SOURCES_SHEET = "报送情况", "来源"
DETAIL_TABLE = "明细表"
DETAIL_WIDTHS = (11, 20, 9, 24)  # 单位代码, 单位名称, 单位类型, 文件
DETAIL_DATA_WIDTH = 10
# 报送情况's columns (characters) fill a landscape page at full size; the file column is as wide as the longest
# name within these bounds (a name on one line keeps the list short), the note column takes the rest.
STATUS_WIDTH, STATUS_FILES_WIDTH = 143, (30, 46)
DROPPED_ZH = {
    "duplicate-identical": "不计入（重复，内容相同）",
    "duplicate-superseded": "不计入（重复，已被替代）",
    "double-count": "不计入（重复计算）",
}


class Formats:
    """The few formats of these list sheets, made once per workbook."""

    def __init__(self, ctx: Context) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1}
        wb = ctx.workbook
        self.text = wb.add_format({**base, "num_format": "@"})
        self.wrap = wb.add_format({**base, "num_format": "@", "text_wrap": True})
        self.count = wb.add_format({**base, "num_format": "0"})
        self.amount = wb.add_format({**base, "num_format": "0.00##"})
        self.header = ctx.styles["header"]
        self.title = ctx.styles["title"]
        self.bad = ctx.styles["bad_text"]
        self.warn = ctx.styles["warn_text"]
        self.grey = wb.add_format({"bg_color": "#E7E6E6"})


def _header(ws: Any, row: int, headers: list[tuple[str, float]], fmt: Any) -> list[float]:
    """The header row; returns the column widths (for the page setup)."""
    for col, (text, _) in enumerate(headers):
        ws.write_string(row, col, text, fmt)
    return [width for _, width in headers]


def _heights(rows: list[list[Any]], widths: list[float], wrapped: tuple[int, ...]) -> list[float | None]:
    """The height of each row whose wrapped columns need more than a line (None: the default height). Set,
    because LibreOffice keeps the default height of a row whose text wraps."""
    heights: list[float | None] = []
    for row in rows:
        lines = max(lines_of(str(row[c]), widths[c]) for c in wrapped)
        heights.append(row_height([(str(row[c]), widths[c]) for c in wrapped]) if lines > 1 else None)
    return heights


def _total(top_rows: int, heights: list[float | None]) -> float:
    """The height of a list sheet in points: `top_rows` rows of the default height above its rows."""
    return DEFAULT_ROW_PT * top_rows + sum(DEFAULT_ROW_PT if h is None else h for h in heights)


def write_detail(ctx: Context, c: Consolidation, f: Formats) -> None:
    """明细: a row per unit in the totals, a column per cell id; an Excel table with filters. The unit rows
    go in bulk (`BulkSheet`): the same bytes as cell-by-cell writing, a fraction of the time and memory."""
    ws = ctx.workbook.add_worksheet(DETAIL_SHEET, worksheet_class=BulkSheet)
    spec = c.spec
    columns = detail_columns(spec)
    headers = [*DETAIL_FIXED, *(detail_header(spec, cell_id) for cell_id in columns)]
    last_col = len(headers) - 1
    first = DETAIL_HEADER_ROW + 1
    formats = [f.text] * len(DETAIL_FIXED)
    formats += [f.amount if spec.cells[cell_id].type == "amount" else f.count for cell_id in columns]
    values = picker(columns, default=0.0)  # a cell a unit lacks counts as 0
    ws.set_bulk_table(
        first,
        [(m.unit_code, m.unit_name, m.unit_type, m.file) for m in c.members],
        np.array([values(m.values) for m in c.members], dtype=float),
        formats,
        text_columns=range(len(DETAIL_FIXED)),
    )
    ws.add_table_over_bulk(
        DETAIL_HEADER_ROW,
        last_col,
        {
            "name": DETAIL_TABLE,
            "style": "Table Style Light 9",
            "autofilter": True,
            "columns": [{"header": h, "header_format": f.header} for h in headers],
        },
    )
    widths = [*DETAIL_WIDTHS, *[DETAIL_DATA_WIDTH] * len(columns)]
    tallest = max(lines_of(h, DETAIL_DATA_WIDTH) for h in headers[len(DETAIL_FIXED) :])
    ws.set_row(DETAIL_HEADER_ROW, 14 * tallest)
    ws.freeze_panes(first, 2)
    # Too wide to fit a page: printed at full size, each page with the header row and the unit's code and name.
    ctx.page(ws, widths, repeat_rows=(DETAIL_HEADER_ROW, DETAIL_HEADER_ROW), repeat_cols=(0, 1))
    ctx.protect(ws, filters=True)


def write_status(ctx: Context, c: Consolidation, f: Formats) -> None:
    """报送情况: counts by status on top, then every roster unit and every other file with its status."""
    ws = ctx.workbook.add_worksheet(STATUS_SHEET, worksheet_class=BulkSheet)
    headers: list[tuple[str, float]] = [("单位代码", 11), ("单位名称", 24), ("单位类型", 9), ("状态", 13)]
    narrow, wide = STATUS_FILES_WIDTH
    files = min(max([narrow - 1, *(display_width(r.files) for r in c.rows)]) + 1, wide)
    headers += [("文件", files), ("说明", STATUS_WIDTH - files - sum(w for _, w in headers))]
    ws.merge_range(
        0, 0, 0, len(headers) - 1, f"报送情况：{c.parent.name}（{c.parent.code}）{c.year} 年度", f.title
    )
    ws.write_string(2, 0, "状态", f.header)
    ws.write_string(2, 1, "数量", f.header)
    counts = c.counts()
    for i, status in enumerate(STATUSES):
        ws.write_string(3 + i, 0, status, f.text)
        ws.write_number(3 + i, 1, counts[status], f.count)
    top = 3 + len(STATUSES) + 1
    widths = _header(ws, top, headers, f.header)
    rows = [[r.unit_code, r.unit_name, r.unit_type, r.status, r.files, r.note] for r in c.rows]
    wrapped = (1, 4, 5)  # name, files and note wrap, in rows as tall as their text
    heights = _heights(rows, widths, wrapped)
    ws.set_bulk_rows(
        top + 1,
        rows,
        [f.wrap if col in wrapped else f.text for col in range(len(headers))],
        text_columns=range(len(headers)),
        heights=heights,
    )
    last = top + max(len(c.rows), 1)
    ws.autofilter(top, 0, last, len(headers) - 1)
    for status, fmt in (("退回", f.bad), ("名单外", f.bad), ("有警告", f.warn), ("未报送", f.grey)):
        ws.conditional_format(
            top + 1, 3, last, 3, {"type": "cell", "criteria": "==", "value": f'"{status}"', "format": fmt}
        )
    ws.freeze_panes(top + 1, 0)
    ctx.page(ws, widths, repeat_rows=(top, top), height=_total(top + 1, heights))
    ctx.protect(ws, filters=True)


def write_issues(ctx: Context, c: Consolidation) -> None:
    """问题清单: every issue of every file (after the duplicate and double-count rules), file by file."""
    order = issue_order(c.spec)
    entries = [
        IssueEntry(issue, entry.name, entry.submission.unit_code or "", entry.submission.unit_name or "")
        for entry in c.files
        for issue in sorted(entry.submission.issues, key=order)
    ]
    with_issues = sum(1 for entry in c.files if entry.submission.issues)
    intro = (
        f"{c.parent.name}（{c.parent.code}）{c.year} 年度汇总的 {len(c.files)} 个文件中，{with_issues} 个有问题，"
        f"共 {len(entries)} 项（{counts_text([e.issue for e in entries])}），按文件排列，错误在前。"
        "有错误的文件已退回，未计入汇总。"
    )
    write_issue_sheet(ctx, entries, intro, sources=True)


def write_sources(ctx: Context, c: Consolidation, f: Formats) -> None:
    """来源: every input file with its SHA-256, size, verdict, template serial and unit."""
    ws = ctx.workbook.add_worksheet(SOURCES_SHEET, worksheet_class=BulkSheet)
    headers: list[tuple[str, float]] = [
        ("文件", 28),
        ("SHA-256", 66),
        ("大小（字节）", 11),
        ("结论", 13),
        ("汇总", 22),
        ("模板编号", 14),
        ("单位代码", 11),
        ("单位名称", 20),
    ]
    widths = _header(ws, 0, headers, f.header)
    rows = []
    for entry in c.files:
        s = entry.submission
        included = "计入" if entry.included else DROPPED_ZH.get(entry.dropped or "", "不计入")
        serial = s.stamp.serial if s.stamp else ""
        rows.append(
            [
                entry.name,
                s.sha256,
                s.size,
                STATUS_ZH[entry.status],
                included,
                serial,
                s.unit_code or "",
                s.unit_name or "",
            ]
        )
    formats = [f.wrap, f.text, f.count, f.text, f.text, f.text, f.text, f.wrap]
    heights = _heights(rows, widths, (0, 7))
    ws.set_bulk_rows(1, rows, formats, text_columns=(0, 1, 3, 4, 5, 6, 7), heights=heights)
    ws.autofilter(0, 0, max(len(c.files), 1), len(headers) - 1)
    ws.freeze_panes(1, 0)
    ctx.page(ws, widths, repeat_rows=(0, 0), height=_total(1, heights))
    ctx.protect(ws, filters=True)


def write_extra_sheets(ctx: Context, c: Consolidation) -> None:
    f = Formats(ctx)
    write_detail(ctx, c, f)
    write_status(ctx, c, f)
    write_issues(ctx, c)
    write_sources(ctx, c, f)
