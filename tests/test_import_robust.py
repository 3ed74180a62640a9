"""Imported workbooks against the checks every tianbao workbook must pass (issue 10 on main): the stamp's serial
computed again and the locked cover compared with the stamp, whatever unit and text the report gives; a stamp
edited afterwards is caught as in a returned template; numbers beyond the domain stay as printed and are said
at their cell; the unit options are bound as a roster's; no workbook written is a file the run reads."""

from __future__ import annotations

import random
from pathlib import Path

import make_fixtures as fx
import openpyxl
import pytest
from typer.testing import CliRunner

import import_corpus as ic
from tianbao.cli.main import app
from tianbao.errors import UsageError
from tianbao.importing.run import ImportOptions, import_files
from tianbao.importing.sheet import SOURCE_SHEET
from tianbao.options import CheckOptions
from tianbao.reading import read_submission
from tianbao.roster import Roster, Unit
from tianbao.spec import load_spec
from tianbao.spec.layout import COVER_SHEET, a1, cell_boxes, cover_boxes
from tianbao.validation import check_files
from wellformed import assert_well_formed

runner = CliRunner()
COUNTY = Unit("150723", "鄂伦春自治旗人民政府", "县级政府", None, 2)
TOWN = Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 3)
ROSTER = Roster((COUNTY, TOWN, Unit("150723108", "古里乡人民政府", "乡镇", "150723", 4)), "名单.csv")
STAMP_CODES = {"stamp-inconsistent", "stamp-missing", "not-a-template", "spec-unknown", "year-mismatch"}


def _report(tmp_path: Path, fmt: str = "2021", unit: str = "诺敏镇人民政府", seed: int = 1) -> Path:
    spec = load_spec(fmt)
    rng = random.Random(seed)
    rep = ic.make_report(spec, rng, year=2024, unit=unit, values=ic.consistent_values(spec, rng))
    path = tmp_path / f"{fmt}-{seed}.html"
    path.write_bytes(ic.to_html(rep.page))
    return path


def _imported(tmp_path: Path, src: Path, options: ImportOptions) -> Path:
    (result,) = import_files([src], tmp_path / "导入", options).results
    assert result.output is not None, [i.code for i in result.reading.issues]
    return Path(result.output)


def _issues(path: Path, fmt: str = "2021") -> list:  # type: ignore[type-arg]
    run = check_files([path], CheckOptions(year=2024, fmt=fmt, roster=ROSTER))
    return run.report.files[0].submission.issues  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("fmt", "unit", "options"),
    [
        ("2021", "诺敏镇人民政府", ImportOptions(unit_code=TOWN.code)),
        ("2021", "鄂伦春自治旗诺敏镇人民政府", ImportOptions(roster=ROSTER)),  # the roster's name and type
        ("2019", "诺敏镇人民政府", ImportOptions(unit_code=TOWN.code)),
        # text no XML holds, from the report and from --unit-name: made fit alike in the stamp and the cover
        ("2021", "诺敏镇\x0b人民\x01政府", ImportOptions(unit_code=TOWN.code)),
        ("2021", "诺敏镇人民政府", ImportOptions(unit_code=TOWN.code, unit_name="诺敏镇\x0b人民政府\ud800")),
        ("2021", "诺敏镇人民政府", ImportOptions(unit_code=TOWN.code, unit_name="诺" * 200)),
    ],
    ids=["code", "roster", "2019", "control-characters", "unit-name-not-xml", "longest-name"],
)
def test_imported_workbooks_pass_the_stamp_and_cover_checks(
    tmp_path: Path, fmt: str, unit: str, options: ImportOptions
) -> None:
    out = _imported(tmp_path, _report(tmp_path, fmt, unit), options)
    assert_well_formed(out)
    sub = read_submission(out)
    assert sub.kind == "imported" and sub.unit_code == TOWN.code
    assert sub.stamp is not None and sub.stamp.serial == sub.stamp.expected_serial()
    issues = _issues(out, fmt)
    assert not STAMP_CODES & {i.code for i in issues}, [i.message for i in issues if i.code in STAMP_CODES]
    wb = openpyxl.load_workbook(out)
    source = wb[SOURCE_SHEET]  # 原报告 prints as every sheet: A4, fitted to the width, page n of m
    assert source.page_setup.paperSize == 9 and source.oddFooter.center.text == "第 &P 页，共 &N 页"
    box = cover_boxes(load_spec(fmt))["unit_name"]
    assert "".join(str(wb[COVER_SHEET][a1(box.row, box.col)].value).split()) == "".join(
        sub.stamp.unit_name.split()
    )
    wb.close()


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        # another unit's report passed off as this one: the stamp edited alike in its three places
        (lambda p: fx.restamp(p, unit_code="150723108", unit_name="古里乡人民政府"), "模板编号"),
        # … with the serial recomputed: the locked cover still names the unit imported
        (
            lambda p: fx.restamp(
                p,
                unit_code="150723108",
                unit_name="古里乡人民政府",
                serial=fx.serial_of(p, unit_code="150723108", unit_name="古里乡人民政府"),
            ),
            "封面的单位代码",
        ),
        # an imported report passed off as a returned template (its printed totals no longer compared)
        (lambda p: fx.restamp(p, kind="template"), "模板编号"),
    ],
    ids=["other-unit", "other-unit-with-serial", "kind-template"],
)
def test_an_imported_workbook_edited_afterwards_is_caught(tmp_path: Path, edit: object, said: str) -> None:
    out = _imported(tmp_path, _report(tmp_path), ImportOptions(unit_code=TOWN.code))
    edit(out)  # type: ignore[operator]
    issues = _issues(out)
    inconsistent = [i.message for i in issues if i.code == "stamp-inconsistent"]
    assert any(said in m for m in inconsistent), inconsistent
    assert check_files([out], CheckOptions(year=2024, roster=ROSTER)).report.files[0].status == "rejected"


