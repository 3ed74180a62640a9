"""The publishable report: the national tables as grids (`table_grids`), rendered as HTML (`grid_html`)."""

from tianbao.report.grid import Grid, GridCell, table_grid, table_grids
from tianbao.report.html_table import grid_html, value_text

__all__ = ["Grid", "GridCell", "grid_html", "table_grid", "table_grids", "value_text"]
