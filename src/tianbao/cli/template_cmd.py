"""tianbao template: write the blank template, or one per unit of a roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tianbao.cli.common import (
    DEFAULT,
    FormatOpt,
    PasswordOpt,
    PreviousOpt,
    RosterOpt,
    YearOpt,
    console,
    fail,
    output_folder,
    previous_of,
    progress_bar,
    user_errors,
)
from tianbao.inputs import require_not_input
from tianbao.pool import MAX_JOBS
from tianbao.reading.previous import Previous
from tianbao.roster import Unit, load_roster
from tianbao.spec import Spec, load_spec
from tianbao.template import TemplateOptions, template_filename, write_template
from tianbao.template.batch import referenced, roster_jobs, write_templates


def template(
    year: YearOpt,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="文件夹", help="输出文件夹。")],
    roster: RosterOpt = None,
    previous: PreviousOpt = None,
    password: PasswordOpt = None,
    fmt: FormatOpt = DEFAULT,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="个数",
            help="给名单时并行生成模板的进程数（默认：全部 CPU 核）。",
            min=1,
            max=MAX_JOBS,
        ),
    ] = None,
    text: Annotated[
        bool,
        typer.Option("--text/--no-text", help="是否包含“正文”工作表（年度报告的文字部分；默认包含）。"),
    ] = True,
) -> None:
    """生成加锁、带戳记的填报模板：不给名单时生成一份空白模板，给名单时为每个单位生成一份。

    给出 --previous 时，模板表三下方显示上年“结转下年度继续办理”，并与本年“上年结转”核对；
    不给名单时，生成上年报表所属单位的模板。

    例：tianbao template --year 2025 --roster samples/roster.csv -o 模板
    """
    with user_errors():
        output_folder(out)
        spec = load_spec(fmt)
        prev = previous_of(previous, fmt, year)
        out.mkdir(parents=True, exist_ok=True)
        if roster is None:
            _single(spec, year, out, password, prev, previous, text)
            return
        units = load_roster(roster)
        work, with_prev = roster_jobs(spec, year, units, out, previous=prev, password=password, text=text)
        for target, _ in work:
            require_not_input(target, [roster, *(previous or ())])
        with progress_bar(label="生成") as progress:
            write_templates(spec, work, processes=jobs, progress=progress)
        note = f"，其中 {with_prev} 个带有上年数据" if prev is not None else ""
        console.print(f"已为 {len(units)} 个单位生成模板{note}，保存在 {escape(str(out))}")


def _single(
    spec: Spec,
    year: int,
    out: Path,
    password: str | None,
    prev: Previous | None,
    source: list[Path] | None,
    text: bool = True,
) -> None:
    """The blank template; with last year's workbook of one unit, that unit's template."""
    if prev is None:
        target = out / template_filename(year)
        stamp = write_template(spec, target, TemplateOptions(year=year, password=password, text=text))
        console.print(f"已生成空白模板：{escape(str(target))}（模板编号 {stamp.serial}）")
        return
    if len(prev.units) != 1:
        shown = "、".join(map(str, source or ()))
        raise fail(f"上年报表 {shown} 含有 {len(prev.units)} 个单位的数据", "请同时用 --roster 给出单位名单")
    last = next(iter(prev.units.values()))
    values = referenced(spec, last.values)
    unit = Unit(last.code, last.name, last.type, None, 0) if last.code else None
    target = out / (template_filename(year, unit.code, unit.name) if unit else template_filename(year))
    require_not_input(target, source or ())
    stamp = write_template(
        spec, target, TemplateOptions(year=year, unit=unit, previous=values, password=password, text=text)
    )
    who = escape(f"{unit.name}（{unit.code}）的") if unit else "空白"
    console.print(f"已生成{who}模板（带上年数据）：{escape(str(target))}（模板编号 {stamp.serial}）")
