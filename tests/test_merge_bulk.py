"""明细, 报送情况 and 来源 written in bulk (`BulkSheet`) are byte for byte what xlsxwriter writes cell by cell: the same workbook
for the samples, for many units (spans of several 16-row blocks), for none, and for text that must stay
text or be truncated as xlsxwriter truncates it."""

from __future__ import annotations

import dataclasses
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from tianbao.consolidation import merge_files, sheets, write_consolidated
from tianbao.consolidation.model import Consolidation
from tianbao.consolidation.workbook import COMPRESSLEVEL
from tianbao.options import CheckOptions
from tianbao.roster import load_roster
from tianbao.spec.layout import DETAIL_FIXED, DETAIL_HEADER_ROW, DETAIL_SHEET, detail_columns
from tianbao.template.book import SafeSheet

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


class CellByCell(SafeSheet):
    """The reference: what `BulkSheet` is asked to write, written with xlsxwriter's public API one cell at a
    time (the sheets' other calls are the same in both)."""

    def set_bulk_rows(
        self,
        first: int,
        rows: Sequence[Sequence[Any]],
        formats: Sequence[Any],
        text_columns: Sequence[int],
        heights: Sequence[float | None] | None = None,
    ) -> None:
        text = set(text_columns)
        for i, row in enumerate(rows):
            if heights is not None and heights[i] is not None:
                self.set_row(first + i, heights[i])
            for col, (value, fmt) in enumerate(zip(row, formats, strict=True)):
                if col in text:
                    self.write_string(first + i, col, value, fmt)
                else:
                    self.write_number(first + i, col, value, fmt)
        self.rows_written = len(rows)

    def set_bulk_table(
        self,
        first: int,
        texts: Sequence[Sequence[str]],
        numbers: np.ndarray,
        formats: Sequence[Any],
        text_columns: Sequence[int],
    ) -> None:
        text = set(text_columns)
        rows = []
        for strings, values in zip(
            texts, numbers.reshape(len(texts), len(formats) - len(text)).tolist(), strict=True
        ):
            taken, rest = iter(strings), iter(values)
            rows.append([next(taken) if c in text else next(rest) for c in range(len(formats))])
        self.set_bulk_rows(first, rows, formats, text_columns)

    def add_table_over_bulk(self, first_row: int, last_col: int, options: dict[str, Any]) -> int:
        return self.add_table(first_row, 0, first_row + max(self.rows_written, 1), last_col, options)


@pytest.fixture(scope="module")
def merged() -> Consolidation:
    return merge_files(
        [SAMPLES / "submissions"],
        CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1),
        unit_name="鄂伦春自治旗",
    )


def both(c: Consolidation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    write_consolidated(c, tmp_path / "bulk.xlsx")
    with monkeypatch.context() as m:
        m.setattr(sheets, "BulkSheet", CellByCell)
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
