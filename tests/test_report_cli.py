"""`tianbao report` as a user runs it: a page and a Word document for each workbook that passed the check,
none for one sent back (with the reason, in Chinese), the county's report from a consolidated workbook,
the text of another workbook (--text), placeholders listed, earlier outputs never taken as inputs, the same
bytes whatever the order of the inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import make_fixtures as fx
import pytest
from typer.testing import CliRunner

from tianbao.cli.main import app

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "submissions"
ROSTER = REPO / "samples" / "roster.csv"
NUOMIN = SAMPLES / "诺敏镇2022年政务公开报表.xlsx"
TITLE = "鄂伦春自治旗诺敏镇人民政府2022年政府信息公开工作年度报告"
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["report", *args])


def test_a_whole_report_from_a_sample(tmp_path: Path) -> None:
    result = run(str(NUOMIN), "--year", "2022", "--roster", str(ROSTER), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{TITLE}.docx", f"{TITLE}.html"]
    html = (tmp_path / f"{TITLE}.html").read_text("utf-8")
    assert "本年度未收到政府信息公开申请，未发生行政复议和行政诉讼。" in html and "待填写" not in html
    assert "✓ 已生成" in result.stdout and "共 1 个文件：生成 1 份报告，未生成 0 份。" in result.stdout
    d = docx.Document(str(tmp_path / f"{TITLE}.docx"))
    assert d.paragraphs[-1].text == "2023年1月12日"


def test_only_the_formats_asked_for(tmp_path: Path) -> None:
    assert run(str(NUOMIN), "--html", "-o", str(tmp_path / "h")).exit_code == 0
    assert [p.suffix for p in (tmp_path / "h").iterdir()] == [".html"]
    assert run(str(NUOMIN), "--docx", "-o", str(tmp_path / "d")).exit_code == 0
    assert [p.suffix for p in (tmp_path / "d").iterdir()] == [".docx"]


def test_a_rejected_workbook_gets_no_report(tmp_path: Path) -> None:
    bad = fx.filled(tmp_path / "in" / "bad.xlsx", {"t3.fwd.np": 2})  # H3 broken
    good = fx.filled(tmp_path / "in" / "good.xlsx", unit=fx.OTHER)
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "✗ 未生成" in result.stderr and "bad.xlsx" in result.stderr
    assert "勾稽关系不成立" in result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "阿里河镇人民政府2025年政府信息公开工作年度报告.docx",
        "阿里河镇人民政府2025年政府信息公开工作年度报告.html",
    ]
    assert bad.exists() and good.exists()  # inputs are left as they were


def test_missing_text_is_listed(tmp_path: Path) -> None:
    path = fx.filled(
        tmp_path / "t.xlsx", {"text.overview.active": "主动公开了。", "text.problems": "有问题。"}
    )
    result = run(str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert (
        "未填写，报告中以【待填写】标出（8 处）：开头·报告下载、开头·联系方式、一、总体情况（二）依申请公开"
        in result.stderr
    )


def test_a_workbook_of_before_renders_with_placeholders(tmp_path: Path) -> None:
    result = run(str(REPO / "tests" / "data" / "text" / "before-text-sheet.xlsx"), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "工作簿没有“正文”工作表" in result.stderr
    html = (tmp_path / "诺敏镇人民政府2025年政府信息公开工作年度报告.html").read_text("utf-8")
    assert html.count('<span class="tianbao-missing">') == 6


def test_the_county_s_report_from_a_consolidated_workbook(tmp_path: Path) -> None:
    county = tmp_path / "汇总.xlsx"
    merged = runner.invoke(
        app,
        [
            "merge",
            str(SAMPLES),
            "--year",
            "2022",
            "--roster",
            str(ROSTER),
            "--unit-name",
            "鄂伦春自治旗",
            "-o",
            str(county),
        ],
    )
    assert merged.exit_code in (0, 1), merged.output
    text = fx.filled(
        tmp_path / "county-text.xlsx",
        {"text.problems": "全旗的问题。", "text.overview.active": "全旗主动公开。"},
        year=2022,
    )
    result = run(str(county), "--text", str(text), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "鄂伦春自治旗2022年政府信息公开工作年度报告.html").read_text("utf-8")
    assert "全旗的问题。" in html
    # the county's numbers: the sums of the accepted units (阿里河镇 6 + 教育局 4 + 政数局 3 + …)
    from tianbao.reading import read_submission

    sub = read_submission(county)
    assert 'data-table="t3"' in html and sub.values["t3.new.np"] is not None


def test_text_needs_one_workbook(tmp_path: Path) -> None:
    result = run(str(SAMPLES), "--text", str(NUOMIN), "-o", str(tmp_path))
    assert result.exit_code == 2 and "--text 只能用于一个工作簿" in result.stderr


def test_text_must_have_a_text_sheet(tmp_path: Path) -> None:
    result = run(
        str(NUOMIN),
        "--text",
        str(REPO / "tests" / "data" / "text" / "before-text-sheet.xlsx"),
        "-o",
        str(tmp_path),
    )
    assert result.exit_code == 2 and "没有可用的“正文”工作表" in result.stderr


def test_of_a_draft_and_the_final_version_the_final_is_published(tmp_path: Path) -> None:
    """merge's duplicate rule: the newer 填报日期 wins, whatever the file names or their order."""
    folder = REPO / "tests" / "data" / "merge" / "duplicate-superseded"
    result = run(str(folder), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "✗ 未生成" in result.stderr and "诺敏镇-初稿.xlsx" in result.stderr
    assert "另有更新的报表 诺敏镇-终稿.xlsx" in result.stderr
    assert "✓ 已生成  " in result.stdout and "诺敏镇-终稿.xlsx →" in result.stdout
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_two_copies_of_one_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(NUOMIN, folder / "a.xlsx")
    shutil.copy(NUOMIN, folder / "b.xlsx")
    result = run(str(folder), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "内容相同（同一单位重复报送）" in result.stderr
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_two_units_of_one_name(tmp_path: Path) -> None:
    """Two unit codes, one name: the second report would overwrite the first, and is refused."""
    fx.filled(tmp_path / "in" / "a.xlsx")
    fx.filled(tmp_path / "in" / "b.xlsx", unit=fx.Unit("150723999", fx.UNIT.name, fx.UNIT.type, None, 0))
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert "a.xlsx 的报告同名" in result.stderr, result.output
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_earlier_reports_in_the_input_folder_are_no_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(NUOMIN, folder / "诺敏镇.xlsx")
    out = folder / "报告"
    assert run(str(folder), "-o", str(out)).exit_code == 0
    again = run(str(folder), "-o", str(out))
    assert again.exit_code == 0, again.output
    assert "共 1 个文件" in again.stdout


def test_the_same_bytes_in_any_order(tmp_path: Path) -> None:
    files = [
        SAMPLES / "诺敏镇2022年政务公开报表.xlsx",
        SAMPLES / "鄂伦春自治旗教育局 2022年度政府信息公开年报统计表.xlsx",
    ]
    a, b = tmp_path / "a", tmp_path / "b"
    assert run(*map(str, files), "-o", str(a)).exit_code == 0
    assert run(*map(str, reversed(files)), "-o", str(b)).exit_code == 0
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and len(names) == 4
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def test_help_is_chinese() -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0 and "生成可以发布的政府信息公开工作年度报告" in result.output


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_an_unwritable_output_is_a_chinese_error(tmp_path: Path, fmt: str) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(str(NUOMIN), f"--{fmt}", "-o", str(blocker / "sub"))
    assert result.exit_code == 2 and "错误：" in result.stderr and "Traceback" not in result.output


def test_the_output_must_be_a_folder(tmp_path: Path) -> None:
    """Said before any file is read."""
    existing = tmp_path / "报告.html"
    existing.write_text("x")
    result = run(str(NUOMIN), "-o", str(existing))
    assert result.exit_code == 2 and "是一个文件，这里要给出保存输出的文件夹" in result.stderr
    result = run(str(NUOMIN), "-o", str(tmp_path / "报告.xlsx"))
    assert result.exit_code == 2 and "像是一个文件名" in result.stderr
    assert not (tmp_path / "报告.xlsx").exists()


def test_a_report_that_cannot_be_rendered_stops_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tianbao.report.publish as publish

    real = publish.report_docx

    def failing(doc):  # type: ignore[no-untyped-def]
        if doc.title_text.startswith("阿里河镇"):
            raise ValueError("unexpected")
        return real(doc)

    monkeypatch.setattr(publish, "report_docx", failing)
    fx.filled(tmp_path / "in" / "a.xlsx", unit=fx.OTHER)
    fx.filled(tmp_path / "in" / "b.xlsx")
    result = run(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "a.xlsx：生成报告时出错" in result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"诺敏镇人民政府2025年政府信息公开工作年度报告{s}" for s in (".docx", ".html")]
