"""The 校验 sheet: a summary on top, then every check in words, with its live result and the difference.

A template's summary counts the failing errors and warnings and the blank input cells; a consolidated
workbook's says what it holds and what it lacks (units included, returned, missing) instead of blank cells,
which its input cells (sums over 明细) never are. A check whose cells are all blank shows “未填写”.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tianbao.spec.compiled import RuleInstance, Spec, fmt_number
from tianbao.spec.layout import CHECK_SHEET, SheetLayout, a1, sheet_layouts
from tianbao.spec.rules import Term
from tianbao.template import formulas
from tianbao.template.context import Context, Coverage

HEADER = ["序号", "检查内容", "级别", "左边", "右边", "差额", "结果", "位置", "规则"]
WIDTHS = [6, 58, 7, 11, 11, 10, 8, 12, 7]
SEVERITY = {"error": "错误", "warning": "警告"}
LEVEL_COL, LEFT_COL, RESULT_COL = 2, 3, 6
SUMMARY_ROW = 3  # the first summary row (0-based); its label spans A:B, its value C:I
VALUE_COL = 2
PASS_ALL = "✓ 全部通过"
WITH_WARNINGS = "✓ 无错误，有警告请核实"
WITH_ERRORS = "✗ 有错误，请改正后报送"
WITH_BLANKS = "✗ 有空白单元格，没有发生的事项请填 0"
CONSOLIDATED_ERRORS = "✗ 汇总数据有错误，请核对"


@dataclass(frozen=True)
class SummaryRow:
    label: str
    formula: str  # a formula, or a constant (a number) when it does not start with “=”
    stored: int | str  # the stored result ("" when the workbook has no results)
    alarm: bool = True  # a count that should be 0: shown red when it is not


def describe(inst: RuleInstance) -> str:
    labels = "、".join(v for _, v in inst.labels)
    return f"{inst.rule.title}（{labels}）" if labels else inst.rule.title


def first_check_row(ctx: Context) -> int:
    """The 0-based row of the first check: after the summary, a blank row and the header. The summary:
    2 counts of failing checks, then 3 counts of units (consolidated) or of blank cells, then the verdict."""
    return SUMMARY_ROW + 2 + (3 if ctx.options.coverage is not None else 1) + 1 + 2


@functools.cache  # the same for every template of a spec
def blank_cells_formula(spec: Spec, with_previous: bool) -> str:
    """The number of blank input cells: COUNTBLANK over the input rectangles of every table sheet."""
    return "=" + "+".join(
        f"COUNTBLANK('{lay.sheet}'!{a1(r0, c0)}:{a1(r1, c1)})"
        for lay in sheet_layouts(spec, with_previous)
        for r0, c0, r1, c1 in formulas.input_rectangles(lay, set(spec.input_ids))
    )


def write_checks(ctx: Context) -> None:
    ws = ctx.workbook.add_worksheet(CHECK_SHEET)
    st = ctx.styles
    boxes = {cid: (lay.sheet, b) for lay in ctx.layouts for cid, b in lay.cells.items()}
    prev = ctx.options.previous or {}

    def locate(t: Term) -> str:
        if t.prev:
            return fmt_number(prev[t.cell])  # type: ignore[index]
        sheet, b = boxes[t.cell]  # type: ignore[index]
        return f"'{sheet}'!{a1(b.row, b.col)}"

    last_col = len(HEADER) - 1
    ws.merge_range(0, 0, 0, last_col, "校验结果（随填写自动更新）", st["title"])
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        f"{formulas.PASS_MARK} 表示通过，{formulas.FAIL_MARK} 表示不通过（红色为错误，必须改正；橙色为警告，请核实），"
        f"“{formulas.UNFILLED_MARK}”表示这项检查用到的单元格都还没有填写。空白单元格在计算时按 0 计，"
        "但空白不等于 0：没有发生的事项请填 0。",
        st["note"],
    )
    ws.set_row(1, 30)
    checks = ctx.active_checks()
    header_row = first_check_row(ctx) - 1
    first, last = header_row + 1, header_row + len(checks)
    summary = _summary(ctx, checks, first, max(last, first))
    for i, row in enumerate(summary):
        r = SUMMARY_ROW + i
        ws.merge_range(r, 0, r, VALUE_COL - 1, row.label, st["check_label"])
        ws.merge_range(r, VALUE_COL, r, last_col, "", st["check_value"])
        if row.formula.startswith("="):
            ws.write_formula(r, VALUE_COL, row.formula, st["check_value"], row.stored)
        else:
            ws.write_number(r, VALUE_COL, int(row.formula), st["check_value"])
    bottom = SUMMARY_ROW + len(summary) - 1
    ws.conditional_format(
        SUMMARY_ROW,
        VALUE_COL,
        bottom,
        VALUE_COL,
        {"type": "text", "criteria": "begins with", "value": formulas.FAIL_MARK, "format": st["fail"]},
    )
    for i, row in enumerate(summary):
        if row.alarm:
            r = SUMMARY_ROW + i
            red = {"type": "cell", "criteria": ">", "value": 0, "format": st["fail"]}
            ws.conditional_format(r, VALUE_COL, r, VALUE_COL, red)
    for c, h in enumerate(HEADER):
        ws.write_string(header_row, c, h, st["header"])
    for i, inst in enumerate(checks):
        r = first + i
        sheet, box = boxes[inst.target]
        lhs = formulas.side_formula(inst.relation.lhs, locate)
        rhs = formulas.side_formula(inst.relation.rhs, locate)
        left_ref, right_ref = a1(r, LEFT_COL), a1(r, LEFT_COL + 1)
        inputs = formulas.check_input_refs(ctx.spec, ctx.with_previous, inst, CHECK_SHEET)
        ws.write_number(r, 0, i + 1, st["check"])
        ws.write_string(r, 1, describe(inst), st["row_label"])
        ws.write_string(r, LEVEL_COL, SEVERITY[inst.rule.severity], st["check"])
        sides = ctx.check_result(inst)
        left: float | str = ""
        right: float | str = ""
        diff: float | str = ""
        mark = ""
        if sides is not None:
            left, right = sides
            diff, mark = round(sides[0] - sides[1], 6), formulas.mark_of(inst, *sides)
        ws.write_formula(r, LEFT_COL, f"={lhs}", st["computed"], left)
        ws.write_formula(r, LEFT_COL + 1, f"={rhs}", st["computed"], right)
        ws.write_formula(r, LEFT_COL + 2, f"={left_ref}-{right_ref}", st["computed"], diff)
        check = formulas.check_expression(inst, left_ref, right_ref, inputs)
        ws.write_formula(r, RESULT_COL, check, st["check"], mark)
        ws.write_string(r, 7, f"{sheet}!{a1(box.row, box.col)}", st["check"])
        ws.write_string(r, 8, inst.rule.id, st["check"])
    if checks:
        rng = (first, RESULT_COL, last, RESULT_COL)
        result, level = f"${a1(first, RESULT_COL)}", f"${a1(first, LEVEL_COL)}"
        for severity, style in (("错误", "fail"), ("警告", "warn")):
            criteria = f'=AND({result}="{formulas.FAIL_MARK}",{level}="{severity}")'
            ws.conditional_format(*rng, {"type": "formula", "criteria": criteria, "format": st[style]})
        ws.conditional_format(
            *rng,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{formulas.UNFILLED_MARK}"',
                "format": st["unfilled"],
            },
        )
    ws.freeze_panes(first, 0)
    ctx.page(ws, WIDTHS, repeat_rows=(header_row, header_row))
    ctx.protect(ws)


def _summary(ctx: Context, checks: list[RuleInstance], first: int = 0, last: int = 0) -> list[SummaryRow]:
    """The rows of the summary, with their formulas over the check rows `first`…`last` (0-based)."""
    level = f"{a1(first, LEVEL_COL)}:{a1(last, LEVEL_COL)}"
    result = f"{a1(first, RESULT_COL)}:{a1(last, RESULT_COL)}"
    failed = _failed(ctx, checks)
    stored = ctx.options.results is not None

    def value(i: int) -> str:
        return a1(SUMMARY_ROW + i, VALUE_COL)

    rows = [
        SummaryRow(
            "不通过的错误检查（项）",
            f'=COUNTIFS({level},"错误",{result},"{formulas.FAIL_MARK}")',
            failed["error"] if stored else "",
        ),
        SummaryRow(
            "不通过的警告检查（项）",
            f'=COUNTIFS({level},"警告",{result},"{formulas.FAIL_MARK}")',
            failed["warning"] if stored else "",
        ),
    ]
    coverage = ctx.options.coverage
    if coverage is not None:
        rows += [
            SummaryRow("计入汇总的单位（个）", str(coverage.included), "", alarm=False),
            SummaryRow("退回、未计入汇总的单位（个）", str(coverage.returned), ""),
            SummaryRow("未报送的单位（个）", str(coverage.missing), ""),
        ]
        verdict = (
            f'=IF({value(0)}>0,"{CONSOLIDATED_ERRORS}",IF({value(3)}+{value(4)}>0,'
            f'"✗ 汇总不完整："&{value(3)}&" 个单位退回、"&{value(4)}&" 个单位未报送，见“{coverage.listed_on}”",'
            f'IF({value(1)}>0,"{WITH_WARNINGS}","{PASS_ALL}")))'
        )
        rows.append(
            SummaryRow("结论", verdict, _consolidated_verdict(failed, coverage) if stored else "", False)
        )
        return rows
    n_blank = sum(1 for c in ctx.spec.input_ids if c not in (ctx.options.input_formulas or {}))
    rows.append(
        SummaryRow(
            "未填写（空白）的数据单元格（个）",
            blank_cells_formula(ctx.spec, ctx.with_previous),
            n_blank if stored else "",
        )
    )
    verdict = (
        f'=IF({value(0)}>0,"{WITH_ERRORS}",IF({value(2)}>0,"{WITH_BLANKS}",'
        f'IF({value(1)}>0,"{WITH_WARNINGS}","{PASS_ALL}")))'
    )
    rows.append(SummaryRow("结论", verdict, _verdict(failed, n_blank) if stored else "", alarm=False))
    return rows


def _failed(ctx: Context, checks: list[RuleInstance]) -> dict[str, int]:
    """The failing checks by severity, on the stored results (0 when the workbook has none)."""
    failed = {"error": 0, "warning": 0}
    for inst in checks:
        sides = ctx.check_result(inst)
        if sides is not None and formulas.mark_of(inst, *sides) == formulas.FAIL_MARK:
            failed[inst.rule.severity] += 1
    return failed


def _verdict(failed: dict[str, int], blanks: int) -> str:
    if failed["error"]:
        return WITH_ERRORS
    if blanks:
        return WITH_BLANKS
    return WITH_WARNINGS if failed["warning"] else PASS_ALL


def _consolidated_verdict(failed: dict[str, int], c: Coverage) -> str:
    if failed["error"]:
        return CONSOLIDATED_ERRORS
    if c.returned or c.missing:
        return f"✗ 汇总不完整：{c.returned} 个单位退回、{c.missing} 个单位未报送，见“{c.listed_on}”"
    return WITH_WARNINGS if failed["warning"] else PASS_ALL


__all__ = ["SheetLayout", "describe", "first_check_row", "write_checks"]
