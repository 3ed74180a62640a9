"""Outputs are safe: written to a temporary file and renamed (an existing output is never left half-written,
no temporary file is left behind), file names made from unit names work everywhere, and text from submissions
that starts with = + - @ is written as text in every output (xlsx and CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from consolidation_data import COUNTY, YEAR, balanced
from tianbao.cli.main import app
from tianbao.consolidation import export_tidy, merge_files, write_consolidated
from tianbao.fileio import safe_filename
from tianbao.filling import fill_template
from tianbao.options import CheckOptions
from tianbao.roster import Unit, load_roster, write_roster
from tianbao.spec import load_spec
from tianbao.spec.layout import cover_boxes
from tianbao.template import TemplateOptions, template_filename, write_template
from tianbao.validation import check_files
from tianbao.validation.feedback import VERIFY, FeedbackOptions, write_feedback, write_feedback_copies

SPEC = load_spec("2021")
OLD = b"the previous output, which must survive"
# Unit names and cover entries that a spreadsheet would take for formulas.
EQ = Unit("150723100", '=HYPERLINK("http://x","点我")镇', "乡镇", COUNTY, 2)
PLUS = Unit("150723101", "+1镇人民政府", "乡镇", COUNTY, 3)
MINUS = Unit("150723102", "-2镇人民政府", "乡镇", COUNTY, 4)
AT = Unit("150723103", "@SUM(1)镇人民政府", "乡镇", COUNTY, 5)
UNITS = (EQ, PLUS, MINUS, AT)
FILES = ("=1+1.xlsx", "+报表.xlsx", "-报表.xlsx", "@报表.xlsx")  # their files' names
FORMULA_LIKE = (
    set(FILES)
    | {u.name for u in UNITS}
    | {
        "=cmd|' /C calc'!A0",
        "+86 0470 5946089",
        "@张三",
        "-李四",
        "=1+1汇总",
    }
)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four units whose names look like formulas, covers filled with formula-like text, files named so too."""
    root = tmp_path_factory.mktemp("outputs")
    inbox = root / "回收"
    inbox.mkdir()
    templates = root / "模板"
    for i, (unit, name) in enumerate(zip(UNITS, FILES, strict=True)):
        template = templates / f"{unit.code}.xlsx"
        write_template(SPEC, template, TemplateOptions(year=YEAR, unit=unit))
        values: dict[str, Any] = {
            **balanced(i),
            "t2.rules.issued": None,
        }  # a blank: a warning, a feedback copy
        values.update({"meta.phone": "+86 0470 5946089"})
        values.update({"meta.reviewer": "@张三" if i % 2 else "-李四", "meta.filled_on": "2026-01-15"})
        fill_template(template, values, inbox / name)
        _as_text(inbox / name, "filled_by", "=cmd|' /C calc'!A0")  # typed as text (Excel: '=cmd…)
    roster = load_roster(write_roster(root / "名单.csv", list(UNITS)))
    result = merge_files([inbox], CheckOptions(year=YEAR, roster=roster, jobs=1), unit_name="=1+1汇总")
    out = root / "汇总.xlsx"
    write_consolidated(result, out)
    run = check_files([inbox], CheckOptions(year=YEAR, roster=roster, jobs=1))
    options = FeedbackOptions(root / "退回修改", warnings=True, date=dt.date(2026, 1, 20))
    written = write_feedback_copies(
        SPEC, [f.submission for f in run.report.files], options, year=YEAR, roster=roster
    )
    return {"root": root, "inbox": inbox, "result": result, "out": out, "run": run, "feedback": written}


def _as_text(path: Path, field: str, text: str) -> None:
    box = cover_boxes(SPEC)[field]
    wb = openpyxl.load_workbook(path)
    cell = wb["封面"].cell(row=box.row + 1, column=box.col + 1)
    cell.value = text
    cell.data_type = "s"
    wb.save(path)
    wb.close()


def formulas_in(path: Path) -> list[bytes]:
    """Every formula of every sheet, read from the XML."""
    with zipfile.ZipFile(path) as z:
        return [
            f
            for name in z.namelist()
            if name.startswith("xl/worksheets/sheet")
            for f in __import__("re").findall(rb"<f(?:\s[^>]*)?>([^<]*)</f>", z.read(name))
        ]


