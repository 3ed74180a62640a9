"""The workbook of an imported report: the format's template for the report's unit and year (tianbao.template),
its input cells prefilled with the values as printed, stamped `imported`, with the 原报告 sheet (`sheet`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from tianbao.importing.document import KINDS
from tianbao.importing.report import ReportReading
from tianbao.importing.sheet import SOURCE_SHEET, write_sheet
from tianbao.template.context import TemplateOptions
from tianbao.template.writer import write_template

KIND = "imported"
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
EXACT_DIGITS = 15


@dataclass(frozen=True)
class ImportedUnit:
    code: str
    name: str
    type: str = ""


def typed(text: str | None) -> int | float | str | None:
    """A printed value as a person would type it into the cell: a plain number as a number, anything else
    (“/”, “—”, “１２”, “22（其中修订16件）”) as the text printed. A number of more than `EXACT_DIGITS`
    significant digits, which no cell holds exactly (a double; Excel keeps 15), stays the text printed, so that
    check says what it is (value-out-of-range) instead of a rounded number standing for it."""
    if text is None:
        return None
    if _PLAIN_NUMBER.match(text) and len(text.replace(".", "").lstrip("0")) <= EXACT_DIGITS:
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    return text


def notes(reading: ReportReading) -> tuple[str, ...]:
    name = Path(reading.path).name
    return (
        f"本工作簿由 tianbao import 从公布的年度报告导入：{name}（{KINDS.get(reading.kind, reading.kind)}）。",
        "填报单元格中是报告中公布的数字，按原样填写：报告中空白的留空，“/”“—”照写。",
        "合计和总计由公式按分项重新计算；报告中公布的合计见“原报告”工作表，tianbao check 逐一核对。",
        "无法确定的单元格留空，原因见“原报告”工作表的导入问题；核实后可在本工作簿中填写。",
    )


def write_imported(
    reading: ReportReading,
    target: str | os.PathLike[str],
    unit: ImportedUnit | None = None,
    password: str | None = None,
) -> None:
    """Write the imported workbook of a readable report (atomically). `unit`: the unit it is stamped with
    (its code given or found in the roster); without, the report's unit name is on the cover, no code."""
    spec = reading.spec
    assert spec is not None and reading.year is not None
    prefill: dict[str, object] = {k: typed(v) for k, v in reading.values.items() if v is not None}
    if unit is None and reading.unit_name:
        prefill["meta.unit_name"] = reading.unit_name
    if reading.identity.date:
        prefill["meta.filled_on"] = reading.identity.date
    facts = {
        "文件": Path(reading.path).name,
        "SHA-256": reading.sha256,
        "类型": KINDS.get(reading.kind, reading.kind),
        "标题": reading.identity.title,
        "格式": f"{spec.version}（{spec.doc.basis}）",
    }
    options = TemplateOptions(
        year=reading.year,
        unit=unit,
        password=password,
        prefill=prefill,
        kind=KIND,
        notes=notes(reading),
    )
    write_template(
        spec,
        target,
        options,
        extra_sheets=lambda ctx: write_sheet(ctx, spec, facts, reading.published, reading.issues),
    )


__all__ = ["KIND", "SOURCE_SHEET", "ImportedUnit", "typed", "write_imported"]
