"""(Re)generate the reading-stage fixtures: one small workbook per issue code, named for it (`value-dash.xlsx`).

    .venv/bin/python tests/data/make_fixtures.py

Every fixture is a 2025 template of 诺敏镇人民政府 (150723107), written by `tianbao.template.write_template`,
filled by `tianbao.filling.fill_template` with a valid set of values and then spoiled in one way: a value typed
as people do, a label edited, a row inserted, a zip member rewritten … The output is byte-for-byte
deterministic (zip entry times and core.xml's modified time are fixed). Regenerate after changing the spec or the
template: the stamp carries the spec's hash. The builders are also used by tests/test_reading.py.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tianbao  # noqa: F401  # isort: skip  (first: it has openpyxl use the standard library's XML)
import openpyxl

from tianbao.filling import fill_template
from tianbao.options import CheckOptions
from tianbao.roster import Roster, Unit
from tianbao.spec import Spec, load_spec
from tianbao.template import TemplateOptions, write_template

HERE = Path(__file__).resolve().parent
YEAR = 2025
UNIT = Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 2)
OTHER = Unit("150723100", "阿里河镇人民政府", "乡镇", "150723", 3)
STRANGER = Unit("150723299", "鄂伦春自治旗乡村振兴局", "部门", "150723", 0)
ROSTER = Roster((UNIT, OTHER), "tests")
FIXED_TIME = (2026, 1, 15, 9, 30, 0)
COVER = {"meta.filled_by": "张丽", "meta.phone": "0470-5946089", "meta.filled_on": "2026-01-15"}
C6 = ("np", "ce", "ri", "spo", "lso", "oth")


def valid_values(spec: Spec) -> dict[str, Any]:
    """Every input filled: zeros, plus a small balanced 表三 (3 new + 1 carried = 2 + 1 disclosed + 1 carried on)."""
    values: dict[str, Any] = {cell_id: 0 for cell_id in spec.input_ids}
    values.update({"t3.new.np": 3, "t3.carry.np": 1, "t3.r1.np": 2, "t3.r2.np": 1, "t3.fwd.np": 1})
    values.update({"t2.licensing.decisions": 8, "t2.penalty.decisions": 2})
    values.update(COVER)
    return values


@functools.cache
def sheet_parts(fmt: str = "2021") -> dict[str, str]:
    """Sheet name → its worksheet part (xl/worksheets/sheetN.xml) in the templates the fixtures are made from,
    read from a template's workbook.xml and its relationships."""
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.xlsx"
        write_template(load_spec(fmt), template, TemplateOptions(year=YEAR, unit=UNIT))
        with zipfile.ZipFile(template) as z:
            book = z.read("xl/workbook.xml").decode()
            rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
    return {
        name: "xl/" + targets[rid].removeprefix("/xl/")
        for name, rid in re.findall(r'<sheet name="([^"]+)"[^>]*r:id="(rId\d+)"', book)
    }


def sheet_part(sheet: str, fmt: str = "2021") -> str:
    return sheet_parts(fmt)[sheet]


# --- writing ----------------------------------------------------------------------------------------------
def normalise(path: Path) -> None:
    """Fixed zip entry times and core.xml modified time: the same inputs give the same bytes."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2026-01-15T09:30:00Z\2",
                    data,
                )
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def filled(
    path: Path,
    values: Mapping[str, Any] | None = None,
    *,
    fmt: str = "2021",
    unit: Unit | None = UNIT,
    year: int = YEAR,
    drop: tuple[str, ...] = (),
    overwrite_formulas: bool = False,
    text: bool = True,
) -> Path:
    """A template filled with the valid values, updated by `values` (None: leave blank), minus `drop`.
    `text=False`: a template without the 正文 sheet, as every template was before it existed."""
    spec = load_spec(fmt)
    data = valid_values(spec)
    data.update(values or {})
    for key in drop:
        data.pop(key, None)
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.xlsx"
        write_template(spec, template, TemplateOptions(year=year, unit=unit, text=text))
        fill_template(template, data, path, overwrite_formulas=overwrite_formulas)
    normalise(path)
    return path


def edit(path: Path, change: Callable[[Any], None]) -> Path:
    """Open with openpyxl, change, save (as a person with a spreadsheet program would)."""

    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    wb.close()
    normalise(path)
    return path


def rewrite(path: Path, member: str, change: Callable[[bytes], bytes] | None, add: bool = False) -> Path:
    """Rewrite one zip member's bytes (or add it, or drop it with change=None) — for what no program writes."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                if change is None:
                    continue
                data = change(data)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME), data, zipfile.ZIP_DEFLATED)
        if add and change is not None:
            zout.writestr(zipfile.ZipInfo(member, date_time=FIXED_TIME), change(b""), zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())
    return path


