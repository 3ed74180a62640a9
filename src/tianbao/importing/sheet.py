"""The 原报告 sheet of an imported workbook: where the report came from, the totals it printed, and what could
not be read. Written by `tianbao import`, read back by `tianbao check` (which compares each printed total with
the one recomputed from the parts, and repeats the import's issues). Its layout is here and nowhere else.

Rows: the title; a key/value line per fact of the source (文件, SHA-256, 类型, 标题, 格式); a header and a row per
computed cell of the spec (cell id, sheet, cell, label, the total as printed, the recomputed total as a formula);
a header and a row per issue of the import (code, severity, cell id, sheet, cell, message).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from tianbao.amounts import TOLERANCE
from tianbao.issues import CATALOGUE, SEVERITY_ZH, Issue, make
from tianbao.reading.backend import RawWorkbook
from tianbao.reading.model import Submission
from tianbao.reading.plan import Plan
from tianbao.reading.values import parse_text
from tianbao.spec import Spec, fmt_number
from tianbao.spec.layout import a1, cell_boxes

SOURCE_SHEET = "原报告"
FACTS = ("文件", "SHA-256", "类型", "标题", "格式")
TOTALS_HEADER = ("单元格编号", "工作表", "单元格", "项目", "报告中公布的数值", "按分项重新计算")
ISSUES_HEADER = ("代码", "级别", "单元格编号", "工作表", "单元格", "说明")
FIRST_FACT_ROW = 1
COLUMNS = len(TOTALS_HEADER)
WIDTHS = (16, 8, 8, 50, 16, 16)  # characters, a width per column
# Issues of an import that `check` repeats (the others concern the report file, not the workbook).
REPEATED = frozenset({"import-unreadable", "import-table-missing", "format-outdated"})


def totals_row(spec: Spec) -> int:
    return FIRST_FACT_ROW + len(FACTS) + 1


def issues_row(spec: Spec) -> int:
    return totals_row(spec) + 1 + len(spec.computed_ids) + 1


def extent(spec: Spec) -> frozenset[tuple[int, int]]:
    """The cells `check` reads from the sheet: every one an import can write."""
    last = issues_row(spec) + 1 + len(spec.cells) + 8
    return frozenset((r, c) for r in range(last + 1) for c in range(COLUMNS))


@dataclass
class Source:
    facts: dict[str, str] = field(default_factory=dict)  # 文件, SHA-256, … → text
    published: dict[str, str | None] = field(default_factory=dict)  # computed cell id → as printed
    issues: list[Issue] = field(default_factory=list)  # the import's issues that check repeats


def write_sheet(
    ctx: Any, spec: Spec, facts: Mapping[str, str], published: Mapping[str, str | None], issues: list[Issue]
) -> None:
    """Add the sheet to a workbook being written (`ctx`: the template writer's context)."""
    ws = ctx.workbook.add_worksheet(SOURCE_SHEET)
    st = ctx.styles
    ctx.page(ws, WIDTHS)  # printed as every sheet of the workbook (tianbao.template.page)
    ws.merge_range(0, 0, 0, COLUMNS - 1, "原报告：导入来源、报告中公布的合计和导入时的问题", st["title"])
    for i, key in enumerate(FACTS):
        ws.write_string(FIRST_FACT_ROW + i, 0, key, st["header"])
        ws.merge_range(FIRST_FACT_ROW + i, 1, FIRST_FACT_ROW + i, COLUMNS - 1, "", st["row_label"])
        ws.write_string(FIRST_FACT_ROW + i, 1, facts.get(key, ""), st["row_label"])
    row = totals_row(spec)
    for c, text in enumerate(TOTALS_HEADER):
        ws.write_string(row, c, text, st["header"])
    boxes = cell_boxes(spec)
    for cell_id in spec.computed_ids:
        row += 1
        sheet, box = boxes[cell_id]
        ref = a1(box.row, box.col)
        for c, text in enumerate(
            (cell_id, sheet, ref, spec.cells[cell_id].label, published.get(cell_id) or "")
        ):
            ws.write_string(row, c, text, st["row_label"])
        ws.write_formula(row, COLUMNS - 1, f"='{sheet}'!{ref}", st["computed"], "")
    row = issues_row(spec)
    for c, text in enumerate(ISSUES_HEADER):
        ws.write_string(row, c, text, st["header"])
    for issue in issues:
        if issue.code not in REPEATED:
            continue
        row += 1
        texts = (
            issue.code,
            SEVERITY_ZH[issue.severity],
            issue.cell_id or "",
            issue.sheet or "",
            issue.cell or "",
            issue.message,
        )
        for c, text in enumerate(texts):
            ws.write_string(row, c, text, st["row_label"])
    ws.freeze_panes(totals_row(spec) + 1, 0)
    ctx.protect(ws)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(spec: Spec, raw: RawWorkbook) -> Source:
    """The sheet of an imported workbook as `check` finds it (the reader fetched `extent`)."""
    out = Source()

    def text(row: int, col: int) -> str:
        return _text(raw.cell(SOURCE_SHEET, row, col).value)

    for i, key in enumerate(FACTS):
        out.facts[key] = text(FIRST_FACT_ROW + i, 1)
    row = totals_row(spec) + 1
    while (cell_id := text(row, 0)) in spec.cells:
        if spec.cells[cell_id].computed:
            out.published[cell_id] = text(row, 4) or None
        row += 1
    row = issues_row(spec) + 1
    while (code := text(row, 0)) in REPEATED:
        t = CATALOGUE[code]
        at = text(row, 2)
        out.issues.append(
            Issue(
                code,
                t.severity,
                text(row, 5),
                at if at in spec.cells else None,
                text(row, 3) or None,
                text(row, 4) or None,
                t.hint,
            )
        )
        row += 1
    return out


def total_issues(
    spec: Spec, source: Source, recomputed: Mapping[str, Any], skip: AbstractSet[str]
) -> list[Issue]:
    """`published-total-mismatch` for every printed total that differs from the recomputed one. `skip`: the
    totals whose parts could not be used (unreadable, not numbers): their sums are not known."""
    out: list[Issue] = []
    boxes = cell_boxes(spec)
    for cell_id in spec.computed_ids:
        printed = source.published.get(cell_id)
        if printed is None or cell_id in skip:
            continue
        parsed = parse_text(printed, spec.cells[cell_id].type)
        if parsed is None:
            continue
        value = float(recomputed[cell_id])
        if abs(parsed[0] - value) <= TOLERANCE:
            continue
        sheet, box = boxes[cell_id]
        out.append(
            make(
                "published-total-mismatch",
                cell_id=cell_id,
                sheet=sheet,
                cell=a1(box.row, box.col),
                label=spec.cells[cell_id].full_label,
                published=printed,
                recomputed=fmt_number(value),
            )
        )
    return out


def imported_issues(
    sub: Submission, plan: Plan, raw: RawWorkbook, recomputed: Mapping[str, Any]
) -> list[Issue]:
    """What `check` adds for an imported workbook. A cell the import could not read (or of a table the report
    lacks) that is still blank is a value that cannot be used (moved from `sub.blank` to `sub.invalid`, so
    that no check runs over it and last year's data leaves it out), and the import's issue is said again; a
    cell filled in since (after looking at the report) is an ordinary value. Then `published-total-mismatch`
    for every printed total that differs from the one recomputed from the parts."""
    spec = plan.spec
    source = read_sheet(spec, raw)
    blank = set(sub.blank)
    out: list[Issue] = []
    lost: set[str] = set()
    for issue in source.issues:
        if issue.code == "import-table-missing":
            cells = {c.id for t in spec.tables if t.sheet == issue.sheet for c in spec.table_cells(t.id)}
            still = {c for c in cells if c in blank}
        elif issue.cell_id is not None and spec.cells[issue.cell_id].computed:
            out.append(issue)  # a printed total not read: it is not compared
            continue
        else:
            still = {issue.cell_id} & blank if issue.cell_id else set()
        if issue.code == "format-outdated" or still:
            out.append(issue)
            lost |= still
    if lost:
        sub.blank[:] = [c for c in sub.blank if c not in lost]
        sub.invalid.extend(sorted(lost))
    skip = spec.unusable(set(sub.invalid))
    return [*out, *total_issues(spec, source, recomputed, skip)]
