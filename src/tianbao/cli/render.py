"""Readable Chinese output of a report, laid out for the terminal's width (tianbao.cli.layout): a block per
file, the files ignored, the summary (counted by file), and with a roster the roll-call (counted by unit).
Text from the files (paths, unit names, messages quoting cells) is escaped: “[/]” in a cell is shown, never
taken as markup; a file name that is not UTF-8 is shown legibly (`legible_path`)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from tianbao.cli.layout import hanging, joined, pad, terminal_width, width, wrap
from tianbao.fileio import legible_path
from tianbao.issues import SEVERITY_ZH, Issue
from tianbao.validation.report import STATUS_ZH, FileReport, Report

STATUS_STYLE = {
    "accepted": ("✓", "green"),
    "accepted_with_warnings": ("!", "yellow"),
    "rejected": ("✗", "red"),
}
ROLL_STYLE = {"已通过": "green", "有警告": "yellow", "退回": "red", "名单外": "red", "未报送": "bold red"}
NARROW = 24  # below this many columns for the text beside the level and place, issues are stacked


def say(console: Console, text: str, *, keep: Sequence[str] = (), style: str = "", indent: int = 0) -> None:
    """Print `text` wrapped to the terminal, never inside a word, a path or anything in `keep`."""
    total = terminal_width()
    for line in wrap(text, total - indent, total - indent - 2, keep=keep):
        shown = escape(line)
        console.print(" " * indent + (f"[{style}]{shown}[/]" if style else shown), soft_wrap=True)


def file_lines(f: FileReport, total: int) -> list[str]:
    """The heading of a file's block: verdict, path, unit, year — each part whole, as many on a line as fit."""
    mark, color = STATUS_STYLE[f.status]
    sub = f.submission
    status = f"{mark} {STATUS_ZH[f.status]}"
    parts = [status, legible_path(f.path)]
    if sub.unit_name or sub.unit_code:
        parts.append(f"{sub.unit_name or ''}（{sub.unit_code or '无代码'}）")
    if sub.year:
        parts.append(f"{sub.year} 年度")
    lines = [escape(line) for line in joined(parts, total)]
    lines[0] = f"[bold {color}]{escape(status)}[/]" + lines[0][len(escape(status)) :]
    return lines


def _styled(text: str, style: str) -> str:
    return f"[{style}]{escape(text)}[/]" if style and text.strip() else escape(text)


def issue_lines(issues: Sequence[Issue], total: int) -> list[str]:
    """Each issue: its level and place on the left (the code below them), the message and the fix (→) beside
    them; stacked under the level when the terminal is too narrow for that."""
    places = [f"{i.sheet}!{i.cell}" if i.sheet and i.cell else (i.sheet or "") for i in issues]
    left = max([width(p) for p in places] + [width(i.code) for i in issues])
    avail = total - (2 + 4 + 2 + left + 2)
    lines: list[str] = []
    for issue, place in zip(issues, places, strict=True):
        level = _styled(SEVERITY_ZH[issue.severity], "red" if issue.is_error else "yellow")
        if avail < NARROW:
            lines.append(
                f"  {level}  "
                + "  ".join(_styled(t, st) for t, st in ((place, ""), (issue.code, "dim")) if t)
            )
            lines.extend(f"    {escape(t)}" for t in wrap(issue.message, total - 4))
            if issue.hint:
                lines.extend(f"    {_styled(t, 'dim')}" for t in hanging("→ ", issue.hint, total - 4))
            continue
        body = [(t, "") for t in wrap(issue.message, avail)]
        if issue.hint:
            body += [(t, "dim") for t in hanging("→ ", issue.hint, avail)]
        side = [(t, st) for t, st in ((place, ""), (issue.code, "dim")) if t]
        for k in range(max(len(body), len(side))):
            cell, cell_style = side[k] if k < len(side) else ("", "")
            text, text_style = body[k] if k < len(body) else ("", "")
            head = f"  {level}  " if k == 0 else " " * 8
            line = head + _styled(pad(cell, left) if text else cell, cell_style)
            lines.append(line + (f"  {_styled(text, text_style)}" if text else ""))
    return lines


