"""The season as a county clerk meets it on the command line: the roll-call at the end of check, merge naming
the units that sent nothing, which count is of files and which of units, the year assumed without --year, the
usage errors before any work (-o, --unit-name, an empty folder), fill's errors in Chinese, --help in Chinese
command by command, and output laid out for 80 and 60 columns."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidation_data import COUNTY, YEAR, balanced, make_file
from tianbao.cli.main import app
from tianbao.roster import Unit, write_roster
from tianbao.spec import load_spec

SPEC = load_spec("2021")
A = Unit("150723100", "阿里河镇人民政府", "乡镇", COUNTY, 2)
B = Unit("150723101", "大杨树镇人民政府", "乡镇", COUNTY, 3)
D = Unit("150723109", "古里乡人民政府", "乡镇", COUNTY, 5)
runner = CliRunner()


def invoke(*args: str, columns: int = 80):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("season")
    folder = root / "回收"
    folder.mkdir()
    make_file(SPEC, folder, "阿里河镇.xlsx", A, balanced(1))
    bad = dict(balanced(2))
    bad["t3.fwd.np"] = (bad["t3.fwd.np"] or 0) + 1
    make_file(SPEC, folder, "大杨树镇.xlsx", B, bad)
    write_roster(root / "名单.csv", [A, B, D])
    return folder


def test_check_ends_with_the_roll_call_and_says_what_it_counts(inbox: Path) -> None:
    roster = str(inbox.parent / "名单.csv")
    result = invoke("check", str(inbox), "--year", str(YEAR), "--roster", roster)
    assert result.exit_code == 1
    tail = result.output[result.output.index("共检查") :]
    assert tail == (
        "共检查 2 个文件（按文件计）：通过 1，有警告 0，退回 1（错误 2 项，警告 0 项）。\n"
        "\n"
        "报送情况（按单位计，名单中 3 个单位）：已通过 1，退回 1，未报送 1。\n"
        "  150723100  阿里河镇人民政府  已通过  阿里河镇.xlsx\n"
        "  150723101  大杨树镇人民政府  退回    大杨树镇.xlsx\n"
        "  150723109  古里乡人民政府    未报送\n"
    )


def test_merge_names_the_units_that_sent_nothing(inbox: Path, tmp_path: Path) -> None:
    roster = str(inbox.parent / "名单.csv")
    out = tmp_path / "汇总.xlsx"
    result = invoke(
        "merge",
        str(inbox),
        "--year",
        str(YEAR),
        "--roster",
        roster,
        "--unit-name",
        "鄂伦春自治旗",
        "-o",
        str(out),
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        f"鄂伦春自治旗（{COUNTY}）{YEAR} 年度汇总：计入 1 个单位（按单位计）。",
        "共检查 2 个文件（按文件计）：通过 1，有警告 0，退回 1（错误 2 项，警告 0 项）。",
        "报送情况（按单位计，名单中 3 个单位）：已通过 1，退回 1，未报送 1。",
        "未报送（1 个单位）：古里乡人民政府（150723109）",
    ]


def test_without_year_the_year_most_files_carry_is_checked(inbox: Path, tmp_path: Path) -> None:
    folder = tmp_path / "回收"
    shutil.copytree(inbox, folder)
    make_file(SPEC, folder, "古里乡.xlsx", D, balanced(3), year=YEAR - 1)  # last year's template
    result = invoke("check", str(folder), "--json")
    data = json.loads(result.stdout)
    assert (data["year"], data["year_assumed"]) == (YEAR, True)
    old = next(f for f in data["files"] if f["path"].endswith("古里乡.xlsx"))
    assert old["status"] == "accepted_with_warnings"
    assert old["issues"][0] | {"cell_id": None} == {
        "code": "year-mismatch",
        "severity": "warning",
        "message": f"这是 {YEAR - 1} 年度的模板，多数文件是 {YEAR} 年度（没有给出 --year，按 {YEAR} 年度检查）。",
        "cell_id": None,
        "sheet": None,
        "cell": None,
        "hint": f"如本次收集的是 {YEAR - 1} 年度，请用 --year {YEAR - 1} 重新检查；否则请使用 {YEAR} 年度的模板重新填写。",
    }
    shown = invoke("check", str(folder), columns=120)
    assert shown.output.startswith(
        f"没有给出 --year：按多数文件的年度 {YEAR} 年度检查，1 个文件是其他年度（警告）。\n"
    )
    given = json.loads(invoke("check", str(folder), "--year", str(YEAR), "--json").stdout)
    old = next(f for f in given["files"] if f["path"].endswith("古里乡.xlsx"))
    assert (old["status"], given["year_assumed"]) == ("rejected", False)


def test_a_tie_of_years_goes_to_the_later_year(tmp_path: Path) -> None:
    make_file(SPEC, tmp_path / "in", "a.xlsx", A, balanced(1)) if (tmp_path / "in").mkdir() is None else None
    make_file(SPEC, tmp_path / "in", "b.xlsx", B, balanced(2), year=YEAR - 1)
    data = json.loads(invoke("check", str(tmp_path / "in"), "--json").stdout)
    assert data["year"] == YEAR


@pytest.mark.parametrize("command", ["check", "template"])
def test_impossible_years_are_refused_as_template_refuses_them(command: str, tmp_path: Path) -> None:
    args = [command, str(tmp_path)] if command == "check" else [command, "-o", str(tmp_path / "模板")]
    result = invoke(*args, "--year", "25")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "错误：--year 的值无效：应不小于 2000"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("输出", "错误：-o {p} 是一个文件夹，这里要给出写入的工作簿文件"),
        ("汇总", "错误：-o {p} 没有扩展名"),
        ("汇总.xls", "错误：-o {p}：tianbao 写出的是 .xlsx 工作簿，不能写成旧版 Excel 的 .xls"),
        ("汇总.csv", "错误：-o {p} 的扩展名是 .csv，tianbao 写出的是 .xlsx 工作簿"),
    ],
)
def test_output_that_is_no_workbook_is_a_usage_error_before_any_work(
    name: str, message: str, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "输出").mkdir()
    target = tmp_path / name
    from tianbao.validation import run as run_module

    monkeypatch.setattr(run_module, "read_all", lambda *a, **k: pytest.fail("read before the usage error"))
    for args in (
        ["merge", str(inbox), "--year", str(YEAR), "--unit", COUNTY, "--unit-name", "旗", "-o", str(target)],
        ["fill", str(next(inbox.glob("*.xlsx"))), "--values", "v.json", "-o", str(target)],
    ):
        result = invoke(*args, columns=300)
        assert result.exit_code == 2, result.output
        assert result.output.splitlines()[0] == message.format(p=target)
    assert not (tmp_path / "汇总").exists() and not (tmp_path / "汇总.xls").exists()


def test_template_output_must_be_a_folder(tmp_path: Path) -> None:
    result = invoke("template", "--year", str(YEAR), "-o", str(tmp_path / "模板.xlsx"), columns=300)
    assert result.exit_code == 2
    assert (
        result.output.splitlines()[0]
        == f"错误：-o {tmp_path / '模板.xlsx'} 像是一个文件名，这里要给出保存输出的文件夹"
    )


def test_merge_asks_for_the_unit_name_instead_of_inventing_one(inbox: Path, tmp_path: Path) -> None:
    result = invoke(
        "merge",
        str(inbox),
        "--year",
        str(YEAR),
        "--unit",
        COUNTY,
        "-o",
        str(tmp_path / "汇总.xlsx"),
        columns=300,
    )
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"错误：无法确定汇总单位 {COUNTY} 的名称（名单中没有这个代码的单位）",
        "提示：请用 --unit-name 给出汇总单位的名称，如 --unit-name 鄂伦春自治旗；它会写入汇总表封面的单位名称",
    ]
    assert not (tmp_path / "汇总.xlsx").exists()


@pytest.mark.parametrize("command", ["check", "merge", "report"])
def test_an_empty_folder_has_nothing_to_check(command: str, tmp_path: Path) -> None:
    (tmp_path / "空").mkdir()
    extra = {
        "merge": ["--year", str(YEAR), "-o", str(tmp_path / "汇总.xlsx")],
        "report": ["-o", str(tmp_path / "年度报告")],
    }
    args = [command, str(tmp_path / "空"), *extra.get(command, [])]
    result = invoke(*args, columns=300)
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "错误：没有可检查的文件"
    (tmp_path / "空" / "desktop.ini").write_text("[.ShellClassInfo]", encoding="utf-8")
    result = invoke(*args, columns=300)
    assert result.output.splitlines()[0] == (
        f"错误：没有可检查的文件：找到的 1 个文件都不是报表，已忽略：{tmp_path / '空' / 'desktop.ini'}（Windows 的文件夹设置）"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"t3.new.np": 3,}',
            "错误：数值文件 {p} 不是有效的 JSON：第 1 行第 17 列，单元格编号要用英文双引号括起来",
        ),
        (
            b"{'t3.new.np': 3}",
            "错误：数值文件 {p} 不是有效的 JSON：第 1 行第 2 列，单元格编号要用英文双引号括起来",
        ),
        (b'{"t3.new.np" 3}', "错误：数值文件 {p} 不是有效的 JSON：第 1 行第 14 列，这里缺少英文冒号"),
        ('{"meta.filled_by": "张三"}'.encode("gbk"), "错误：数值文件 {p} 不是 UTF-8 编码"),
    ],
)
def test_fill_errors_are_chinese(content: bytes, message: str, inbox: Path, tmp_path: Path) -> None:
    values = tmp_path / "数值.json"
    values.write_bytes(content)
    template = next(inbox.glob("*.xlsx"))
    result = invoke(
        "fill", str(template), "--values", str(values), "-o", str(tmp_path / "x.xlsx"), columns=300
    )
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == message.format(p=values)


def test_fill_says_why_a_template_cannot_be_opened(tmp_path: Path) -> None:
    values = tmp_path / "数值.json"
    values.write_text("{}", encoding="utf-8")
    for name, data, why in (
        (
            "模板.xlsx",
            b"a,b\r\n1,2\r\n",
            "这不是 Excel 工作簿（.xlsx）：这是文本文件（可能是 CSV 改了扩展名）",
        ),
        ("模板.xlsx", b"PK\x03\x04broken", "工作簿已损坏，无法读取：文件不完整（可能是传输或复制时中断了）"),
    ):
        (tmp_path / name).write_bytes(data)
        result = invoke(
            "fill", str(tmp_path / name), "--values", str(values), "-o", str(tmp_path / "x.xlsx"), columns=300
        )
        assert result.exit_code == 2
        assert result.output.splitlines()[0] == f"错误：模板 {tmp_path / name} 无法打开：{why}"
    missing = invoke(
        "fill",
        str(tmp_path / "无.xlsx"),
        "--values",
        str(values),
        "-o",
        str(tmp_path / "x.xlsx"),
        columns=300,
    )
    assert missing.output.splitlines()[0] == f"错误：模板 {tmp_path / '无.xlsx'} 无法打开：文件或文件夹不存在"


# Words in --help that are not Chinese but tianbao's own: names of programs, formats and units of size, and the
# example paths of the texts.
PROPER = {
    "tianbao",
    "Excel",
    "WPS",
    "JSON",
    "CSV",
    "CPU",
    "MB",
    "BOM",
    "UTF",
    "Parquet",
    "Markdown",
    "README",
}
PROPER |= {"xlsx", "csv", "zip", "json", "null", "fast", "openpyxl", "samples", "roster", "values"}
PROPER |= {
    "Word",
    "PDF",
    "html",
    "htm",
    "docx",
    "pdf",
    "txt",
    "md",
    "auto",
}  # import's and report's kinds of file
ENGLISH = (
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Show",
    "message",
    "exit",
    "default",
    "required",
    "range",
    "list",
    "Path",
    "str",
    "int",
)


@pytest.mark.parametrize(
    "command",
    [[], ["template"], ["fill"], ["check"], ["merge"], ["import"], ["report"], ["codes"], ["serve"]],
)
@pytest.mark.parametrize("columns", [80, 60])
def test_help_is_chinese(command: list[str], columns: int) -> None:
    result = invoke(*command, "--help", columns=columns)
    assert result.exit_code == 0
    text = result.output
    assert text.startswith(f"用法：tianbao {' '.join(command) + ' ' if command else ''}[选项]")
    assert "选项：\n" in text and "  --help" in text and "显示本说明并退出。" in text
    names = set(re.findall(r"--?[a-z][a-z-]*", text))
    bare = re.sub(r"--?[a-z][a-z-]*|\b[HS]\d\b|\b[A-Z]:\\", " ", text)  # options, rules (S1), drives (D:\)
    words = set(re.findall(r"[A-Za-z]+", bare))
    commands = {"template", "fill", "check", "merge", "import", "report", "codes", "serve", "j", "o"}
    assert words - PROPER - commands == set(), (words - PROPER - commands, names)
    assert not words & set(ENGLISH) and "Show this message" not in text
    assert all(len(line) <= columns for line in text.splitlines() if line.isascii())
    from tianbao.cli.layout import width

    assert max(width(line) for line in text.splitlines()) <= columns


def test_help_marks_required_defaults_and_ranges_in_chinese() -> None:
    text = invoke("check", "--help", columns=100).output
    assert "  文件或文件夹...  报表文件或文件夹（可给多个；可含 .zip 压缩包）。［必填］" in text
    assert "［默认：2021］" in text and "［2000–2100］" in text and "［不小于 1］" in text
    assert "--year 年度" in text and "--roster 名单" in text and "--max-file-size 大小" in text
