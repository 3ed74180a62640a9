"""PDF reports (.pdf), from their text layer (pdfplumber): ruled tables as rows of cells, the text around
them as lines, in the order they stand on each page. A cell spanning rows or columns is one cell (pdfplumber
gives None for the parts it covers). A PDF without any text (a scan) cannot be read: `NoTextLayer`."""

from __future__ import annotations

import io
import logging
from typing import Any

from tianbao.importing.document import Document


class NoTextLayer(Exception):
    """The PDF has pages but no text on any of them: a scanned document."""


def read_pdf(data: bytes) -> Document:
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    doc = Document("pdf")
    any_text = False
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        doc.title = str((pdf.metadata or {}).get("Title") or "").strip()
        for page in pdf.pages:
            if not page.chars:
                continue
            any_text = True
            _page(doc, page)
    if not any_text:
        raise NoTextLayer
    return doc


def _inside(obj: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _page(doc: Document, page: Any) -> None:
    tables = page.find_tables()
    items: list[tuple[float, int, list[str] | str]] = []
    for table in tables:
        for i, row in enumerate(table.extract()):
            cells = [c for c in row if c is not None]
            items.append((table.bbox[1], i, cells))
    boxes = [t.bbox for t in tables]
    rest = page.filter(lambda o: o.get("object_type") != "char" or not any(_inside(o, b) for b in boxes))
    for line in rest.extract_text_lines(return_chars=False):
        items.append((line["top"], -1, line["text"]))
    # Lines and tables by their top; a table's rows keep their order (its rows share the table's top).
    for _, _, item in sorted(items, key=lambda x: (x[0], x[1])):
        if isinstance(item, str):
            doc.add_line(item)
        else:
            doc.add_row(item)