def set_cached(path: Path, sheet_part: str, cell: str, value: str) -> Path:
    """Give a formula cell a stored result, as Excel or WPS would after calculating."""

    def change(xml: bytes) -> bytes:
        pattern = rb'(<c r="' + cell.encode() + rb'"[^>]*>)(<f>[^<]*</f>)(<v>[^<]*</v>|<v ?/>)?'
        new, n = re.subn(pattern, rb"\1\2<v>" + value.encode() + rb"</v>", xml)
        assert n == 1, f"{cell} is not a formula cell of {sheet_part}"
        return new

    return rewrite(path, sheet_part, change)


def ole2(marker: str) -> bytes:
    """A minimal OLE2 (compound file) header with a stream name in its directory, as UTF-16LE."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entry = marker.encode("utf-16-le").ljust(64, b"\x00")
    return header + entry + bytes(448)


# --- the fixtures, one per reading-stage code -------------------------------------------------------------
def _write(data: bytes) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return build


def _truncated(path: Path) -> Path:
    filled(path)
    path.write_bytes(path.read_bytes()[:3000])
    return path


def _not_a_template(path: Path) -> Path:

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    ws.append(["三、收到和处理政府信息公开申请情况"])
    ws.append(["一、本年新收政府信息公开申请数量", 3, 0, 0, 0, 0, 0, 3])
    wb.properties.created = datetime.datetime(*FIXED_TIME)  # a new workbook is stamped with the time
    wb.save(path)
    normalise(path)
    return path


def _stamp_inconsistent(path: Path) -> Path:
    def change(wb: Any) -> None:
        ws = wb["_meta"]
        for row in ws.iter_rows(min_row=2, max_col=2):
            if row[0].value == "tianbao_unit_code":
                row[1].value = OTHER.code

    return edit(filled(path), change)


def _insert_row(path: Path) -> Path:
    return edit(filled(path), lambda wb: wb["表三"].insert_rows(10))


def _label(path: Path) -> Path:
    def change(wb: Any) -> None:
        wb["表三"]["A6"] = "一、本年新收申请数量"

    return edit(filled(path), change)


def _name(path: Path) -> Path:
    def change(wb: Any) -> None:
        wb.defined_names["t3_new_np"].attr_text = "'表三'!$D$7"

    return edit(filled(path), change)


def _unprotect(path: Path) -> Path:
    def change(wb: Any) -> None:
        wb["表三"].protection.sheet = False

    return edit(filled(path), change)


def _delete_sheet(path: Path) -> Path:
    return edit(filled(path), lambda wb: wb.remove(wb["表四"]))


FIXTURES: dict[str, Callable[[Path], Path]] = {
    "file-empty": _write(b""),
    "not-xlsx": _write("单位名称,新收申请\n诺敏镇人民政府,3\n".encode()),
    "legacy-format": _write(ole2("Workbook")),
    "encrypted": _write(ole2("EncryptedPackage")),
    "corrupt-workbook": _truncated,
    "macros-present": lambda p: rewrite(
        filled(p), "xl/vbaProject.bin", lambda _: b"\xd0\xcf\x11\xe0", add=True
    ),
    "not-a-template": _not_a_template,
    "stamp-inconsistent": _stamp_inconsistent,
    "spec-unknown": lambda p: filled(p, fmt="2019"),
    "year-mismatch": lambda p: filled(p, year=2024),
    "unit-missing": lambda p: filled(p, unit=None),
    "unit-not-in-roster": lambda p: filled(p, unit=STRANGER),
    "unit-name-mismatch": lambda p: filled(
        p, {"meta.unit_code": UNIT.code, "meta.unit_name": "诺敏镇政府"}, unit=None
    ),
    "meta-missing": lambda p: filled(p, drop=("meta.filled_by", "meta.phone")),
    "sheet-missing": _delete_sheet,
    "layout-changed": _insert_row,
    "label-changed": _label,
    "name-mismatch": _name,
    "formula-overwritten": lambda p: filled(p, {"t3.new.tot": 3}, overwrite_formulas=True),
    "protection-removed": _unprotect,
    "cached-value-mismatch": lambda p: set_cached(filled(p), sheet_part("表三"), "J6", "5"),
    "value-text-number": lambda p: filled(p, {"t2.licensing.decisions": "１２"}),
    "value-dash": lambda p: filled(p, {"t2.rules.issued": "—"}),
    "value-unit-suffix": lambda p: filled(p, {"t2.licensing.decisions": "8件"}),
    "value-not-a-number": lambda p: filled(p, {"t2.penalty.decisions": "不详"}),
    "value-negative": lambda p: filled(p, {"t4.review.maintain": -1}),
    "value-not-integer": lambda p: filled(p, {"t2.penalty.decisions": 1.5}),
    "value-out-of-range": lambda p: filled(p, {"t2.penalty.decisions": 1e25}),
    "value-precision": lambda p: filled(p, {"t2.fees.amount_wan": 0.123456}),
    "value-blank": lambda p: filled(p, {f"t3.{r}.{c}": None for r in ("new", "carry") for c in C6[1:]}),
    "table-empty": lambda p: filled(p, {c: None for c in load_spec("2021").input_ids if c.startswith("t4.")}),
    "value-formula": lambda p: filled(p, {"t3.new.np": "=1+2"}),
}


# --- codes of the later stages: a folder per code, checked (rules) or merged (consolidation) whole -----------
# rules/previous-2024.xlsx is 诺敏镇's report of the year before: 1 application carried on (自然人), no
# 行政规范性文件 in force (as in the valid values). rule-S1 and rule-S2 disagree with it, the others agree.
PREVIOUS = {"t3.new.np": 2, "t3.r1.np": 1, "t3.fwd.np": 1, "t2.normative.valid": 0}


def _duplicate_identical(folder: Path) -> None:
    filled(folder / "诺敏镇.xlsx")
    filled(folder / "诺敏镇（副本）.xlsx")


def _duplicate_superseded(folder: Path) -> None:
    filled(folder / "诺敏镇-初稿.xlsx", {"meta.filled_on": "2026-01-10", "t2.penalty.decisions": 1})
    filled(folder / "诺敏镇-终稿.xlsx", {"meta.filled_on": "2026-01-20"})


def _double_count(folder: Path) -> None:
    """The banner's consolidated workbook of 诺敏镇 and 阿里河镇, sent up together with 诺敏镇's own report."""
    from tianbao.consolidation import merge_files, write_consolidated

    with tempfile.TemporaryDirectory() as tmp:
        towns = [filled(Path(tmp) / "诺敏镇.xlsx"), filled(Path(tmp) / "阿里河镇.xlsx", unit=OTHER)]
        merged = merge_files(
            towns,
            CheckOptions(year=YEAR, roster=ROSTER, jobs=1),
            unit_code="150723",
            unit_name="鄂伦春自治旗",
        )
        write_consolidated(merged, folder / "鄂伦春自治旗汇总.xlsx")
    filled(folder / "诺敏镇.xlsx")


MERGE_FOLDERS: dict[str, Callable[[Path], None]] = {
    "duplicate-identical": _duplicate_identical,
    "duplicate-superseded": _duplicate_superseded,
    "double-count": _double_count,
}


# --- tampered workbooks: tampered/ (a unit's) and merge/tampered/ (consolidated), named for what is wrong ---------
THIRD = Unit("150723200", "甘河镇人民政府", "乡镇", "150723", 4)


def restamp(path: Path, **values: str) -> Path:
    """Edit the stamp alike in all three of its places (custom properties, defined names, `_meta`), as someone
    who knows where it is would: `values` by stamp key without the prefix (unit_code="…")."""
    from tianbao.stamp import PREFIX

    def change(wb: Any) -> None:
        for key, value in values.items():
            name = PREFIX + key
            wb.custom_doc_props[name].value = value or "-"
            wb.defined_names[name].attr_text = '"' + value.replace('"', '""') + '"'
            for row in wb["_meta"].iter_rows(min_row=2, max_col=2):
                if row[0].value == name:
                    row[1].value = value

    return edit(path, change)


def serial_of(path: Path, **values: str) -> str:
    """The serial a stamp edited by `values` would have to carry (for a forger who recomputes it)."""
    from dataclasses import replace

    from tianbao.reading import read_submission

    stamp = read_submission(path).stamp
    assert stamp is not None
    return replace(stamp, **values).expected_serial()


def _cover(**values: Any) -> Callable[[Any], None]:
    """Edit locked cover cells (the sheet is unprotected first, as anyone can)."""
    from tianbao.spec.layout import COVER_SHEET, a1, cover_boxes

    def change(wb: Any) -> None:
        ws = wb[COVER_SHEET]
        ws.protection.sheet = False
        for key, value in values.items():
            if key == "title":
                ws["A1"] = value
            else:
                box = cover_boxes(load_spec("2021"))[key]
                ws[a1(box.row, box.col)] = value

    return change


def _other_unit_with_its_serial(path: Path) -> Path:
    other = {"unit_code": OTHER.code, "unit_name": OTHER.name}
    filled(path)
    return restamp(path, **other, serial=serial_of(path, **other))


def _stamp_and_cover_other_unit(path: Path) -> Path:
    filled(path)
    edit(path, _cover(unit_code=OTHER.code, unit_name=OTHER.name))
    return restamp(path, unit_code=OTHER.code, unit_name=OTHER.name)


TAMPERED: dict[str, Callable[[Path], Path]] = {
    # another unit's data sent as this unit's: the stamp edited in all three places, the cover not
    "stamp-other-unit": lambda p: restamp(filled(p, unit=OTHER), unit_code=UNIT.code, unit_name=UNIT.name),
    # … and the serial recomputed too: only the locked cover tells
    "stamp-and-serial-other-unit": _other_unit_with_its_serial,
    # … the cover edited too: only the serial tells
    "stamp-and-cover-other-unit": _stamp_and_cover_other_unit,
    # last year's template passed off as this year's
    "stamp-other-year": lambda p: restamp(filled(p, year=YEAR - 1), year=str(YEAR)),
    "serial-edited": lambda p: restamp(filled(p), serial="0123456789AB"),
    "cover-title-other-year": lambda p: edit(
        filled(p), _cover(title=f"{YEAR - 1}年度政府信息公开工作年度报告统计表")
    ),
}


def _towns(folder: Path) -> list[Path]:
    return [filled(folder / f"{u.code}.xlsx", unit=u) for u in (UNIT, OTHER, THIRD)]


def consolidated(
    path: Path, towns: list[Path], members: Callable[[tuple[str, ...]], tuple[str, ...]] | None = None
) -> Path:
    """The banner's consolidated workbook of `towns`, its stamp's members changed by `members` (everything
    else — sums, stored results, serial — as tianbao writes it)."""
    from dataclasses import replace

    from tianbao.consolidation import merge_files
    from tianbao.consolidation.sheets import write_extra_sheets
    from tianbao.consolidation.workbook import COMPRESSLEVEL, consolidated_options

    c = merge_files(towns, CheckOptions(year=YEAR, jobs=1), unit_code="150723", unit_name="鄂伦春自治旗")
    options = consolidated_options(c)
    if members is not None:
        options = replace(options, members=members(options.members))
    write_template(
        c.spec,
        path,
        options,
        extra_sheets=lambda ctx: write_extra_sheets(ctx, c),
        compresslevel=COMPRESSLEVEL,
    )
    normalise(path)
    return path


def _detail_cell(value: Any, cell_id: str = "t2.licensing.decisions") -> Callable[[Any], None]:
    from tianbao.spec.layout import DETAIL_HEADER_ROW, DETAIL_SHEET, a1, detail_columns

    def change(wb: Any) -> None:
        wb[DETAIL_SHEET][a1(DETAIL_HEADER_ROW + 1, detail_columns(load_spec("2021"))[cell_id])] = value

    return change


TAMPERED_CONSOLIDATED: dict[str, Callable[[Path, list[Path]], Path]] = {
    # a member's row deleted from 明细, the sums shortened: the stamp still lists it
    "detail-row-deleted": lambda p, towns: consolidated(p, towns[:2], lambda m: (*m, THIRD.code)),
    # a row in 明细 that the stamp does not list
    "detail-row-not-in-stamp": lambda p, towns: consolidated(p, towns, lambda m: m[:2]),
    # one unit held twice: by its own row and by another row that says it holds it
    "detail-unit-held-twice": lambda p, towns: consolidated(
        p, towns, lambda m: (*m[:2], f"{m[2]}/{UNIT.code}")
    ),
    "detail-nan": lambda p, towns: edit(consolidated(p, towns), _detail_cell("nan")),
    "detail-huge-value": lambda p, towns: edit(consolidated(p, towns), _detail_cell(1e25)),
}


def build_tampered(out_dir: Path) -> list[Path]:
    (out_dir / "tampered").mkdir(parents=True, exist_ok=True)
    (out_dir / "merge" / "tampered").mkdir(parents=True, exist_ok=True)
    paths = [make(out_dir / "tampered" / f"{name}.xlsx") for name, make in TAMPERED.items()]
    with tempfile.TemporaryDirectory() as tmp:
        towns = _towns(Path(tmp))
        for name, make_c in TAMPERED_CONSOLIDATED.items():
            paths.append(make_c(out_dir / "merge" / "tampered" / f"{name}.xlsx", towns))
    return paths


def build_rules(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        filled(out_dir / "previous-2024.xlsx", PREVIOUS, year=YEAR - 1),
        filled(out_dir / "rule-H3.xlsx", {"t3.fwd.np": 2}),  # 3 + 1 ≠ 3 + 2
        filled(out_dir / "rule-S1.xlsx", {"t3.carry.np": 2, "t3.r1.np": 3}),  # last year carried on 1
        filled(out_dir / "rule-S2.xlsx", {"t2.normative.issued": 2, "t2.normative.valid": 30}),  # 0 + 2 ≠ 30
        filled(
            out_dir / "rule-S5.xlsx", {"t2.rules.issued": 6, "t2.rules.valid": 6}
        ),  # a township makes no 规章
    ]


def build_merge(out_dir: Path) -> list[Path]:
    paths = []
    for code, make in MERGE_FOLDERS.items():
        folder = out_dir / code
        folder.mkdir(parents=True, exist_ok=True)
        make(folder)
        paths += sorted(folder.glob("*.xlsx"))
    return paths


def build_text(out_dir: Path) -> list[Path]:
    """text/before-text-sheet.xlsx: a valid report in a template made before the 正文 sheet existed (the same
    template without it: byte-identical to what tianbao wrote then)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [filled(out_dir / "before-text-sheet.xlsx", text=False)]


def build(out_dir: Path = HERE, codes: list[str] | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for code, make in FIXTURES.items():
        if codes and code not in codes:
            continue
        paths.append(make(out_dir / f"{code}.xlsx"))
    if not codes:
        paths += (
            build_rules(out_dir / "rules")
            + build_merge(out_dir / "merge")
            + build_tampered(out_dir)
            + build_text(out_dir / "text")
        )
    return paths


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    for path in build(HERE, args or None):
        print(f"{path.name}\t{path.stat().st_size} 字节")


if __name__ == "__main__":
    main()

__all__ = [
    "FIXTURES",
    "ROSTER",
    "TAMPERED",
    "TAMPERED_CONSOLIDATED",
    "UNIT",
    "build",
    "consolidated",
    "edit",
    "filled",
    "normalise",
    "restamp",
    "rewrite",
    "set_cached",
]
