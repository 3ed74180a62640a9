"""Text reports (.txt, .md): what copying a page or extracting a PDF gives — a line per row, cells separated
by “|” (also markdown tables) or tabs, other lines as they are.

Copied pages also give a cell per line with a line of only “|” after each cell (the table flattened: docs/format.md
§7, “one cell per line with |”). Such a run of lines is read back as cells — an empty cell is nothing between
two “|” lines, so no cell is lost — and cut into rows where a label follows a value (the rows themselves are
not marked). A cell of several lines is one cell, unless its first lines are prose (a sentence, a heading of
the report before the table goes on).
"""

from __future__ import annotations

import re

from tianbao.importing.charset import decode
from tianbao.importing.document import Document, clean
from tianbao.importing.rows import value_like

_BAR = re.compile(r"^\s*[|｜]\s*$")
_PROSE = re.compile(r"[。：:；;]\s*$")
MIN_BARS = 3  # “|” lines that make a run of lines a flattened table
MAX_CELL = 40  # characters of one line of a cell; a longer line is prose


def read_text(data: bytes) -> Document:
    return text_document(decode(data))


def text_document(text: str) -> Document:
    doc = Document("text")
    lines = text.splitlines()
    bars = [i for i, line in enumerate(lines) if _BAR.match(line)]
    runs = _runs(bars)
    i = 0
    for start, end in runs:  # lines[start] is the first cell, lines[end] the last “|”
        for line in lines[i:start]:
            doc.add_line(line)
        _flattened(doc, lines[start : end + 1])
        i = end + 1
    for line in lines[i:]:
        doc.add_line(line)
    return doc


def _runs(bars: list[int]) -> list[tuple[int, int]]:
    """The runs of a flattened table: from the line before its first “|” line to its last “|” line, for runs of
    at least MIN_BARS “|” lines with a few lines (a cell) between each two."""
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(bars):
        j = k
        while j + 1 < len(bars) and bars[j + 1] - bars[j] <= 6:
            j += 1
        if j - k + 1 >= MIN_BARS and bars[k] > 0:
            start = bars[k] - 1
            if runs and start <= runs[-1][1]:
                start = runs[-1][1] + 1
            runs.append((start, bars[j]))
        k = j + 1
    return runs


def _flattened(doc: Document, lines: list[str]) -> None:
    row: list[str] = []
    cell: list[str] = []

    def end_row() -> None:
        if row:
            doc.add_row(row)
            row.clear()

    for line in lines:
        if not _BAR.match(line):
            cell.append(line)
            continue
        texts = [t.strip() for t in cell if t.strip()]
        cell = []
        prose = max((k + 1 for k, t in enumerate(texts) if _PROSE.search(t) or len(t) > MAX_CELL), default=0)
        if prose:  # a heading or a sentence between two cells: the row ends, the lines are lines
            end_row()
            for t in texts[:prose]:
                doc.add_line(t)
            texts = texts[prose:]
            if not texts:
                continue
        text = clean("\n".join(texts))
        if row and not value_like(text) and value_like(row[-1]):
            end_row()  # a label after a value (or an empty cell) begins the next row
        row.append(text)
    end_row()
