"""Terminal output laid out by display width (tianbao.cli.layout): check's report and the codes catalogue at
80 and 60 columns, exactly; lines never break inside a word, a number, a path, or after “→ ”."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidation_data import COUNTY, balanced, make_file
from tianbao.cli.layout import hanging, width, wrap
from tianbao.cli.main import app
from tianbao.issues import catalogue_rows
from tianbao.roster import Unit
from tianbao.spec import load_spec

B = Unit("150723101", "大杨树镇人民政府", "乡镇", COUNTY, 3)
runner = CliRunner()

AT_80 = """\
✗ 退回  回收/大杨树镇 政务公开统计表 2025.xlsx  大杨树镇人民政府（150723101）
    2025 年度
  警告  表二!B9            “表二 行政许可 / 本年处理决定数量”填写为“5件”，按 5
        value-unit-suffix  读取。
                           → 只填写数字，不要带“件”“万元”等单位。
  错误  表三!D6            表三“自然人”列勾稽关系不成立：
        rule-H3            第一项加第二项之和为 8，第三项（七）
                           总计加第四项之和为 9，相差 -1。
                           → 请核对本列的新收、上年结转、
                             各项办理结果和结转下年度继续办理的数字，
                             使两边相等。
  错误  表三!J6            表三“总计”列勾稽关系不成立：第一项加第二项之和为 23，
        rule-H3            第三项（七）总计加第四项之和为 24，相差 -1。
                           → 请核对本列的新收、上年结转、
                             各项办理结果和结转下年度继续办理的数字，
                             使两边相等。

共检查 1 个文件（按文件计）：通过 0，有警告 0，退回 1（错误 2 项，警告 1 项）。
"""
AT_60 = """\
✗ 退回  回收/大杨树镇 政务公开统计表 2025.xlsx
    大杨树镇人民政府（150723101）  2025 年度
  警告  表二!B9            “表二 行政许可 /
        value-unit-suffix  本年处理决定数量”填写为“5件”，
                           按 5 读取。
                           → 只填写数字，不要带“件”“万元”
                             等单位。
  错误  表三!D6            表三“自然人”列勾稽关系不成立：
        rule-H3            第一项加第二项之和为 8，第三项
                           （七）总计加第四项之和为 9，
                           相差 -1。
                           → 请核对本列的新收、上年结转、
                             各项办理结果和
                             结转下年度继续办理的数字，
                             使两边相等。
  错误  表三!J6            表三“总计”列勾稽关系不成立：
        rule-H3            第一项加第二项之和为 23，第三项
                           （七）总计加第四项之和为 24，
                           相差 -1。
                           → 请核对本列的新收、上年结转、
                             各项办理结果和
                             结转下年度继续办理的数字，
                             使两边相等。

共检查 1 个文件（按文件计）：通过 0，有警告 0，退回 1
（错误 2 项，警告 1 项）。
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    values = dict(balanced(2))
    values["t3.fwd.np"] = (values["t3.fwd.np"] or 0) + 1
    values["t2.licensing.decisions"] = "5件"
    (tmp_path / "回收").mkdir()
    make_file(load_spec("2021"), tmp_path / "回收", "大杨树镇 政务公开统计表 2025.xlsx", B, values)
    monkeypatch.chdir(tmp_path)
    return Path("回收")


@pytest.mark.parametrize(("columns", "expected"), [(80, AT_80), (60, AT_60)])
def test_check_report_at_80_and_60_columns(folder: Path, columns: int, expected: str) -> None:
    result = runner.invoke(app, ["check", str(folder), "--year", "2025"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 1
    assert result.output == expected
    assert max(width(line) for line in result.output.splitlines()) <= columns


@pytest.mark.parametrize("columns", [80, 60, 40])
def test_codes_are_never_cut(columns: int) -> None:
    result = runner.invoke(app, ["codes"], env={"COLUMNS": str(columns)})
    lines = result.output.splitlines()
    assert max(width(line) for line in lines) <= columns
    assert "…" not in result.output
    text = "".join(lines).replace(" ", "")
    for code, severity, title, hint in catalogue_rows():
        assert f"{code}{severity}{title}→{hint}".replace(" ", "") in text, code


def test_codes_at_80_columns() -> None:
    lines = runner.invoke(app, ["codes"], env={"COLUMNS": "80"}).output.splitlines()
    assert lines[:9] == [
        "代码、级别、问题，→ 如何修改：",
        "",
        "  file-unreadable            错误  文件无法读取",
        "                             → 请检查文件是否存在、是否有读取权限，",
        "                               或重新复制一份。",
        "  file-empty                 错误  文件是空的",
        "                             → 请让填报单位重新发送文件。",
        "  file-too-large             错误  文件过大",
        "                             → 报表文件通常不到 1 MB，请确认发来的是填报模板；",
    ]  # the code column as wide as the longest code (import-unit-not-in-roster) and two spaces


def test_wrap_by_display_width_and_natural_breaks() -> None:
    text = "请核对单位代码；如是新增单位，请先把它加入名单。"
    assert wrap(text, 20) == ["请核对单位代码；", "如是新增单位，", "请先把它加入名单。"]  # not “名/单”
    assert all(width(line) <= 20 for line in wrap(text, 20))
    # The arrow stays with its text; the hanging lines are indented under the text.
    assert hanging("→ ", "只填写数字，不要带“件”“万元”等单位。", 20) == [
        "→ 只填写数字，不要带",
        "  “件”“万元”等单位。",
    ]
    assert all(line.strip() != "→" for w in (4, 6, 9) for line in hanging("→ ", "只填写数字。", w))
    # Closing punctuation never starts a line, opening punctuation never ends one.
    for line in wrap("第三项（七）总计加第四项之和为 9，相差 1。文件“甲”与“乙”不同。", 12):
        assert line[0] not in "，。）”" and line[-1] not in "（“"


def test_paths_and_words_are_never_broken() -> None:
    path = "回收/微信接收/政数局 政府信息公开统计表.xlsx"
    lines = wrap(f"已写入汇总表：{path}，请查看。", 30, keep=[path])
    assert any(path in line for line in lines)
    assert wrap("选项 --max-shared-strings 的值无效", 14) == ["选项", "--max-shared-strings", "的值无效"]
    assert wrap("表二!B16 与 t3.new.np 不同", 8) == ["表二!B16", "与", "t3.new.np", "不同"]
