"""What `check --feedback` sends back to the units: 退回修改 only for files that were 退回, 核实 for files
accepted with warnings (only with --feedback-warnings), a fresh template of the right year and format for a
file made from the wrong one; every copy a genuine template, its cover saying what it is, when, why and what
to do; names that never collide; the same files and date give the same bytes, in any order."""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from consolidation_data import CONTACT, YEAR, balanced, make_file
from tianbao.cli.main import app
from tianbao.options import CheckOptions
from tianbao.roster import Unit, load_roster
from tianbao.spec import load_spec
from tianbao.spec.layout import COVER_SHEET
from tianbao.template.cover import NOTICE_ROW
from tianbao.template.styles import ERROR_FILL, INPUT_FILL, WARNING_FILL
from tianbao.validation import check_files
from tianbao.validation.feedback import FRESH, RETURN, VERIFY, FeedbackOptions, write_feedback_copies

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
DATA = REPO / "tests" / "data"
DATE = "2026-01-20"
runner = CliRunner()


def check(*args: str) -> object:
    return runner.invoke(app, ["check", *args, "--jobs", "1", "--feedback-date", DATE])


def notice(path: Path) -> str:
    """The text at the top of a copy's cover ("" when it has none)."""
    wb = openpyxl.load_workbook(path)
    try:
        return str(wb[COVER_SHEET].cell(NOTICE_ROW + 1, 1).value or "")
    finally:
        wb.close()


def samples_feedback(out: Path, *extra: str) -> tuple[object, Path]:
    args = [str(SAMPLES / "submissions"), "--year", "2022", "--roster", str(SAMPLES / "roster.csv")]
    result = check(*args, "--feedback", str(out), *extra)
    return result, out


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    """`check samples --feedback` (the samples are checked once for the tests that read the copies)."""
    return samples_feedback(tmp_path_factory.mktemp("feedback") / "反馈")


def test_return_copies_only_for_returned_files_and_fresh_templates_for_the_wrong_ones(
    returned: tuple[object, Path],
) -> None:
    result, out = returned
    assert result.exit_code == 1
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "150723102_乌鲁布铁镇人民政府_退回修改.xlsx",  # 表三 unbalanced
        "150723103_甘河镇人民政府_退回修改.xlsx",  # a total typed over
        "150723106_宜里镇人民政府_退回修改.xlsx",  # “不详” for a number
        "150723202_鄂伦春自治旗自然资源局_2022年度新模板_请重新填写.xlsx",  # last year's template
        "150723203_鄂伦春自治旗卫生健康委员会_2022年度新模板_请重新填写.xlsx",  # the 2019 format
        "150723299_鄂伦春自治旗乡村振兴局_退回修改.xlsx",  # not in the roster
    ]  # none for the files accepted with warnings; none for 说明.txt (no unit, no year of its own)
    assert f"已生成 6 份反馈工作簿（退回修改 4 份，新模板 2 份）：{out}" in result.output  # type: ignore[attr-defined]


def test_feedback_warnings_adds_a_notice_to_verify(tmp_path: Path) -> None:
    result, out = samples_feedback(tmp_path / "反馈", "--feedback-warnings")
    verify = sorted(p.name for p in out.glob("*_核实.xlsx"))
    assert verify == [
        "150723101_大杨树镇人民政府_核实.xlsx",
        "150723104_吉文镇人民政府_核实.xlsx",
        "150723105_克一河镇人民政府_核实.xlsx",
        "150723108_托扎敏乡人民政府_核实.xlsx",
        "150723201_鄂伦春自治旗教育局_核实.xlsx",  # its 正文 states 5 applications, 表三 4
        "150723204_鄂伦春自治旗市场监督管理局_核实.xlsx",
    ]
    assert "已生成 12 份反馈工作簿（退回修改 4 份，核实 6 份，新模板 2 份）" in result.output  # type: ignore[attr-defined]
    text = notice(out / verify[0])
    assert text.startswith("请核实（2026 年 1 月 20 日）\n")
    assert (
        "大杨树镇人民政府报送的“大杨树镇 政务公开统计表 2022.xlsx”已通过检查，但有需要核实的地方：警告 1 项。"
        in text
    )
    assert "确实无误的，无需处理。" in text
    assert "退回" not in text


