"""Word documents (.docx): paragraphs as lines, tables as rows of cells, in the body's order (python-docx).

A cell spanning columns (gridSpan) is one cell; the continuation of a cell spanning rows (vMerge) is left
out, as a page's source leaves it out; content controls are read through. Tables inside a cell are read as
rows of their own after the cell's paragraphs."""

from __future__ import annotations

import io

from tianbao.importing.document import Document

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes) -> Document:
    import docx

    word = docx.Document(io.BytesIO(data))
    doc = Document("docx", title=(word.core_properties.title or "").strip())
    _body(doc, word.element.body)
    return doc


def _text(el: object) -> str:
    """The text of a paragraph: its runs' text, tabs and breaks as spaces and line breaks."""
    parts = []
    for node in el.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):  # type: ignore[attr-defined]
        tag = node.tag
        if tag == f"{_W}t":
            parts.append(node.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _body(doc: Document, parent: object) -> None:
    for el in parent:  # type: ignore[attr-defined]
        if el.tag == f"{_W}p":
            for line in _text(el).split("\n"):
                doc.add_line(line)
        elif el.tag == f"{_W}tbl":
            _table(doc, el)
        elif el.tag == f"{_W}sdt":
            content = el.find(f"{_W}sdtContent")
            if content is not None:
                _body(doc, content)


def _table(doc: Document, tbl: object) -> None:
    nested: list[object] = []
    for tr in tbl.iter(f"{_W}tr"):  # type: ignore[attr-defined]
        if _owner(tr) is not tbl:
            continue
        cells = []
        for tc in tr.iter(f"{_W}tc"):
            if _owner(tc) is not tbl:
                continue
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue":
                continue
            lines = [_text(p) for p in tc.iter(f"{_W}p") if _owner(p) is tbl]
            cells.append("\n".join(lines))
            nested.extend(t for t in tc.iter(f"{_W}tbl") if t is not tbl and _owner(t) is tbl)
        doc.add_row(cells)
    for inner in nested:
        _table(doc, inner)


def _owner(el: object) -> object:
    """The nearest table an element belongs to."""
    node = el.getparent()  # type: ignore[attr-defined]
    while node is not None and node.tag != f"{_W}tbl":
        node = node.getparent()
    return node
