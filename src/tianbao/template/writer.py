"""Write a locked, stamped template (xlsxwriter): 封面, the table sheets, 校验 and the very hidden _meta."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xlsxwriter.exceptions import FileCreateError

from tianbao.cells import xml_text
from tianbao.fileio import atomic_path
from tianbao.spec.compiled import Spec, cell_name
from tianbao.spec.layout import COVER_SHEET, a1, cover_boxes, cover_title
from tianbao.stamp import META_SHEET, ROW_SEP, Stamp
from tianbao.template.book import Book, scratch
from tianbao.template.checks import write_checks
from tianbao.template.context import Context, TemplateOptions
from tianbao.template.cover import write_cover
from tianbao.template.styles import Styles
from tianbao.template.tables import write_table
from tianbao.template.text_sheet import write_text_sheet

# A fixed creation date keeps the output byte-identical from run to run.
CREATED = dt.datetime(2000, 1, 1)
WORKBOOK_OPTIONS = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


def in_memory(kind: str) -> bool:
    """Whether xlsxwriter assembles the parts in memory rather than in temporary files it then zips. In
    memory, a template takes a third less time (and every zip entry is dated 1980-01-01 whatever the file
    system). A consolidated workbook's 明细 is 60 MB of XML for 10,000 units: held in memory it would add
    that twice to the peak (130–170 MB measured) for no time saved, and grow with the number of units."""
    return kind != "consolidated"


def make_stamp(spec: Spec, options: TemplateOptions) -> Stamp:
    """The stamp of a template: its spec, year, unit and kind (a consolidated workbook: its members), and the
    serial computed from them (`Stamp.expected_serial`), which the reader computes again."""
    unit = options.unit
    return Stamp(
        spec_id=spec.id,
        spec_version=spec.version,
        spec_hash=spec.hash,
        year=str(options.year),
        unit_code=xml_text(unit.code) if unit else "",
        unit_name=xml_text(unit.name) if unit else "",
        unit_type=xml_text(unit.type) if unit else "",
        kind=options.kind,
        members=ROW_SEP.join(options.members),
    ).with_serial()


def new_workbook(
    path: str | os.PathLike[str],
    title: str,
    stamp: Stamp,
    compresslevel: int | None = None,
    tmpdir: str | None = None,
) -> Book:
    """The workbook of a template at `path`; its parts are assembled in memory or, for a consolidated
    workbook, in `tmpdir` (a private folder: `book.scratch`)."""
    options: dict[str, Any] = {**WORKBOOK_OPTIONS, "in_memory": in_memory(stamp.kind), "tmpdir": tmpdir}
    wb = Book(str(path), options, compresslevel)
    wb.set_properties(
        {
            "title": title,
            "subject": "政府信息公开工作年度报告统计表",
            "author": "tianbao",
            "company": stamp.unit_name,
            "comments": f"tianbao {stamp.kind} {stamp.spec_id} {stamp.spec_version} {stamp.serial}",
            "created": CREATED,
        }
    )
    for key, value in stamp.items(short=True):
        wb.set_custom_property(key, value or "-", "text")
        wb.define_name(key, '="' + value.replace('"', '""') + '"')
    return wb


def write_meta_sheet(ctx: Context, stamp: Stamp) -> None:
    ws = ctx.workbook.add_worksheet(META_SHEET)
    ws.write_string(0, 0, "key")
    ws.write_string(0, 1, "value")
    for i, (key, value) in enumerate(stamp.meta_rows(), start=1):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.set_column(0, 1, 28)
    ws.very_hidden()
    ctx.protect(ws)


def define_cell_names(ctx: Context) -> None:
    wb, spec = ctx.workbook, ctx.spec
    for f_id, box in cover_boxes(spec).items():
        wb.define_name(f"meta_{f_id}", f"='{COVER_SHEET}'!{a1(box.row, box.col, absolute=True)}")
    for lay in ctx.layouts:
        for cell_id, box in lay.cells.items():
            wb.define_name(cell_name(cell_id), f"='{lay.sheet}'!{a1(box.row, box.col, absolute=True)}")


def write_template(
    spec: Spec,
    target: str | os.PathLike[str],
    options: TemplateOptions,
    extra_sheets: Callable[[Context], None] | None = None,
    compresslevel: int | None = None,
    after_cover: Callable[[Context], None] | None = None,
) -> Stamp:
    """Write one template to `target` (atomically) and return its stamp. `after_cover` may add sheets right
    after the cover (the 退回修改 copy's 问题清单), `extra_sheets` after 校验 (the consolidated workbook's
    明细 …). `compresslevel`: zlib's level for the zip (None: its default)."""
    stamp = make_stamp(spec, options)
    with atomic_path(target) as tmp, scratch() as tmpdir:
        wb = new_workbook(tmp, cover_title(options.year), stamp, compresslevel, tmpdir)
        ctx = Context(spec, options, wb, Styles(wb))
        write_cover(ctx)
        if after_cover is not None:
            after_cover(ctx)
        write_text_sheet(ctx)
        for lay in ctx.layouts:
            write_table(ctx, lay)
        write_checks(ctx)
        if extra_sheets is not None:
            extra_sheets(ctx)
        write_meta_sheet(ctx, stamp)
        define_cell_names(ctx)
        wb.worksheets()[0].activate()
        try:
            wb.close()
        except FileCreateError as exc:  # xlsxwriter wraps the OSError (disk full …): give it back
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise
    return stamp


def template_filename(year: int, unit_code: str | None = None, unit_name: str | None = None) -> str:
    from tianbao.fileio import safe_filename

    if unit_code is None:
        return f"{cover_title(year)}_空白模板.xlsx"
    return safe_filename(f"{unit_code}_{unit_name}_{year}年度政府信息公开报表.xlsx")


__all__ = ["Path", "TemplateOptions", "make_stamp", "template_filename", "write_template"]
