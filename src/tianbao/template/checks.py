"""The 校验 sheet: every check with a live result and the difference, and a summary on top."""

from __future__ import annotations

from tianbao.spec.compiled import RuleInstance, fmt_number
from tianbao.spec.layout import CHECK_SHEET, Box, SheetLayout, a1
from tianbao.spec.rules import Term
from tianbao.template import formulas
from tianbao.template.context import Context

HEADER = ["序号", "规则", "级别", "检查内容", "位置", "左边", "右边", "差额", "结果"]
SEVERITY = {"error": "错误", "warning": "警告"}
FIRST_ROW = 9


def input_rectangles(lay: SheetLayout, input_ids: set[str]) -> list[tuple[int, int, int, int]]:
    """The input cells of a sheet as few rectangles as possible (first_row, first_col, last_row, last_col)."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for cid, b in lay.cells.items():
        if cid in input_ids:
            row_runs = runs.setdefault(b.row, [])
            if row_runs and row_runs[-1][1] == b.col - 1:
                row_runs[-1] = (row_runs[-1][0], b.col)
            else:
                row_runs.append((b.col, b.col))
    rects: list[tuple[int, int, int, int]] = []
    for row in sorted(runs):
        for c0, c1 in runs[row]:
            for i, (r0, rc0, r1, rc1) in enumerate(rects):
                if rc0 == c0 and rc1 == c1 and r1 == row - 1:
                    rects[i] = (r0, c0, row, c1)
                    break
            else:
                rects.append((row, c0, row, c1))
    return rects


def describe(inst: RuleInstance) -> str:
    labels = "、".join(v for _, v in inst.labels)
    return f"{inst.rule.title}（{labels}）" if labels else inst.rule.title


def write_checks(ctx: Context) -> None:
    ws = ctx.workbook.add_worksheet(CHECK_SHEET)
    st, spec = ctx.styles, ctx.spec
    boxes = {cid: (lay.sheet, b) for lay in ctx.layouts for cid, b in lay.cells.items()}
    prev = ctx.options.previous or {}

    def locate(t: Term) -> str:
        if t.prev:
            return fmt_number(prev[t.cell])  # type: ignore[index]
        sheet, b = boxes[t.cell]  # type: ignore[index]
        return f"'{sheet}'!{a1(b.row, b.col)}"

    widths = [6, 8, 8, 60, 12, 10, 10, 10, 8]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ws.merge_range(0, 0, 0, len(HEADER) - 1, "校验结果（随填写自动更新）", st["title"])
    ws.merge_range(
        1,
        0,
        1,
        len(HEADER) - 1,
        "✓ 表示通过，✗ 表示不通过（红色为错误，必须改正；橙色为警告，请核实）。空白单元格在计算时按 0 计，"
        "但空白不等于 0：没有发生的事项请填 0。",
        st["note"],
    )
    ws.set_row(1, 30)
    checks = ctx.active_checks()
    last = FIRST_ROW + len(checks)
    level, result = (
        f"C{FIRST_ROW + 1}:C{max(last, FIRST_ROW + 1)}",
        f"I{FIRST_ROW + 1}:I{max(last, FIRST_ROW + 1)}",
    )
    blanks = "+".join(
        f"COUNTBLANK('{lay.sheet}'!{a1(r0, c0)}:{a1(r1, c1)})"
        for lay in ctx.layouts
        for r0, c0, r1, c1 in input_rectangles(lay, set(spec.input_ids))
    )
    summary = [
        ("不通过的错误检查（项）", f'=COUNTIFS({level},"错误",{result},"{formulas.FAIL_MARK}")'),
        ("不通过的警告检查（项）", f'=COUNTIFS({level},"警告",{result},"{formulas.FAIL_MARK}")'),
        ("未填写（空白）的数据单元格（个）", f"={blanks}"),
        (
            "结论",
            '=IF(D4>0,"✗ 有错误，请改正后报送",IF(D6>0,"✗ 有空白单元格，没有发生的事项请填 0",'
            'IF(D5>0,"✓ 无错误，有警告请核实","✓ 全部通过")))',
        ),
    ]
    stored = _summary_results(ctx, checks)
    for i, (label, formula) in enumerate(summary):
        r = 3 + i
        ws.merge_range(r, 0, r, 2, label, st["check_label"])
        ws.merge_range(r, 3, r, 4, "", st["check"])
        ws.write_formula(r, 3, formula, st["check"], stored[i])
    ws.conditional_format(
        3, 3, 6, 3, {"type": "text", "criteria": "begins with", "value": "✗", "format": st["fail"]}
    )
    ws.conditional_format(3, 3, 5, 3, {"type": "cell", "criteria": ">", "value": 0, "format": st["fail"]})
    for c, h in enumerate(HEADER):
        ws.write_string(FIRST_ROW - 1, c, h, st["header"])
    for i, inst in enumerate(checks):
        r = FIRST_ROW + i
        n = r + 1
        sheet, box = boxes[inst.target]
        lhs = formulas.side_formula(inst.relation.lhs, locate)
        rhs = formulas.side_formula(inst.relation.rhs, locate)
        ws.write_number(r, 0, i + 1, st["check"])
        ws.write_string(r, 1, inst.rule.id, st["check"])
        ws.write_string(r, 2, SEVERITY[inst.rule.severity], st["check"])
        ws.write_string(r, 3, describe(inst), st["row_label"])
        ws.write_string(r, 4, f"{sheet}!{a1(box.row, box.col)}", st["check"])
        sides = ctx.check_result(inst)
        left: float | str = ""
        right: float | str = ""
        diff: float | str = ""
        mark = ""
        if sides is not None:
            left, right = sides
            diff, mark = round(sides[0] - sides[1], 6), formulas.mark_of(inst, *sides)
        ws.write_formula(r, 5, f"={lhs}", st["computed"], left)
        ws.write_formula(r, 6, f"={rhs}", st["computed"], right)
        ws.write_formula(r, 7, f"=F{n}-G{n}", st["computed"], diff)
        cond = formulas.condition(inst, f"F{n}", f"G{n}")
        ws.write_formula(
            r, 8, f'=IF({cond},"{formulas.PASS_MARK}","{formulas.FAIL_MARK}")', st["check"], mark
        )
    if checks:
        rng = (FIRST_ROW, 8, last - 1, 8)
        first = FIRST_ROW + 1
        ws.conditional_format(
            *rng,
            {"type": "formula", "criteria": f'=AND($I{first}="✗",$C{first}="错误")', "format": st["fail"]},
        )
        ws.conditional_format(
            *rng,
            {"type": "formula", "criteria": f'=AND($I{first}="✗",$C{first}="警告")', "format": st["warn"]},
        )
    ws.freeze_panes(FIRST_ROW, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ctx.protect(ws)


def _summary_results(ctx: Context, checks: list[RuleInstance]) -> list[int | str]:
    """The stored results of the four summary formulas (all "" when the workbook has no results)."""
    if ctx.options.results is None:
        return ["", "", "", ""]
    failed = {"error": 0, "warning": 0}
    for inst in checks:
        sides = ctx.check_result(inst)
        if sides is not None and formulas.mark_of(inst, *sides) == formulas.FAIL_MARK:
            failed[inst.rule.severity] += 1
    formula_cells = ctx.options.input_formulas or {}
    blanks = sum(1 for c in ctx.spec.input_ids if c not in formula_cells)
    if failed["error"]:
        verdict = "✗ 有错误，请改正后报送"
    elif blanks:
        verdict = "✗ 有空白单元格，没有发生的事项请填 0"
    else:
        verdict = "✓ 无错误，有警告请核实" if failed["warning"] else "✓ 全部通过"
    return [failed["error"], failed["warning"], blanks, verdict]


__all__ = ["Box", "input_rectangles", "write_checks"]
