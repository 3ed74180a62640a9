"""The options of a check run: one object (tianbao.options.CheckOptions) that check_files, merge_files and the
commands share; the commands that check files offer the same options, built once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tianbao.cli.common import CHECK_PARAMETERS
from tianbao.cli.main import app
from tianbao.errors import TianbaoError
from tianbao.options import CheckOptions
from tianbao.reading.model import Limits

runner = CliRunner()


def _options(command: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """The options of a command: parameter name → (flags, help)."""
    group = get_command(app)
    cmd = group.commands[command]  # type: ignore[attr-defined]
    return {p.name: (tuple(p.opts), getattr(p, "help", "")) for p in cmd.params}


def test_check_and_merge_offer_the_same_check_options() -> None:
    check, merge = _options("check"), _options("merge")
    for name in ("year", *CHECK_PARAMETERS):
        assert name in check and name in merge, name
        assert check[name][0] == merge[name][0], name
    assert {n: h for n, (_, h) in check.items() if n in CHECK_PARAMETERS} == {
        n: h for n, (_, h) in merge.items() if n in CHECK_PARAMETERS
    }


def test_every_field_of_the_options_is_documented() -> None:
    doc = CheckOptions.__doc__ or ""
    for f in dataclasses.fields(CheckOptions):
        assert f"`{f.name}`" in doc, f.name


def test_defaults() -> None:
    o = CheckOptions()
    assert (o.year, o.fmt, o.roster, o.previous, o.reader, o.exclude) == (
        None,
        "2021",
        None,
        None,
        "fast",
        (),
    )
    assert o.limits == Limits()
    assert o.processes >= 1 and CheckOptions(jobs=3).processes == 3
    assert o.spec.version == "2021" and CheckOptions(fmt="2019").spec.version == "2019"


def test_excluding_adds_paths() -> None:
    o = CheckOptions(exclude=[Path("a.xlsx")])  # type: ignore[arg-type]
    assert o.exclude == (Path("a.xlsx"),)
    assert o.excluding(["b.xlsx"]).exclude == (Path("a.xlsx"), Path("b.xlsx"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.year = 2025  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"year": 25}, "报告年度 25 不在 2000–2100 之间"),
        ({"reader": "xlrd"}, "未知的读取方式“xlrd”"),
        ({"jobs": 0}, "进程数 0 应在 1–61 之间"),
        ({"jobs": 62}, "进程数 62 应在 1–61 之间"),
        ({"fmt": "2030"}, "未知的报表格式“2030”"),
    ],
)
def test_bad_options_are_usage_errors_in_chinese(fields: dict[str, object], said: str) -> None:
    with pytest.raises(TianbaoError) as exc:
        CheckOptions(**fields)  # type: ignore[arg-type]
    assert said in str(exc.value)


def test_check_rejects_a_two_digit_year(tmp_path: Path) -> None:
    """`--year 25` is not the year 25: check takes the same --year as merge and template."""
    (tmp_path / "a.xlsx").write_bytes(b"")
    result = runner.invoke(app, ["check", str(tmp_path), "--year", "25"])
    assert result.exit_code == 2
    assert result.output.startswith("错误：--year 的值无效：应不小于 2000\n")
