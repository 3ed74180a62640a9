"""Text reports (.txt, .md): what copying a page or extracting a PDF gives — a line per row, cells separated
by “|” (also markdown tables) or tabs, other lines as they are."""

from __future__ import annotations

from tianbao.importing.charset import decode
from tianbao.importing.document import Document


def read_text(data: bytes) -> Document:
    return text_document(decode(data))


def text_document(text: str) -> Document:
    doc = Document("text")
    for line in text.splitlines():
        doc.add_line(line)
    return doc
