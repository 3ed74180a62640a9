"""Write the consolidated workbook: the template's 封面, 表二…表四 and 校验 for the parent unit, each input cell a
SUM over 明细 with its stored result, then 明细, 报送情况, 问题清单, 来源 and the `_meta` stamp (kind
“consolidated”, members = every unit whose data it holds). Same inputs in any order → the same bytes."""

from __future__ import annotations

import os

from tianbao.consolidation.model import Consolidation
from tianbao.consolidation.sheets import write_extra_sheets
from tianbao.gctools import paused_gc
from tianbao.spec.layout import detail_columns, detail_sum_formula
from tianbao.stamp import Stamp, member_item
from tianbao.template.context import TemplateOptions
from tianbao.template.writer import write_template

# zlib's fastest level: the 明细 sheet of 10,000 units is 60 MB of XML, deflated in a third of the time of
# the default level (6), in a file about a quarter larger.
COMPRESSLEVEL = 1


def notes(c: Consolidation) -> tuple[str, ...]:
    """The cover's 说明 of a consolidated workbook (instead of the filling instructions)."""
    return (
        f"1. 本表由 tianbao 汇总生成：{c.parent.name}（{c.parent.code}）{c.year} 年度，"
        f"汇总 {len(c.members)} 个单位的报表，单位及其数值见“明细”工作表。",
        "2. 表二、表三、表四的每个填报单元格都是对“明细”相应列的求和公式，合计和总计沿用模板公式；"
        "文件中保存了全部计算结果。请勿修改“明细”和公式。",
        "3. 同一单位报送多份时：内容相同只计一次；否则以填报日期较新的为准（日期相同或无法识别时比较文件修改时间），"
        "其余列为“重复（不计入）”。",
        "4. 汇总表与其组成单位的报表不能同时汇总：组成单位的报表记为“重复计算”错误，不计入。",
        "5. “报送情况”列出每个单位的报送状态，“问题清单”列出全部问题，“来源”列出每个输入文件及其 SHA-256。",
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