def text_cells(path: Path) -> dict[str, dict[str, str]]:
    """sheet → {formula-like text found → its data type}."""
    wb = openpyxl.load_workbook(path)
    try:
        out: dict[str, dict[str, str]] = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if isinstance(value, str) and any(t in value for t in FORMULA_LIKE):
                        out.setdefault(ws.title, {})[value] = cell.data_type
        return out
    finally:
        wb.close()


def test_formula_like_text_stays_text_in_the_consolidated_workbook(county: dict[str, Any]) -> None:
    found = text_cells(county["out"])
    assert all(t == "s" for sheet in found.values() for t in sheet.values()), found
    assert {"封面", "明细", "报送情况", "问题清单", "来源"} <= set(found)
    assert "=1+1汇总" in found["封面"]
    assert {u.name for u in UNITS} <= set(found["明细"]) & set(found["报送情况"]) & set(found["来源"])
    assert set(FILES) <= set(found["明细"]) & set(found["来源"])
    markers = (b"HYPERLINK", b"cmd|", b"SUM(1)", b"0470")
    assert not [f for f in formulas_in(county["out"]) if any(m in f for m in markers)]


def test_formula_like_text_stays_text_in_feedback_copies(county: dict[str, Any]) -> None:
    written = [f.path for f in county["feedback"]]
    assert len(written) == len(UNITS)
    assert {f.kind for f in county["feedback"]} == {VERIFY}  # a blank cell: accepted with a warning
    for path in written:
        assert path.parent == county["root"] / "退回修改"  # “/” and “:” of the unit name did not make folders
        found = text_cells(path)
        assert all(t == "s" for sheet in found.values() for t in sheet.values()), (path.name, found)
        cover = set(found["封面"])
        assert {"=cmd|' /C calc'!A0", "+86 0470 5946089"} <= cover and cover & {"@张三", "-李四"}
        assert not [f for f in formulas_in(path) if b"cmd|" in f or b"HYPERLINK" in f]
    assert sorted(p.name for p in written) == sorted(
        safe_filename(f"{f.submission.unit_code}_{f.submission.unit_name}_核实.xlsx")
        for f in county["run"].report.files
    )
    assert safe_filename(f"{EQ.code}_{EQ.name}_退回修改.xlsx") == (
        "150723100_=HYPERLINK(_http___x_,_点我_)镇_退回修改.xlsx"
    )


