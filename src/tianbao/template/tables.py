"""The table sheets (表二, 表三, 表四 …), drawn from the spec's layout."""

from __future__ import annotations

from typing import Any

from tianbao.spec.domain import DOMAINS
from tianbao.spec.layout import COVER_SHEET, SUBTITLE_ROW, Box, SheetLayout, a1, cover_boxes
from tianbao.spec.rules import Term
from tianbao.template import formulas
from tianbao.template.context import Context
from tianbao.template.page import lines_of, row_height

LABEL_KIND_STYLE = {
    "title": "title",
    "section_title": "section_title",
    "corner": "corner",
    "col_header": "header",
    "row_header": "row_label",
    "check_label": "check_label",
    "prev_label": "prev_label",
}

# The input messages of each value type; the bounds come from the domain (tianbao.spec.domain).
VALIDATIONS: dict[str, dict[str, Any]] = {
    "count": {
        "validate": "integer",
        "criteria": "between",
        "minimum": DOMAINS["count"].minimum,
        "maximum": DOMAINS["count"].largest,
        "input_title": "填写整数（件）",
        "input_message": "填写大于或等于 0 的整数。没有发生请填 0，不要留空。",
        "error_title": "只能填写整数",
        "error_message": f"这里只能填写大于或等于 0、小于 {DOMAINS['count'].bound_text}的整数（件数），"
        "不要填写文字、小数或负数。没有发生请填 0。",
    },
    "int": {
        "validate": "integer",
        "criteria": "between",
        "minimum": DOMAINS["int"].minimum,
        "maximum": DOMAINS["int"].largest,
        "input_title": "填写整数",
        "input_message": "填写整数，减少时填负数。没有变化请填 0，不要留空。",
        "error_title": "只能填写整数",
        "error_message": f"这里只能填写绝对值小于 {DOMAINS['int'].bound_text}的整数，不要填写文字或小数。",
    },
    "amount": {
        "validate": "custom",
        "input_title": "填写金额（万元）",
        "input_message": "以万元为单位，大于或等于 0，最多 4 位小数（380 元填 0.038）。没有请填 0，不要留空。",
        "error_title": "金额有误",
        "error_message": f"这里只能填写大于或等于 0、小于 {DOMAINS['amount'].bound_text}的数字，单位万元，"
        "最多 4 位小数。不要填写“元”“万元”等文字。",
    },
}


def write_table(ctx: Context, lay: SheetLayout) -> None:
    ws = ctx.workbook.add_worksheet(lay.sheet)
    st, spec = ctx.styles, ctx.spec
    widths = _columns(ws, lay)
    for lab in lay.labels:
        b = lab.box
        fmt = st[LABEL_KIND_STYLE[lab.kind]]
        if lab.kind == "row_header" and b.last_row > b.row:
            fmt = st["row_group"]
        if b.merged:
            ws.merge_range(b.row, b.col, b.last_row, b.last_col, lab.text, fmt)
        else:
            ws.write_string(b.row, b.col, lab.text, fmt)
    write_subtitle(ctx, ws, lay.width)

    def here(t: Term) -> Box:
        assert t.cell is not None  # a reference, not a constant
        return lay.cells[t.cell] if not t.prev else lay.prev_cells[t.cell]

    input_formulas = ctx.options.input_formulas or {}
    for cell_id, b in lay.cells.items():
        cell = spec.cells[cell_id]
        if cell.computed or cell_id in input_formulas:
            fmt = st["computed_amount"] if cell.type == "amount" else st["computed"]
            fmt = ctx.mark(ws, b.row, b.col, cell_id) or fmt
            if b.merged:
                ws.merge_range(b.row, b.col, b.last_row, b.last_col, "", fmt)
            formula = (
                formulas.definition_formula(spec.definitions[cell_id], here)
                if cell.computed
                else input_formulas[cell_id]
            )
            ws.write_formula(b.row, b.col, formula, fmt, ctx.result(cell_id))
        else:
            fmt = ctx.mark(ws, b.row, b.col, cell_id) or st.input_for(cell.type)
            if b.merged:
                ws.merge_range(b.row, b.col, b.last_row, b.last_col, "", fmt)
            write_value(ws, b.row, b.col, (ctx.options.prefill or {}).get(cell_id), fmt)
            rule = dict(VALIDATIONS[cell.type])
            if cell.type == "amount":
                ref = a1(b.row, b.col)
                domain = DOMAINS["amount"]
                rule["value"] = (
                    f"=AND(ISNUMBER({ref}),{ref}>={domain.minimum},{ref}<{domain.bound},"
                    f"ROUND({ref},{domain.decimals})={ref})"
                )
            ws.data_validation(b.row, b.col, b.row, b.col, rule)
    prev = ctx.options.previous or {}
    for cell_id, b in lay.prev_cells.items():
        ws.write_number(b.row, b.col, prev[cell_id], st["prev"])
    active = {inst.key for inst in ctx.active_checks()}
    for cc in lay.check_cells:
        b = cc.box
        if cc.instance.key not in active:
            continue
        sides = ctx.check_result(cc.instance)
        mark = formulas.mark_of(cc.instance, *sides) if sides else ""
        inputs = formulas.check_input_refs(spec, ctx.with_previous, cc.instance, lay.sheet)
        ws.write_formula(b.row, b.col, formulas.check_formula(cc.instance, here, inputs), st["check"], mark)
        for value, style in (
            (formulas.FAIL_MARK, "fail" if cc.instance.rule.severity == "error" else "warn"),
            (formulas.UNFILLED_MARK, "unfilled"),
        ):
            rule = {"type": "cell", "criteria": "==", "value": f'"{value}"', "format": st[style]}
            ws.conditional_format(b.row, b.col, b.row, b.col, rule)
    _page(ctx, ws, lay, widths)
    ctx.protect(ws)


