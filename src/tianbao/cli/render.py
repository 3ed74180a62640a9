"""Readable Chinese output of a report: a rich table per file and a summary line. Text from the files
(paths, unit names, messages quoting cells) is escaped: “[/]” in a cell is shown, never taken as markup."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tianbao.issues import SEVERITY_ZH
from tianbao.validation.report import STATUS_ZH, FileReport, Report

STATUS_STYLE = {
    "accepted": ("✓", "green"),
    "accepted_with_warnings": ("!", "yellow"),
    "rejected": ("✗", "red"),
}


def file_heading(f: FileReport) -> str:
    mark, color = STATUS_STYLE[f.status]
    sub = f.submission
    who = ""
    if sub.unit_name or sub.unit_code:
        who = f"  {escape(sub.unit_name or '')}（{escape(sub.unit_code or '无代码')}）"
    year = f"  {sub.year} 年度" if sub.year else ""
    return f"[bold {color}]{mark} {STATUS_ZH[f.status]}[/]  {escape(f.path)}{who}{year}"


def print_report(console: Console, report: Report, verbose: bool = True) -> None:
    for f in report.files:
        console.print(file_heading(f))
        if not f.issues or not verbose:
            continue
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
        table.add_column("级别", no_wrap=True)
        table.add_column("位置", no_wrap=True)
        table.add_column("问题", overflow="fold")
        table.add_column("代码", no_wrap=True, style="dim")
        for issue in f.issues:
            color = "red" if issue.is_error else "yellow"
            where = f"{issue.sheet}!{issue.cell}" if issue.sheet and issue.cell else (issue.sheet or "")
            text = escape(issue.message) + (f"\n[dim]→ {escape(issue.hint)}[/]" if issue.hint else "")
            table.add_row(f"[{color}]{SEVERITY_ZH[issue.severity]}[/]", escape(where), text, issue.code)
        console.print(table)
        console.print()
    s = report.summary()
    console.print(
        f"[bold]共 {s['files']} 个文件：[/]通过 {s['accepted']}，有警告 {s['accepted_with_warnings']}，"
        f"退回 {s['rejected']}（错误 {s['errors']} 项，警告 {s['warnings']} 项）。"
    )
