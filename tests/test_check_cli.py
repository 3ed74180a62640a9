"""`tianbao check` as a user runs it: verdicts, --json equal to the library report, exit codes, 退回修改 copies."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from consolidation_data import balanced
from tianbao.cli.main import app
from tianbao.filling import fill_template
from tianbao.options import CheckOptions
from tianbao.roster import load_roster
from tianbao.spec import load_spec
from tianbao.template.styles import ERROR_FILL, WARNING_FILL
from tianbao.validation import check_files

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "submissions"
ROSTER = REPO / "samples" / "roster.csv"
SPEC = load_spec("2021")
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["check", *args])


def test_json_equals_the_library_report() -> None:
    result = run(str(SAMPLES), "--year", "2022", "--roster", str(ROSTER), "--json", "--jobs", "1")
    assert result.exit_code == 1, result.output
    library = check_files(
        [SAMPLES], CheckOptions(year=2022, roster=load_roster(ROSTER), jobs=1)
    ).report.to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(library, ensure_ascii=False, default=str))
    files = json.loads(result.stdout)["files"]
    assert {f["status"] for f in files} == {"accepted", "accepted_with_warnings", "rejected"}
    assert all(
        set(i) >= {"code", "severity", "cell_id", "sheet", "cell", "message"}
        for f in files
        for i in f["issues"]
    )


def test_exit_code_is_0_when_nothing_is_rejected(unit_template: Path, tmp_path: Path) -> None:
    good = tmp_path / "诺敏镇.xlsx"
    fill_template(unit_template, {**balanced(1), "meta.filled_by": "张三", "meta.phone": "123"}, good)
    result = run(str(good), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "✓ 通过" in result.output
    assert "共检查 1 个文件（按文件计）：通过 1，有警告 0，退回 0（错误 0 项，警告 0 项）。" in result.output


def test_readable_report_names_the_cell_and_the_fix(unit_template: Path, tmp_path: Path) -> None:
    values = {**balanced(1), "meta.filled_by": "张三", "meta.phone": "123"}
    values["t3.fwd.np"] = float(values["t3.fwd.np"]) + 2
    bad = tmp_path / "诺敏镇.xlsx"
    fill_template(unit_template, values, bad)
    result = run(str(bad), "--year", "2025")
    assert result.exit_code == 1
    out = result.output
    assert "✗ 退回" in out and "诺敏镇人民政府（150723107）" in out
    assert "表三!D6" in out
    assert "表三“自然人”列勾稽关系不成立" in out
    assert "rule-H3" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/folder"], "找不到文件或文件夹：/no/such/folder"),
        (["--format", "2017", "x"], "未知的报表格式“2017”"),
    ],
)
def test_misuse_exits_with_2_and_a_chinese_message(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output.replace("\n", "")


def test_an_empty_folder_is_misuse(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.exit_code == 2
    assert "没有可检查的文件" in result.output


def test_feedback_copy_marks_the_cells_and_is_itself_a_template(unit_template: Path, tmp_path: Path) -> None:
    values = {**balanced(2), "meta.filled_by": "张三", "meta.phone": "123"}
    values["t3.fwd.np"] = float(values["t3.fwd.np"]) + 1
    values["t2.penalty.decisions"] = "3件"
    values["t3.r2.ce"] = None
    bad = tmp_path / "in" / "诺敏镇.xlsx"
    bad.parent.mkdir()
    fill_template(unit_template, values, bad)
    before = bad.read_bytes()
    out = tmp_path / "退回"
    result = run(str(bad), "--year", "2025", "--feedback", str(out))
    assert result.exit_code == 1
    assert bad.read_bytes() == before  # the town's file is never modified
    (copy,) = out.iterdir()
    assert copy.name == "150723107_诺敏镇人民政府_退回修改.xlsx"
    wb = openpyxl.load_workbook(copy)
    t3, t2 = wb["表三"], wb["表二"]
    assert t3["D6"].comment is not None and "勾稽关系不成立" in t3["D6"].comment.text
    assert "修改方法：请核对本列的新收" in t3["D6"].comment.text  # the fix, not only the problem
    assert t3["D6"].fill.fgColor.rgb.endswith(ERROR_FILL[1:])  # red: an error
    assert t2["B12"].value == 3 and "填写为“3件”" in t2["B12"].comment.text  # parsed value, orange warning
    assert t2["B12"].fill.fgColor.rgb.endswith(WARNING_FILL[1:])
    assert "未填写" in t3["E9"].comment.text
    assert wb.sheetnames[:2] == ["封面", "问题清单"]  # the list comes first after the cover
    issues = wb["问题清单"]
    assert issues["A1"].value == "问题清单"
    assert [c.value for c in issues[3]] == ["序号", "级别", "工作表", "单元格", "问题", "如何修改", "代码"]
    codes = {row[6] for row in issues.iter_rows(min_row=4, values_only=True)}
    assert codes == {"rule-H3", "value-unit-suffix", "value-blank"}
    # The copy is a genuine template of the unit: checking it finds only what is still wrong: H3 and the
    # blank cell (“3件” was prefilled as the number 3 that tianbao read).
    again = check_files([copy], CheckOptions(year=2025, jobs=1)).report.files[0]
    assert [i.code for i in again.issues] == ["value-blank", "rule-H3", "rule-H3"]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_round_trip_valid_values_are_accepted_unchanged(
    blank_template: Path, tmp_path: Path, seed: int
) -> None:
    values = balanced(seed)
    path = tmp_path / f"u{seed}.xlsx"
    fill_template(
        blank_template,
        {
            **values,
            "meta.unit_name": "某镇",
            "meta.unit_code": "1",
            "meta.filled_by": "张三",
            "meta.phone": "1",
        },
        path,
    )
    run_ = check_files([path], CheckOptions(year=2025, jobs=1))
    f = run_.report.files[0]
    assert f.status == "accepted", [i.message for i in f.issues]
    assert {k: v for k, v in f.submission.values.items()} == pytest.approx(
        {k: float(v) for k, v in values.items()}
    )
    totals = run_.validated.values(0)
    assert totals["t3.new.tot"] == sum(
        float(values[f"t3.new.{c}"]) for c in ("np", "ce", "ri", "spo", "lso", "oth")
    )