def write_value(ws, row: int, col: int, value: object, fmt: object) -> None:  # type: ignore[no-untyped-def]
    """A prefilled value as typed: numbers as numbers, anything else as text (never as a formula)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_subtitle(ctx: Context, ws, width: int) -> None:  # type: ignore[no-untyped-def]
    """Row 1 of a sheet: 填报单位 and 报告年度, a formula over the cover (its result stored when known)."""
    boxes = cover_boxes(ctx.spec)
    name, year = boxes["unit_name"], boxes["year"]
    text = (
        f"=\"填报单位：\"&'{COVER_SHEET}'!{a1(name.row, name.col)}"
        f"&\"        报告年度：\"&'{COVER_SHEET}'!{a1(year.row, year.col)}"
    )
    value = ""
    if ctx.options.results is not None:  # the formula's result, for readers that do not calculate
        unit = ctx.options.unit.name if ctx.options.unit else ""
        value = f"填报单位：{unit}        报告年度：{ctx.options.year}"
    ws.merge_range(SUBTITLE_ROW, 0, SUBTITLE_ROW, width - 1, "", ctx.styles["subtitle"])
    ws.write_formula(SUBTITLE_ROW, 0, text, ctx.styles["subtitle"], value)


def _columns(ws, lay: SheetLayout) -> list[float]:  # type: ignore[no-untyped-def]
    """The column widths of a table sheet (set by the page setup) and the heights of its rows."""
    widths: list[float] = []
    if lay.label_cols == 1:
        widths.append(24)
    elif lay.label_cols > 1:
        widths += [11] * (lay.label_cols - 1) + [44]
    data_width = 14 if lay.width - lay.label_cols <= 3 else 9
    widths += [data_width] * (lay.width - lay.label_cols)
    ws.set_row(0, 26)
    for r in lay.header_rows:
        ws.set_row(r, 30)
    for lab in lay.labels:
        if lab.kind == "row_header" and lab.box.row == lab.box.last_row:
            width = 44 if lay.label_cols > 1 and lab.box.col == lay.label_cols - 1 else 24
            if lines_of(lab.text, width) > 1:
                ws.set_row(lab.box.row, row_height([(lab.text, width)]))
    return widths


def _page(ctx: Context, ws, lay: SheetLayout, widths: list[float]) -> None:  # type: ignore[no-untyped-def]
    """Headers repeated on every page of a one-section table (表三, 表四); frozen for the screen."""
    if len(lay.table.sections) == 1 and lay.data_rows:
        first_data = lay.data_rows[0][0]
        ws.freeze_panes(first_data, lay.label_cols)
        ctx.page(ws, widths, repeat_rows=(0, first_data - 1))
    else:
        ws.freeze_panes(SUBTITLE_ROW + 1, 0)
        ctx.page(ws, widths)
