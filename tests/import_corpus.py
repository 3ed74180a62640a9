"""A corpus of published reports for the import tests: random values printed in the national layout (the
report package's grids of the national tables, rowspan and colspan as the format merges its header cells),
rendered as an HTML page,
a Word document (and through LibreOffice a PDF) or a text rendering, then distorted as real pages are.

`make_report` gives the truth (every input cell's text as printed, None for blank; every printed total) and a
`Page`; the distortions change the page; the renderers write it. Nothing here is read by tianbao itself.
"""

from __future__ import annotations

import html
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tianbao.report.grid import Grid, table_grids
from tianbao.spec import Spec, fmt_number

VALUE, LABEL, GROUP, HEADER, TITLE = "value", "label", "group", "header", "title"


@dataclass
class Cell:
    text: str
    kind: str  # value | label (a data row's label) | group (a row group) | header | title (a section title)
    rowspan: int = 1
    colspan: int = 1
    cell_id: str | None = None


@dataclass
class Table:
    table_id: str
    title: str
    rows: list[list[Cell]]
    width: int


@dataclass
class Page:
    title: str
    intro: list[str]
    tables: list[Table]
    closing: list[str]


@dataclass
class Report:
    spec: Spec
    year: int
    unit: str
    values: dict[str, str | None]  # input cell id → as printed (None: blank)
    totals: dict[str, str | None]  # computed cell id → as printed
    page: Page = field(repr=False, default=None)  # type: ignore[assignment]


def _number_text(rng: random.Random, cell_type: str) -> str:
    if cell_type == "amount":
        return rng.choice(["0", "26.55", "18.871", "4068.208", "3", "0.5"])
    return str(rng.choice([0, 0, 0, 1, 2, 3, 5, 8, 12, 40]))


def random_values(
    spec: Spec, rng: random.Random, blank: float = 0.15, dash: float = 0.05
) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for cell_id in spec.input_ids:
        r = rng.random()
        if r < blank:
            out[cell_id] = None
        elif r < blank + dash:
            out[cell_id] = rng.choice(["/", "—"])
        else:
            out[cell_id] = _number_text(rng, spec.cells[cell_id].type)
    return out


def consistent_values(spec: Spec, rng: random.Random) -> dict[str, str | None]:
    """Random values that pass `tianbao check`'s hard rules: 上年结转 set so that each column of 表三 adds up
    (一 + 二 = 三（七）+ 四, H3)."""
    values = random_values(spec, rng)
    computed = spec.compute({k: _as_number(v) for k, v in values.items()})
    for col in ("np", "ce", "ri", "spo", "lso", "oth"):
        new, fwd = _as_number(values[f"t3.new.{col}"]), _as_number(values[f"t3.fwd.{col}"])
        carry = float(computed[f"t3.r7.{col}"]) + fwd - new
        if carry < 0:
            values[f"t3.new.{col}"], carry = fmt_number(new - carry), 0.0
        values[f"t3.carry.{col}"] = fmt_number(carry)
    return values


def _as_number(text: str | None) -> float:
    if text is None or text in ("/", "—"):
        return 0.0
    return float(text)


def printed_totals(
    spec: Spec, values: dict[str, str | None], rng: random.Random, wrong: float = 0.0
) -> dict[str, str | None]:
    """The totals as a report prints them: right (the sums), sometimes wrong by a little when `wrong`."""
    computed = spec.compute({k: _as_number(v) for k, v in values.items()})
    out: dict[str, str | None] = {}
    for cell_id, total in computed.items():
        value = float(total)
        if rng.random() < wrong:
            value += rng.choice([1, 2, 3])
        out[cell_id] = fmt_number(value)
    return out


def _table(grid: Grid, texts: dict[str, str | None]) -> Table:
    """The table as the format prints it: the report package's grid of the national table (one
    implementation of the layout), the values as printed in its value cells."""
    kinds = {"section_title": TITLE, "corner": HEADER, "col_header": HEADER}
    rows: list[list[Cell]] = [[] for _ in range(grid.n_rows)]
    for c in grid.cells:
        if c.cell_id is not None:
            cell = Cell(texts.get(c.cell_id) or "", VALUE, c.rowspan, c.colspan, c.cell_id)
        else:
            kind = kinds.get(c.kind) or (GROUP if c.rowspan > 1 else LABEL)
            cell = Cell(c.text, kind, c.rowspan, c.colspan)
        rows[c.row].append(cell)
    return Table(grid.table_id, grid.title, rows, grid.n_cols)


