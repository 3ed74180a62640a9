"""`merge --export DIR`: the data in the totals as tidy tables, one row per unit and cell id.

CSV (UTF-8 with BOM, so Excel opens it; Chinese headers) and Parquet (English column names). A text cell of
the CSV that starts with = + - @ (or a tab / carriage return) gets a leading ' so spreadsheets show it as text.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from tianbao.consolidation.model import Consolidation
from tianbao.errors import UsageError
from tianbao.fileio import atomic_path, write_bytes_atomic
from tianbao.spec import fmt_number

CSV_HEADER = ("单位代码", "单位名称", "cell_id", "标签", "数值")
PARQUET_COLUMNS = ("unit_code", "unit_name", "cell_id", "label", "value")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape(text: str) -> str:
    """Text that a spreadsheet would take for a formula, made harmless: “=1+1” → “'=1+1”."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def tidy_rows(c: Consolidation) -> Iterator[tuple[str, str, str, str, float]]:
    for m in c.members:
        for cell_id, cell in c.spec.cells.items():
            yield m.unit_code, m.unit_name, cell_id, cell.full_label, m.values.get(cell_id, 0.0)


def csv_bytes(c: Consolidation) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for code, name, cell_id, label, value in tidy_rows(c):
        writer.writerow((escape(code), escape(name), cell_id, escape(label), fmt_number(value)))
    return buf.getvalue().encode("utf-8-sig")


def write_parquet(c: Consolidation, target: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("导出 Parquet 需要 pyarrow", "请安装：pip install 'tianbao[parquet]'") from None
    rows = list(tidy_rows(c))
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(PARQUET_COLUMNS)
    schema = pa.schema([(n, pa.string()) for n in PARQUET_COLUMNS[:4]] + [("value", pa.float64())])
    table = pa.table({n: list(col) for n, col in zip(PARQUET_COLUMNS, columns, strict=True)}, schema=schema)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)


def export_tidy(c: Consolidation, folder: str | os.PathLike[str]) -> list[Path]:
    """Write `<year>年度汇总数据.csv` and `.parquet` into `folder`; return their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{c.year}年度汇总数据"
    csv_path, parquet_path = out / f"{stem}.csv", out / f"{stem}.parquet"
    write_bytes_atomic(csv_path, csv_bytes(c))
    write_parquet(c, parquet_path)
    return [csv_path, parquet_path]
