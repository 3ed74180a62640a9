"""The cover sheet (封面): unit metadata and the filling instructions (填报说明)."""

from __future__ import annotations

from tianbao.spec.layout import COVER_LAST_COL, COVER_SHEET, cover_boxes, cover_title
from tianbao.template.context import Context


def instructions(ctx: Context) -> list[str]:
    spec, year = ctx.spec, ctx.options.year
    sheets = "、".join(t.sheet for t in spec.tables)
    return [
        f"1. 本表依据《{spec.doc.name}》（{spec.doc.basis}）制作，统计期限为 {year} 年 1 月 1 日至 12 月 31 日。"
        f"请依次填写{sheets}。",
        "2. 只在浅黄色单元格中填写。灰色单元格是标题、合计或总计，已锁定，由公式自动计算，不能也不必填写。",
        "3. 件数填写大于或等于 0 的整数；表二“本年收费金额”以万元为单位，最多 4 位小数（如 0.0380 万元即 380 元）。"
        "不要填写“件”“元”等单位，也不要填写“—”“/”“无”。",
        "4. 空白不等于 0：没有发生的事项请填 0，不要留空。留空的单元格在县（旗）汇总时会被列为“未填写”，"
        "并按 0 计算后提示核实。",
        "5. 表三每一列须满足勾稽关系：第一项加第二项之和，等于第三项加第四项之和。表三下方“勾稽关系校验”行"
        "显示 ✓（平衡）或 ✗（不平衡，红色）。“校验”工作表汇总全部检查结果和未填写的单元格数，"
        "报送前请确认“校验”表中没有 ✗。",
        "6. 请勿修改标题和表格结构，不要插入或删除行列，不要把公式改成数字。报送时直接发送本文件（.xlsx），"
        "用 Excel 或 WPS 保存即可，不要改为其他格式。",
        "7. 本模板带有模板编号、单位和年度的戳记，汇总时会核对。请使用下发给本单位的模板，不要使用其他单位或往年的模板。",
    ]


def write_cover(ctx: Context) -> None:
    ws = ctx.workbook.add_worksheet(COVER_SHEET)
    st, spec, opts = ctx.styles, ctx.spec, ctx.options
    ws.set_column(0, 0, 16)
    ws.set_column(1, COVER_LAST_COL, 26)
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, COVER_LAST_COL, cover_title(opts.year), st["title"])
    ws.merge_range(1, 0, 1, COVER_LAST_COL, f"（{spec.doc.name}，{spec.doc.basis}）", st["subtitle"])
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
                    "input_message": f.hint or f"填写{f.label}。",
                    "error_title": "内容过长",
                    "error_message": f"{f.label}不超过 100 个字。",
                },
            )
    row = max(b.row for b in boxes.values()) + 2
    ws.write_string(row, 0, "填报说明" if opts.notes is None else "说明", st["note_bold"])
    for line in opts.notes if opts.notes is not None else instructions(ctx):
        row += 1
        ws.set_row(row, 15 * (1 + len(line) // 48))
        ws.merge_range(row, 0, row, COVER_LAST_COL, line, st["note"])
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ctx.protect(ws)
