"""Where every label and cell of a table sits on its sheet, derived from the spec alone.

The template writer draws this layout, the reader finds cells through it (and checks it against the defined
names), and the consolidated workbook reuses it. Positions are 0-based (row, col); `a1()` formats them.

A table sheet is: the table title (row 0), a line with the unit and year (row 1), then each section: its title
row (when it has one), its column header rows, its data rows. After the sections come the check rows of rules
that declare `check_row` (and, for rules on last year's values, a reference row with those values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from tianbao.spec.compiled import RuleInstance, Spec, _leaves, node_key
from tianbao.spec.model import Node, Table

TITLE_ROW = 0
SUBTITLE_ROW = 1
FIRST_SECTION_ROW = 2


def col_letter(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


@dataclass(frozen=True)
class Box:
    """A rectangle of the sheet (inclusive), holding one label or one value."""

    row: int
    col: int
    last_row: int
    last_col: int

    @property
    def merged(self) -> bool:
        return self.last_row > self.row or self.last_col > self.col


@dataclass(frozen=True)
class Label:
    box: Box
    text: str
    kind: str  # title | section_title | corner | col_header | row_header | check_label | prev_label


@dataclass(frozen=True)
class CheckCell:
    instance: RuleInstance
    box: Box


@dataclass
class SheetLayout:
    table: Table
    label_cols: int
    width: int
    labels: list[Label] = field(default_factory=list)
    cells: dict[str, Box] = field(default_factory=dict)
    data_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, row key)
    header_rows: list[int] = field(default_factory=list)
    check_cells: list[CheckCell] = field(default_factory=list)
    prev_cells: dict[str, Box] = field(default_factory=dict)  # last year's values shown for reference
    last_row: int = 0

    @property
    def sheet(self) -> str:
        return self.table.sheet

    def ref(self, cell_id: str, absolute: bool = False) -> str:
        box = self.cells[cell_id]
        return a1(box.row, box.col, absolute)


def _depth(nodes: list[Node]) -> int:
    return max((1 + _depth(n.children) if n.children else 1) for n in nodes) if nodes else 0


def _label_depth(nodes: list[Node]) -> int:
    """Depth of the row tree counting only labelled nodes (T4's single data row has none)."""
    best = 0
    for n in nodes:
        own = 1 if n.label else 0
        best = max(best, own + _label_depth(n.children))
    return best


def _leaf_count(node: Node) -> int:
    return 1 if not node.children else sum(_leaf_count(c) for c in node.children)


@cache
def sheet_layouts(spec: Spec, with_previous: bool = False) -> tuple[SheetLayout, ...]:
    return tuple(_table_layout(spec, t, with_previous) for t in spec.tables)


def layout_for(spec: Spec, table_id: str, with_previous: bool = False) -> SheetLayout:
    for lay in sheet_layouts(spec, with_previous):
        if lay.table.id == table_id:
            return lay
    raise KeyError(table_id)


def cell_boxes(spec: Spec) -> dict[str, tuple[str, Box]]:
    """Every cell id → (sheet, box)."""
    return {cid: (lay.sheet, box) for lay in sheet_layouts(spec) for cid, box in lay.cells.items()}


def _table_layout(spec: Spec, table: Table, with_previous: bool) -> SheetLayout:
    label_cols = max(_label_depth(s.rows) for s in table.sections)
    data_cols = max(sum(_leaf_count(n) for n in s.columns) for s in table.sections)
    width = label_cols + data_cols
    lay = SheetLayout(table=table, label_cols=label_cols, width=width)
    lay.labels.append(Label(Box(TITLE_ROW, 0, TITLE_ROW, width - 1), table.title, "title"))
    row = FIRST_SECTION_ROW
    for section in table.sections:
        if section.title:
            lay.labels.append(Label(Box(row, 0, row, width - 1), section.title, "section_title"))
            row += 1
        depth = _depth(section.columns)
        header_top = row
        lay.header_rows.extend(range(header_top, header_top + depth))
        if label_cols and section.corner:
            lay.labels.append(
                Label(Box(header_top, 0, header_top + depth - 1, label_cols - 1), section.corner, "corner")
            )
        leaves = list(_leaves(section.columns))
        # Columns: a section narrower than the table stretches its last column to the right edge.
        col_of: dict[str, Box] = {}
        col = label_cols
        for i, path in enumerate(leaves):
            last = width - 1 if i == len(leaves) - 1 else col
            col_of[node_key(path)] = Box(0, col, 0, last)
            col = last + 1

        def place_headers(nodes: list[Node], level: int, first_col: int) -> None:
            c = first_col
            for n in nodes:
                span = _leaf_count(n)
                last_col = c + span - 1
                if n.children:
                    if n.label:
                        lay.labels.append(
                            Label(
                                Box(header_top + level, c, header_top + level, last_col),
                                n.label,
                                "col_header",
                            )
                        )
                    place_headers(n.children, level + 1, c)
                else:
                    last_col = col_of_leaf[id(n), c].last_col
                    if n.label:
                        lay.labels.append(
                            Label(
                                Box(header_top + level, c, header_top + depth - 1, last_col),
                                n.label,
                                "col_header",
                            )
                        )
                c = last_col + 1

        col_of_leaf = {(id(path[-1]), col_of[node_key(path)].col): col_of[node_key(path)] for path in leaves}
        place_headers(section.columns, 0, label_cols)
        row = header_top + depth

        def place_rows(nodes: list[Node], level: int, prefix: tuple[Node, ...]) -> None:
            nonlocal row
            for n in nodes:
                first = row
                if n.children:
                    place_rows(n.children, level + (1 if n.label else 0), (*prefix, n))
                    if n.label:
                        lay.labels.append(Label(Box(first, level, row - 1, level), n.label, "row_header"))
                else:
                    if n.label:
                        lay.labels.append(Label(Box(row, level, row, label_cols - 1), n.label, "row_header"))
                    rkey = node_key((*prefix, n))
                    lay.data_rows.append((row, rkey))
                    for path in leaves:
                        ckey = node_key(path)
                        cell_id = ".".join(p for p in (table.id, rkey, ckey) if p)
                        b = col_of[ckey]
                        lay.cells[cell_id] = Box(row, b.col, row, b.last_col)
                    row += 1

        place_rows(section.rows, 0, ())

    # Check rows (and the reference row of last year's values) below the last section.
    by_rule: dict[str, list[RuleInstance]] = {}
    for inst in spec.checks:
        if inst.rule.check_row and inst.target in lay.cells:
            if inst.relation.needs_previous and not with_previous:
                continue
            by_rule.setdefault(inst.rule.id, []).append(inst)
    for instances in by_rule.values():
        prev_ids = [c for inst in instances for c in inst.relation.cells(prev=True)]
        if prev_ids:
            text = "上年报告：" + " / ".join(dict.fromkeys(_row_label(spec, c) for c in prev_ids))
            lay.labels.append(Label(Box(row, 0, row, max(label_cols - 1, 0)), text, "prev_label"))
            for cid in dict.fromkeys(prev_ids):
                b = lay.cells[_same_column_cell(cid, instances, lay)]
                lay.prev_cells[cid] = Box(row, b.col, row, b.last_col)
            row += 1
        rule = instances[0].rule
        lay.labels.append(
            Label(Box(row, 0, row, max(label_cols - 1, 0)), rule.check_row or "", "check_label")
        )
        for inst in instances:
            b = lay.cells[inst.target]
            lay.check_cells.append(CheckCell(inst, Box(row, b.col, row, b.last_col)))
        row += 1
    lay.last_row = row - 1
    return lay


def _row_label(spec: Spec, cell_id: str) -> str:
    c = spec.cells[cell_id]
    return c.row_labels[-1] if c.row_labels else c.id


def _same_column_cell(prev_id: str, instances: list[RuleInstance], lay: SheetLayout) -> str:
    """The current-year cell in whose column last year's value `prev_id` is shown: the check's target."""
    for inst in instances:
        if prev_id in inst.relation.cells(prev=True):
            return inst.target
    return prev_id


# --- The cover sheet (封面): unit metadata, then the filling instructions. -----------------------------------
COVER_SHEET = "封面"
CHECK_SHEET = "校验"
COVER_FIRST_META_ROW = 3
COVER_VALUE_COL = 1
COVER_LAST_COL = 3


def cover_title(year: int | str) -> str:
    """The cover's title (row 0, locked), also the workbook's title: the reader compares it with the stamp."""
    return f"{year}年度政府信息公开工作年度报告统计表"


def cover_boxes(spec: Spec) -> dict[str, Box]:
    """meta id → the box of its value on the cover sheet."""
    return {
        f.id: Box(COVER_FIRST_META_ROW + i, COVER_VALUE_COL, COVER_FIRST_META_ROW + i, COVER_LAST_COL)
        for i, f in enumerate(spec.meta)
    }


# --- The 明细 sheet of a consolidated workbook: a row per unit, a column per cell id. ------------------------
DETAIL_SHEET = "明细"
DETAIL_HEADER_ROW = 0
DETAIL_FIXED = ("单位代码", "单位名称", "单位类型", "文件")


def detail_header(spec: Spec, cell_id: str) -> str:
    """The 明细 column header of a cell: its sheet, label and id, e.g. “表三 （一）予以公开 / 自然人〔t3.r1.np〕”."""
    cell = spec.cells[cell_id]
    return f"{cell.sheet} {cell.label}〔{cell.id}〕"


def detail_columns(spec: Spec) -> dict[str, int]:
    """cell id → its 0-based column on the 明细 sheet (every cell, input and computed, in spec order)."""
    return {cell_id: len(DETAIL_FIXED) + i for i, cell_id in enumerate(spec.cells)}


def detail_sum_formula(col: int, n_rows: int) -> str:
    """The formula of a consolidated input cell: the sum of its 明细 column over the unit rows."""
    first = DETAIL_HEADER_ROW + 1
    last = first + max(n_rows, 1) - 1
    return f"=SUM('{DETAIL_SHEET}'!{a1(first, col)}:{a1(last, col)})"
