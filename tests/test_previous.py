"""Last year's values: one reader (tianbao.reading.previous.read_previous) and one rule for `template`, `check`
and `merge --previous` — a value that cannot be used is left out, and so is every total over it; last year is
the year before the run's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import make_fixtures as fx
import pytest
from typer.testing import CliRunner

from tianbao.cli.main import app
from tianbao.consolidation import merge_files, write_consolidated
from tianbao.errors import UsageError
from tianbao.options import CheckOptions
from tianbao.reading.previous import Previous, PreviousError, PreviousUnit, read_previous, usable_values
from tianbao.spec import load_spec
from tianbao.validation import check_files

SPEC = load_spec("2021")
YEAR = fx.YEAR  # 2025
runner = CliRunner()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def s1(run_or_files: Any) -> list[str]:
    """The S1 issues of every file, as their cell ids."""
    files = run_or_files.report.files if hasattr(run_or_files, "report") else run_or_files
    return sorted(i.cell_id or "" for f in files for i in f.submission.issues if i.code == "rule-S1")


# --- the values of one file --------------------------------------------------------------------------------
def test_a_units_values(tmp_path: Path) -> None:
    path = fx.filled(tmp_path / "2024.xlsx", {"t3.fwd.ce": None, "t3.fwd.ri": "不详"}, year=2024)
    prev = read_previous(path, SPEC, year=YEAR)
    assert prev.year == 2024 and prev.sources == (str(path),)
    values = prev.values(fx.UNIT.code)
    assert values is not None
    assert values["t3.fwd.np"] == 1 and values["t3.fwd.ce"] == 0  # a blank counts as 0, as in `tianbao check`
    assert "t3.fwd.ri" not in values and "t3.fwd.tot" not in values  # unusable, and the total over it
    assert values["t3.new.tot"] == 3 and values["t2.licensing.decisions"] == 8
    assert set(values) <= set(SPEC.cells)


def test_a_2019_workbook_for_a_2021_run(tmp_path: Path) -> None:
    prev = read_previous(fx.filled(tmp_path / "2020.xlsx", fmt="2019", year=2020), SPEC, year=2021)
    values = prev.values(fx.UNIT.code) or {}
    assert values["t3.fwd.tot"] == 1 and "t3.r6.np" not in values and "t2.rules.made" not in values


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "说明.xlsx"
    path.write_text("古里乡报表下周补报", encoding="utf-8")
    with pytest.raises(PreviousError) as err:
        read_previous(path, SPEC)
    assert err.value.message == (
        f"上年报表 {path} 不能使用：这不是 Excel 工作簿（.xlsx）：这是文本文件（可能是 CSV 改了扩展名）"
    )
    assert isinstance(err.value, UsageError)


def test_the_rule_for_unusable_values() -> None:
    """One rule: blank is 0; text, NaN and infinity are left out, with every total over them."""
    inputs: dict[str, Any] = {c: 1 for c in SPEC.input_ids}
    inputs.update({"t3.fwd.np": float("nan"), "t3.fwd.ce": None, "t3.r1.np": float("inf")})
    values = usable_values(SPEC, inputs, invalid=["t3.new.ri"])
    gone = set(SPEC.cells) - set(values)
    assert gone == SPEC.unusable(["t3.fwd.np", "t3.r1.np", "t3.new.ri"])
    assert gone == {
        "t3.fwd.np", "t3.fwd.tot", "t3.r1.np", "t3.r1.tot", "t3.r7.np", "t3.r7.tot", "t3.new.ri", "t3.new.tot",
    }  # fmt: skip
    assert values["t3.fwd.ce"] == 0 and values["t3.fwd.ri"] == 1


# --- one rule for template, check and merge -----------------------------------------------------------------
@pytest.fixture
def unusable_previous(tmp_path: Path) -> Path:
    """Last year's report of the unit, its 结转下年度继续办理 for 自然人 unusable (text)."""
    return fx.filled(tmp_path / "上年.xlsx", {"t3.fwd.np": "不详"}, year=YEAR - 1)


def test_check_and_merge_skip_s1_on_an_unusable_previous_value(
    unusable_previous: Path, tmp_path: Path
) -> None:
    """This year 上年结转 (自然人) is 1; last year's 结转 is unreadable: there is nothing to compare it with.
    (It was taken as 0 by check and merge, which then warned that 1 ≠ 0 — for the column and its total.)"""
    this_year = fx.filled(tmp_path / "本年.xlsx")
    prev = read_previous([unusable_previous], SPEC, year=YEAR)
    run = check_files([this_year], CheckOptions(year=YEAR, previous=prev, jobs=1))
    assert s1(run) == []
    merged = merge_files(
        [this_year], CheckOptions(year=YEAR, previous=prev, jobs=1), unit_code="150723", unit_name="汇总单位"
    )
    assert s1(merged.report.files) == []
    result = runner.invoke(
        app, ["check", str(this_year), "--year", str(YEAR), "--previous", str(unusable_previous), "--json"]
    )
    assert "rule-S1" not in result.stdout


def test_a_usable_previous_value_is_checked(tmp_path: Path) -> None:
    """The control: the same files with last year's 结转 readable and different from this year's 上年结转."""
    this_year = fx.filled(tmp_path / "本年.xlsx")
    last = fx.filled(tmp_path / "上年.xlsx", {"t3.fwd.np": 4, "t3.r1.np": 2 - 3}, year=YEAR - 1)
    prev = read_previous([last], SPEC, year=YEAR)
    assert s1(check_files([this_year], CheckOptions(year=YEAR, previous=prev, jobs=1))) == [
        "t3.carry.np",
        "t3.carry.tot",
    ]


