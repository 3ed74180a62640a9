"""Saved web pages (.html, .htm): block text as lines, data tables as rows of cells (lxml).

A table holding other tables is a layout table (CMS pages put the article in one): its cells are read as
blocks. A data table's rows are its own <tr> (not those of a nested table), each cell's text with its line
breaks; spans are left as written (see `document`). Scripts, styles and hidden elements are skipped.
"""

from __future__ import annotations

import re
from typing import Any

from tianbao.importing.charset import decode
from tianbao.importing.document import Document

SKIP = frozenset(
    {"script", "style", "noscript", "template", "head", "select", "option", "button", "svg", "iframe"}
)
BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "center",
        "dd",
        "dt",
        "dl",
        "form",
        "caption",
        "figure",
        "figcaption",
        "main",
        "nav",
        "aside",
        "address",
        "hr",
        "body",
        "html",
        "tr",
        "td",
        "th",
        "table",
        "tbody",
        "thead",
        "tfoot",
    }
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def read_html(data: bytes) -> Document:
    import lxml.html

    text = decode(data, html=True)
    doc = Document("html")
    if not text.strip():
        return doc
    root = lxml.html.document_fromstring(text)
    title = root.find(".//title")
    if title is not None and title.text_content():
        doc.title = " ".join(title.text_content().split())
    body = root.find("body")
    _Walker(doc).walk(body if body is not None else root)
    return doc


def _tag(el: Any) -> str:
    tag = getattr(el, "tag", "")
    return tag.lower() if isinstance(tag, str) else ""  # comments and processing instructions have no str tag


def _hidden(el: Any) -> bool:
    get = getattr(el, "get", None)
    return get is not None and (get("hidden") is not None or bool(_HIDDEN.search(get("style") or "")))


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.buf: list[str] = []

    def flush(self) -> None:
        if self.buf:
            self.doc.add_line("".join(self.buf))
            self.buf = []

    def walk(self, el: Any) -> None:
        tag = _tag(el)
        if not tag or tag in SKIP or _hidden(el):  # comments too (their tail belongs to the parent)
            return
        if tag == "table" and not _has_table(el):
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in BLOCK
        if block:
            self.flush()
        if getattr(el, "text", None):
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if block:
            self.flush()

    def table(self, table: Any) -> None:
        for tr in _rows(table):
            cells = [cell_text(td) for td in tr if _tag(td) in ("td", "th") and not _hidden(td)]
            self.doc.add_row(cells)


def _has_table(el: Any) -> bool:
    return any(True for _ in el.iterdescendants("table"))


def _rows(table: Any) -> list[Any]:
    out = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            out.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            out.extend(c for c in child if _tag(c) == "tr")
    return out


def cell_text(el: Any) -> str:
    """A cell's text: line breaks at <br> and block elements, scripts and hidden parts left out."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = _tag(node)
        if not tag or tag in SKIP or _hidden(node):
            return
        if tag == "br" or tag in BLOCK:
            parts.append("\n")
        if getattr(node, "text", None):
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)