def make_report(
    spec: Spec,
    rng: random.Random,
    year: int = 2024,
    unit: str = "诺敏镇人民政府",
    wrong: float = 0.0,
    values: dict[str, str | None] | None = None,
) -> Report:
    """A report of random values (or of `values`: every input cell's text, None for blank), its totals
    printed right (or wrong in a share `wrong` of them)."""
    values = random_values(spec, rng) if values is None else values
    totals = printed_totals(spec, values, rng, wrong)
    texts = {**values, **totals}
    tables = [_table(grid, texts) for grid in table_grids(spec)]
    page = Page(
        title=f"{unit}{year}年政府信息公开工作年度报告",
        intro=[
            "本报告依据《中华人民共和国政府信息公开条例》第五十条的规定编制。",
            f"本报告中使用数据统计期限为{year}年1月1日至{year}年12月31日。",
            "一、总体情况",
            "本年度共收到政府信息公开申请若干件，均已按时答复。",
        ],
        tables=tables,
        closing=[
            "五、存在的主要问题及改进情况",
            "进一步加强信息公开工作。",
            "六、其他需要报告的事项",
            "无。",
            unit,
            f"{year + 1}年1月15日",
        ],
    )
    return Report(spec, year, unit, values, totals, page)


# --- renderers ---------------------------------------------------------------------------------------------


def to_html(page: Page, charset: str = "utf-8", declare: bool = True, cms: bool = False) -> bytes:
    """The page as a site publishes it: in a CMS layout table, with navigation and a footer. `cms`: the
    markup a CMS editor leaves in a table pasted from Word — header cells in <th>, a <tbody>, each text in a
    styled <p><span>, “&nbsp;” in the empty cells, a hidden <span> of leftovers, comments."""
    parts = ["<!DOCTYPE html><html><head>"]
    if declare:
        parts.append(f'<meta charset="{charset}">')
    parts.append(f"<title>{html.escape(page.title)}_政府信息公开</title></head><body>")
    parts.append('<div class="nav"><a href="/">首页</a> &gt; <a href="/xxgk">政府信息公开</a></div>')
    parts.append('<table width="100%"><tr><td><div class="article">')  # a CMS layout table around the article
    parts.append(f"<h1>{html.escape(page.title)}</h1>")
    parts.extend(f"<p>{html.escape(line)}</p>" for line in page.intro)
    for table in page.tables:
        parts.append(f"<p><strong>{html.escape(table.title)}</strong></p>")
        parts.append('<table border="1" cellspacing="0">' + ("<tbody><!-- 表格 -->" if cms else ""))
        for row in table.rows:
            parts.append("<tr>")
            for cell in row:
                span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                    f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
                )
                text = html.escape(cell.text).replace("\n", "<br>")
                tag = "td"
                if cms:
                    tag = "th" if cell.kind in (HEADER, TITLE) else "td"
                    text = (
                        f'<p style="text-align:center"><span style="font-family:宋体;font-size:12px">{text}</span>'
                        '<span style="display:none">0</span></p>'
                        if text
                        else "&nbsp;"
                    )
                parts.append(f"<{tag}{span}>{text}</{tag}>")
            parts.append("</tr>")
        parts.append(("</tbody>" if cms else "") + "</table>")
    parts.extend(f"<p>{html.escape(line)}</p>" for line in page.closing)
    parts.append(
        "</div></td></tr></table><div class='footer'>主办：某某人民政府 网站标识码：1507230001</div></body></html>"
    )
    return "".join(parts).encode(charset)


def text_lines(page: Page, sep: str = " | ", pad: bool = True, under: bool = False) -> list[str]:
    """What copying the page gives: a line per row, its cells separated, padded to the table's width (as the
    seed report is); `under`: each data row's values on the line below its label."""
    lines = [page.title, *page.intro]
    for table in page.tables:
        lines.append(table.title)
        for row in table.rows:
            cells = [c.text.replace("\n", " ") for c in row]
            values = [c for c in row if c.kind == VALUE]
            if under and values and len(values) < len(row):
                labels = [c.text for c in row if c.kind != VALUE]
                lines.append(sep.join(labels))
                lines.append(sep.join(c.text for c in values))
                continue
            width = sum(c.colspan for c in row)
            if pad and width < table.width:
                cells += [""] * (table.width - width)
            lines.append(sep.join(cells))
    lines.extend(page.closing)
    return lines


