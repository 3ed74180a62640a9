"""The cover sheet (封面): what the workbook is (a notice, when it is not a template as issued), the unit
metadata and the filling instructions (填报说明), every one drawn from the spec of the format it is in."""

from __future__ import annotations

from tianbao.spec.compiled import Spec
from tianbao.spec.layout import CHECK_SHEET, COVER_FIRST_META_ROW, COVER_LAST_COL, COVER_SHEET, cover_boxes
from tianbao.spec.model import Rule
from tianbao.template import formulas
from tianbao.template.context import Context, Notice
from tianbao.template.page import row_height

WIDTHS = [16, 26, 26, 26]
NOTICE_ROW = COVER_FIRST_META_ROW - 1  # the row between the subtitle and the unit's fields
NOTE_WIDTH = sum(WIDTHS)


def _columns_of(spec: Spec, value_type: str) -> list[str]:
    """The input columns of one value type, as a person names them: 表二“本年收费金额（单位：万元）”."""
    found: dict[str, None] = {}
    for c in spec.cells.values():
        if c.type == value_type and not c.computed and c.col_labels:
            found.setdefault(f"{c.sheet}“{c.col_labels[-1]}”")
    return list(found)


def number_rules(spec: Spec) -> str:
    """How to write numbers, for the value types this spec has."""
    parts = ["件数和数量填写大于或等于 0 的整数"]
    if ints := _columns_of(spec, "int"):
        parts.append(f"{'、'.join(ints)}填写整数，增加填正数，减少填负数（如减少 4 项填 -4）")
    if amounts := _columns_of(spec, "amount"):
        parts.append(f"{'、'.join(amounts)}以万元为单位，最多 4 位小数（如 380 元填 0.038）")
    return "；".join(parts) + "。不要填写“件”“元”等单位，也不要填写“—”“/”“无”。"


def check_notes(ctx: Context) -> list[str]:
    """What the live checks show: those with a row under a table, then the 校验 sheet with all of them."""
    active = {inst.key for inst in ctx.active_checks()}
    rows: dict[str, tuple[str, Rule]] = {}
    for lay in ctx.layouts:
        for cc in lay.check_cells:
            if cc.instance.key in active:
                rows.setdefault(cc.instance.rule.id, (lay.sheet, cc.instance.rule))
    notes = []
    for sheet, rule in rows.values():
        how = "红色，是错误，必须改正" if rule.severity == "error" else "橙色，是警告，请核实"
        notes.append(
            f"{sheet}下方“{rule.check_row}”一行逐列检查“{rule.title}”。每列显示 {formulas.PASS_MARK}（相符）、"
            f"{formulas.FAIL_MARK}（不相符，{how}）或“{formulas.UNFILLED_MARK}”（这一列还没有填写）。"
        )
    others = list(dict.fromkeys(i.rule.title for i in ctx.active_checks() if i.rule.id not in rows))
    also = f"（除以上各项外，还有{''.join(f'“{t}”' for t in others)}）" if others else ""
    notes.append(
        f"“{CHECK_SHEET}”工作表列出全部检查{also}的结果和未填写的单元格数，报送前请确认其中没有 {formulas.FAIL_MARK}。"
    )
    return notes


def instructions(ctx: Context) -> list[str]:
    spec, year = ctx.spec, ctx.options.year
    sheets = "、".join(t.sheet for t in spec.tables)
    lines = [
        f"本表依据《{spec.doc.name}》（{spec.doc.basis}）制作，统计期限为 {year} 年 1 月 1 日至 12 月 31 日。"
        f"请依次填写{sheets}。",
        "只在浅黄色单元格中填写。灰色单元格是标题、合计或总计，已锁定，由公式自动计算，不能也不必填写。",
        number_rules(spec),
        "空白不等于 0：没有发生的事项请填 0，不要留空。留空的单元格在县（旗）汇总时会被列为“未填写”，"
        "并按 0 计算后提示核实。",
        *check_notes(ctx),
        "请勿修改标题和表格结构，不要插入或删除行列，不要把公式改成数字。报送时直接发送本文件（.xlsx），"
        "用 Excel 或 WPS 保存即可，不要改为其他格式。",
        "本模板带有模板编号、单位和年度的戳记，汇总时会核对。请使用下发给本单位的模板，不要使用其他单位或往年的模板。",
    ]
    return [f"{i}. {line}" for i, line in enumerate(lines, start=1)]


def write_notice(ctx: Context, ws, notice: Notice) -> None:  # type: ignore[no-untyped-def]
    st = ctx.styles
    box = st[f"notice_{notice.tone}"]
    body = "\n".join(notice.lines)
    ws.set_row(NOTICE_ROW, row_height([(notice.title, NOTE_WIDTH * 0.8), (body, NOTE_WIDTH)], 15) + 21)
    ws.merge_range(NOTICE_ROW, 0, NOTICE_ROW, COVER_LAST_COL, "", box)
    ws.write_rich_string(NOTICE_ROW, 0, st["notice_title"], notice.title, "\n" + body, box)


def write_cover(ctx: Context) -> None:
    ws = ctx.workbook.add_worksheet(COVER_SHEET)
    st, spec, opts = ctx.styles, ctx.spec, ctx.options
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, COVER_LAST_COL, ctx.title, st["title"])
    ws.merge_range(1, 0, 1, COVER_LAST_COL, f"（{spec.doc.name}，{spec.doc.basis}）", st["subtitle"])
    if opts.notice is not None:
        write_notice(ctx, ws, opts.notice)
    fixed: dict[str, int | str] = {"year": opts.year}
    if opts.unit is not None:
        fixed.update(unit_name=opts.unit.name, unit_code=opts.unit.code)
    boxes = cover_boxes(spec)
    for f in spec.meta:
        box = boxes[f.id]
        ws.set_row(box.row, 20)
        ws.write_string(box.row, 0, f.label, st["header"])
        if f.id in fixed:
            value = fixed[f.id]
            ws.merge_range(box.row, box.col, box.row, box.last_col, "", st["fixed_text"])
            if isinstance(value, int):
                ws.write_number(box.row, box.col, value, st["fixed_text"])
            else:
                ws.write_string(box.row, box.col, value, st["fixed_text"])
        else:
            fmt = ctx.mark(ws, box.row, box.col, f"meta.{f.id}") or st["input_text"]
            ws.merge_range(box.row, box.col, box.row, box.last_col, "", fmt)
            given = (opts.prefill or {}).get(f"meta.{f.id}")
            if given not in (None, ""):
                ws.write_string(box.row, box.col, str(given), fmt)
            ws.data_validation(
                box.row,
                box.col,
                box.row,
                box.col,
                {
                    "validate": "length",
                    "criteria": "<=",
                    "value": 100,
                    "input_title": f.label,
                    "input_message": f.input_hint(opts.year),
                    "error_title": "内容过长",
                    "error_message": f"{f.label}不超过 100 个字。",
                },
            )
    row = max(b.row for b in boxes.values()) + 2
    ws.write_string(row, 0, "填报说明" if opts.notes is None else "说明", st["note_bold"])
    for line in opts.notes if opts.notes is not None else instructions(ctx):
        row += 1
        ws.set_row(row, row_height([(line, NOTE_WIDTH)], 15))
        ws.merge_range(row, 0, row, COVER_LAST_COL, line, st["note"])
    ctx.page(ws, WIDTHS)
    ctx.protect(ws)
