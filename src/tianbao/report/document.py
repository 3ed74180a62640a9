"""The report as a document, before any format: title, opening, the parts in the spec's order (text parts
from the 正文, table parts as grids with the checked values), 落款 — and what is missing.

Text is split into paragraphs at line breaks. A text a unit did not write becomes a placeholder run
(“【待填写：…】”), and its name is listed in `missing`:

- a title, opening or 落款 field with a default (单位名称, 编制依据, 统计期限) falls back to it; a required
  field without one (报告下载, 联系方式, 成文日期) is missing;
- a text part left wholly blank is missing as a whole when anything in it is required; else its blank
  required sub-sections are missing, unless the part's own text is written and `lead_covers` says it may hold
  the whole part (as a report imported in one piece does);
- a sub-section whose label is numbered (（一）主动公开) gets it as a heading, unless its text starts with the
  same number (the unit pasted its own heading); other sub-sections (收取信息处理费情况) are paragraphs of
  their part.

Values: inputs as read (a blank input stays blank in the table — blank is not zero — and is listed in
`blank`), totals as tianbao recomputed them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from tianbao.cells import clean_text
from tianbao.narrative.places import label_of
from tianbao.report.grid import Grid, table_grid
from tianbao.spec.compiled import Spec
from tianbao.spec.text import Part, TextCell, TextSpec, text_spec

PLACEHOLDER = "【待填写：{label}】"
HEADING_CHARS = 30  # a first line this short, without a sentence's punctuation, may be the text's own heading
_CN = "零一二三四五六七八九十"
_NUMBERING = re.compile(r"^\s*((?:[(（][一二三四五六七八九十]+[)）])|(?:[一二三四五六七八九十]+[、.．]))")


@dataclass(frozen=True)
class Run:
    text: str
    missing: bool = False  # a placeholder for a text not written


Paragraph = tuple[Run, ...]


@dataclass(frozen=True)
class Block:
    kind: Literal["heading", "subheading", "paragraph", "table"]
    runs: Paragraph = ()
    grid: Grid | None = None
    values: Mapping[str, float | None] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class ReportDocument:
    title: Paragraph
    blocks: tuple[Block, ...]
    signature: tuple[Paragraph, Paragraph]  # the issuing unit, the date
    missing: tuple[str, ...]  # the texts not written, by name
    blank: tuple[str, ...]  # the table cells left blank, as "表三 D6"-style labels
    has_text: bool  # whether the workbook had a 正文 sheet (or a text was given)

    @property
    def title_text(self) -> str:
        return "".join(r.text for r in self.title)


def chinese_count(n: int) -> str:
    """1–99 as Chinese numerals (the number of parts: 六)."""
    if n <= 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return (_CN[tens] if tens > 1 else "") + "十" + (_CN[ones] if ones else "")


def paragraphs(text: str) -> list[Paragraph]:
    return [(Run(line),) for line in text.split("\n") if line.strip()]


def _numbering(text: str) -> str | None:
    m = _NUMBERING.match(unicodedata.normalize("NFKC", text))
    return m.group(1).replace("(", "（").replace(")", "）").replace(".", "、") if m else None


def _own_heading(label: str, content: str, kind: Literal["heading", "subheading"]) -> list[Block]:
    """The heading of a text: the unit's own first line where it is one (the same number as the label, short,
    not a sentence: “（一）主动公开情况”), else the label; then the text's paragraphs."""
    first, _, rest = content.partition("\n")
    own = _numbering(label) is not None and _numbering(first) == _numbering(label)
    if own and len(first) <= HEADING_CHARS and not re.search(r"[。；;，,]", first):
        return [Block(kind, (Run(first.strip()),))] + [Block("paragraph", p) for p in paragraphs(rest)]
    head = [] if own else [Block(kind, (Run(label),))]
    return head + [Block("paragraph", p) for p in paragraphs(content)]


def _sentence(text: str) -> str:
    """A text that should end as a sentence does: with 。 added where it ends without punctuation."""
    text = text.strip()
    return text if not text or text[-1] in "。！？.!?）)" else text + "。"


