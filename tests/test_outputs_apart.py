"""Outputs never overwrite inputs: an output that is, or resolves to, a file the run reads — a unit's report,
another consolidated workbook, the roster, last year's file, fill's template — and an output folder among the
folders it reads are usage errors before any file is read; the input is unchanged and nothing is written.
A merge run again into the folder it reads replaces its own earlier output (README: 输出与输入)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import make_fixtures as fx
import openpyxl
import pytest
from typer.testing import CliRunner

from tianbao.cli.main import app
from tianbao.consolidation import merge_files
from tianbao.errors import UsageError
from tianbao.inputs import inputs_at, require_outside
from tianbao.options import CheckOptions
from tianbao.reading import read_submission
from tianbao.roster import COLUMNS, Unit, write_roster
from tianbao.template import template_filename

YEAR = fx.YEAR
COUNTY = ["--unit", "150723", "--unit-name", "鄂伦春自治旗"]
COUNTY_UNIT = Unit("150723", "鄂伦春自治旗人民政府", "县级政府", None, 1)
THREE = (fx.UNIT, fx.OTHER, fx.THIRD)  # the towns of fx._towns


def cli(*args: Any) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def refused(*args: Any) -> str:
    """`tianbao …` is a usage error (exit 2, Chinese); its message with the wrapping undone."""
    result = cli(*args)
    assert result.exit_code == 2 and result.output.startswith("错误："), result.output
    return "".join(result.output.split())


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its content's hash: what must not change."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture(scope="module")
def towns(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return fx._towns(tmp_path_factory.mktemp("towns"))


@pytest.fixture
def inbox(tmp_path: Path, towns: list[Path]) -> Path:
    folder = tmp_path / "回收"
    folder.mkdir()
    for town in towns:
        shutil.copyfile(town, folder / town.name)
    return folder


# --- merge -o -------------------------------------------------------------------------------------------
def test_merge_into_a_units_report_is_refused(inbox: Path) -> None:
    """It used to drop the report from the totals and overwrite it."""
    before = digest(inbox)
    target = inbox / f"{fx.UNIT.code}.xlsx"
    said = refused("merge", inbox, "--year", YEAR, *COUNTY, "-o", target)
    assert f"-o{target}是要汇总的文件{target}（诺敏镇人民政府（{fx.UNIT.code}）的报表），写入会覆盖它" in said
    assert "请把汇总表写到别的文件名，或写到报表所在文件夹以外" in said
    assert digest(inbox) == before


def test_merge_through_a_link_to_a_report_is_refused(inbox: Path, tmp_path: Path) -> None:
    link = tmp_path / "汇总.xlsx"
    link.symlink_to(inbox / f"{fx.OTHER.code}.xlsx")
    before = digest(inbox)
    assert "写入会覆盖它" in refused("merge", inbox, "--year", YEAR, *COUNTY, "-o", link)
    assert digest(inbox) == before


def test_merge_into_another_consolidated_workbook_is_refused(inbox: Path, towns: list[Path]) -> None:
    """A lower level's consolidated workbook among the inputs is an input, not this merge's output."""
    lower = fx.consolidated(inbox / "汇总.xlsx", towns[:1])
    shutil.move(inbox / f"{fx.UNIT.code}.xlsx", inbox.parent / "不在这里.xlsx")
    before = digest(inbox)
    said = refused("merge", inbox, "--year", YEAR, "--unit", "1507", "--unit-name", "呼伦贝尔市", "-o", lower)
    assert f"（鄂伦春自治旗（150723）{YEAR}年度的汇总表），写入会覆盖它" in said
    assert digest(inbox) == before


def test_merge_into_last_years_consolidated_workbook_is_refused(inbox: Path, tmp_path: Path) -> None:
    """The same unit's workbook of another year is last year's record, not this run's earlier output."""
    cli("merge", inbox, "--year", YEAR, *COUNTY, "-o", inbox / "汇总.xlsx")
    before = digest(inbox)
    said = refused("merge", inbox, "--year", YEAR + 1, *COUNTY, "-o", inbox / "汇总.xlsx")
    assert f"{YEAR}年度的汇总表），写入会覆盖它" in said
    assert digest(inbox) == before


def test_merge_again_into_its_own_output(inbox: Path) -> None:
    """The earlier output is left out of the inputs (else everything would count twice) and replaced."""
    out = inbox / "汇总.xlsx"
    first = cli("merge", inbox, "--year", YEAR, *COUNTY, "-o", out)
    assert first.exit_code == 0, first.output
    written = out.read_bytes()
    again = cli("merge", inbox, "--year", YEAR, *COUNTY, "-o", out)
    assert again.exit_code == 0, again.output
    assert out.read_bytes() == written  # the same inputs: the same bytes, nothing counted twice
    sub = read_submission(out, expected_year=YEAR)
    assert sub.kind == "consolidated" and sorted(sub.members) == sorted(u.code for u in THREE)


