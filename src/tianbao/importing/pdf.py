"""PDF reports (.pdf), from their text layer (pdfplumber): ruled tables as rows of cells, the text around
them as lines, in the order they stand on each page. A cell spanning rows or columns is one cell (pdfplumber
gives None for the parts it covers). A PDF without any text (a scan) cannot be read: `NoTextLayer`."""

from __future__ import annotations

import io
import logging
from typing import Any

from tianbao.importing.document import Document
from tianbao.importing.rows import value_like


class NoTextLayer(Exception):
    """The PDF has pages but no text on any of them: a scanned document."""


def read_pdf(data: bytes) -> Document:
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    doc = Document("pdf")
    items: list[list[str | None] | str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        doc.title = str((pdf.metadata or {}).get("Title") or "").strip()
        for page in pdf.pages:
            if page.chars:
                _join_broken_row(items, _page(page))
    if not items:
        raise NoTextLayer
    for item in items:
        if isinstance(item, str):
            doc.add_line(item)
        else:
            doc.add_row([c for c in item if c is not None])
    return doc


def _inside(obj: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _page(page: Any) -> list[list[str | None] | str]:
    """The page's lines and table rows (None for the cells a span covers), in the order they stand."""
    tables = page.find_tables()
    items: list[tuple[float, int, list[str | None] | str]] = []
    for table in tables:
        for i, row in enumerate(table.extract()):
            items.append((table.bbox[1], i, list(row)))
    boxes = [t.bbox for t in tables]
    rest = page.filter(lambda o: o.get("object_type") != "char" or not any(_inside(o, b) for b in boxes))
    for line in rest.extract_text_lines(return_chars=False):
        items.append((line["top"], -1, line["text"]))
    # Lines and tables by their top; a table's rows keep their order (its rows share the table's top).
    return [item for _, _, item in sorted(items, key=lambda x: (x[0], x[1]))]


def _join_broken_row(items: list[list[str | None] | str], page: list[list[str | None] | str]) -> None:
    """Add a page's items. A table row broken at the end of a page goes on in the first row on the next: a
    row of the same cells with text only under the text of the row above (the rest of its labels) and
    nothing under its values. That row is the rest of the one above, cell for cell."""
    if items and page and not isinstance(items[-1], str) and not isinstance(page[0], str):
        above, below = items[-1], page[0]
        if len(above) == len(below) and _continues(above, below):
            items[-1] = [
                a if not b else (b if a is None else f"{a}\n{b}") for a, b in zip(above, below, strict=True)
            ]
            page = page[1:]
    items.extend(page)


def _continues(above: list[str | None], below: list[str | None]) -> bool:
    has_values = any(a and value_like(a) for a in above)
    texts = [(a, b) for a, b in zip(above, below, strict=True) if b]
    return (
        has_values and bool(texts) and all(a and not value_like(a) and not value_like(b) for a, b in texts)  # type: ignore[arg-type]
    )