@pytest.mark.parametrize("printed", ["1" * 26, "10000000000000000000000000", "12345678901234567", "1" * 400])
def test_numbers_beyond_the_domain_stay_as_printed(tmp_path: Path, printed: str) -> None:
    """A printed number no cell holds exactly (more than 15 digits) is written as the text printed, not as a
    rounded double standing for it; check says value-out-of-range at its cell."""
    spec = load_spec("2021")
    rng = random.Random(3)
    rep = ic.make_report(spec, rng, year=2024, values=ic.consistent_values(spec, rng))
    for table in rep.page.tables:
        for row in table.rows:
            for cell in row:
                if cell.cell_id == "t3.new.np":
                    cell.text = printed  # the totals over it as printed before
    src = tmp_path / "r.html"
    src.write_bytes(ic.to_html(rep.page))
    out = _imported(tmp_path, src, ImportOptions(unit_code=TOWN.code))
    sheet, box = cell_boxes(spec)["t3.new.np"]
    wb = openpyxl.load_workbook(out)
    assert wb[sheet].cell(box.row + 1, box.col + 1).value == printed
    wb.close()
    where = [(i.cell_id, i.cell) for i in _issues(out) if i.code == "value-out-of-range"]
    assert ("t3.new.np", a1(box.row, box.col)) in where


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--unit-name", "名" * 201, "单位名称有 201 个字，超过 200 个"),
        ("--unit-code", "1" * 65, "单位代码有 65 个字符，超过 64 个"),
    ],
)
def test_the_unit_options_are_bound_as_a_rosters(tmp_path: Path, option: str, value: str, said: str) -> None:
    src = _report(tmp_path)
    result = runner.invoke(app, ["import", str(src), "-o", str(tmp_path / "导入"), option, value])
    assert result.exit_code == 2 and said in result.output
    assert not (tmp_path / "导入").exists() or not any((tmp_path / "导入").iterdir())


def test_no_workbook_written_is_the_roster(tmp_path: Path) -> None:
    """A roster saved as “2021-1.html.xlsx” in the output folder would be overwritten by that report's
    workbook: a usage error before anything is written."""
    src = _report(tmp_path)
    out = tmp_path / "导入"
    out.mkdir()
    roster_file = out / f"{src.name}.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["单位代码", "单位名称", "单位类型", "上级单位代码"])
    ws.append([TOWN.code, TOWN.name, TOWN.type, TOWN.parent])
    wb.save(roster_file)
    before = roster_file.read_bytes()
    result = runner.invoke(app, ["import", str(src), "-o", str(out), "--roster", str(roster_file)])
    assert result.exit_code == 2 and "写入会覆盖它" in result.output, result.output
    assert roster_file.read_bytes() == before
    with pytest.raises(UsageError):
        import_files([src], out, ImportOptions(roster=Roster((TOWN,), str(roster_file))))
