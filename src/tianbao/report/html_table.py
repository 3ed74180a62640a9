"""A grid as an HTML `<table>`: labels in `<th>`, values in `<td>`, `rowspan`/`colspan` exactly as the format's
table has them. Borders and alignment are inline styles as well as attributes, so the table keeps its look when
a clerk pastes it into a site's CMS editor, which usually drops a page's `<style>`."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from tianbao.report.grid import Grid, GridCell
from tianbao.spec.compiled import fmt_number

TABLE_STYLE = "border-collapse:collapse;width:100%;border:1px solid #000;margin:0 auto"
_CELL = "border:1px solid #000;padding:2px 4px;vertical-align:middle"
STYLES = {
    "section_title": f"{_CELL};text-align:center;font-weight:bold",
    "corner": f"{_CELL};text-align:center;font-weight:normal",
    "col_header": f"{_CELL};text-align:center;font-weight:bold",
    "row_header": f"{_CELL};text-align:left;font-weight:normal",
    "row_group": f"{_CELL};text-align:center;font-weight:normal",
    "value": f"{_CELL};text-align:center",
}
Values = Mapping[str, float | int | str | None]


def value_text(value: float | int | str | None) -> str:
    """A value as the report prints it: a number as a person writes it (3, 0.038); blank stays blank."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return fmt_number(float(value))


def _attrs(c: GridCell) -> str:
    out = ""
    if c.rowspan > 1:
        out += f' rowspan="{c.rowspan}"'
    if c.colspan > 1:
        out += f' colspan="{c.colspan}"'
    return out


def _style(c: GridCell) -> str:
    if c.kind == "row_header" and c.rowspan > 1:
        return STYLES["row_group"]
    return STYLES[c.kind]


def grid_html(
    grid: Grid,
    values: Values | None = None,
    *,
    cell_ids: bool = False,
    indent: str = "",
) -> str:
    """The grid as a `<table>`. `values`: cell id → value (a missing or None value is an empty cell: blank is
    not zero); None renders the empty table. `cell_ids`: mark each value cell with `data-cell-id` (for tools
    and tests; a published page does not need it)."""
    values = values or {}
    head = grid.repeat_rows
    lines = [
        f'{indent}<table class="tianbao-table" data-table="{escape(grid.table_id)}" border="1" '
        f'cellspacing="0" cellpadding="4" style="{TABLE_STYLE}">'
    ]
    for i, row in enumerate(grid.rows):
        if head and i == 0:
            lines.append(f"{indent}  <thead>")
        if head and i == head:
            lines.append(f"{indent}  </thead>\n{indent}  <tbody>")
        cells = []
        for c in row:
            if c.is_header:
                cells.append(f'<th{_attrs(c)} style="{_style(c)}">{escape(c.text)}</th>')
            else:
                assert c.cell_id is not None
                mark = f' data-cell-id="{escape(c.cell_id)}"' if cell_ids else ""
                text = escape(value_text(values.get(c.cell_id)))
                cells.append(f'<td{_attrs(c)}{mark} style="{_style(c)}">{text}</td>')
        lines.append(f"{indent}  <tr>{''.join(cells)}</tr>")
    if head:
        lines.append(f"{indent}  </tbody>")
    lines.append(f"{indent}</table>")
    return "\n".join(lines)
