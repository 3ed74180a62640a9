"""Shared strings written as rich text, read natively.

Excel, WPS and LibreOffice write many strings as runs (`<si><r><rPr>…</rPr><t>…</t></r>…</si>`), for
example when a label mixes Chinese and Latin fonts, and each returned workbook has its own string table (the
unit's name, the filler's, the numbers typed as text). openpyxl parses every run's font into objects — most
of the time of reading such a file. A string's text is all openpyxl keeps (`Text.content`: the plain `<t>`
then each run's `<t>`; phonetic runs left out), so here the texts are collected by expat and each distinct
run font is checked once by openpyxl's own class (a font it refuses makes it refuse the table: the caller
then asks openpyxl, which gives its own verdict). Anything of another shape returns None, and the caller
asks openpyxl too.
"""

from __future__ import annotations

from tianbao import caches
from tianbao.reading.fast_backend.base import MAIN, SI, TEXT, _et, _parser, _plain_attrs

_NS = MAIN + " "
RUN, RUN_FONT = _NS + "r", _NS + "rPr"
Font = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # a run font: its children and their attributes


class _RichStrings:
    """`sst > si > (t | r > (rPr > font element*)? t)` with text only in `t`: the texts of each `si`."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.strings: list[str] = []
        self.fonts: set[Font] = set()
        self.plain: str | None = None  # the si's own <t>
        self.plain_seen = False
        self.runs: list[str | None] = []  # each run's <t>
        self.run_text_seen = False
        self.font: list[tuple[str, tuple[tuple[str, str], ...]]] | None = None
        self.text: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        path = self.path
        path.append(name)
        depth = len(path)
        if depth == 1:
            return
        if depth == 2:
            self._expect(name == SI and not _plain_attrs(attrs))
            self.plain, self.plain_seen, self.runs = None, False, []
        elif depth == 3:
            if name == TEXT and not self.plain_seen:  # its attributes are ignored, as openpyxl does
                self.plain_seen, self.text = True, []
            elif name == RUN and not attrs:
                self.run_text_seen = False
                self.runs.append(None)
            else:
                self._expect(False)  # phonetic runs, a second <t>, anything else: openpyxl decides
        elif depth == 4 and path[2] == RUN:
            if name == TEXT and not self.run_text_seen:
                self.run_text_seen, self.text = True, []
            elif name == RUN_FONT and self.font is None and not attrs:
                self.font = []
            else:
                self._expect(False)
        elif depth == 5 and path[3] == RUN_FONT and name.startswith(_NS):
            assert self.font is not None
            self.font.append((name[len(_NS) :], tuple(sorted(attrs.items()))))
        else:
            self._expect(False)  # an element inside a <t> or inside a font's element

    def end(self, name: str) -> None:
        depth = len(self.path)
        if self.text is not None and name == TEXT:
            text = "".join(self.text) or None  # ElementTree's text of an empty element is None
            if depth == 3:
                self.plain = text
            else:
                self.runs[-1] = text
            self.text = None
        elif depth == 4 and name == RUN_FONT and self.font is not None:
            self.fonts.add(tuple(self.font))
            self.font = None
        elif depth == 2:
            parts = [self.plain] if self.plain is not None else []
            parts += [t for t in self.runs if t is not None]
            self.strings.append("".join(parts).replace("x005F_", ""))
        self.path.pop()

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def _expect(self, condition: bool) -> None:
        if not condition:
            raise _Other


class _Other(Exception):
    """The table has another shape than the one read here."""


def rich_strings(data: bytes) -> list[str] | None:
    """The shared strings of `data` as openpyxl's `read_string_table` gives them, when the table is plain
    strings and runs of text with fonts openpyxl accepts; None otherwise (the caller asks openpyxl)."""
    reader = _RichStrings()
    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = (
        reader.start,
        reader.end,
        reader.chars,
    )
    try:
        p.Parse(data, True)
    except _Other:
        return None
    if not all(_accepted(font) for font in reader.fonts):
        return None
    return reader.strings


def _accepted(font: Font) -> bool:
    """Whether openpyxl reads this run font (`InlineFont.from_tree`) without an error; once per font."""
    return caches.RUN_FONTS.lookup(font, lambda: _check(font))


def _check(font: Font) -> bool:
    from xml.etree.ElementTree import Element, SubElement

    from openpyxl.cell.text import InlineFont

    element = Element(f"{{{MAIN}}}rPr")
    for name, attrs in font:
        SubElement(element, f"{{{MAIN}}}{name}", {_et(k): v for k, v in attrs})
    try:
        InlineFont.from_tree(element)
    except Exception:
        return False
    return True