def test_formula_like_text_is_escaped_in_the_csv_export(county: dict[str, Any], tmp_path: Path) -> None:
    csv_path, _ = export_tidy(county["result"], tmp_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig"))))
    names = {r[1] for r in rows[1:]}
    assert names == {"'" + u.name for u in UNITS}
    assert all(not r[1].startswith(("=", "+", "-", "@")) for r in rows[1:])


# --- atomic writes -----------------------------------------------------------------------------------------
@contextmanager
def disk_full_after(monkeypatch: pytest.MonkeyPatch, members: int) -> Iterator[None]:
    """Writing a zip fails with “no space left” at its `members`-th member: part of it is already written."""
    calls = {"n": 0}

    def failing(real: Callable[..., Any]) -> Callable[..., Any]:
        def write(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] >= members:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(self, *args, **kwargs)

        return write

    with monkeypatch.context() as m:
        m.setattr(zipfile.ZipFile, "write", failing(zipfile.ZipFile.write))
        m.setattr(zipfile.ZipFile, "writestr", failing(zipfile.ZipFile.writestr))
        yield


def old_output(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(OLD)
    return target


def assert_intact(target: Path) -> None:
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name], (
        "a temporary file was left behind"
    )


def test_template_write_failing_midway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = old_output(tmp_path / "模板", template_filename(YEAR))
    with disk_full_after(monkeypatch, 5), pytest.raises(OSError):
        write_template(SPEC, target, TemplateOptions(year=YEAR))
    assert_intact(target)


def test_consolidated_write_failing_midway(
    county: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = old_output(tmp_path, "汇总.xlsx")
    with disk_full_after(monkeypatch, 8), pytest.raises(OSError):
        write_consolidated(county["result"], target)
    assert_intact(target)


def test_feedback_write_failing_midway(
    county: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = county["run"].report.files[0].submission
    target = old_output(tmp_path / "退回修改", county["feedback"][0].path.name)
    with disk_full_after(monkeypatch, 5), pytest.raises(OSError):
        write_feedback(SPEC, sub, target, VERIFY, year=YEAR, date=dt.date(2026, 1, 20))
    assert_intact(target)


def test_fill_write_failing_midway(
    county: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tmp_path / "t.xlsx"
    write_template(SPEC, template, TemplateOptions(year=YEAR))
    target = old_output(tmp_path / "out", "已填写.xlsx")
    with disk_full_after(monkeypatch, 5), pytest.raises(OSError):
        fill_template(template, {"t3.new.np": 1}, target)
    assert_intact(target)


def test_export_write_failing_midway(
    county: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    stem = f"{YEAR}年度汇总数据"
    csv_target = old_output(tmp_path / "导出", f"{stem}.csv")
    parquet_target = old_output(tmp_path / "导出", f"{stem}.parquet")
    real_write_bytes = Path.write_bytes

    def half_then_full(self: Path, data: bytes) -> int:
        real_write_bytes(self, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m, pytest.raises(OSError):
        m.setattr(Path, "write_bytes", half_then_full)
        export_tidy(county["result"], csv_target.parent)
    assert csv_target.read_bytes() == OLD and parquet_target.read_bytes() == OLD

    def half_a_parquet(table: Any, where: Any, **kwargs: Any) -> None:
        Path(where).write_bytes(b"PAR1" + bytes(100))
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m, pytest.raises(OSError):
        m.setattr(pq, "write_table", half_a_parquet)
        export_tidy(county["result"], csv_target.parent)
    assert parquet_target.read_bytes() == OLD and csv_target.read_bytes() != OLD  # the CSV was complete
    assert sorted(p.name for p in csv_target.parent.iterdir()) == sorted(
        [csv_target.name, parquet_target.name]
    )


def test_cli_merge_on_a_full_disk(
    county: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = old_output(tmp_path / "out", "汇总.xlsx")
    with disk_full_after(monkeypatch, 8):
        result = CliRunner().invoke(
            app,
            [
                "merge",
                str(county["inbox"]),
                "--year",
                str(YEAR),
                "--unit",
                COUNTY,
                "--unit-name",
                "鄂伦春自治旗",
                "-o",
                str(target),
                "-j",
                "1",
            ],
        )
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "磁盘空间不足" in result.output
    assert_intact(target)


# --- file names ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON", "_CON"),
        ("con.xlsx", "_con.xlsx"),
        ("NUL.txt.xlsx", "_NUL.txt.xlsx"),
        ("LPT9", "_LPT9"),
        ("COM10.xlsx", "COM10.xlsx"),
        ('a/b\\c:d*e?f"g<h>i|j.xlsx', "a_b_c_d_e_f_g_h_i_j.xlsx"),
        ("..", "_"),
        (".", "_"),
        ("../../etc/passwd", "_.._etc_passwd"),
        (".hidden.xlsx", "hidden.xlsx"),
        ("报表. ", "报表"),
        ("", "_"),
        ("tab\there\x00.xlsx", "tab_here_.xlsx"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    "name", ["诺" * 300 + ".xlsx", "x" * 300 + ".xlsx", "鄂伦春" * 60, "a" * 250 + ".verylongext"]
)
def test_long_names_are_shortened_in_bytes(name: str, tmp_path: Path) -> None:
    safe = safe_filename(name)
    assert len(safe.encode()) <= 240 and len(safe) <= 120
    if name.endswith(".xlsx"):
        assert safe.endswith(".xlsx")
    (tmp_path / safe).write_bytes(b"")  # the file system accepts it


def test_templates_for_units_with_hostile_names(tmp_path: Path) -> None:
    units = [
        Unit("150723201", "CON", "部门", COUNTY, 2),
        Unit("150723202", "../../etc/passwd", "部门", COUNTY, 3),
        Unit("150723203", 'a:b*c?"<>|', "部门", COUNTY, 4),
        Unit("150723204", "诺敏镇" * 66, "乡镇", COUNTY, 5),
        Unit("150723205", "=1+1镇", "乡镇", COUNTY, 6),
        Unit("150723206", "[/]局", "部门", COUNTY, 7),
    ]
    roster = write_roster(tmp_path / "名单.csv", units)
    out = tmp_path / "模板"
    result = CliRunner().invoke(
        app, ["template", "--year", str(YEAR), "--roster", str(roster), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    made = sorted(out.iterdir())
    assert len(made) == len(units) and all(p.is_file() and p.suffix == ".xlsx" for p in made)
    assert all(len(p.name.encode()) <= 240 for p in made)
    assert not list(tmp_path.glob("etc*")) and not (tmp_path.parent / "etc").exists()
    for p in made:
        assert check_files([p], CheckOptions(year=YEAR, jobs=1)).report.files[0].submission.stamp is not None