@pytest.mark.parametrize("which", ["roster", "previous"])
def test_merge_into_the_roster_or_last_years_file_is_refused(
    which: str, inbox: Path, tmp_path: Path, towns: list[Path]
) -> None:
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(list(COLUMNS))
    for u in (COUNTY_UNIT, *THREE):
        wb.active.append([u.code, u.name, u.type, u.parent or ""])
    wb.save(roster)
    last = tmp_path / "上年.xlsx"
    shutil.copyfile(fx.filled(tmp_path / "诺敏镇上年.xlsx", year=YEAR - 1), last)
    target = {"roster": roster, "previous": last}[which]
    before = target.read_bytes()
    args = ["--roster", roster] if which == "roster" else ["--previous", last]
    said = refused("merge", inbox, "--year", YEAR, *COUNTY, *args, "-o", target)
    assert f"要写入的{target}是本次读取的文件{target}，写入会覆盖它" in said
    assert target.read_bytes() == before


def test_the_library_keeps_the_same_rule(inbox: Path) -> None:
    target = inbox / f"{fx.OTHER.code}.xlsx"
    with pytest.raises(UsageError, match="写入会覆盖它"):
        merge_files([inbox], CheckOptions(year=YEAR, jobs=1), unit_code="150723", unit_name="旗", out=target)
    result = merge_files(
        [inbox], CheckOptions(year=YEAR, jobs=1), unit_code="150723", unit_name="旗", out=inbox / "新.xlsx"
    )
    assert len(result.members) == 3


# --- output folders ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["the inbox", "inside it"])
@pytest.mark.parametrize("command", ["check --feedback", "merge --export"])
def test_an_output_folder_among_the_inputs_is_refused(inbox: Path, where: str, command: str) -> None:
    """`check DIR --feedback DIR` used to overwrite an input of a feedback file's name; a folder inside the
    inbox would be read as reports the next time."""
    name, option = command.split()
    folder = inbox if where == "the inbox" else inbox / "退回修改"
    before = digest(inbox)
    extra = ["--year", YEAR, *COUNTY, "-o", inbox.parent / "汇总.xlsx"] if name == "merge" else []
    said = refused(name, inbox, *extra, option, folder)
    assert f"{option}{folder}在要检查的文件夹{inbox}之中" in said
    assert f"请把{option}指向报表所在文件夹以外的文件夹" in said
    assert digest(inbox) == before and not (inbox / "退回修改").exists()
    assert not (inbox.parent / "汇总.xlsx").exists()


def test_a_feedback_folder_holding_a_file_given_is_refused(inbox: Path, tmp_path: Path) -> None:
    given = inbox / f"{fx.UNIT.code}.xlsx"
    said = refused("check", given, "--feedback", inbox)
    assert f"--feedback{inbox}中有本次读取的文件{given}：写入的文件可能覆盖它" in said


def test_a_feedback_folder_holding_the_roster_is_refused(inbox: Path, tmp_path: Path) -> None:
    (tmp_path / "退回").mkdir()
    roster = write_roster(tmp_path / "退回" / "名单.csv", [COUNTY_UNIT, *THREE])
    assert "中有本次读取的文件" in refused("check", inbox, "--roster", roster, "--feedback", roster.parent)


def test_a_link_in_the_inbox_into_the_output_folder_is_refused(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "退回"
    out.mkdir()
    shutil.move(inbox / f"{fx.OTHER.code}.xlsx", out / "阿里河镇.xlsx")
    (inbox / "阿里河镇.xlsx").symlink_to(out / "阿里河镇.xlsx")
    with pytest.raises(UsageError, match="中有本次读取的文件"):
        require_outside(out, [inbox], option="--feedback")


def test_an_output_folder_apart_from_the_inputs_is_fine(inbox: Path, tmp_path: Path) -> None:
    """Beside the inbox, or above it: nothing written there is read by the same command."""
    require_outside(tmp_path / "退回修改", [inbox], option="--feedback")
    require_outside(tmp_path, [inbox], option="--feedback")
    result = cli("check", inbox, "--year", YEAR, "--feedback", tmp_path / "退回修改")
    assert result.exit_code == 0, result.output


# --- fill and template ------------------------------------------------------------------------------------
def test_fill_over_its_template_is_refused(blank_template: Path, tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text('{"t3.new.np": 1}')
    before = blank_template.read_bytes()
    said = refused("fill", blank_template, "--values", values, "-o", blank_template)
    assert f"要写入的{blank_template}是本次读取的文件{blank_template}" in said
    assert blank_template.read_bytes() == before


def test_a_template_over_last_years_file_is_refused(tmp_path: Path) -> None:
    """Last year's report saved under the name this year's template gets."""
    out = tmp_path / "模板"
    out.mkdir()
    last = out / template_filename(YEAR, fx.UNIT.code, fx.UNIT.name)
    fx.filled(last, year=YEAR - 1)
    before = last.read_bytes()
    said = refused("template", "--year", YEAR, "--previous", last, "-o", out)
    assert f"要写入的{last}是本次读取的文件{last}" in said
    assert last.read_bytes() == before


def test_inputs_at_finds_what_resolves_to_the_target(inbox: Path, tmp_path: Path) -> None:
    target = inbox / f"{fx.UNIT.code}.xlsx"
    (tmp_path / "链接.xlsx").symlink_to(target)
    assert inputs_at(target, [inbox]) == [target]
    assert inputs_at(target, [tmp_path / "链接.xlsx", tmp_path / "不存在.xlsx"]) == [tmp_path / "链接.xlsx"]
    assert inputs_at(tmp_path / "新.xlsx", [inbox]) == []
