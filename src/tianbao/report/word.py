"""The report as a Word document (python-docx), laid out as a 公文 (GB/T 9704): A4, margins 37/35/28/26 mm,
title 方正小标宋简体 二号 centred, level-one headings 黑体 三号, level-two 楷体 三号, body 仿宋 三号 at a fixed
28 pt line with the first line indented two characters, 落款 right-aligned, the page number “— 1 —” centred
in the footer. Tables: one Word table per national table, header cells merged as the format's grid has them
(`tianbao.report.grid`), 仿宋 五号 (小五 for a table as wide as 表四), header rows repeated on every page.

Deterministic: the core properties carry a fixed date (the templates' `CREATED`), and the zip is rewritten
with fixed entry dates (`tianbao.fileio.fixed_zip`): the same report gives the same bytes.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

from tianbao.fileio import fixed_zip
from tianbao.report.document import Block, Paragraph, ReportDocument
from tianbao.report.grid import Grid
from tianbao.report.html_table import value_text
from tianbao.template.writer import CREATED

PAGE = (Cm(21.0), Cm(29.7))
MARGINS = {"top": Cm(3.7), "bottom": Cm(3.5), "left": Cm(2.8), "right": Cm(2.6)}
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6
LATIN = "Times New Roman"
FONTS = {"title": "方正小标宋简体", "heading": "黑体", "subheading": "楷体", "body": "仿宋", "footer": "宋体"}
SIZES = {"title": Pt(22), "heading": Pt(16), "subheading": Pt(16), "body": Pt(16), "footer": Pt(14)}
STYLES = {"heading": "Heading 1", "subheading": "Heading 2"}
LINE = Pt(28)
TABLE_SIZES = (Pt(10.5), Pt(9))  # 五号; 小五 for a table of more than WIDE columns
WIDE = 10
KEEP_TOGETHER = 16  # rows: a table this short is not split over two pages


def set_font(target: Any, font: str, size: Any = None, bold: bool | None = None) -> None:
    """The font of a run or a style: Chinese text (eastAsia) in `font`, Latin letters and digits in LATIN."""
    target.font.name = LATIN
    if size is not None:
        target.font.size = size
    if bold is not None:
        target.font.bold = bold
    element = target.element if hasattr(target, "element") else target._element
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    set_font(normal, FONTS["body"], SIZES["body"])
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    for kind, name in STYLES.items():
        style = doc.styles[name]
        set_font(style, FONTS[kind], SIZES[kind], bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        f = style.paragraph_format
        f.line_spacing_rule, f.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        f.space_before = f.space_after = Pt(0)
        f.first_line_indent = Pt(32)
        f.keep_with_next = True


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.footer_distance = Cm(2.5)
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text_run(p, "— ", "footer")
    run = p.add_run()
    set_font(run, FONTS["footer"], SIZES["footer"])
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind is None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    _text_run(p, " —", "footer")


def _text_run(p: Any, text: str, kind: str, missing: bool = False) -> Any:
    run = p.add_run(text)
    set_font(run, FONTS[kind], SIZES[kind])
    if missing:  # a placeholder: seen at once, and printed in red
        run.font.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0, 0)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return run


def _paragraph(doc: Any, runs: Paragraph, kind: str) -> Any:
    p = doc.add_paragraph(style=STYLES.get(kind))
    if kind == "paragraph":
        p.paragraph_format.first_line_indent = Pt(32)  # two characters of 三号
    for r in runs:
        _text_run(p, r.text, "body" if kind == "paragraph" else kind, r.missing)
    return p


def _widths(grid: Grid) -> list[float]:
    """Column widths (cm) filling the text width: data columns as wide as needed, the row labels the rest
    (the innermost widest)."""
    data = grid.n_cols - grid.label_cols
    if grid.label_cols == 0:
        return [TEXT_WIDTH_CM / grid.n_cols] * grid.n_cols
    col = min(max(TEXT_WIDTH_CM * 0.55 / data, 1.1), 3.6)
    rest = TEXT_WIDTH_CM - col * data
    outer = [min(1.4, rest / (grid.label_cols + 2))] * (grid.label_cols - 1)
    return [*outer, rest - sum(outer), *([col] * data)]


def _table(doc: Any, block: Block) -> None:
    grid = block.grid
    assert grid is not None
    size = TABLE_SIZES[0] if grid.n_cols <= WIDE else TABLE_SIZES[1]
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(grid)
    short = grid.n_rows <= KEEP_TOGETHER
    for k, column in enumerate(table.columns):  # the grid LibreOffice and WPS lay out by
        column.width = Cm(widths[k])
    # Each cell of the table before any merge, once: `table.cell()` lays out the whole table on every call
    # (quadratic: seconds for 表三). Merging keeps the top-left cell's element, so these stay valid.
    cells = [[_Cell(tc, table) for tc in row._tr.tc_lst] for row in table.rows]
    for row in cells:  # and each cell's own width, which Word uses (a merge adds them up)
        for k, cell in enumerate(row):
            cell.width = Cm(widths[k])
    for c in grid.cells:
        cell = cells[c.row][c.col]
        if c.rowspan > 1 or c.colspan > 1:
            cell = cell.merge(cells[c.last_row][c.last_col])
        text = c.text if c.is_header else value_text(block.values.get(c.cell_id or ""))
        p = cell.paragraphs[0]
        f = p.paragraph_format
        f.first_line_indent = Pt(0)
        f.line_spacing = 1.1  # about single, not the body's fixed 28 pt
        f.space_before = f.space_after = Pt(2)
        # A title or header row never ends a page; a short table is kept on one page.
        f.keep_with_next = c.last_row < grid.n_rows - 1 and (
            (c.is_header and c.kind != "row_header") or short
        )
        left = c.kind == "row_header" and c.rowspan == 1
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        set_font(run, FONTS["body"], size, bold=c.kind in ("section_title", "col_header"))
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for i, row in enumerate(table.rows):  # a row is not split over two pages; the header is on each page
        for tag in ("w:cantSplit", "w:tblHeader") if i < grid.repeat_rows else ("w:cantSplit",):
            mark = OxmlElement(tag)
            mark.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(mark)
    doc.add_paragraph()  # a line between a table and what follows


def report_docx(doc: ReportDocument) -> bytes:
    """The .docx file's bytes."""
    d = Document()
    _styles(d)
    _page(d)
    props = d.core_properties
    props.title, props.author, props.last_modified_by = doc.title_text, "tianbao", "tianbao"
    props.subject, props.keywords, props.comments = "政府信息公开工作年度报告", "", ""
    props.created = props.modified = props.last_printed = CREATED
    props.revision = 1
    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = LINE
    for r in doc.title:
        _text_run(title, r.text, "title", r.missing)
    for block in doc.blocks:
        if block.kind == "table":
            _table(d, block)
        else:
            _paragraph(d, block.runs, block.kind)
    for i, runs in enumerate(doc.signature):
        p = _paragraph(d, runs, "paragraph")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.right_indent = Pt(64)  # four characters from the right, as a 公文's 落款
        if i == 0:
            p.paragraph_format.space_before = LINE
    buf = io.BytesIO()
    d.save(buf)
    return fixed_zip(buf.getvalue(), CREATED)