def cell_lines(page: Page, bars: bool = True) -> list[str]:
    """A page flattened as copying some CMS pages gives it (docs/format.md §7; seen on
    http://www.xjnlk.gov.cn/xjnlk/c112945/202401/46aba5e181454bc798b5443c493da056.shtml and, without the “|”
    lines, http://changtu.gov.cn/changtu/zwgk/zfxxgk/zfxxgknb99/2022n52/xzzfxxgkgzndbg/2024013110470592735/index.html):
    each cell on its own lines, a line “|” after each (`bars`) — no mark where a row ends; without the bars
    an empty cell is an empty line, lost among the others."""
    lines = [page.title, *page.intro]
    for table in page.tables:
        lines += [table.title, "该部分以表格形式报告。表格如下："]
        for row in table.rows:
            for cell in row:
                lines.append(cell.text)
                if bars:
                    lines.append("|")
    lines.extend(page.closing)
    return lines


def to_text(page: Page, **kwargs: object) -> bytes:
    return "\n".join(text_lines(page, **kwargs)).encode("utf-8")  # type: ignore[arg-type]


def to_docx(page: Page, path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.core_properties.title = page.title
    doc.add_heading(page.title, level=1)
    for line in page.intro:
        doc.add_paragraph(line)
    for table in page.tables:
        doc.add_paragraph(table.title)
        grid = doc.add_table(rows=len(table.rows), cols=table.width)
        grid.style = "Table Grid"
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(table.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                top = grid.cell(r, c)
                if cell.rowspan > 1 or cell.colspan > 1:
                    top = top.merge(grid.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                top.text = cell.text
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        # A row printed with fewer cells (dropped) ends early, as Word allows.
        unused = [
            grid.cell(r, c)._tc
            for r in range(len(table.rows))
            for c in range(table.width)
            if (r, c) not in taken
        ]
        for tc in dict.fromkeys(unused):
            if tc.getparent() is not None:
                tc.getparent().remove(tc)
    for line in page.closing:
        doc.add_paragraph(line)
    doc.save(str(path))


# --- distortions (each returns a new page) ------------------------------------------------------------------


def _map_labels(
    page: Page, f: Callable[[str], str], kinds: tuple[str, ...] = (LABEL, GROUP, HEADER, TITLE)
) -> Page:
    tables = [
        replace(
            t, rows=[[replace(c, text=f(c.text)) if c.kind in kinds else c for c in row] for row in t.rows]
        )
        for t in page.tables
    ]
    return replace(page, tables=tables, title=f(page.title) if TITLE in kinds else page.title)


def half_width(page: Page) -> Page:
    return _map_labels(page, lambda s: unicodedata.normalize("NFKC", s))


def full_width(page: Page) -> Page:
    table = {c: chr(ord(c) + 0xFEE0) for c in "()0123456789.:,"}
    return _map_labels(page, lambda s: "".join(table.get(ch, ch) for ch in s), (LABEL, GROUP, HEADER))


def spaced(page: Page, rng: random.Random) -> Page:
    def f(s: str) -> str:
        if len(s) < 3:
            return s
        i = rng.randrange(1, len(s))
        return s[:i] + rng.choice([" ", "  ", "\u3000"]) + s[i:]

    return _map_labels(page, f, (LABEL, GROUP, HEADER))


def traditional(page: Page) -> Page:
    import zhconv

    def f(s: str) -> str:
        return zhconv.convert(s, "zh-hant")

    out = _map_labels(page, f)
    return replace(
        out, intro=[f(x) for x in page.intro], closing=[f(x) for x in page.closing], title=f(page.title)
    )


def ocr_slip(page: Page, rng: random.Random, share: float = 0.3) -> Page:
    """One character of some long labels replaced (a recognition slip)."""

    def f(s: str) -> str:
        letters = [i for i, ch in enumerate(s) if "\u4e00" <= ch <= "\u9fff"]
        if len(letters) < 6 or rng.random() > share:
            return s
        i = rng.choice(letters[1:-1])
        return s[:i] + rng.choice("口日曰目田甲申由") + s[i + 1 :]

    return _map_labels(page, f, (LABEL,))


def old_alias(page: Page) -> Page:
    return _map_labels(page, lambda s: "规范性文件" if s == "行政规范性文件" else s, (LABEL,))


def split_labels(page: Page) -> Page:
    """Long labels broken over two lines of their cell."""

    def f(s: str) -> str:
        return s[: len(s) // 2] + "\n" + s[len(s) // 2 :] if len(s) >= 12 else s

    return _map_labels(page, f, (LABEL, GROUP, HEADER))


def _header_rows(table: Table) -> list[list[Cell]]:
    out = []
    for row in table.rows:
        if any(c.kind == VALUE for c in row):
            break
        out.append(row)
    return out


def _insert(table: Table, at: int, inserted: list[list[Cell]]) -> Table:
    """Rows inserted before row `at`; row groups spanning across them end there and go on below them, their
    label printed again (as on the top of a new page)."""
    rows = [list(r) for r in table.rows]
    carried: list[Cell] = []
    for r in range(at):
        for k, cell in enumerate(rows[r]):
            if r + cell.rowspan > at:
                rows[r][k] = replace(cell, rowspan=at - r)
                carried.append(replace(cell, rowspan=r + cell.rowspan - at))
    if carried and at < len(rows):
        rows[at] = carried + rows[at]
    return replace(table, rows=[*rows[:at], *inserted, *rows[at:]])


def repeated_headers(page: Page) -> Page:
    """表三's header printed again in its middle, as on the top of a new page."""
    tables = []
    for t in page.tables:
        head = _header_rows(t)
        middle = len(t.rows) // 2 + 1
        if t.table_id == "t3" and head and middle > len(head):
            tables.append(_insert(t, middle, [list(row) for row in head]))
        else:
            tables.append(t)
    return replace(page, tables=tables)


def page_footers(page: Page) -> Page:
    """A page footer “— 4 —” as a row in the middle of each long table."""
    tables = []
    for t in page.tables:
        if len(t.rows) > 8:
            tables.append(_insert(t, len(t.rows) // 2, [[Cell("— 4 —", TITLE, colspan=t.width)]]))
        else:
            tables.append(t)
    return replace(page, tables=tables)


def groups_on_own_rows(page: Page) -> Page:
    """The （三）…（六） groups (every row group) printed on a row of their own, not spanning their rows."""
    tables = []
    for t in page.tables:
        rows: list[list[Cell]] = []
        for row in t.rows:
            groups = [c for c in row if c.kind == GROUP]
            rest = [c for c in row if c.kind != GROUP]
            for g in groups:
                rows.append([replace(g, rowspan=1, colspan=t.width)])
            if groups and rest and rest[0].kind == LABEL:
                lost = sum(g.colspan for g in groups)
                rest = [replace(rest[0], colspan=rest[0].colspan + lost), *rest[1:]]
            rows.append(rest)
        tables.append(replace(t, rows=rows))
    return replace(page, tables=tables)


def expanded_spans(page: Page) -> Page:
    """Every merged cell written as its text followed by empty cells (a CMS that does not merge): a span of
    another shape."""
    tables = []
    for t in page.tables:
        covered: dict[tuple[int, int], Cell] = {}
        grid: list[list[Cell]] = []
        for r, row in enumerate(t.rows):
            out: list[Cell] = []
            c = 0
            for cell in row:
                while (r, c) in covered:
                    out.append(covered.pop((r, c)))
                    c += 1
                out.append(replace(cell, rowspan=1, colspan=1))
                for _ in range(1, cell.colspan):
                    out.append(Cell("", cell.kind))
                for dr in range(1, cell.rowspan):
                    for dc in range(cell.colspan):
                        covered[r + dr, c + dc] = Cell(
                            cell.text if dc == 0 and cell.kind == GROUP else "", cell.kind
                        )
                c += cell.colspan
            while (r, c) in covered:
                out.append(covered.pop((r, c)))
                c += 1
            grid.append(out)
        tables.append(replace(t, rows=grid))
    return replace(page, tables=tables)


def dropped_empty(page: Page) -> Page:
    """Empty cells left out (an editor that deletes them): values shift left."""
    tables = [
        replace(t, rows=[[c for c in row if c.text or c.kind != VALUE] for row in t.rows])
        for t in page.tables
    ]
    return replace(page, tables=tables)


DISTORTIONS: dict[str, Callable[[Page, random.Random], Page]] = {
    "half_width": lambda p, r: half_width(p),
    "full_width": lambda p, r: full_width(p),
    "spaced": spaced,
    "traditional": lambda p, r: traditional(p),
    "ocr_slip": ocr_slip,
    "old_alias": lambda p, r: old_alias(p),
    "split_labels": lambda p, r: split_labels(p),
    "repeated_headers": lambda p, r: repeated_headers(p),
    "page_footers": lambda p, r: page_footers(p),
    "groups_on_own_rows": lambda p, r: groups_on_own_rows(p),
    "expanded_spans": lambda p, r: expanded_spans(p),
    "dropped_empty": lambda p, r: dropped_empty(p),
}
# Distortions after which a cell may be left unreadable (never misread): the values that are there are read.
LOSSY = {"dropped_empty"}
# Distortions that pad rows with empty cells: with cells dropped too, a padded row with a value missing reads
# like a row with a blank at its end, whatever the reader does.
PADDING = {"expanded_spans"}
