"""退回修改 copies: for each file with issues, a fresh template for its unit (never the town's own file,
re-saved), prefilled with the submitted values, problem cells red (errors) or amber (warnings), each with a
comment holding the message, and a 问题清单 sheet listing every issue."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from tianbao.fileio import safe_filename
from tianbao.issues import SEVERITY_ZH, Issue
from tianbao.reading.model import Submission
from tianbao.roster import Roster
from tianbao.spec import Spec
from tianbao.spec.layout import cell_boxes
from tianbao.template.context import Context, Mark, TemplateOptions, UnitLike
from tianbao.template.writer import write_template

ISSUES_SHEET = "问题清单"
BLANK_NOTE = "未填写（空白），汇总时按 0 计算。没有发生请填 0。"


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    type: str


def marks_for(spec: Spec, sub: Submission) -> dict[str, Mark]:
    notes: dict[str, list[str]] = {}
    severity: dict[str, str] = {}
    for issue in sub.issues:
        if issue.cell_id is None:
            continue
        key = issue.cell_id
        notes.setdefault(key, []).append(issue.message)
        if issue.is_error or key not in severity:
            severity[key] = issue.severity
    for cell_id in sub.blank:
        if cell_id not in notes:
            notes[cell_id] = [BLANK_NOTE]
            severity[cell_id] = "warning"
    return {
        k: Mark(severity[k], tuple(v)) for k, v in notes.items() if k in spec.cells or k.startswith("meta.")
    }


def write_issue_sheet(ctx: Context, issues: list[Issue]) -> None:
    ws = ctx.workbook.add_worksheet(ISSUES_SHEET)
    st = ctx.styles
    header = ["序号", "级别", "工作表", "单元格", "问题", "如何修改", "代码"]
    for c, (h, w) in enumerate(zip(header, [6, 8, 10, 10, 60, 50, 22], strict=True)):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, st["header"])
    for i, issue in enumerate(issues, start=1):
        row = [
            str(i),
            SEVERITY_ZH[issue.severity],
            issue.sheet or "",
            issue.cell or "",
            issue.message,
            issue.hint or "",
            issue.code,
        ]
        fmt = st["row_label"]
        # Wrapped text does not grow the row in every client: size it from the longest cell.
        lines = max(math.ceil(len(issue.message) * 2 / 58), math.ceil(len(issue.hint or "") * 2 / 48), 1)
        ws.set_row(i, 14 * lines)
        for c, text in enumerate(row):
            ws.write_string(i, c, text, fmt)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ctx.protect(ws)


def feedback_filename(sub: Submission) -> str:
    who = "_".join(p for p in (sub.unit_code, sub.unit_name) if p) or Path(sub.path).stem
    return safe_filename(f"{who}_退回修改.xlsx")


def write_feedback(
    spec: Spec,
    sub: Submission,
    out_dir: str | os.PathLike[str],
    *,
    year: int | None = None,
    roster: Roster | None = None,
    password: str | None = None,
) -> Path | None:
    """Write the 退回修改 copy of one submission; None when there is nothing to send back or no values."""
    target_year = year or sub.year
    if not sub.issues or not sub.readable or not target_year:
        return None
    unit: UnitLike | None = roster.get(sub.unit_code) if roster is not None and sub.unit_code else None
    if unit is None and sub.unit_code and sub.unit_name and sub.stamp is not None and sub.stamp.unit_code:
        unit = _Unit(sub.unit_code, sub.unit_name, sub.unit_type or "")
    prefill: dict[str, object] = {k: v for k, v in sub.values.items() if v is not None and k in spec.cells}
    for key, value in sub.meta.items():
        if value not in (None, ""):
            prefill[f"meta.{key}"] = value
    boxes = cell_boxes(spec)
    ordered = sorted(
        sub.issues,
        key=lambda i: (not i.is_error, i.sheet or "", boxes[i.cell_id][1].row if i.cell_id in boxes else -1),
    )
    options = TemplateOptions(
        year=target_year,
        unit=unit,
        password=password,
        prefill=prefill,
        marks=marks_for(spec, sub),
    )
    target = Path(out_dir) / feedback_filename(sub)
    write_template(spec, target, options, extra_sheets=lambda ctx: write_issue_sheet(ctx, ordered))
    return target
