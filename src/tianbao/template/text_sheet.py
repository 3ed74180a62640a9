"""The 正文 sheet: a text cell per part of the report's text, after 封面 (`tianbao.spec.text_layout`).

Text cells are unlocked, wrapped, top-aligned and tall, formatted as text (“@”: a date typed in 成文日期 stays
as typed); rows can be resized on the protected sheet, so a long text can be seen whole. Everything else —
labels, hints, the instructions — is locked. A 退回修改 copy prefills the unit's text (`text.*` ids), cut to
Excel's 32,767 characters by xlsxwriter where longer.
"""

from __future__ import annotations

from typing import Any

from tianbao.spec.compiled import cell_name
from tianbao.spec.layout import a1
from tianbao.spec.text_layout import (
    HEIGHTS,
    INSTRUCTIONS_ROW,
    LABEL_COL,
    TEXT_COL,
    TextLayout,
    text_layout,
)
from tianbao.template.context import Context
from tianbao.template.page import row_height
from tianbao.template.tables import write_subtitle

# Characters: the text column holds about 40 Chinese characters a line, and the two columns fit a portrait A4
# page at full size (tianbao.template.page: a text is read down the page, not across).
WIDTHS = {LABEL_COL: 18, TEXT_COL: 82}
MAX_PROMPT = 250  # Excel shows at most 255 characters in a cell's input message
LABEL_STYLE = {"title": "title", "col_header": "header", "section_title": "section_title"}


class _Formats:
    def __init__(self, ctx: Context) -> None:
        base = {"font_name": "宋体", "font_size": 10, "text_wrap": True, "border": 1}
        wb = ctx.workbook
        self.text = wb.add_format(
            {**base, "valign": "top", "bg_color": "#FFF2CC", "locked": False, "num_format": "@"}
        )
        self.hint = wb.add_format({**base, "valign": "vcenter", "italic": True, "font_color": "#595959"})
        self.label = wb.add_format({**base, "valign": "vcenter", "bold": True})
        self.note = wb.add_format({**base, "valign": "top", "text_wrap": True, "font_size": 10})


def write_text_sheet(ctx: Context) -> None:
    """Add the 正文 sheet when the spec has a text part and the options want it."""
    lay = text_layout(ctx.spec)
    if lay is None or not ctx.options.text:
        return
    ws = ctx.workbook.add_worksheet(lay.sheet)
    f = _Formats(ctx)
    ctx.page(ws, [WIDTHS[c] for c in range(max(WIDTHS) + 1)], repeat_rows=(0, 0))
    ws.freeze_panes(lay.labels[1].box.row + 1, 0)
    ws.set_row(0, 26)
    write_subtitle(ctx, ws, TEXT_COL + 1)
    _instructions(ws, lay, f)
    for lab in lay.labels:
        b = lab.box
        fmt = ctx.styles[LABEL_STYLE[lab.kind]] if lab.kind in LABEL_STYLE else f.label
        if b.merged:
            ws.merge_range(b.row, b.col, b.last_row, b.last_col, lab.text, fmt)
        else:
            ws.write_string(b.row, b.col, lab.text, fmt)
    for box, note in lay.notes:
        ws.write_string(box.row, box.col, note, f.hint)
    cells = lay.text.cells
    for cell_id, box in lay.hints.items():
        hint = cells[cell_id].hint
        ws.write_string(box.row, box.col, hint, f.hint)
        ws.set_row(box.row, row_height([(hint, WIDTHS[box.col])]) + 4)
    prefill = ctx.options.prefill or {}
    for cell_id, box in lay.cells.items():
        cell = cells[cell_id]
        fmt = ctx.mark(ws, box.row, box.col, cell_id) or f.text
        value = prefill.get(cell_id)
        if value in (None, ""):
            ws.write_blank(box.row, box.col, None, fmt)
        else:
            ws.write_string(box.row, box.col, str(value), fmt)
        ws.set_row(box.row, lay.heights.get(box.row, HEIGHTS[cell.size]))
        _prompt(ws, box.row, box.col, cell.label, cell.hint)
    for cell_id, box in lay.cells.items():
        ctx.workbook.define_name(cell_name(cell_id), f"='{lay.sheet}'!{a1(box.row, box.col, absolute=True)}")
    ws.protect(
        ctx.options.password or "",
        {
            "select_locked_cells": True,
            "select_unlocked_cells": True,
            "format_rows": True,  # a long text needs a taller row to be read
            "format_columns": False,
        },
    )


def _instructions(ws: Any, lay: TextLayout, f: _Formats) -> None:
    text = "填报说明\n" + "\n".join(lay.text.doc.instructions)
    b = lay.instructions
    ws.merge_range(b.row, b.col, b.last_row, b.last_col, text, f.note)
    ws.set_row(INSTRUCTIONS_ROW, row_height([(text, sum(WIDTHS.values()))]) + 6)


def _prompt(ws: Any, row: int, col: int, label: str, hint: str) -> None:
    """The input message Excel shows when the cell is selected, and the length Excel itself allows."""
    message = hint if len(hint) <= MAX_PROMPT else hint[: MAX_PROMPT - 1] + "…"
    ws.data_validation(
        row,
        col,
        row,
        col,
        {
            "validate": "length",
            "criteria": "<=",
            "value": 32767,
            "input_title": label[:32],
            "input_message": message,
            "error_title": "文字过长",
            "error_message": "一个单元格最多 32,767 个字符，请分到几段或精简。",
        },
    )
