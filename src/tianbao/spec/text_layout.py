"""Where the 正文 sheet puts every label and text cell, derived from the spec's text part alone (as
`tianbao.spec.layout` does for the table sheets): the template writer draws it, the reader reads through it.

    row 0        the sheet's title                                   (checked label)
    row 1        填报单位 / 报告年度 (a formula over 封面, as on the table sheets)
    row 2        填报说明, one tall cell: its length never moves the rows below
    row 3        项目 | 内容                                          (checked labels)
    then         each group (标题, 开头, 落款): a heading row, then a row per field — label | text cell;
                 each part: a table part a row (its title | where its numbers come from); a text part two rows
                 per cell — the label (over both rows) | the hint, then | the text cell.

A long text cell always has a locked row below it: text pasted from Word without first entering the cell
(Excel then spreads the paragraphs over the rows below) is refused by the sheet's protection instead of
overwriting the next section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from tianbao.spec.compiled import Spec
from tianbao.spec.layout import SUBTITLE_ROW, TITLE_ROW, Box, Label
from tianbao.spec.text import TextCell, TextSpec, text_spec

TITLE = "年度报告正文（文字部分）"
HEADERS = ("项目", "内容")
LABEL_COL, TEXT_COL = 0, 1
INSTRUCTIONS_ROW, HEADER_ROW = SUBTITLE_ROW + 1, SUBTITLE_ROW + 2
HEIGHTS = {"line": 22, "short": 48, "long": 160}  # points; Excel's largest row is 409


@dataclass
class TextLayout:
    text: TextSpec
    labels: list[Label] = field(default_factory=list)  # checked by the reader, as on the table sheets
    cells: dict[str, Box] = field(default_factory=dict)  # text cell id → its box
    hints: dict[str, Box] = field(default_factory=dict)  # text cell id → the box of its hint (long cells)
    notes: list[tuple[Box, str]] = field(default_factory=list)  # table parts: where their numbers come from
    heights: dict[int, int] = field(default_factory=dict)  # row → height in points
    last_row: int = 0

    @property
    def sheet(self) -> str:
        return self.text.sheet

    @property
    def instructions(self) -> Box:
        return Box(INSTRUCTIONS_ROW, LABEL_COL, INSTRUCTIONS_ROW, TEXT_COL)


def _label(lay: TextLayout, box: Box, text: str, kind: str) -> None:
    lay.labels.append(Label(box, text, kind))


def _fields(lay: TextLayout, row: int, heading: str, cells: tuple[TextCell, ...]) -> int:
    _label(lay, Box(row, LABEL_COL, row, TEXT_COL), heading, "section_title")
    row += 1
    for c in cells:
        if c.size == "long":
            row = _long(lay, row, c)
            continue
        _label(lay, Box(row, LABEL_COL, row, LABEL_COL), c.label, "row_header")
        lay.cells[c.id] = Box(row, TEXT_COL, row, TEXT_COL)
        lay.heights[row] = HEIGHTS[c.size]
        row += 1
    return row


def _long(lay: TextLayout, row: int, c: TextCell) -> int:
    _label(lay, Box(row, LABEL_COL, row + 1, LABEL_COL), c.label, "row_header")
    lay.hints[c.id] = Box(row, TEXT_COL, row, TEXT_COL)
    lay.cells[c.id] = Box(row + 1, TEXT_COL, row + 1, TEXT_COL)
    lay.heights[row + 1] = HEIGHTS[c.size]
    return row + 2


@cache
def text_layout(spec: Spec) -> TextLayout | None:
    """The 正文 sheet of a spec's templates; None when the spec has no text part."""
    text = text_spec(spec)
    if text is None:
        return None
    lay = TextLayout(text)
    _label(lay, Box(TITLE_ROW, LABEL_COL, TITLE_ROW, TEXT_COL), TITLE, "title")
    _label(lay, Box(HEADER_ROW, LABEL_COL, HEADER_ROW, LABEL_COL), HEADERS[0], "col_header")
    _label(lay, Box(HEADER_ROW, TEXT_COL, HEADER_ROW, TEXT_COL), HEADERS[1], "col_header")
    row = HEADER_ROW + 1
    for group, cells in text.front:
        row = _fields(lay, row, group.label, cells)
    for part in text.parts:
        if part.table is not None:
            table = spec.table(part.table)
            _label(lay, Box(row, LABEL_COL, row, LABEL_COL), table.title, "row_header")
            lay.notes.append(
                (Box(row, TEXT_COL, row, TEXT_COL), f"由“{table.sheet}”的数字生成，不在这里填写。")
            )
            row += 1
            continue
        for c in part.cells:
            row = _long(lay, row, c)
    for group, cells in text.back:
        row = _fields(lay, row, group.label, cells)
    lay.last_row = row - 1
    return lay
