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
from tianbao.issues import SEVERITY_ZH
from tianbao.spec.layout import (
    DETAIL_FIXED,
    DETAIL_HEADER_ROW,
    DETAIL_SHEET,
    cell_boxes,
    detail_columns,
    detail_header,
)
from tianbao.template.context import Context
from tianbao.validation.report import STATUS_ZH

STATUS_SHEET, ISSUES_SHEET, SOURCES_SHEET = "报送情况", "问题清单", "来源"
DETAIL_TABLE = "明细表"
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
        self.count = wb.add_format({**base, "num_format": "0"})
        self.amount = wb.add_format({**base, "num_format": "0.00##"})
        self.header = ctx.styles["header"]
        self.title = ctx.styles["title"]
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.warn = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.grey = wb.add_format({"bg_color": "#E7E6E6"})


def _protect(ctx: Context, ws: Any) -> None:
    """Read-only, but filters and sorting still work."""
    ws.protect(
        ctx.options.password or "",
        {"autofilter": True, "sort": True, "select_locked_cells": True, "select_unlocked_cells": True},
    )


def _header(ws: Any, row: int, headers: list[tuple[str, int]], fmt: Any) -> None:
    for col, (text, width) in enumerate(headers):
        ws.set_column(col, col, width)
        ws.write_string(row, col, text, fmt)


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
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, 30)
    ws.set_column(len(DETAIL_FIXED), last_col, 16)
    ws.set_row(DETAIL_HEADER_ROW, 60)
    ws.freeze_panes(first, 2)
    _protect(ctx, ws)


def write_status(ctx: Context, c: Consolidation, f: Formats) -> None:
    """报送情况: counts by status on top, then every roster unit and every other file with its status."""
    ws = ctx.workbook.add_worksheet(STATUS_SHEET, worksheet_class=BulkSheet)
    headers = [("单位代码", 12), ("单位名称", 28), ("单位类型", 10), ("状态", 14), ("文件", 34), ("说明", 70)]
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
    _header(ws, top, headers, f.header)
    ws.set_bulk_rows(
        top + 1,
        [[r.unit_code, r.unit_name, r.unit_type, r.status, r.files, r.note] for r in c.rows],
        [f.text] * len(headers),
        text_columns=range(len(headers)),
    )
    last = top + max(len(c.rows), 1)
    ws.autofilter(top, 0, last, len(headers) - 1)
    for status, fmt in (("退回", f.bad), ("名单外", f.bad), ("有警告", f.warn), ("未报送", f.grey)):
        ws.conditional_format(
            top + 1, 3, last, 3, {"type": "cell", "criteria": "==", "value": f'"{status}"', "format": fmt}
        )
    ws.freeze_panes(top + 1, 0)
    _protect(ctx, ws)


def write_issues(ctx: Context, c: Consolidation, f: Formats) -> None:
    """问题清单: every issue of every file (after the duplicate and double-count rules)."""
    ws = ctx.workbook.add_worksheet(ISSUES_SHEET)
    headers = [
        ("文件", 30),
        ("单位代码", 12),
        ("单位名称", 24),
        ("工作表", 8),
        ("单元格", 8),
        ("代码", 22),
        ("级别", 6),
        ("问题", 70),
        ("如何修改", 50),
        ("说明", 40),
    ]
    _header(ws, 0, headers, f.header)
    boxes = cell_boxes(c.spec)

    def order(issue: Any) -> tuple[Any, ...]:
        box = boxes[issue.cell_id][1] if issue.cell_id in boxes else None
        return (
            not issue.is_error,
            issue.sheet or "",
            box.row if box else -1,
            box.col if box else -1,
            issue.code,
        )

    r = 0
    for entry in c.files:
        s = entry.submission
        for issue in sorted(s.issues, key=order):
            r += 1
            row = (
                entry.name,
                s.unit_code or "",
                s.unit_name or "",
                issue.sheet or "",
                issue.cell or "",
                issue.code,
                SEVERITY_ZH[issue.severity],
                issue.message,
                issue.hint or "",
                c.explanation(s.unit_code, issue),
            )
            for col, text in enumerate(row):
                ws.write_string(r, col, text, f.text)
    ws.autofilter(0, 0, max(r, 1), len(headers) - 1)
    ws.conditional_format(
        1, 6, max(r, 1), 6, {"type": "cell", "criteria": "==", "value": '"错误"', "format": f.bad}
    )
    ws.freeze_panes(1, 0)
    _protect(ctx, ws)


def write_sources(ctx: Context, c: Consolidation, f: Formats) -> None:
    """来源: every input file with its SHA-256, size, verdict, template serial and unit."""
    ws = ctx.workbook.add_worksheet(SOURCES_SHEET, worksheet_class=BulkSheet)
    headers = [
        ("文件", 34),
        ("SHA-256", 66),
        ("大小（字节）", 12),
        ("结论", 14),
        ("汇总", 24),
        ("模板编号", 14),
        ("单位代码", 12),
        ("单位名称", 28),
    ]
    _header(ws, 0, headers, f.header)
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
    formats = [f.text, f.text, f.count, f.text, f.text, f.text, f.text, f.text]
    ws.set_bulk_rows(1, rows, formats, text_columns=(0, 1, 3, 4, 5, 6, 7))
    ws.autofilter(0, 0, max(len(c.files), 1), len(headers) - 1)
    ws.freeze_panes(1, 0)
    _protect(ctx, ws)


def write_extra_sheets(ctx: Context, c: Consolidation) -> None:
    f = Formats(ctx)
    write_detail(ctx, c, f)
    write_status(ctx, c, f)
    write_issues(ctx, c, f)
    write_sources(ctx, c, f)
