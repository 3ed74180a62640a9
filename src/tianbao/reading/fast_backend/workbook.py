"""The workbook part (xl/workbook.xml) as openpyxl's WorkbookPackage reads it: sheets, their states, the
date system and the defined names — the names natively, piece by piece, the rest by openpyxl once per
distinct content."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import XML, ParseError

from tianbao import caches
from tianbao.reading.fast_backend.base import (
    DEFINED_NAME_ATTRS,
    DEFINED_NAME_INTS,
    ET_DEFINED_NAME,
    MAIN,
    _attr,
    _cached,
    _digits,
    _parser,
    _window_bytes,
)
from tianbao.stamp import PREFIX


@dataclass(frozen=True)
class _SheetRef:
    name: str
    state: str | None
    rel_id: str | None


@dataclass
class _WorkbookPart:
    sheets: list[_SheetRef]
    date1904: bool
    names: list[tuple[str, str | None, str | None]] = field(
        default_factory=list
    )  # (name, localSheetId, text)


def _workbook_openpyxl(data: bytes) -> _WorkbookPart:
    """The workbook part as openpyxl's WorkbookPackage reads it (exact, and slow: ~7 ms)."""
    from openpyxl.packaging.workbook import WorkbookPackage
    from openpyxl.xml.functions import fromstring

    package = WorkbookPackage.from_tree(fromstring(data))
    date1904 = bool(package.properties.date1904)  # no workbookPr: openpyxl fails here, and so do we
    sheets = [_SheetRef(s.name, s.state, s.id) for s in package.sheets]
    names = []
    if package.definedNames:
        for dn in package.definedNames.definedName:
            lsid = None if dn.localSheetId is None else str(dn.localSheetId)
            names.append((dn.name, lsid, dn.attr_text))
    return _WorkbookPart(sheets, date1904, names)


def _workbook(data: bytes) -> _WorkbookPart:
    """The workbook part: the defined names natively, the rest by openpyxl once per distinct content; a
    part not in the plain form is read by openpyxl whole (once per distinct content)."""
    found = _names_fast(data)
    if found is not None:
        return found
    p = _parser()  # checked by expat first: a DOCTYPE never reaches openpyxl from here
    p.Parse(data, True)
    return _cached("workbook", data, lambda: _workbook_openpyxl(data))  # type: ignore[no-any-return]


_DEFINED_NAME_ELEMENT = re.compile(rb"<definedName\b[^<]*</definedName>|<definedName\b[^<]*?/>")


