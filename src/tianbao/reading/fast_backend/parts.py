"""The parts of a workbook other than its sheets: content types, relationships, styles, core and custom
properties, the workbook part and its defined names, shared strings; sheet protection and dimension. Each
as openpyxl reads it: by openpyxl's own classes once per distinct content, or natively in its plain form."""

from __future__ import annotations

import contextlib
import io
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import XML, Element, ParseError

from tianbao import caches
from tianbao.reading.backend import property_text
from tianbao.reading.fast_backend.base import (
    DEFINED_NAME_ATTRS,
    DEFINED_NAME_INTS,
    DIMENSION,
    ET_DEFINED_NAME,
    LPWSTR,
    MAIN,
    PROPERTY,
    PROTECTION,
    _attr,
    _cached,
    _digits,
    _et,
    _Member,
    _parser,
    _plain_attrs,
    _window_bytes,
)
from tianbao.reading.fast_backend.strings import rich_strings
from tianbao.stamp import PREFIX


def _manifest(data: bytes) -> tuple[str, str | None]:
    """[Content_Types].xml → (workbook part, shared strings part or None), as openpyxl finds them."""

    def compute() -> tuple[str, str | None]:
        from openpyxl.packaging.manifest import Manifest
        from openpyxl.reader.excel import _find_workbook_part
        from openpyxl.xml.constants import SHARED_STRINGS
        from openpyxl.xml.functions import fromstring

        package = Manifest.from_tree(fromstring(data))
        strings = package.find(SHARED_STRINGS)
        return _find_workbook_part(package).PartName[1:], strings.PartName[
            1:
        ] if strings is not None else None

    return _cached("manifest", data, compute)  # type: ignore[no-any-return]


def _relationships(name: str, data: bytes) -> dict[str, tuple[str, str]]:
    """A .rels part → {id: (type, target as a member name)}, resolved as openpyxl resolves it."""

    def compute() -> dict[str, tuple[str, str]]:
        from openpyxl.packaging.relationship import get_dependents

        rels = get_dependents(_Member(name, data), name)
        return {r.id: (r.Type, r.target) for r in rels}

    return _cached("rels", (name, data), compute)  # type: ignore[no-any-return]


def _styles(data: bytes | None) -> tuple[frozenset[int], frozenset[int]]:
    """xl/styles.xml → (cell styles with a date format, those with a duration format), as openpyxl has them."""

    def compute() -> tuple[frozenset[int], frozenset[int]]:
        from openpyxl import Workbook
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.xml.constants import ARC_STYLE

        wb = Workbook()
        apply_stylesheet(_Member(ARC_STYLE, data), wb)
        return frozenset(wb._date_formats), frozenset(wb._timedelta_formats)

    return _cached("styles", data, compute)  # type: ignore[no-any-return]


_TEXT = re.compile(rb">[^<]+<")
DATE_FIELDS = frozenset(("created", "modified", "lastPrinted"))  # DocumentProperties' dates, by local name


def _core(data: bytes) -> None:
    """docProps/core.xml as openpyxl checks it (DocumentProperties): its texts are free (strings) except the
    dates, which must be ISO 8601 date-times. Checked by openpyxl once per distinct structure (the part
    without its texts: the modification time and the title differ in every file), and in every file by
    expat, which also gives the dates' texts to openpyxl's parser."""

    def compute(part: bytes) -> bool:
        from openpyxl.packaging.core import DocumentProperties
        from openpyxl.xml.functions import fromstring

        DocumentProperties.from_tree(fromstring(part))
        return True

    if b"&" in data or _window_bytes(data) is None:  # entities, DOCTYPE, comments …: openpyxl reads it all
        _cached("core", data, lambda: compute(data))
        return
    for text in _core_dates(data):
        if caches.CORE_DATES.get(text) is None:
            caches.CORE_DATES.put(text, _check_date(text))
    bare = _TEXT.sub(b"><", data)
    _cached("core", bare, lambda: compute(bare))


def _core_dates(data: bytes) -> list[str]:
    """The part checked by expat; the text of each child of the root that openpyxl reads as a date (it goes
    by the local name, whatever the namespace)."""
    dates: list[str] = []
    depth = 0
    text: list[str] | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, text
        depth += 1
        if text is not None:  # ElementTree's text is what comes before the first child
            dates.append("".join(text))
            text = None
        if depth == 2 and name.rpartition(" ")[2] in DATE_FIELDS:
            text = []

    def end(name: str) -> None:
        nonlocal depth, text
        depth -= 1
        if text is not None:
            dates.append("".join(text))
            text = None

    def chars(data: str) -> None:
        if text is not None:
            text.append(data)

    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    p.Parse(data, True)
    return [d for d in dates if d]


