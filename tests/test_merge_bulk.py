"""明细 written in bulk (`BulkSheet`) is byte for byte what xlsxwriter writes cell by cell: the same workbook
for the samples, for many units (spans of several 16-row blocks), for none, and for text that must stay
text or be truncated as xlsxwriter truncates it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from tianbao.consolidation import merge_files, sheets, write_consolidated
from tianbao.consolidation.model import Consolidation
from tianbao.roster import load_roster
from tianbao.spec.layout import DETAIL_FIXED, DETAIL_HEADER_ROW, DETAIL_SHEET, detail_columns, detail_header

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


@pytest.fixture(scope="module")
def merged() -> Consolidation:
    return merge_files(
        [SAMPLES / "submissions"], year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1
    )


def both(c: Consolidation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    write_consolidated(c, tmp_path / "bulk.xlsx")
    with monkeypatch.context() as m:
        m.setattr(sheets, "write_detail", cell_by_cell)
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
            unit_name=["=1+1", "<&>\"'", "x" * 40_000, "镇"][i % 4],
            values={k: v + i * 0.0001 for k, v in base.values.items()},
        )
        for i in range(53)
    ]
    for c in (dataclasses.replace(merged, members=members), dataclasses.replace(merged, members=[])):
        bulk, cells = both(c, tmp_path, monkeypatch)
        assert bulk == cells
