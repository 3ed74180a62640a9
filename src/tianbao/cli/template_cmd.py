"""tianbao template: write the blank template, or one per unit of a roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tianbao.cli.common import DEFAULT, FormatOpt, PasswordOpt, RosterOpt, YearOpt, console, user_errors
from tianbao.roster import load_roster
from tianbao.spec import load_spec
from tianbao.template import TemplateOptions, template_filename, write_template


def template(
    year: YearOpt,
    out: Annotated[Path, typer.Option("-o", "--out", help="输出文件夹。")],
    roster: RosterOpt = None,
    password: PasswordOpt = None,
    fmt: FormatOpt = DEFAULT,
) -> None:
    """生成加锁、带戳记的填报模板：不给名单时生成一份空白模板，给名单时为每个单位生成一份。

    例：tianbao template --year 2025 --roster samples/roster.csv -o 模板
    """
    with user_errors():
        spec = load_spec(fmt)
        out.mkdir(parents=True, exist_ok=True)
        if roster is None:
            target = out / template_filename(year)
            stamp = write_template(spec, target, TemplateOptions(year=year, password=password))
            console.print(f"已生成空白模板：{target}（模板编号 {stamp.serial}）")
            return
        units = load_roster(roster)
        for unit in units:
            target = out / template_filename(year, unit.code, unit.name)
            write_template(spec, target, TemplateOptions(year=year, unit=unit, password=password))
        console.print(f"已为 {len(units)} 个单位生成模板，保存在 {out}")