def _check_date(text: str) -> bool:
    """What openpyxl's DateTime descriptor does with a date's text: ISO 8601, and a date-time (a date or a
    time alone is refused)."""
    import datetime as dt

    from openpyxl.utils.datetime import from_ISO8601

    try:
        value = from_ISO8601(text)
    except ValueError:
        raise ValueError("Value must be ISO datetime format") from None
    if value is not None and not isinstance(value, dt.datetime):
        raise TypeError(f"expected a date-time, got {value!r}")
    return True


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


# ---- parts read natively in their plain form ---------------------------------------------------------------


class _Plain:
    """Collects `root > item > leaf` text (custom properties) while the structure is the plain one (no
    attributes on the root); any deviation clears `plain` and the caller asks openpyxl."""

    def __init__(self, item: str, leaf: str, item_attrs: Callable[[dict[str, str]], bool]) -> None:
        self.item, self.leaf, self.item_attrs = item, leaf, item_attrs
        self.plain = True
        self.depth = 0
        self.items: list[tuple[dict[str, str], str | None]] = []
        self.attrs: dict[str, str] = {}
        self.leaves = 0
        self.text: list[str] | None = None
        self.value: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            if _plain_attrs(attrs):
                self.plain = False
        elif self.depth == 2:
            if name != self.item or not self.item_attrs(_plain_attrs(attrs)):
                self.plain = False
            self.attrs, self.leaves, self.value = attrs, 0, None
        elif self.depth == 3 and name == self.leaf:
            self.leaves += 1
            self.text = []
        else:
            self.plain = False

    def end(self, name: str) -> None:
        if self.depth == 3 and self.text is not None:
            self.value = "".join(self.text) or None
            self.text = None
        elif self.depth == 2:
            if self.leaves != 1:
                self.plain = False
            self.items.append((self.attrs, self.value))
        self.depth -= 1

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def parse(self, data: bytes) -> _Plain:
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.chars
        p.Parse(data, True)
        return self


def _shared_strings(data: bytes) -> list[str]:
    """All shared strings, as openpyxl's `read_string_table` gives them."""
    found = rich_strings(data)  # plain texts and runs of text with fonts (as Excel, WPS, LibreOffice save)
    if found is not None:
        return found

    def compute() -> list[str]:
        from openpyxl.reader.strings import read_string_table

        return list(read_string_table(io.BytesIO(data)))

    return list(_cached("strings", data, compute))


def _custom_properties(data: bytes) -> dict[str, str]:
    """docProps/custom.xml → {name: value as text}; text properties natively, other types by openpyxl."""
    found = _properties_by_shape(data)
    if found is not None:
        return found
    plain = _plain_properties(data)
    if plain.plain and all(v is not None for _, v in plain.items):
        return {attrs["name"]: v for attrs, v in plain.items if v is not None}

    def compute() -> dict[str, str]:
        from openpyxl.packaging.custom import CustomPropertyList
        from openpyxl.xml.functions import fromstring

        props = CustomPropertyList.from_tree(fromstring(data))
        return {p.name: property_text(p.value) for p in props}

    return dict(_cached("custom", data, compute))


def _plain_properties(data: bytes) -> _Plain:
    def ok(attrs: dict[str, str]) -> bool:
        return (
            attrs.keys() <= {"name", "fmtid", "pid"}
            and "name" in attrs
            and "fmtid" in attrs
            and _digits(attrs.get("pid"))
        )

    return _Plain(PROPERTY, LPWSTR, ok).parse(data)


class _Shape:
    """Custom properties whose part, without its texts, is one read before (`_plain_properties`): where
    each property's value is among the part's texts, and which texts are only space between elements."""

    def __init__(self, names: tuple[str, ...], slots: tuple[int, ...], count: int) -> None:
        self.names, self.count = names, count  # the properties' names; the part's texts in all
        self.values = _picker(slots)  # texts → the properties' values
        spaces = tuple(i for i in range(count) if i not in slots)
        self.spaces = _picker(spaces) if spaces else None  # texts → the others


def _picker(indices: tuple[int, ...]) -> Callable[[list[bytes]], tuple[bytes, ...]]:
    pick = operator.itemgetter(*indices)
    if len(indices) == 1:
        return lambda items: (pick(items),)
    return pick  # type: ignore[no-any-return]


