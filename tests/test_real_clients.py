"""Real clients: the blank template, a unit's template (with a password and last year's values), filled copies
of both and a consolidated workbook are opened in LibreOffice (headless) and saved as .xlsx, as a county or a
town would. Protection, data validations, defined names and the stamp survive (read with openpyxl), and the
re-saved files are accepted by `check` with the same values. One LibreOffice batch for the whole module.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import lo
from conftest import PASSWORD, PREVIOUS_2021, UNIT, YEAR
from consolidation_data import COUNTY, balanced, make_file
from tianbao.consolidation import merge_files, write_consolidated
from tianbao.filling import fill_template
from tianbao.options import CheckOptions
from tianbao.reading import read_submission
from tianbao.reading.identity import read_stamp
from tianbao.reading.openpyxl_backend import OpenpyxlBackend
from tianbao.roster import Unit, load_roster, write_roster
from tianbao.spec import cell_name, load_spec
from tianbao.spec.layout import cell_boxes
from tianbao.stamp import META_SHEET
from tianbao.template import TemplateOptions, write_template
from tianbao.validation import check_files

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

SPEC = load_spec("2021")
TABLES = ("封面", "正文", "表二", "表三", "表四", "校验")
OTHER = Unit("150723100", "阿里河镇人民政府", "乡镇", COUNTY, 3)
COVER = {"meta.filled_by": "张丽", "meta.phone": "0470-5946089", "meta.filled_on": "2026-01-15"}


def values(seed: int) -> dict[str, Any]:
    return {**balanced(seed), **COVER}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name → (the file tianbao wrote, the same file after LibreOffice opened and saved it)."""
    root = tmp_path_factory.mktemp("clients")
    made = root / "tianbao"
    made.mkdir()
    blank = made / "blank.xlsx"
    write_template(SPEC, blank, TemplateOptions(year=YEAR))
    unit = made / "unit.xlsx"
    write_template(
        SPEC, unit, TemplateOptions(year=YEAR, unit=UNIT, previous=PREVIOUS_2021, password=PASSWORD)
    )
    filled_blank = made / "filled_blank.xlsx"
    fill_template(
        blank, {**values(1), "meta.unit_name": OTHER.name, "meta.unit_code": OTHER.code}, filled_blank
    )
    filled_unit = made / "filled_unit.xlsx"
    fill_template(unit, values(2), filled_unit)
    inbox = root / "回收"
    inbox.mkdir()
    make_file(SPEC, inbox, "阿里河镇.xlsx", OTHER, balanced(3))
    make_file(SPEC, inbox, "诺敏镇.xlsx", Unit(UNIT.code, UNIT.name, UNIT.type, COUNTY, 2), balanced(4))
    roster = load_roster(
        write_roster(root / "名单.csv", [OTHER, Unit(UNIT.code, UNIT.name, UNIT.type, COUNTY, 2)])
    )
    county = made / "county.xlsx"
    write_consolidated(
        merge_files([inbox], CheckOptions(year=YEAR, roster=roster, jobs=1), unit_name="鄂伦春自治旗"), county
    )
    sources = [blank, unit, filled_blank, filled_unit, county]
    outputs = lo.recalc_and_save(sources, root / "libreoffice")
    return {p.stem: (p, out) for p, out in zip(sources, outputs, strict=True)}


def _cells(sqref: Any) -> set[str]:
    """Every cell of a multi-range reference (“D6:I7 D9”)."""
    out: set[str] = set()
    for rng in str(sqref).split():
        min_col, min_row, max_col, max_row = openpyxl.utils.cell.range_boundaries(rng)
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                out.add(f"{openpyxl.utils.get_column_letter(c)}{r}")
    return out


def validations(wb: Any, sheet: str) -> dict[tuple[str, str | None, str | None], set[str]]:
    """(type, operator, formula1) → the cells it covers."""
    out: dict[tuple[str, str | None, str | None], set[str]] = {}
    for dv in wb[sheet].data_validations.dataValidation:
        key = (dv.type or "any", dv.operator or "between", (dv.formula1 or "").lstrip("="))
        out.setdefault(key, set()).update(_cells(dv.sqref))
    return out


