"""明细, 报送情况 and 来源 written in bulk (`BulkSheet`) are byte for byte what xlsxwriter writes cell by cell: the same workbook
for the samples, for many units (spans of several 16-row blocks), for none, and for text that must stay
text or be truncated as xlsxwriter truncates it."""

from __future__ import annotations

import dataclasses
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tianbao.consolidation import merge_files, sheets, write_consolidated
from tianbao.consolidation.model import STATUSES, Consolidation
from tianbao.consolidation.workbook import COMPRESSLEVEL
from tianbao.roster import load_roster
from tianbao.spec.layout import DETAIL_FIXED, DETAIL_HEADER_ROW, DETAIL_SHEET, detail_columns, detail_header
from tianbao.validation.report import STATUS_ZH

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def cell_by_cell(ctx: Any, c: Consolidation, f: Any) -> None:
    """The reference: 明细 as xlsxwriter's public API writes it, one cell at a time."""
    ws = ctx.workbook.add_worksheet(DETAIL_SHEET)
    spec = c.spec
    columns = detail_columns(spec)
    headers = [*DETAIL_FIXED, *(detail_header(spec, cell_id) for cell_id in columns)]
    last_col = len(headers) - 1
    first = DETAIL_HEADER_ROW + 1
    for i, m in enumerate(c.members):
        for col, text in enumerate((m.unit_code, m.unit_name, m.unit_type, m.file)):
            ws.write_string(first + i, col, text, f.text)
        for cell_id, col in columns.items():
            fmt = f.amount if spec.cells[cell_id].type == "amount" else f.count
            ws.write_number(first + i, col, m.values.get(cell_id, 0.0), fmt)
    last_row = first + max(len(c.members), 1) - 1
    ws.add_table(
        DETAIL_HEADER_ROW,
        0,
        last_row,
        last_col,
        {
            "name": sheets.DETAIL_TABLE,
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
    sheets._protect(ctx, ws)


def status_cell_by_cell(ctx: Any, c: Consolidation, f: Any) -> None:
    """The reference 报送情况 (the rows written one cell at a time)."""
    ws = ctx.workbook.add_worksheet(sheets.STATUS_SHEET)
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
    sheets._header(ws, top, headers, f.header)
    for i, row in enumerate(c.rows, start=top + 1):
        for col, text in enumerate(
            (row.unit_code, row.unit_name, row.unit_type, row.status, row.files, row.note)
        ):
            ws.write_string(i, col, text, f.text)
    last = top + max(len(c.rows), 1)
    ws.autofilter(top, 0, last, len(headers) - 1)
    for status, fmt in (("退回", f.bad), ("名单外", f.bad), ("有警告", f.warn), ("未报送", f.grey)):
        ws.conditional_format(
            top + 1, 3, last, 3, {"type": "cell", "criteria": "==", "value": f'"{status}"', "format": fmt}
        )
    ws.freeze_panes(top + 1, 0)
    sheets._protect(ctx, ws)


def sources_cell_by_cell(ctx: Any, c: Consolidation, f: Any) -> None:
    """The reference 来源."""
    ws = ctx.workbook.add_worksheet(sheets.SOURCES_SHEET)
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
    sheets._header(ws, 0, headers, f.header)
    for r, entry in enumerate(c.files, start=1):
        s = entry.submission
        included = "计入" if entry.included else sheets.DROPPED_ZH.get(entry.dropped or "", "不计入")
        ws.write_string(r, 0, entry.name, f.text)
        ws.write_string(r, 1, s.sha256, f.text)
        ws.write_number(r, 2, s.size, f.count)
        ws.write_string(r, 3, STATUS_ZH[entry.status], f.text)
        ws.write_string(r, 4, included, f.text)
        ws.write_string(r, 5, s.stamp.serial if s.stamp else "", f.text)
        ws.write_string(r, 6, s.unit_code or "", f.text)
        ws.write_string(r, 7, s.unit_name or "", f.text)
    ws.autofilter(0, 0, max(len(c.files), 1), len(headers) - 1)
    ws.freeze_panes(1, 0)
    sheets._protect(ctx, ws)


@pytest.fixture(scope="module")
def merged() -> Consolidation:
    return merge_files(
        [SAMPLES / "submissions"], year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1
    )


def both(c: Consolidation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    write_consolidated(c, tmp_path / "bulk.xlsx")
    with monkeypatch.context() as m:
        m.setattr(sheets, "write_detail", cell_by_cell)
        m.setattr(sheets, "write_status", status_cell_by_cell)
        m.setattr(sheets, "write_sources", sources_cell_by_cell)
        write_consolidated(c, tmp_path / "cells.xlsx")
    return (tmp_path / "bulk.xlsx").read_bytes(), (tmp_path / "cells.xlsx").read_bytes()


def test_samples(merged: Consolidation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bulk, cells = both(merged, tmp_path, monkeypatch)
    assert bulk == cells


def test_many_units_strange_text_and_none(
    merged: Consolidation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = merged.members[0]
    members = [
        dataclasses.replace(
            base,
            unit_code=f"{990000000 + i}",
            unit_name=["=1+1", "<&>\"'", "x" * 40_000, "镇", "\U0001f600" * 20_000][i % 5],
            values={k: v + i * 0.0001 for k, v in base.values.items()},
        )
        for i in range(53)
    ]
    rows = [
        dataclasses.replace(r, unit_name=m.unit_name) for r, m in zip(merged.rows * 10, members, strict=False)
    ]
    for c in (
        dataclasses.replace(merged, members=members, rows=rows),
        dataclasses.replace(merged, members=[], rows=[], files=[]),
    ):
        bulk, cells = both(c, tmp_path, monkeypatch)
        assert bulk == cells


def test_the_consolidated_workbook_is_deflated_fast_and_opens(merged: Consolidation, tmp_path: Path) -> None:
    target = tmp_path / "汇总.xlsx"
    write_consolidated(merged, target)
    with zipfile.ZipFile(target) as z:
        for info in z.infolist():
            deflate = zlib.compressobj(COMPRESSLEVEL, zlib.DEFLATED, -15)  # as zipfile deflates
            data = z.read(info.filename)
            assert info.compress_size == len(deflate.compress(data) + deflate.flush()), info.filename
    ws = openpyxl.load_workbook(target, read_only=True)[DETAIL_SHEET]
    rows = list(ws.iter_rows(min_row=DETAIL_HEADER_ROW + 2, values_only=True))
    columns = detail_columns(merged.spec)
    assert [list(r[: len(DETAIL_FIXED)]) for r in rows] == [
        [m.unit_code, m.unit_name, m.unit_type, m.file] for m in merged.members
    ]
    assert [{c: r[col] for c, col in columns.items()} for r in rows] == [
        {c: m.values[c] for c in columns} for m in merged.members
    ]


def test_numbers_written_as_xlsxwriter_writes_them(
    merged: Consolidation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk rows format each distinct value once: -0.0 is not 0.0, and every float keeps its digits."""
    odd = [-0.0, 0.0, 1e20, 1.5e-7, 123456789.1234, 0.1 + 0.2, 2.0**53 + 2, 5e-324, -7.25, 1e16]
    base = merged.members[0]
    members = [
        dataclasses.replace(
            base,
            unit_code=f"99{i:07d}",
            values={k: odd[(i + j) % len(odd)] for j, k in enumerate(base.values)},
        )
        for i in range(len(odd))
    ]
    bulk, cells = both(dataclasses.replace(merged, members=members), tmp_path, monkeypatch)
    assert bulk == cells
