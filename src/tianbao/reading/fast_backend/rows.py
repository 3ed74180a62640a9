"""`<sheetData>` cut into rows and cells by its bytes, when it is in the plain form (`_window`): the
pieces each parsed by ElementTree once per distinct bytes in their context (`_Context`), rows whose outcome
is the same in any file known whole (`_KnownRow`), and sheet shells known by their bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import XML

from tianbao import caches
from tianbao.reading.backend import RawCell
from tianbao.reading.fast_backend.base import (
    _ROW_TAG,
    _window_bytes,
)

_WS = rb"[ \t\r\n]"  # XML's whitespace (regular expressions' \s also takes \f and \v, which XML refuses)
_ATTRS = rb"((?:" + _WS + rb"+[^\s=/>]+" + _WS + rb"*=" + _WS + rb"*(?:\"[^\"]*\"|'[^']*'))*" + _WS + rb"*)"
_SHEET_DATA_RE = re.compile(rb"<sheetData" + _ATTRS + rb"(?:/>|>(.*)</sheetData>)\Z", re.S)
_ATTRS_NC = _ATTRS.replace(b"((", b"(?:(", 1)  # the same without a group
_ROW_OPEN = re.compile(_WS + rb"*<row" + _ATTRS + rb">")
_TOKEN_RE = re.compile(  # one piece of sheetData: a cell, a row's start tag or a row's end tag
    _WS + rb"*<(?:c" + _ATTRS_NC + rb"(?:/>|>[^<]*(?:<(?!/c>)[^<]*)*</c>)|row" + _ATTRS_NC + rb"/?>|/row>)"
)


def _shell(data: bytes, start: int, end: int) -> Any:
    """What the shell of `data` (all but its sheetData, from `start` to `end`) holds, when it was checked
    before (`_remember_shell`), else None. Found without building or hashing the shell (tens of kilobytes
    where a sheet has data validations and conditional formats): by the lengths of the pieces before and
    after `<sheetData>`, then compared byte for byte."""
    for head, tail, value in caches.SHEET_SHELLS.get((start, len(data) - end), ()):
        if data.startswith(head) and data.endswith(tail):
            return value
    return None


def _remember_shell(data: bytes, start: int, end: int, value: Any) -> None:
    key = (start, len(data) - end)
    shells = (*caches.SHEET_SHELLS.get(key, ()), (data[:start], data[end:], value))
    caches.SHEET_SHELLS.put(key, shells[-4:])  # a few shells of the same lengths, each with its bytes


@dataclass(frozen=True, eq=False)
class _Context(caches.Shared):
    """What a cell's or a row's outcome depends on besides its bytes: the sheet, the cells kept, the
    namespaces declared on the root, the workbook's date styles and epoch. One object per distinct
    context (`caches.SHEET_CONTEXTS`), standing for itself in the keys of `caches.CELLS` and `caches.ROWS`."""

    title: str
    positions: frozenset[tuple[int, int]] | None
    declared: bytes
    date_formats: frozenset[int]
    timedelta_formats: frozenset[int]
    epoch: Any


@dataclass(frozen=True)
class _KnownRow:
    """A row whose outcome is the same in any file: numbered, and each of its cells the same in any file."""

    number: int  # the row element's number
    cells: tuple[tuple[tuple[str, int, int], RawCell], ...]  # the cells kept, keyed as `_Sheet.cells`
    count: int  # cells in the row
    column: int  # the column of its last cell
    widest: int  # the column of its last cell holding something (0: none), for a sheet's extent


Row = tuple[bytes, list[bytes], bytes | None] | _KnownRow  # (row attributes, cells' bytes, the row's bytes)
Tokens = tuple[bytes, list[Row]]  # (sheetData's attributes, its rows)


def _tokenize(body: bytes, context: _Context | None = None) -> Tokens | None:
    """`<sheetData>` cut into rows and cells by one regular expression: (sheetData's attributes, [(row
    attributes, [cell bytes])]). None unless the pieces tile the body exactly (XML whitespace between
    them) with nothing else in it — no namespace declarations, no element other than rows in sheetData
    and cells in rows, no cell in a cell. Each tag and cell is then parsed by ElementTree (once per
    distinct bytes), so the body is checked as expat would check it. A row known in `context` is given as
    known."""
    m = _SHEET_DATA_RE.match(body)
    if m is None or b"xmlns" in body:
        return None
    inner = m.group(2) or b""
    rows = _split_rows(inner, context)
    if rows is None:
        rows = _token_rows(inner)
    if rows is None:
        return None
    count = sum(row.count if isinstance(row, _KnownRow) else len(row[1]) for row in rows)
    if inner.count(b"<c") != count or inner.count(b"row") != len(rows) + inner.count(b"</row>"):
        return None  # maybe a cell in a cell or a row in a cell, which openpyxl would still find
    return m.group(1), rows


def _split_rows(inner: bytes, context: _Context | None) -> list[Row] | None:
    """sheetData's content cut with `bytes.split` (twenty times faster than a regular expression): each
    `</row>` ends a row whose start tag is matched alone and whose cells each start with `<c `. A cell is
    given as the bytes after its `<c `; that it is one whole cell is checked when it is parsed (`_known`).
    None when the content does not have this form. A row known in `context` by its bytes is given as known."""
    chunks = inner.split(b"</row>")
    if chunks[-1].strip(b" \t\r\n"):
        return None  # an empty <row/> at the end, or something else
    rows: list[Row] = []
    known = caches.ROWS.get
    for chunk in chunks[:-1]:
        row = known((context, chunk)) if context is not None else None
        if row is not None:
            rows.append(row)
            continue
        start = _ROW_OPEN.match(chunk)
        if start is None:
            return None
        pieces = chunk[start.end() :].split(b"<c ")
        if pieces[0].strip(b" \t\r\n"):
            return None
        rows.append((start.group(1), pieces[1:], chunk))
    return rows


def _token_rows(inner: bytes) -> list[Row] | None:
    """sheetData's content cut by one regular expression into row tags and cells (any whitespace, empty
    rows); None unless the pieces tile it."""
    tokens = _TOKEN_RE.findall(inner)
    if sum(map(len, tokens)) != len(inner.rstrip(b" \t\r\n")):
        return None  # something between the pieces
    rows: list[Row] = []
    cells: list[bytes] | None = None
    for token in tokens:
        tag = token if token[:1] == b"<" else token.lstrip(b" \t\r\n")
        kind = tag[1:2]
        if kind == b"c":
            if cells is None or tag[2:3] != b" ":
                return None  # a cell outside a row, or another white space after <c
            cells.append(tag[3:])
        elif kind == b"r":
            if cells is not None:
                return None  # a row in a row
            if tag.endswith(b"/>"):
                rows.append((tag[4:-2], [], None))
            else:
                cells = []
                rows.append((tag[4:-1], cells, None))
        else:  # </row>
            if cells is None:
                return None
            cells = None
    if cells is not None:
        return None
    return rows


def _tag_attrs(tag: bytes, raw: bytes, declared: bytes) -> dict[str, str]:
    """The attributes of a start tag given as bytes (ElementTree's parse, once per distinct tag)."""
    key = (tag, raw, declared)
    attrs = caches.START_TAGS.get(key)
    if attrs is None:
        attrs = dict(XML(b"<w" + declared + b">" + tag + raw + b"/></w>")[0].attrib)
        caches.START_TAGS.put(key, attrs, caches.from_bytes(len(raw) + len(declared), 2 + 2 * len(attrs)))
    return attrs


def _window(data: bytes) -> tuple[int, int, int] | None:
    """(start of `<sheetData`, end of `</sheetData>`, start of the `<sheetProtection` after it or -1) when the
    bytes (see `_window_bytes`) show that rows are only inside that one sheetData and that no dimension or
    protection is inside it; None otherwise (the part is then read with every element through the
    handlers)."""
    if _window_bytes(data) is None:
        return None
    if data.count(b"sheetData") != 2:
        return None
    start, close = data.find(b"<sheetData"), data.find(b"</sheetData>")
    if start < 0 or close < start:
        return None
    end = close + len(b"</sheetData>")
    if (data.find(b"row", end) >= 0 and _ROW_TAG.search(data, end)) or data.find(
        b"dimension", start, end
    ) >= 0:
        return None
    count = data.count(b"sheetProtection", start)
    if count == 0:
        return start, end, -1
    protection = data.find(b"<sheetProtection", end)
    if count != 1 or protection < 0:
        return None
    return start, end, protection