def names(wb: Any) -> dict[str, str]:
    """Defined name → its text, compared loosely: no “=”, “$” or quotes around the sheet name."""
    return {n: re.sub(r"[=$']", "", dn.attr_text or "") for n, dn in wb.defined_names.items()}


@pytest.mark.parametrize("name", ["blank", "unit", "filled_blank", "filled_unit", "county"])
def test_structure_survives(saved: dict[str, tuple[Path, Path]], name: str) -> None:
    ours, theirs = saved[name]
    a, b = openpyxl.load_workbook(ours), openpyxl.load_workbook(theirs)
    try:
        assert b.sheetnames == a.sheetnames
        tables = [s for s in TABLES if s in a.sheetnames]  # a consolidated workbook has no 正文
        assert tables == [s for s in TABLES if name != "county" or s != "正文"]
        for sheet in (*tables, META_SHEET):
            assert b[sheet].protection.sheet, f"{name}: {sheet} is no longer protected"
        if name in ("unit", "filled_unit"):
            assert b["表三"].protection.password or b["表三"].protection.hashValue  # still a password
        assert b[META_SHEET].sheet_state in ("hidden", "veryHidden")  # LibreOffice: very hidden → hidden
        for sheet in tables:
            assert validations(b, sheet) == validations(a, sheet), f"{name}: validations of {sheet}"
        ours_names, their_names = names(a), names(b)
        cell_names = {cell_name(c) for c in SPEC.cells}
        assert {n: ours_names[n] for n in cell_names} == {n: their_names.get(n) for n in cell_names}
        for sheet, box in cell_boxes(SPEC).values():
            cell = b[sheet].cell(row=box.row + 1, column=box.col + 1)
            assert (
                cell.protection.locked == a[sheet].cell(row=box.row + 1, column=box.col + 1).protection.locked
            )
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("name", ["blank", "unit", "filled_blank", "filled_unit", "county"])
def test_stamp_survives_and_is_read_tolerantly(saved: dict[str, tuple[Path, Path]], name: str) -> None:
    ours, theirs = saved[name]
    stamps = []
    for path in (ours, theirs):
        stamp, issues = read_stamp(OpenpyxlBackend().read(path, {}))
        assert stamp is not None and issues == [], (path, issues)
        stamps.append(stamp)
    assert stamps[0] == stamps[1]


@pytest.mark.parametrize("name", ["filled_blank", "filled_unit", "county"])
def test_resaved_files_are_accepted_with_the_same_values(
    saved: dict[str, tuple[Path, Path]], name: str
) -> None:
    ours, theirs = saved[name]
    run = check_files([ours, theirs], CheckOptions(year=YEAR, jobs=1))
    before, after = run.report.files
    assert before.status == after.status == "accepted", [i.message for i in after.issues]
    assert after.submission.values == before.submission.values
    assert after.submission.unit_code == before.submission.unit_code
    assert after.submission.cached  # LibreOffice stored its own results: compared, never used
    assert run.validated.values(0) == run.validated.values(1)


@pytest.mark.parametrize("name", ["blank", "unit"])
def test_a_resaved_template_can_be_filled_and_checked(
    saved: dict[str, tuple[Path, Path]], name: str, tmp_path: Path
) -> None:
    """The county re-saves the templates in LibreOffice before sending them out; the towns fill those."""
    _, theirs = saved[name]
    extra = {"meta.unit_name": OTHER.name, "meta.unit_code": OTHER.code} if name == "blank" else {}
    filled = tmp_path / "filled.xlsx"
    fill_template(shutil.copy(theirs, tmp_path / "t.xlsx"), {**values(5), **extra}, filled)
    sub = read_submission(filled, expected_year=YEAR, expected_spec=SPEC)
    assert sub.readable and [i.code for i in sub.issues] == []
    assert sub.values == {c: pytest.approx(float(v)) for c, v in balanced(5).items()}
