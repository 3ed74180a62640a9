"""Write the consolidated workbook: the template's 封面, 表二…表四 and 校验 for the parent unit, each input cell a
SUM over 明细 with its stored result, then 明细, 报送情况, 问题清单, 来源 and the `_meta` stamp (kind
“consolidated”, members = every unit whose data it holds). Same inputs in any order → the same bytes."""

from __future__ import annotations

import os
from typing import Literal

from tianbao.consolidation.model import DUPLICATE, MISSING, OUTSIDE, RETURNED, Consolidation
from tianbao.consolidation.sheets import SOURCES_SHEET, STATUS_SHEET, write_extra_sheets
from tianbao.gctools import paused_gc
from tianbao.spec.layout import DETAIL_SHEET, detail_columns, detail_sum_formula
from tianbao.stamp import Stamp, member_item
from tianbao.template.context import Coverage, Notice, TemplateOptions
from tianbao.template.issue_sheet import ISSUES_SHEET
from tianbao.template.writer import write_template

# zlib's fastest level: the 明细 sheet of 10,000 units is 60 MB of XML, deflated in a third of the time of
# the default level (6), in a file about a quarter larger.
COMPRESSLEVEL = 1


def coverage(c: Consolidation) -> Coverage:
    """What the workbook holds and lacks, in units (the 校验 sheet and the cover lead with it)."""
    return Coverage(
        included=len(c.members),
        returned=len({r.unit_code for r in c.rows if r.status == RETURNED and r.unit_code}),
        missing=c.counts()[MISSING],
        listed_on=STATUS_SHEET,
    )


def notice(c: Consolidation) -> Notice:
    """The cover's headline: whose consolidation, of how many units, and which are not in it."""
    cov, counts = coverage(c), c.counts()
    lines = [f"本表汇总了 {cov.included} 个单位的报表，单位及其数值见“{DETAIL_SHEET}”工作表。"]
    lacking = [f"{n} 个单位{what}" for what, n in (("退回", cov.returned), ("未报送", cov.missing)) if n]
    unknown = sum(1 for r in c.rows if r.status == RETURNED and not r.unit_code)
    others = [f"{status} {counts[status]} 个" for status in (OUTSIDE, DUPLICATE) if counts[status]]
    others += [f"看不出单位的 {unknown} 个（退回）"] if unknown else []
    if lacking:
        lines.append(f"未计入：{'，'.join(lacking)}，名单见“{STATUS_SHEET}”工作表；汇总不完整。")
    else:
        lines.append("没有退回或未报送的单位。")
    if others:
        lines.append(f"另有不计入的文件：{'，'.join(others)}，见“{STATUS_SHEET}”。")
    tone: Literal["warning", "info"] = "warning" if lacking else "info"
    return Notice(f"{c.parent.name}（{c.parent.code}）{c.year} 年度汇总表", tuple(lines), tone)


def notes(c: Consolidation) -> tuple[str, ...]:
    """The cover's 说明 of a consolidated workbook (instead of the filling instructions)."""
    tables = "、".join(t.sheet for t in c.spec.tables)
    return (
        f"1. 本表由 tianbao 按《{c.spec.doc.name}》（{c.spec.doc.basis}）汇总生成：{c.parent.name}（{c.parent.code}）"
        f"{c.year} 年度，汇总 {len(c.members)} 个单位的报表，单位及其数值见“{DETAIL_SHEET}”工作表。",
        f"2. {tables}的每个填报单元格都是对“{DETAIL_SHEET}”相应列的求和公式，合计和总计沿用模板公式；"
        f"文件中保存了全部计算结果。请勿修改“{DETAIL_SHEET}”和公式。",
        "3. 同一单位报送多份时：内容相同只计一次；否则以填报日期较新的为准（日期相同或无法识别时比较文件修改时间），"
        "其余列为“重复（不计入）”。",
        "4. 汇总表与其组成单位的报表不能同时汇总：组成单位的报表记为“重复计算”错误，不计入。",
        f"5. “{STATUS_SHEET}”列出每个单位的报送状态，“{ISSUES_SHEET}”列出全部问题，"
        f"“{SOURCES_SHEET}”列出每个输入文件及其 SHA-256。",
        "6. 本汇总表可作为本单位的报表报送上级，上级用 tianbao merge 继续汇总。",
    )


def member_items(c: Consolidation) -> tuple[str, ...]:
    """The stamp's members: a row per 明细 row, a consolidated workbook's row with the units it holds."""
    return tuple(
        sorted(
            member_item(m.unit_code, m.submission.members if m.submission.kind == "consolidated" else ())
            for m in c.members
        )
    )


def consolidated_options(c: Consolidation, password: str | None = None) -> TemplateOptions:
    columns = detail_columns(c.spec)
    n_rows = len(c.members)
    return TemplateOptions(
        year=c.year,
        unit=c.parent,
        previous=c.previous,
        password=password,
        prefill={"meta.filled_on": c.filled_on} if c.filled_on else None,
        results=c.totals,
        input_formulas={
            cell_id: detail_sum_formula(columns[cell_id], n_rows) for cell_id in c.spec.input_ids
        },
        kind="consolidated",
        members=member_items(c),
        notes=notes(c),
        coverage=coverage(c),
        notice=notice(c),
        text=False,  # no 正文: merge writes the workbook again each time, so a text written in it would be lost
    )


def write_consolidated(
    c: Consolidation, target: str | os.PathLike[str], *, password: str | None = None
) -> Stamp:
    """Write the consolidated workbook to `target` (atomically); return its stamp."""
    with paused_gc():  # two million cells: no collection walking them and the run's submissions
        return write_template(
            c.spec,
            target,
            consolidated_options(c, password),
            extra_sheets=lambda ctx: write_extra_sheets(ctx, c),
            compresslevel=COMPRESSLEVEL,
        )