def test_template_leaves_the_unusable_value_out_too(unusable_previous: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["template", "--year", str(YEAR), "--previous", str(unusable_previous), "-o", str(tmp_path / "模板")],
    )
    assert result.exit_code == 2
    assert "错误：上年报表中“表三四、结转下年度继续办理/自然人" in flat(result.output)


# --- last year is the year before ----------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["check", "merge", "template"])
@pytest.mark.parametrize("year", [YEAR, YEAR + 1])
def test_previous_of_the_same_or_a_later_year_is_a_usage_error(
    tmp_path: Path, command: str, year: int
) -> None:
    """A report of this year (or a later one) given as last year's would give wrong S1/S2 warnings."""
    this_year = fx.filled(tmp_path / "本年.xlsx")
    wrong = fx.filled(tmp_path / "错的上年.xlsx", year=year)
    args = {
        "check": ["check", str(this_year)],
        "merge": ["merge", str(this_year), "-o", str(tmp_path / "汇总.xlsx"), "--unit", "150723"],
        "template": ["template", "-o", str(tmp_path / "模板")],
    }[command]
    result = runner.invoke(app, [*args, "--year", str(YEAR), "--previous", str(wrong)])
    assert result.exit_code == 2, result.output
    assert flat(result.output).startswith(
        flat(f"错误：上年报表 {wrong} 是 {year} 年度的，本次是 {YEAR} 年度，应给出 {YEAR - 1} 年度的报表")
    )
    assert not (tmp_path / "汇总.xlsx").exists()


def test_the_library_refuses_it_too() -> None:
    prev = Previous(YEAR, {}, ("上年.xlsx",))
    with pytest.raises(UsageError, match="本次是 2025 年度"):
        CheckOptions(year=YEAR, previous=prev)
    assert CheckOptions(year=YEAR + 1, previous=prev).previous is prev
    assert CheckOptions(previous=prev).previous is prev  # a run of unknown year


def test_without_a_year_previous_serves_only_the_year_after(tmp_path: Path) -> None:
    """check without --year may hold reports of several years: last year's values meet only the reports of
    the year after them."""
    last = fx.filled(tmp_path / "上年.xlsx", {"t3.fwd.np": 4, "t3.r1.np": -1}, year=YEAR - 1)
    prev = read_previous([last], SPEC)
    same_year = fx.filled(tmp_path / "同年.xlsx", year=YEAR - 1)
    next_year = fx.filled(tmp_path / "次年.xlsx")
    run = check_files([same_year, next_year], CheckOptions(previous=prev, jobs=1))
    by_name = {Path(f.path).name: f for f in run.report.files}
    assert s1([by_name["同年.xlsx"]]) == []
    assert s1([by_name["次年.xlsx"]]) == ["t3.carry.np", "t3.carry.tot"]


def test_files_of_different_years(tmp_path: Path) -> None:
    a = fx.filled(tmp_path / "a.xlsx", year=2023)
    b = fx.filled(tmp_path / "b.xlsx", unit=fx.OTHER, year=2024)
    with pytest.raises(PreviousError, match="上年报表的年度不一致"):
        read_previous([a, b], SPEC)


# --- several files, consolidated workbooks --------------------------------------------------------------------
def test_a_consolidated_workbook_gives_the_unit_and_each_of_its_members(tmp_path: Path) -> None:
    towns = [
        fx.filled(tmp_path / "诺敏镇.xlsx", year=2024),
        fx.filled(tmp_path / "阿里河镇.xlsx", unit=fx.OTHER, year=2024),
    ]
    merged = merge_files(towns, CheckOptions(year=2024, jobs=1), unit_code="150723", unit_name="鄂伦春自治旗")
    out = tmp_path / "汇总.xlsx"
    write_consolidated(merged, out)
    prev = read_previous([out], SPEC, year=YEAR)
    assert sorted(prev.units) == ["150723", fx.OTHER.code, fx.UNIT.code]
    assert prev.units[fx.UNIT.code].name == fx.UNIT.name
    assert (prev.values("150723") or {})["t3.fwd.tot"] == merged.totals["t3.fwd.tot"] == 2
    assert (prev.values(fx.OTHER.code) or {})["t3.fwd.tot"] == 1
    # The units' own files with it: the same values, so the same data once.
    again = read_previous([out, *towns], SPEC, year=YEAR)
    assert again.units.keys() == prev.units.keys()


def test_a_unit_given_twice_with_different_values(tmp_path: Path) -> None:
    a = fx.filled(tmp_path / "a.xlsx", year=2024)
    b = fx.filled(tmp_path / "b.xlsx", {"t3.fwd.np": 2, "t3.r1.np": 1}, year=2024)
    with pytest.raises(PreviousError) as err:
        read_previous([a, b], SPEC)
    assert err.value.message == (
        f"单位 {fx.UNIT.name}（{fx.UNIT.code}）的上年数据在 {a} 和 {b} 中不同（如 t3.fwd.np）"
    )
    assert read_previous([a, a], SPEC).units.keys() == {fx.UNIT.code}


def test_previous_units_are_plain_data() -> None:
    unit = PreviousUnit("1", "甲", "乡镇", {"t3.fwd.np": 1.0}, "a.xlsx")
    assert Previous(2024, {"1": unit}).values_for("1", 2025) == {"t3.fwd.np": 1.0}
    assert Previous(2024, {"1": unit}).values_for("1", 2024) is None
    assert Previous(2024, {"1": unit}).values_for("2", 2025) is None
