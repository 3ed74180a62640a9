"""tianbao import: published reports (HTML, Word, PDF, text) into tianbao workbooks."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from string import ascii_uppercase
from typing import TYPE_CHECKING, Annotated

import typer

from tianbao.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    JobsOpt,
    MaxFileSizeOpt,
    PasswordOpt,
    console,
    limits_from,
    output_folder,
    progress_bar,
    user_errors,
)
from tianbao.spec import YEARS

if TYPE_CHECKING:
    from tianbao.importing.report import ReportReading
    from tianbao.importing.run import ImportRun
    from tianbao.issues import Issue


class ImportFormat(StrEnum):
    auto = "auto"
    f2021 = "2021"
    f2019 = "2019"


def import_(
    reports: Annotated[
        list[Path],
        typer.Argument(
            help="公布的年度报告（.html、.htm、.docx、.pdf、.txt、.md）或文件夹（可给多个；可含 .zip 压缩包）。",
            metavar="报告或文件夹",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="文件夹", help="输出文件夹：每份报告一个工作簿。")
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="年度",
            help="报告年度（默认：从报告标题或统计期限中识别）。",
            min=YEARS.start,
            max=YEARS.stop - 1,
        ),
    ] = None,
    unit_code: Annotated[
        str,
        typer.Option(
            "--unit-code",
            metavar="代码",
            help="单位代码（报告中没有；给出时用于每份报告）。",
            show_default=False,
        ),
    ] = "",
    unit_name: Annotated[
        str | None,
        typer.Option("--unit-name", metavar="名称", help="单位名称（默认：从报告标题或落款中识别）。"),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster",
            metavar="名单",
            help="单位名单（按报告中的单位名称找到单位代码，供 check、merge 使用）。",
        ),
    ] = None,
    fmt: Annotated[
        ImportFormat,
        typer.Option("--format", help="报表格式：auto（默认，按表二的栏目识别）、2021 或 2019。"),
    ] = ImportFormat.auto,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出每份报告的导入结果。")] = False,
    password: PasswordOpt = None,
    jobs: JobsOpt = None,
    max_file_size: MaxFileSizeOpt = None,
) -> None:
    """把公布的年度报告（网页、Word、PDF、文本）导入为 tianbao 工作簿，再用 check、merge 或 --previous 使用。

    填报单元格按报告原样填写（空白留空，“/”“—”照写）。报告中公布的合计记在“原报告”工作表，由 check 核对。

    无法确定的单元格留空并报告，决不猜测。

    退出码：0 全部导入且没有错误；1 有报告无法导入或有错误；2 用法错误。

    例：tianbao import 公开报告/ -o 导入/ --roster 名单.csv
    """
    from tianbao.importing.run import ImportOptions, import_files
    from tianbao.roster import load_roster

    with user_errors():
        output_folder(out)
        limits = limits_from(max_file_size, None, None, None)
        units = load_roster(roster) if roster is not None else None
        options = ImportOptions(year, unit_code.strip(), unit_name, fmt.value, password, limits, units)
        with progress_bar(enabled=not as_json, label="导入") as progress:
            run = import_files(reports, out, options, jobs=jobs, progress=progress)
    if as_json:
        print(json.dumps(run.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print(run, out)
    bad = any(r.status == "rejected" for r in run.results)
    raise typer.Exit(EXIT_INVALID if bad else EXIT_OK)


def _print(run: ImportRun, out: Path) -> None:
    from rich.markup import escape

    from tianbao.issues import SEVERITY_ZH

    for r in run.results:
        reading = r.reading
        mark = {
            "accepted": "[green]✓ 已导入[/]",
            "accepted_with_warnings": "[yellow]! 已导入（有警告）[/]",
        }.get(r.status, "[red]✗ 已导入（有错误）[/]" if r.output else "[red]✗ 未导入[/]")
        where = f" → {escape(r.output)}" if r.output else ""
        console.print(f"{mark}  {escape(reading.path)}{where}")
        if reading.readable:
            c = reading.counts()
            who = escape(reading.unit_name or "单位未知")
            console.print(
                f"    {who}  {reading.year} 年度  {reading.fmt} 格式  "
                f"读取 {c['read']} 格，空白 {c['blank']} 格，无法确定 {c['unreadable']} 格"
            )
        for group in _grouped(reading):
            issue = group[0]
            color = "red" if issue.is_error else "yellow"
            if len(group) > 1:  # the cells of one row left blank for one reason: one line
                assert reading.spec is not None and issue.cell_id is not None
                row = reading.spec.cells[issue.cell_id].label.split(" / ")[0]
                reason = reading.unreadable[issue.cell_id]
                text = f"{issue.sheet}!{issue.cell}:{group[-1].cell} “{row}”{len(group)} 格无法确定：{reason}，已留空。"
            else:
                at = f"{issue.sheet}!{issue.cell} " if issue.sheet and issue.cell else ""
                text = at + issue.message
            console.print(
                f"    [{color}]{SEVERITY_ZH[issue.severity]}[/] {escape(text)} [dim]{issue.code}[/]"
            )
    for ignored in run.ignored:
        console.print(f"[dim]- 已忽略  {escape(ignored.path)}：{escape(ignored.reason)}[/]")
    written = run.written
    console.print(
        f"[bold]共 {len(run.results)} 份报告：[/]已导入 {written}，未导入 {len(run.results) - written}。"
        f"输出：{escape(str(out))}"
    )


def _grouped(reading: ReportReading) -> list[list[Issue]]:
    """The issues in order, the `import-unreadable` ones of one row of a sheet and one reason together."""
    groups: list[list[Issue]] = []

    def row(issue: Issue) -> tuple[str | None, str, str] | None:
        if issue.code != "import-unreadable" or issue.cell_id not in reading.unreadable:
            return None
        return issue.sheet, (issue.cell or "").lstrip(ascii_uppercase), reading.unreadable[issue.cell_id]

    for issue in reading.issues:
        key = row(issue)
        if groups and key is not None and row(groups[-1][0]) == key:
            groups[-1].append(issue)
        else:
            groups.append([issue])
    return groups
