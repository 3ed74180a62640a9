"""tianbao import: published reports (HTML, Word, PDF, text) into tianbao workbooks."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tianbao.cli.common import EXIT_INVALID, EXIT_OK, JobsOpt, PasswordOpt, console, progress_bar, user_errors


class ImportFormat(StrEnum):
    auto = "auto"
    f2021 = "2021"
    f2019 = "2019"


def import_(
    reports: Annotated[
        list[Path],
        typer.Argument(
            help="公布的年度报告（.html、.htm、.docx、.pdf、.txt、.md）或文件夹（可给多个）。",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="输出文件夹：每份报告一个工作簿。")],
    year: Annotated[
        int | None,
        typer.Option("--year", help="报告年度（默认：从报告标题或统计期限中识别）。", min=2000, max=2100),
    ] = None,
    unit_code: Annotated[
        str, typer.Option("--unit-code", help="单位代码（报告中没有；给出时用于每份报告）。")
    ] = "",
    unit_name: Annotated[
        str | None, typer.Option("--unit-name", help="单位名称（默认：从报告标题或落款中识别）。")
    ] = None,
    fmt: Annotated[
        ImportFormat,
        typer.Option("--format", help="报表格式：auto（默认，按表二的栏目识别）、2021 或 2019。"),
    ] = ImportFormat.auto,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出每份报告的导入结果。")] = False,
    password: PasswordOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """把公布的年度报告（网页、Word、PDF、文本）导入为 tianbao 工作簿，再用 check、merge 或 --previous 使用。

    填报单元格按报告原样填写（空白留空，“/”“—”照写）；报告中公布的合计记在“原报告”工作表，check 逐一与按分项
    重新计算的合计核对。无法确定的单元格留空并报告，决不猜测。

    退出码：0 全部导入且没有错误；1 有报告无法导入或有错误；2 用法错误。

    例：tianbao import 公开报告/ -o 导入/ --unit-code 150723107
    """
    from rich.markup import escape

    from tianbao.importing.run import ImportOptions, import_files

    with user_errors():
        options = ImportOptions(year, unit_code.strip(), unit_name, fmt.value, password)
        with progress_bar(enabled=not as_json, label="导入") as progress:
            results = import_files(reports, out, options, jobs=jobs, progress=progress)
    if as_json:
        print(json.dumps({"files": [r.to_dict() for r in results]}, ensure_ascii=False, indent=2))
    else:
        from tianbao.issues import SEVERITY_ZH

        for r in results:
            reading = r.reading
            mark = {
                "accepted": "[green]✓ 已导入[/]",
                "accepted_with_warnings": "[yellow]! 已导入（有警告）[/]",
            }.get(r.status, "[red]✗ 有错误[/]" if r.output else "[red]✗ 未导入[/]")
            where = f" → {escape(r.output)}" if r.output else ""
            console.print(f"{mark}  {escape(reading.path)}{where}")
            if reading.readable:
                c = reading.counts()
                who = escape(reading.unit_name or "单位未知")
                console.print(
                    f"    {who}  {reading.year} 年度  {reading.fmt} 格式  "
                    f"读取 {c['read']} 格，空白 {c['blank']} 格，无法确定 {c['unreadable']} 格"
                )
            for issue in reading.issues:
                color = "red" if issue.is_error else "yellow"
                at = f"{issue.sheet}!{issue.cell} " if issue.sheet and issue.cell else ""
                console.print(
                    f"    [{color}]{SEVERITY_ZH[issue.severity]}[/] {escape(at + issue.message)} [dim]{issue.code}[/]"
                )
        done = sum(1 for r in results if r.output)
        console.print(
            f"[bold]共 {len(results)} 份报告：[/]已导入 {done}，未导入 {len(results) - done}。输出：{escape(str(out))}"
        )
    bad = any(r.status == "rejected" for r in results)
    raise typer.Exit(EXIT_INVALID if bad else EXIT_OK)
