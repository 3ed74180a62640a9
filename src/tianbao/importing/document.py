"""The common form every published report is extracted to: a sequence of rows, in reading order.

A row is either a table row (cells of an HTML or Word table, a PDF table, or a text line whose cells are
separated by “|” or tabs) or a plain text line. Spans are not expanded: a cell spanning rows or columns is one
cell where it starts, as in the page's source; an empty cell is "" (a blank value, or the padding of a narrow
section). Page furniture (“— 4 —”, “第 4 页”, “Page 8”) is dropped here, once for every kind of input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = {"html": "HTML 网页", "docx": "Word 文档", "pdf": "PDF 文件", "text": "文本"}
# The suffixes of the files read as reports, with their kind (the bytes decide first: `report.sniff`).
SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".txt": "text",
    ".md": "text",
}

_DASH = "\\-—–－―‐‑−~～_"
_FURNITURE = re.compile(
    rf"^(?:[{_DASH}]+\s*\d{{1,4}}\s*[{_DASH}]+"  # — 4 —
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"  # 第 4 页（共 12 页）
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页"
    r"|(?:page|p\.?)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*[-—–].*)?"  # Page 8, P. 8, Page 8 - …
    r"|\d{1,4}\s*/\s*\d{1,4})$",  # 4/12
    re.IGNORECASE,
)
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    grid: bool  # table cells (True) or a plain line of text (False)

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


@dataclass
class Document:
    kind: str  # html | docx | pdf | text
    rows: list[Row] = field(default_factory=list)
    title: str = ""  # the page's <title>, the document's title property

    def add_line(self, text: str) -> None:
        """A line of text: a row of cells when it is separated by “|” or tabs, else a plain line."""
        line = text.strip(" \r\n\u3000\u00a0\ufeff")  # not tabs: they separate (empty) cells
        if not line or _MD_RULE.match(line):
            return
        if "|" in line or "\t" in line:
            sep = "|" if "|" in line else "\t"
            cells = line.split(sep)
            raw = text.rstrip("\r\n")
            if raw.startswith(sep) and line.endswith(sep):  # “| a | b |”: a markdown row, opened by “|”
                cells = cells[1:]  # (“ | 0 | 3” is a row whose first cell is empty)
            # A closing separator leaves an empty last cell: padding to the reader, like the others.
            self.add_row([c.strip() for c in cells])
            return
        if not is_furniture(line):
            self.rows.append(Row((line,), grid=False))

    def add_row(self, cells: list[str]) -> None:
        """A table row; a row holding only page furniture or nothing is dropped."""
        texts = [clean(c) for c in cells]
        filled = [c for c in texts if c]
        if not filled or (len(filled) == 1 and is_furniture(filled[0])):
            return
        self.rows.append(Row(tuple(texts), grid=True))

    @property
    def lines(self) -> list[str]:
        """The text of every row, the title first (for the report's title, year and unit)."""
        return ([self.title] if self.title else []) + [r.text for r in self.rows]


def is_furniture(text: str) -> bool:
    return bool(_FURNITURE.match(text.strip()))


_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]+")


def clean(text: str) -> str:
    """A cell's text: runs of spaces (also non-breaking and full-width ones) as one space, lines joined."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return " ".join(line for line in lines if line)