def test_the_cover_says_returned_when_why_and_what_to_do(returned: tuple[object, Path]) -> None:
    _, out = returned
    text = notice(out / "150723102_乌鲁布铁镇人民政府_退回修改.xlsx")
    assert text == (
        "退回修改（2026 年 1 月 20 日）\n"
        "乌鲁布铁镇人民政府报送的“乌鲁布铁镇2022年度报表.xlsx”未通过检查，已退回：错误 2 项。\n"
        "请先看“问题清单”工作表，逐项改正：红色单元格是错误，必须改正；橙色单元格是警告，请核实（确实无误的可以不改）。"
        "选中单元格可以看到批注中的问题和修改方法。\n"
        "本文件是按本单位的模板重新生成的，已填入原来报送的数字。改正后填写封面的填报日期，保存后报送本文件。"
    )
    fresh = notice(out / "150723202_鄂伦春自治旗自然资源局_2022年度新模板_请重新填写.xlsx")
    assert fresh.startswith("请用本模板重新填写（2026 年 1 月 20 日）\n")
    assert (
        "鄂伦春自治旗自然资源局报送的“自然资源局2022年报表(1).xlsx”不能使用：这是 2021 年度的模板，本次收集的是 2022 年度。"
        in fresh
    )


def test_a_fresh_template_is_a_blank_template_of_the_right_year_and_format(
    returned: tuple[object, Path],
) -> None:
    _, out = returned
    fresh = out / "150723203_鄂伦春自治旗卫生健康委员会_2022年度新模板_请重新填写.xlsx"
    wb = openpyxl.load_workbook(fresh)
    assert "问题清单" not in wb.sheetnames  # nothing of the old file to correct: fill it in anew
    assert wb["表二"]["B4"].value == "本年制发件数"  # the 2021 format, not the 2019 one the unit used
    wb.close()
    options = CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1)
    again = check_files([fresh], options).report.files[0]
    assert again.submission.spec is load_spec("2021")
    assert (again.submission.unit_code, again.submission.year) == ("150723203", 2022)
    assert {i.code for i in again.issues} == {"table-empty", "meta-missing"}  # blank, the right template


@pytest.mark.parametrize(
    ("on_disk", "shown"),
    [
        ("自制报表.xlsx", "自制报表"),
        # A zip made on Windows names its files in GBK; Word's line break (U+000B) may end up in a name.
        (os.fsdecode("自制\x0b报表".encode("gbk") + b".xlsx"), "自制 报表"),
    ],
)
def test_a_file_not_made_from_a_template_gets_a_blank_template(
    tmp_path: Path, on_disk: str, shown: str
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(DATA / "not-a-template.xlsx", inbox / on_disk)
    out = tmp_path / "反馈"
    result = check(str(inbox), "--year", "2025", "--feedback", str(out))
    assert result.exit_code == 1
    (copy,) = out.iterdir()
    assert copy.name == f"{shown}_2025年度新模板_请重新填写.xlsx"
    assert f"本单位报送的“{shown}.xlsx”不能使用：" in notice(copy)


def test_a_file_of_another_year_than_the_one_assumed_is_verified_not_replaced(tmp_path: Path) -> None:
    # Without --year, check takes the year most files carry: a file of another year is accepted with a
    # warning (the collection may be of its year), so it gets a 核实 copy of its own year, not a new template.
    spec = load_spec("2021")
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, name in enumerate(["阿里河镇", "古里乡"]):
        unit = Unit(f"15072310{i}", f"{name}人民政府", "乡镇", "150723", i)
        make_file(spec, inbox, f"{name}.xlsx", unit, balanced(i))
    last_year = Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 3)
    make_file(spec, inbox, "诺敏镇.xlsx", last_year, balanced(3), year=YEAR - 1)
    out = tmp_path / "反馈"
    result = check(str(inbox), "--feedback", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert not out.exists() or not list(out.iterdir())
    result = check(str(inbox), "--feedback", str(out), "--feedback-warnings")
    (copy,) = out.iterdir()
    assert copy.name == "150723107_诺敏镇人民政府_核实.xlsx"
    assert "诺敏镇人民政府报送的“诺敏镇.xlsx”已通过检查，但有需要核实的地方：警告 1 项。" in notice(copy)
    wb = openpyxl.load_workbook(copy)
    listed = {str(c.value) for row in wb["问题清单"].iter_rows() for c in row if c.value is not None}
    wb.close()
    assert (
        f"这是 {YEAR - 1} 年度的模板，多数文件是 {YEAR} 年度（没有给出 --year，按 {YEAR} 年度检查）。"
        in listed
    )
    again = check_files([copy], CheckOptions(jobs=1)).report.files[0].submission
    assert again.year == YEAR - 1


def two_files_of_one_unit(folder: Path) -> list[Path]:
    spec = load_spec("2021")
    unit = Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 1)
    files = []
    for i, name in enumerate(["诺敏镇.xlsx", "诺敏镇（第二次）.xlsx"]):
        values = {**balanced(i), **CONTACT, "t3.fwd.np": 99}  # H3 fails: both returned
        files.append(make_file(spec, folder, name, unit, values))
    sub = folder / "微信"  # and a third, of the same name in another folder
    sub.mkdir()
    files.append(shutil.copy2(files[0], sub / "诺敏镇.xlsx"))
    return files


