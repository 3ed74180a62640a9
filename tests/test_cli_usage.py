"""Usage errors of the `tianbao` command are said in Chinese, with the usage line, and exit with code 2."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from tianbao.cli.main import app

runner = CliRunner()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["check"], "错误：缺少参数文件或文件夹（报表文件或文件夹"),
        (["merge", "x"], "错误：缺少选项--year（报告年度"),
        (["chek"], "错误：没有这个命令：chek。是否想用check？"),
        (["check", "--bogus", "x"], "错误：没有这个选项：--bogus"),
        (["check", "x", "--year"], "错误：选项--year后面要给出它的值"),
        (["check", "--jobs", "abc", "x"], "错误：--jobs/-j的值无效：应为整数"),
        (["check", "--jobs", "0", "x"], "错误：--jobs/-j的值无效：应不小于1"),
        (["template", "--year", "1990", "-o", "t"], "错误：--year的值无效：应不小于2000"),
        (["check", "x", "--max-file-size", "3q"], "错误：--max-file-size的值无效：无法识别的大小“3q”"),
    ],
)
def test_usage_errors_in_chinese(args: list[str], said: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert said in flat(result.output)
    assert "Error:" not in result.output and "Traceback" not in result.output


def test_usage_error_shows_usage_and_where_help_is() -> None:
    result = runner.invoke(app, ["merge", "x"])
    assert "用法：tianbao merge" in result.output
    assert "运行“tianbao merge --help”查看说明" in result.output


def test_no_arguments_still_show_the_help() -> None:
    result = runner.invoke(app, [])
    assert "tianbao（填报）" in result.output and "check" in result.output


def test_help_and_version_still_exit_0() -> None:
    assert runner.invoke(app, ["check", "--help"]).exit_code == 0
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("tianbao ")