def _names_fast(data: bytes) -> _WorkbookPart | None:
    """The workbook part without a Python call per element. Its shell (all but `<definedNames>`) is the same
    in every copy of a template: it is checked by expat (handlers only up to `<definedNames>`, to know that
    it is a child of the root) and read by openpyxl once per distinct shell. The names are cut apart by a
    regular expression and each distinct `<definedName>` element is parsed once per process (the 200 names
    of a template's cells are the same in every copy). None when the bytes are not in this plain form.
    (The shell is known by its bytes and where `<definedNames>` was cut from them: that it is a child of
    the root was seen there.)"""
    if _window_bytes(data) is None:
        return None
    count = data.count(b"definedNames")
    start, end = data.find(b"<definedNames>"), data.find(b"</definedNames>")
    if count == 0:
        start = end = len(data)
    elif count != 2 or start < 0 or end < start:
        return None
    else:
        end += len(b"</definedNames>")
    rest = data[:start] + data[end:]
    known = caches.WORKBOOK_SHELLS.get((rest, start))
    if known is None:
        namespaces: dict[str | None, str] = {}
        depth = 0

        def declare(prefix: str | None, uri: str) -> None:
            if depth == 0:
                namespaces[prefix] = uri

        def down(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth
            depth += 1

        def up(name: str) -> None:
            nonlocal depth
            depth -= 1

        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.StartNamespaceDeclHandler = down, up, declare
        p.Parse(data[:start], False)
        if (count and depth != 1) or namespaces.get(None) != MAIN:
            return None
        p.StartElementHandler = p.EndElementHandler = p.StartNamespaceDeclHandler = None
        p.Parse(data[start:], True)
        part = _cached("workbook", rest, lambda: _workbook_openpyxl(rest))
        if part.names:
            return None
        declared = b"".join(
            b' xmlns%s="%s"' % (b":" + k.encode() if k else b"", _attr(v)) for k, v in namespaces.items()
        )
        known = caches.WORKBOOK_SHELLS.put((rest, start), (part, declared))
    part, declared = known
    inner = data[start + len(b"<definedNames>") : end - len(b"</definedNames>")] if count else b""
    names = _defined_names(inner, declared)
    if names is None:
        return None
    return _WorkbookPart(part.sheets, part.date1904, names)


_NAME_END = b"</definedName>"
DefinedName = tuple[str, str | None, str | None]  # (name, localSheetId, text)
STAMP_NAME = f'name="{PREFIX}'.encode()  # the first of the names that differ in each copy of a template
MIN_PREFIX = 8  # names a run must hold to be remembered


def _defined_names(inner: bytes, declared: bytes) -> list[DefinedName] | None:
    """The content of `<definedNames>` → its names, or None when it is not in the plain form. Copies of a
    template hold the same names (the cells') before the stamp's, which differ: that run, up to the first
    stamp name, is remembered by its bytes (`caches.NAME_RUNS`) and only what follows it is cut apart."""
    run = _leading_run(inner)
    if run:
        key = (inner[:run], declared)
        known = caches.NAME_RUNS.get(key)
        if known is None:
            known = _names_of(inner[:run].split(_NAME_END), declared)
            if known is None:
                return None
            caches.NAME_RUNS.put(key, tuple(known))
        rest = _names_of(inner[run:].split(_NAME_END), declared)
        return None if rest is None else [*known, *rest]
    return _names_of(inner.split(_NAME_END), declared)


def _leading_run(inner: bytes) -> int:
    """Where the names before the first stamp name end, when they are at least `MIN_PREFIX`; else 0."""
    stamp = inner.find(STAMP_NAME)
    if stamp < 0:
        return 0
    end = inner.rfind(_NAME_END, 0, stamp)
    if end < 0:
        return 0
    end += len(_NAME_END)
    return end if inner.count(_NAME_END, 0, end) >= MIN_PREFIX else 0


def _names_of(pieces: list[bytes], declared: bytes) -> list[DefinedName] | None:
    """`<definedName …>text` pieces (the last: what follows the last name) → the names, each distinct
    piece parsed once per process; None unless every piece is a plain name."""
    if pieces[-1].strip(b" \t\r\n"):
        return None
    names = []
    known = caches.DEFINED_NAMES.get
    for piece in pieces[:-1]:
        key = (piece, declared)
        name = known(key, False)
        if name is False:
            fragment = piece.lstrip(b" \t\r\n")
            plain = fragment.count(b"<") == 1 and _DEFINED_NAME_ELEMENT.fullmatch(fragment + _NAME_END)
            name = _defined_name(fragment + _NAME_END, declared) if plain else None
            caches.DEFINED_NAMES.put(key, name, caches.from_bytes(len(piece) + len(declared), 4))
        if name is None:
            return None
        names.append(name)
    return names


def _defined_name(fragment: bytes, declared: bytes) -> tuple[str, str | None, str | None] | None:
    """One `<definedName>` element → (name, localSheetId, text) when openpyxl's DefinedName takes it as is
    (parsed within the root's namespace declarations, as in the part)."""
    try:
        element = XML(b"<w" + declared + b">" + fragment + b"</w>")[0]
    except ParseError:
        return None
    plain = {k: v for k, v in element.attrib.items() if not k.startswith("{")}
    if (
        element.tag != ET_DEFINED_NAME
        or len(element)
        or "name" not in plain
        or not plain.keys() <= DEFINED_NAME_ATTRS
        or not all(_digits(plain[k]) for k in DEFINED_NAME_INTS if k in plain)
    ):
        return None
    return plain["name"], plain.get("localSheetId"), element.text or None