@dataclass
class _Builder:
    spec: Spec
    text: TextSpec
    cells: Mapping[str, str]
    unit: str
    year: int
    missing: list[str] = field(default_factory=list)

    def field(self, key: str) -> Run:
        cell = self.text.cell(key)
        value = self.cells.get(cell.id)
        if value:
            return Run(value)
        if cell.default is not None:
            return Run(self.default(cell))
        if cell.required:
            return self.placeholder(cell)
        return Run("")

    def default(self, cell: TextCell) -> str:
        doc = self.spec.doc
        if cell.default == "unit_name":
            return self.unit
        if cell.default == "period":
            return f"{self.year}年1月1日至{self.year}年12月31日"
        return f"本报告根据《{self.text.doc.regulation}》第五十条和《{doc.name}》（{doc.basis}）的要求编制。"

    def placeholder(self, cell: TextCell, label: str | None = None) -> Run:
        self.missing.append(label_of(cell))
        return Run(PLACEHOLDER.format(label=label or cell.label), missing=True)

    def opening(self) -> list[Block]:
        names = [p.spec.label if p.table is None else self.spec.table(p.table).title for p in self.text.parts]
        bare = [(_NUMBERING.sub("", n) if n else "") for n in names]
        period = self.field("opening.period")
        period_text = (
            _sentence(period.text)
            if "统计期限" in period.text
            else f"本报告中所列数据的统计期限为{period.text.rstrip('。')}。"
        )
        first = (
            Run(_sentence(self.field("opening.basis").text)),
            Run(f"全文包括{'、'.join(bare)}{chinese_count(len(bare))}部分。"),
            Run(period_text),
        )
        second = tuple(self._sentence_run(k) for k in ("opening.download", "opening.contact"))
        return [Block("paragraph", first), Block("paragraph", second)]

    def _sentence_run(self, key: str) -> Run:
        run = self.field(key)
        return run if run.missing else Run(_sentence(run.text))

    def part(self, part: Part, values: Mapping[str, float | None]) -> list[Block]:
        if part.table is not None:
            grid = table_grid(self.spec, part.table)
            return [Block("heading", (Run(grid.title),)), Block("table", grid=grid, values=values)]
        assert part.lead is not None
        lead = self.cells.get(part.lead.id, "")
        written = {c.id: self.cells[c.id] for c in part.sections if c.id in self.cells}
        heading = Block("heading", (Run(part.lead.label),))
        if not lead and not written:
            if part.lead.required or any(c.required for c in part.sections):
                return [heading, Block("paragraph", (self.placeholder(part.lead),))]
            return [heading]
        if lead:
            blocks = _own_heading(part.lead.label, lead, "heading")
        else:
            blocks = [heading]
            if part.lead.required:
                blocks.append(Block("paragraph", (self.placeholder(part.lead),)))
        covered = part.spec.lead_covers and bool(lead) and not written
        for c in part.sections:
            blocks += self.section(c, written.get(c.id, ""), covered)
        return blocks

    def section(self, cell: TextCell, content: str, covered: bool) -> list[Block]:
        numbered = _numbering(cell.label) is not None
        if not content:
            if not cell.required or covered:
                return []
            head = [Block("subheading", (Run(cell.label),))] if numbered else []
            return [*head, Block("paragraph", (self.placeholder(cell),))]
        if numbered:
            return _own_heading(cell.label, content, "subheading")
        return [Block("paragraph", p) for p in paragraphs(content)]


def build_report(
    spec: Spec,
    *,
    unit: str,
    year: int,
    text: Mapping[str, str] | None,
    values: Mapping[str, float | None],
    blank: tuple[str, ...] = (),
) -> ReportDocument:
    """The report of one unit: its 正文 (`text`: text cell id → text; None when it has no 正文 sheet) and its
    table values (cell id → value: blank inputs None, totals recomputed)."""
    tspec = text_spec(spec)
    if tspec is None:
        raise ValueError(f"the spec {spec.id} {spec.version} has no text part")
    # Cleaned as the reader cleans a text cell, whoever gives it: nothing a page or a .docx cannot hold.
    cleaned = {cell_id: clean_text(value) for cell_id, value in (text or {}).items()}
    b = _Builder(spec, tspec, cleaned, clean_text(unit), year)
    title_unit = b.field("title.unit")
    title = (Run(tspec.doc.title.format(unit=title_unit.text, year=year)),)
    blocks = b.opening()
    for part in tspec.parts:
        blocks += b.part(part, values)
    signature = ((b.field("closing.unit"),), (b.field("closing.date"),))
    return ReportDocument(title, tuple(blocks), signature, tuple(b.missing), blank, text is not None)