def test_two_files_of_one_unit_get_two_names(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    two_files_of_one_unit(inbox)
    out = tmp_path / "反馈"
    result = check(str(inbox), "--year", str(YEAR), "--feedback", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 3
    assert "已生成 3 份反馈工作簿（退回修改 3 份）" in result.output  # type: ignore[attr-defined]
    assert "150723107_诺敏镇人民政府_退回修改（诺敏镇（第二次））.xlsx" in names
    same_stem = [n for n in names if n.startswith("150723107_诺敏镇人民政府_退回修改（诺敏镇）_")]
    assert len(same_stem) == 2  # told apart by a digest of content and path


def test_same_files_and_date_give_the_same_bytes_in_any_order(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    files = two_files_of_one_unit(inbox)
    roster = load_roster(SAMPLES / "roster.csv")

    def write(order: list[Path], folder: str, date: dt.date) -> dict[str, bytes]:
        run = check_files(order, CheckOptions(year=YEAR, jobs=1))
        options = FeedbackOptions(tmp_path / folder, warnings=True, date=date)
        written = write_feedback_copies(
            run.spec, [f.submission for f in run.report.files], options, year=YEAR, roster=roster
        )
        return {f.path.name: f.path.read_bytes() for f in written}

    first = write(files, "a", dt.date(2026, 1, 20))
    assert write(list(reversed(files)), "b", dt.date(2026, 1, 20)) == first
    later = write(files, "c", dt.date(2026, 1, 21))
    assert later.keys() == first.keys() and all(later[k] != first[k] for k in first)  # the date is in them


def test_a_date_that_is_not_one_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", str(tmp_path), "--feedback", str(tmp_path / "f"), "--feedback-date", "下周一"]
    )
    assert result.exit_code == 2
    assert "--feedback-date 的值无效：无法识别的日期“下周一”，应写作如 2026-01-20" in result.output


def test_return_copy_cells_comments_and_kinds(tmp_path: Path) -> None:
    roster = load_roster(SAMPLES / "roster.csv")
    run = check_files(
        [SAMPLES / "submissions" / "克一河镇政务公开年报（2022）.xlsx"],
        CheckOptions(year=2022, roster=roster, jobs=1),
    )
    subs = [f.submission for f in run.report.files]
    assert (
        write_feedback_copies(run.spec, subs, FeedbackOptions(tmp_path / "a"), year=2022, roster=roster) == []
    )
    (copy,) = write_feedback_copies(
        run.spec, subs, FeedbackOptions(tmp_path / "b", warnings=True, date=dt.date(2026, 1, 20)), year=2022
    )
    assert copy.kind == VERIFY and {RETURN, VERIFY, FRESH} == {"退回修改", "核实", "新模板"}
    wb = openpyxl.load_workbook(copy.path)
    marked = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.comment is not None and ws.title != COVER_SHEET
    ]
    assert marked and all(c.fill.fgColor.rgb.endswith(WARNING_FILL[1:]) for c in marked)
    assert all("【警告】" in c.comment.text and "修改方法：" in c.comment.text for c in marked)
    issues = wb["问题清单"]
    assert issues["A2"].value.startswith(
        "克一河镇人民政府报送的“克一河镇政务公开年报（2022）.xlsx”的全部问题（警告 2 项）"
    )


def _lab(hex_colour: str) -> tuple[float, float, float]:
    """CIELAB of an sRGB colour (D65)."""
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _hue(hex_colour: str) -> float:
    _, a, b = _lab(hex_colour)
    return math.degrees(math.atan2(b, a)) % 360


@pytest.mark.parametrize("other", [INPUT_FILL, ERROR_FILL])
def test_warning_cells_look_unlike_input_cells_and_errors(other: str) -> None:
    """The warning colour is told apart at a glance: far in CIELAB (ΔE > 40) and of another hue (> 25°)."""
    delta = math.dist(_lab(WARNING_FILL), _lab(other))
    assert delta > 40, (WARNING_FILL, other, delta)
    assert abs(_hue(WARNING_FILL) - _hue(other)) > 25, (WARNING_FILL, other)