def files_line(report: Report) -> str:
    """The summary of the check, counted by file (say so: merge counts units)."""
    s = report.summary()
    return (
        f"共检查 {s['files']} 个文件（按文件计）：通过 {s['accepted']}，有警告 {s['accepted_with_warnings']}，"
        f"退回 {s['rejected']}（错误 {s['errors']} 项，警告 {s['warnings']} 项）。"
    )


def print_report(console: Console, report: Report, verbose: bool = True) -> None:
    total = terminal_width()
    if report.year_assumed and report.year is not None:
        others = sum(1 for f in report.files if any(i.code == "year-mismatch" for i in f.issues))
        note = f"，{others} 个文件是其他年度（警告）" if others else ""
        say(console, f"没有给出 --year：按多数文件的年度 {report.year} 年度检查{note}。", style="yellow")
        console.print()
    blank = True  # whether the last line printed was blank
    for f in report.files:
        for line in file_lines(f, total):
            console.print(line, soft_wrap=True)
        blank = False
        if f.issues and verbose:
            for line in issue_lines(f.issues, total):
                console.print(line, soft_wrap=True)
            console.print()
            blank = True
    if report.archives or report.ignored:
        if not blank:
            console.print()
        for a in report.archives:
            shown = legible_path(a.path)
            say(console, f"压缩包 {shown}：其中 {len(a.members)} 个文件已逐个检查（见上）。", keep=[shown])
        if report.ignored:
            say(console, f"已忽略 {len(report.ignored)} 个不是报表的文件（不计入检查结果）：")
            for i in report.ignored:
                shown = legible_path(i.path)
                say(console, f"{shown}（{i.reason}）", keep=[shown], indent=2)
        blank = False
    if not blank:
        console.print()
    say(console, files_line(report), style="bold")
    if report.roll_call is not None:
        console.print()
        print_roll_call(console, report.roll_call)


def units_line(call) -> str:  # type: ignore[no-untyped-def]
    """The roll-call's counts of roster units (by unit), and of the files that match no roster unit."""
    units = call.units
    counts: dict[str, int] = {}
    for r in units:
        counts[r.status] = counts.get(r.status, 0) + 1
    order = ("已通过", "有警告", "退回", "已含于汇总表", "未报送")
    shown = "，".join(f"{s} {counts[s]}" for s in order if counts.get(s))
    return f"报送情况（按单位计，名单中 {len(units)} 个单位）：{shown}。"


def print_roll_call(console: Console, call) -> None:  # type: ignore[no-untyped-def]
    """Every roster unit with its state and files; then the files that match no roster unit."""
    total = terminal_width()
    say(console, units_line(call), style="bold")
    _rows(console, call.units, total)
    others = [r for r in call.rows if not r.on_roster]
    if others:
        console.print()
        say(console, f"另有 {len(others)} 个文件不计入名单中的单位（按文件计）：")
        _rows(console, others, total)


def _rows(console: Console, rows, total: int) -> None:  # type: ignore[no-untyped-def]
    """A line per row — code, name, state, files; files that do not fit beside go below, under the name."""
    if not rows:
        return
    code_w = max(width(r.unit_code or "—") for r in rows)
    status_w = max(width(r.status) for r in rows)
    name_w = min(max(width(r.unit_name or "（无单位）") for r in rows), max(total - code_w - status_w - 8, 8))
    under = 2 + code_w + 2
    at = under + name_w + 2 + status_w + 2
    for r in rows:
        names = wrap(r.unit_name or "（无单位）", name_w)
        files = list(r.file_names)
        beside = bool(files) and total - at >= width(files[0])
        status = _styled(pad(r.status, status_w) if beside else r.status, ROLL_STYLE.get(r.status, ""))
        head = f"  {escape(pad(r.unit_code or '—', code_w))}  {escape(pad(names[0], name_w))}  {status}"
        console.print(f"{head}  {escape(files.pop(0))}" if beside else head, soft_wrap=True)
        for extra in names[1:]:
            console.print(f"{' ' * under}{escape(extra)}", soft_wrap=True)
        for name in files:  # whole, on a line of its own
            console.print(f"{' ' * under}{escape(name)}", soft_wrap=True)