_GAP = re.compile(rb">([^<]*)<")  # the text between two tags
_NOT_CHAR_DATA = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # or what expat changes (\r)


def _properties_by_shape(data: bytes) -> dict[str, str] | None:
    """The text properties without a parse: the part without its texts is the same in every copy of a
    template (names, pids, types), only the values differ. The shape is read once by expat with handlers
    (`_plain_properties`); each file's values are then taken from the texts between tags, which must be
    character data expat takes as is (UTF-8, no reference, no control character, no “]]>”, no carriage
    return) and, between elements, only space. None when the part is not so."""
    if b"&" in data:
        return None
    pieces = _GAP.split(data)  # tags, text, tags, text … tags
    texts = pieces[1::2]
    bare = b"><".join(pieces[0::2])
    shape = caches.PROPERTY_SHAPES.get(bare, False)
    if shape is False:
        shape = caches.PROPERTY_SHAPES.put(bare, _learn_shape(data, bare, texts))
    return None if shape is None else _shape_values(shape, texts)


def _shape_values(shape: _Shape, texts: list[bytes]) -> dict[str, str] | None:
    """The values at the shape's places among the texts (joined by “<”, which no text holds, to be checked
    at once); None unless each is character data and the other texts are space."""
    if len(texts) != shape.count:
        return None
    if shape.spaces and b"".join(shape.spaces(texts)).strip(b" \t\r\n"):
        return None
    try:
        joined = b"<".join(shape.values(texts)).decode("utf-8")
    except UnicodeDecodeError:
        return None
    values = joined.split("<")
    if "" in values or "]]>" in joined or (not joined.isprintable() and _NOT_CHAR_DATA.search(joined)):
        return None
    return dict(zip(shape.names, values, strict=True))


def _learn_shape(data: bytes, bare: bytes, texts: list[bytes]) -> _Shape | None:
    """The shape of a part of plain text properties (its texts removed: `bare`), checked to give expat's
    reading of `data`; None when the part is not plain or the shape cannot be told for sure."""
    if _window_bytes(data) is None:  # (then neither is any part of the same shape without “&”)
        return None
    plain = _plain_properties(data)
    if not plain.plain or any(v is None for _, v in plain.items) or bare.count(b"<") != bare.count(b">"):
        return None  # (a “>” inside an attribute would make a text of part of a tag)
    leaves: list[int] = []  # where each value's element starts in `bare`
    p = _parser()
    depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 3:
            leaves.append(p.CurrentByteIndex)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    p.StartElementHandler, p.EndElementHandler = start, end
    p.Parse(bare, True)
    if not leaves or len(leaves) != len(plain.items):
        return None
    slots = tuple(bare.count(b">", 0, bare.index(b">", at)) for at in leaves)
    shape = _Shape(tuple(attrs["name"] for attrs, _ in plain.items), slots, len(texts))
    expected = {attrs["name"]: v for attrs, v in plain.items}
    return shape if _shape_values(shape, texts) == expected else None


def _protection(attrs: dict[str, str]) -> bool:
    """`<sheetProtection>` → whether the sheet is protected, by openpyxl's own class."""

    def compute() -> bool:
        from openpyxl.worksheet.protection import SheetProtection

        element = Element(_et(PROTECTION), {_et(k): v for k, v in attrs.items()})
        protection = SheetProtection.from_tree(element)
        password = element.get("password")
        if password is not None:
            protection.set_password(password, True)
        return bool(protection.sheet)

    return _cached("protection", tuple(sorted(attrs.items())), compute)  # type: ignore[no-any-return]


def _dimension(attrs: dict[str, str]) -> tuple[Any, ...]:
    def compute() -> tuple[Any, ...]:
        from openpyxl.worksheet.dimensions import SheetDimension

        element = Element(_et(DIMENSION), {_et(k): v for k, v in attrs.items()})
        return tuple(SheetDimension.from_tree(element).boundaries)

    return _cached("dimension", tuple(sorted(attrs.items())), compute)  # type: ignore[no-any-return]


def _check_reserved(kind: str, value: str | None) -> None:
    """What openpyxl does with a sheet's print titles and print area (it may raise on a bad one)."""

    def compute() -> bool:
        from openpyxl.worksheet.print_settings import PrintArea, PrintTitles

        if kind == "Print_Titles":
            PrintTitles.from_string(value)
        elif kind == "Print_Area":
            with contextlib.suppress(TypeError):  # openpyxl warns and goes on
                PrintArea.from_string(value)
        return True

    _cached("reserved", (kind, value), compute)


# ---- worksheets --------------------------------------------------------------------------------------------
