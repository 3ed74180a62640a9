"""The 问题清单 sheet, written once for the 退回修改 copy (one file's issues) and the consolidated workbook
(every file's): a title and a line saying what is listed, then a row per issue — Chinese columns first, the
code last — wrapped to be read on A4, filterable, in one order (errors first, then by sheet and cell)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tianbao.issues import SEVERITY_ZH, Issue
from tianbao.spec.compiled import Spec
from tianbao.spec.layout import CHECK_SHEET, COVER_SHEET, cell_boxes
from tianbao.template.context import Context
from tianbao.template.page import DEFAULT_ROW_PT, row_height

ISSUES_SHEET = "问题清单"
HEADER_ROW = 2  # the title (row 0) and what is listed (row 1) above it


@dataclass(frozen=True)
class IssueEntry:
    """An issue as listed; `file` and the unit for a list of several files' issues."""

    issue: Issue
    file: str = ""
    unit_code: str = ""
    unit_name: str = ""


# (header, width, wrapped) of each column; the source columns only in a list of several files.
_SOURCE = [("文件", 22.0, True), ("单位代码", 11.0, False), ("单位名称", 18.0, True)]
_ISSUE = [("级别", 6.0, False), ("工作表", 8.0, False), ("单元格", 7.0, False)]
_TEXT = [("问题", 50.0, True), ("如何修改", 38.0, True), ("代码", 20.0, False)]


def issue_order(spec: Spec) -> Callable[[Issue], tuple[object, ...]]:
    """The sort key of issues: errors first, then the sheets in workbook order, then row and column."""
    sheets = {s: i for i, s in enumerate([COVER_SHEET, *(t.sheet for t in spec.tables), CHECK_SHEET])}
    boxes = cell_boxes(spec)

    def key(issue: Issue) -> tuple[object, ...]:
        box = boxes[issue.cell_id][1] if issue.cell_id in boxes else None
        return (
            not issue.is_error,
            sheets.get(issue.sheet or "", -1),
            issue.sheet or "",
            box.row if box else -1,
            box.col if box else -1,
            issue.code,
        )

    return key


def counts_text(issues: Sequence[Issue]) -> str:
    """“错误 2 项，警告 3 项” (the severities present)."""
    found = Counter(i.severity for i in issues)
    return (
        "，".join(f"{SEVERITY_ZH[s]} {found[s]} 项" for s in ("error", "warning") if found[s]) or "没有问题"
    )


def write_issue_sheet(ctx: Context, entries: Sequence[IssueEntry], intro: str, *, sources: bool) -> None:
    """问题清单 after the sheets written so far. `intro`: the line under the title; `sources`: list each
    issue's file and unit (several files' issues)."""
    ws = ctx.workbook.add_worksheet(ISSUES_SHEET)
    st = ctx.styles
    columns = [("序号", 5.0, False), *(_SOURCE if sources else []), *_ISSUE, *_TEXT]
    widths = [w for _, w, _ in columns]
    last_col = len(columns) - 1
    ws.set_row(0, 24)
    ws.merge_range(0, 0, 0, last_col, ISSUES_SHEET, st["title"])
    ws.set_row(1, row_height([(intro, sum(widths))]))
    height = 24 + row_height([(intro, sum(widths))]) + DEFAULT_ROW_PT  # of the rows so far
    ws.merge_range(1, 0, 1, last_col, intro, st["note"])
    for col, (header, _, _) in enumerate(columns):
        ws.write_string(HEADER_ROW, col, header, st["header"])
    for n, entry in enumerate(entries, start=1):
        issue = entry.issue
        source = [entry.file, entry.unit_code, entry.unit_name] if sources else []
        texts = [
            *source,
            SEVERITY_ZH[issue.severity],
            issue.sheet or "",
            issue.cell or "",
            issue.message,
            issue.hint or "",
            issue.code,
        ]
        r = HEADER_ROW + n
        # Set, because LibreOffice keeps the default height of a row whose text wraps.
        tall = row_height([(t, w) for t, (_, w, wrap) in zip(texts, columns[1:], strict=True) if wrap])
        ws.set_row(r, tall)
        height += tall
        ws.write_number(r, 0, n, st["list_number"])
        for col, (text, (_, _, wrap)) in enumerate(zip(texts, columns[1:], strict=True), start=1):
            ws.write_string(r, col, text, st["row_label" if wrap else "list_text"])
    last = HEADER_ROW + max(len(entries), 1)
    level = 1 + (len(_SOURCE) if sources else 0)
    for severity, style in (("error", "bad_text"), ("warning", "warn_text")):
        rule = {"type": "cell", "criteria": "==", "value": f'"{SEVERITY_ZH[severity]}"', "format": st[style]}
        ws.conditional_format(HEADER_ROW + 1, level, last, level, rule)
    ws.autofilter(HEADER_ROW, 0, last, last_col)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ctx.page(ws, widths, repeat_rows=(HEADER_ROW, HEADER_ROW), height=height)
    ctx.protect(ws, filters=True)
