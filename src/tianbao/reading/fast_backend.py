"""A streaming reader backend: zipfile + expat, several times faster than openpyxl, the same `RawWorkbook`.

What it reads, in one pass over the zip: `[Content_Types].xml` (where the workbook and shared strings are),
`xl/workbook.xml` (sheets, states, defined names), its relationships (sheet parts), `docProps/custom.xml`,
the shared strings, `_meta`, and each wanted sheet part, streamed once through expat with Python handlers
only inside `<sheetData>` (the 144 data validations of 表三 are parsed in C and never reach Python).

The rule that makes it exact: **it parses a superset of what openpyxl parses, and whenever it cannot be sure
of giving openpyxl's answer it asks openpyxl.**

- Every zip member openpyxl reads is read here too, in full (so a broken CRC is noticed wherever openpyxl
  would notice it), and every XML part is parsed to its end. Any exception — a damaged zip, malformed XML,
  a DOCTYPE, anything this module calls `Unusual` — hands the whole file to the reference backend, so a
  broken file gets openpyxl's verdict and message, never a different one.
- Cells are interpreted natively, mirroring openpyxl's worksheet parser line by line (types, shared and
  inline strings, numbers, booleans, errors, dates by cell style, array and shared formulas, cached results,
  rows and cells without references). The rare cases use openpyxl's own functions: dates
  (`from_excel`), shared formulas (`Translator`); a rich inline string hands the file to openpyxl.
- Parts that are the same in every copy of a template (content types, styles, relationships, the workbook
  part without its defined names) are validated by openpyxl's own classes the first time they are seen and
  cached by content; in a run of thousands of files they are parsed once. The parts that differ per file
  (custom properties, shared strings, defined names) have a strict native reader for the plain form
  applications write, and fall back to openpyxl's class for anything else.

XML safety: every expat parser here refuses a DOCTYPE (and so any entity declaration) and never expands an
external entity; openpyxl, which then reads the file, parses through defusedxml. Zip sizes are checked before
a backend is called (`tianbao.reading.container`); members are also bounded here.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import re
import struct
import warnings
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import XML, Element, ParseError
from xml.parsers import expat

from tianbao.reading.backend import (
    RawCell,
    RawWorkbook,
    ReaderBackend,
    Wanted,
    property_text,
    resolve_wanted,
)
from tianbao.reading.model import Limits
from tianbao.stamp import META_SHEET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CUSTPROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VTYPES = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_S = MAIN + " "  # expat reports a namespaced name as "uri local"
ROW, CELL, VALUE, FORMULA, INLINE, TEXT = (_S + t for t in ("row", "c", "v", "f", "is", "t"))
SHEET_DATA, DIMENSION, PROTECTION = _S + "sheetData", _S + "dimension", _S + "sheetProtection"
SI = _S + "si"
PROPERTY, LPWSTR = CUSTPROPS + " property", VTYPES + " lpwstr"
ET_ROW, ET_VALUE, ET_FORMULA, ET_INLINE, ET_TEXT, ET_DEFINED_NAME = (
    f"{{{MAIN}}}{t}" for t in ("row", "v", "f", "is", "t", "definedName")
)
_MARKERS = frozenset((ROW, PROTECTION, DIMENSION, SHEET_DATA))  # openpyxl would find these at any depth

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")  # openpyxl refuses any other file name
RESERVED_GLOBAL = ("_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase")
DEFINED_NAME_ATTRS = frozenset(  # the attributes openpyxl's DefinedName accepts
    {"name", "comment", "customMenu", "description", "help", "statusBar", "localSheetId", "hidden"}
    | {"function", "vbProcedure", "xlm", "functionGroupId", "shortcutKey", "publishToServer"}
    | {"workbookParameter"}
)
DEFINED_NAME_INTS = ("localSheetId", "functionGroupId")
_RESERVED = re.compile(
    r"^_xlnm\.(?P<name>Print_Area|Print_Titles|Criteria|_FilterDatabase|Extract|Consolidate_Area|Sheet_Title)"
)
CACHE_SIZE = 64  # distinct versions of one part kept (a run usually has one or two)


class Unusual(Exception):
    """Something the fast path does not handle itself: openpyxl reads the file instead."""


def _forbid(*_: Any) -> None:
    raise Unusual("DOCTYPE or entity declaration")


def _parser() -> Any:
    """An expat parser that refuses DTDs and entities and reports namespaced names as "uri local"."""
    p = expat.ParserCreate(namespace_separator=" ")
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartDoctypeDeclHandler = _forbid
    p.EntityDeclHandler = _forbid
    p.UnparsedEntityDeclHandler = _forbid
    p.ExternalEntityRefHandler = _forbid
    p.buffer_text = True
    return p


def _digits(text: str | None) -> bool:
    return text is not None and text.isascii() and text.isdigit()


def _plain_attrs(attrs: dict[str, str]) -> dict[str, str]:
    """Attributes without a namespace (openpyxl's classes ignore namespaced ones)."""
    return {k: v for k, v in attrs.items() if " " not in k}


def _et(name: str) -> str:
    uri, sep, local = name.rpartition(" ")
    return f"{{{uri}}}{local}" if sep else name


class _Cache:
    """Results of openpyxl's own parsers, by the bytes they were computed from (bounded, LRU)."""

    def __init__(self) -> None:
        self._data: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        try:
            self._data.move_to_end(key)
            return self._data[key]
        except KeyError:
            pass
        value = compute()
        self._data[key] = value
        if len(self._data) > CACHE_SIZE:
            self._data.popitem(last=False)
        return value


_CACHES: dict[str, _Cache] = {}
_INFLATED: dict[tuple[bytes, int, int, int], bytes] = {}  # a member's bytes by its compressed bytes
_COORDS: dict[str, tuple[int, int]] = {}


def _cached(kind: str, key: Any, compute: Callable[[], Any]) -> Any:
    return _CACHES.setdefault(kind, _Cache()).get(key, compute)


def _coordinate(ref: str) -> tuple[int, int]:
    """openpyxl's `coordinate_to_tuple`, memoised (a template has a few hundred distinct references)."""
    try:
        return _COORDS[ref]
    except KeyError:
        from openpyxl.utils.cell import coordinate_to_tuple

        result: tuple[int, int] = coordinate_to_tuple(ref)
        if len(_COORDS) > 100_000:
            _COORDS.clear()
        _COORDS[ref] = result
        return result


class _Member:
    """A zip stand-in holding one member, for openpyxl functions that read from an archive."""

    def __init__(self, name: str, data: bytes | None) -> None:
        self.name, self.data = name, data

    def read(self, name: str) -> bytes:
        if name != self.name or self.data is None:
            raise KeyError(name)
        return self.data


# ---- parts validated by openpyxl, cached by content -------------------------------------------------------


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
_DATES = re.compile(rb"<(?:[\w.-]+:)?(?:created|modified|lastPrinted)\b[^>]*>([^<]*)<")


def _core(data: bytes) -> None:
    """docProps/core.xml as openpyxl checks it (DocumentProperties): its texts are free (strings) except the
    dates, which must be ISO 8601. Checked by openpyxl once per distinct structure (the part without its
    texts: the modification time and the title differ in every file), the dates by openpyxl's parser and
    the whole by expat in every file."""
    from openpyxl.utils.datetime import from_ISO8601

    def compute(part: bytes) -> bool:
        from openpyxl.packaging.core import DocumentProperties
        from openpyxl.xml.functions import fromstring

        DocumentProperties.from_tree(fromstring(part))
        return True

    if b"&" in data or _window_bytes(data) is None:  # entities, DOCTYPE, comments …: openpyxl reads it all
        _cached("core", data, lambda: compute(data))
        return
    _parser().Parse(data, True)
    for text in _DATES.findall(data):
        if text:
            from_ISO8601(text.decode("utf-8"))
    bare = _TEXT.sub(b"><", data)
    _cached("core", bare, lambda: compute(bare))


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
_NAMES: dict[tuple[bytes, bytes], tuple[str, str | None, str | None] | None] = {}
_BOOKS: dict[bytes, tuple[_WorkbookPart, bytes]] = {}


def _names_fast(data: bytes) -> _WorkbookPart | None:
    """The workbook part without a Python call per element. Its shell (all but `<definedNames>`) is the same
    in every copy of a template: it is checked by expat (handlers only up to `<definedNames>`, to know that
    it is a child of the root) and read by openpyxl once per distinct shell. The names are cut apart by a
    regular expression and each distinct `<definedName>` element is parsed once per process (the 200 names
    of a template's cells are the same in every copy). None when the bytes are not in this plain form."""
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
    known = _BOOKS.get(rest)
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
        known = (part, declared)
        _remember(_BOOKS, rest, known)
    part, declared = known
    inner = data[start + len(b"<definedNames>") : end - len(b"</definedNames>")] if count else b""
    pieces = inner.split(b"</definedName>")  # each `<definedName …>text`, and what follows the last
    if pieces[-1].strip(b" \t\r\n"):
        return None
    names = []
    for piece in pieces[:-1]:
        key = (piece, declared)
        name = _NAMES.get(key, False)
        if name is False:
            if len(_NAMES) > 100_000:
                _NAMES.clear()
            fragment = piece.lstrip(b" \t\r\n")
            plain = fragment.count(b"<") == 1 and _DEFINED_NAME_ELEMENT.fullmatch(
                fragment + b"</definedName>"
            )
            name = _NAMES[key] = _defined_name(fragment + b"</definedName>", declared) if plain else None
        if name is None:
            return None
        names.append(name)
    return _WorkbookPart(part.sheets, part.date1904, names)


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
    """Collects `root > item > leaf` text (shared strings, custom properties) while the structure is the
    plain one; any deviation clears `plain` and the caller asks openpyxl."""

    def __init__(
        self, item: str, leaf: str, item_attrs: Callable[[dict[str, str]], bool], root_attrs: bool
    ) -> None:
        self.item, self.leaf, self.item_attrs, self.root_attrs = item, leaf, item_attrs, root_attrs
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
            if not self.root_attrs and _plain_attrs(attrs):
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
    plain = _Plain(SI, TEXT, lambda a: not a, root_attrs=True).parse(data)
    if plain.plain:
        return [(v or "").replace("x005F_", "") for _, v in plain.items]

    def compute() -> list[str]:
        from openpyxl.reader.strings import read_string_table

        return list(read_string_table(io.BytesIO(data)))

    return list(_cached("strings", data, compute))


def _custom_properties(data: bytes) -> dict[str, str]:
    """docProps/custom.xml → {name: value as text}; text properties natively, other types by openpyxl."""

    def ok(attrs: dict[str, str]) -> bool:
        return (
            attrs.keys() <= {"name", "fmtid", "pid"}
            and "name" in attrs
            and "fmtid" in attrs
            and _digits(attrs.get("pid"))
        )

    plain = _Plain(PROPERTY, LPWSTR, ok, root_attrs=False).parse(data)
    if plain.plain and all(v is not None for _, v in plain.items):
        return {attrs["name"]: v for attrs, v in plain.items if v is not None}

    def compute() -> dict[str, str]:
        from openpyxl.packaging.custom import CustomPropertyList
        from openpyxl.xml.functions import fromstring

        props = CustomPropertyList.from_tree(fromstring(data))
        return {p.name: property_text(p.value) for p in props}

    return dict(_cached("custom", data, compute))


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


def _cast_number(value: str) -> int | float:
    if "." in value or "E" in value or "e" in value:
        return float(value)
    return int(value)


@dataclass
class _Sheet:
    """What one worksheet part yields: dimension, protection and the cells kept."""

    dimension: tuple[Any, ...] | None = None  # (min_col, min_row, max_col, max_row) as openpyxl has it
    protected: bool = False
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    max_row: int = 0
    max_col: int = 0
    oversized: int = 0  # cells seen when the sheet turned out too large


class _Stop(Exception):
    pass


class _SheetParser:
    """Mirrors openpyxl's WorkSheetParser (and tianbao's extension keeping cached results) for the rows,
    the cells, the dimension and the sheet protection. Depth: 1 worksheet, 2 sheetData, 3 row, 4 cell,
    5 the cell's v / f / is, 6 the inline string's t."""

    def __init__(
        self,
        strings: list[str],
        date_formats: frozenset[int],
        timedelta_formats: frozenset[int],
        epoch: Any,
        positions: Collection[tuple[int, int]] | None,
        max_cells: int | None,
        dimension_only: bool = False,
    ) -> None:
        self.strings, self.date_formats, self.timedelta_formats = strings, date_formats, timedelta_formats
        self.epoch = epoch
        self.positions = positions
        self.max_cells = max_cells
        self.dimension_only = dimension_only
        self.out = _Sheet()
        self.depth = 0
        self.seen_data = self.in_data = False
        self.protection: dict[str, str] | None = None
        self.row_counter = self.col_counter = 0
        self.seen = 0
        self.shared: dict[str | None, Any] = {}
        self.cell: dict[str, str] | None = None
        self.v: str | None = None  # the first <v>'s text; None when there is no <v>
        self.f_attrs: dict[str, str] | None = None
        self.f: str | None = None
        self.inline: str | None = None  # the first <is>'s text; None when there is no <is>
        self.in_is = self.has_t = False
        self.text: list[str] | None = None
        self.target = ""  # "v", "f" or "t" while their text is collected

    # expat handlers

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth = self.depth = self.depth + 1
        if self.in_data:
            if self.dimension_only:
                return
            if depth == 4:  # openpyxl takes any child of a row for a cell
                if name in _MARKERS:
                    raise Unusual("a row inside a row")
                self.cell = attrs
                self.v = self.f_attrs = self.f = self.inline = None
            elif depth == 5:
                if self.target:
                    raise Unusual("an element inside a cell value or formula")
                if name == VALUE:
                    if self.v is None:
                        self.text, self.target = [], "v"
                elif name == FORMULA:
                    if self.f_attrs is None:
                        self.f_attrs, self.text, self.target = attrs, [], "f"
                elif name == INLINE:
                    if self.inline is None:
                        if _plain_attrs(attrs):
                            raise Unusual("attributes on an inline string")
                        self.inline, self.in_is, self.has_t = "", True, False
                elif name in _MARKERS:
                    raise Unusual("a row, sheetData, dimension or protection inside a cell")
            elif depth == 3:
                if name != ROW:
                    raise Unusual("an element other than a row in sheetData")
                self._row(attrs)
            elif self.target or name in _MARKERS:
                raise Unusual("an element inside a cell value or formula, or a misplaced row")
            elif self.in_is:  # depth 6: the inline string's children
                if name != TEXT or self.has_t or depth != 6:
                    raise Unusual("a rich inline string")
                self.has_t, self.text, self.target = True, [], "t"
        elif depth == 2 and name == SHEET_DATA:
            if self.seen_data:
                raise Unusual("two sheetData elements")
            self.seen_data = self.in_data = True
            if self.dimension_only and self.out.dimension is not None:
                raise _Stop
        elif depth == 2 and name == DIMENSION:
            if self.seen_data or self.out.dimension is not None:
                raise Unusual("a second or late dimension")
            self.out.dimension = _dimension(attrs)
        elif depth == 2 and name == PROTECTION:
            self._protection(attrs)
        elif name in _MARKERS:
            raise Unusual(f"{name} at depth {depth}")

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if not self.in_data or self.dimension_only:
            return
        if self.target:
            text = "".join(self.text or ())
            if self.target == "v":
                self.v = text
            elif self.target == "f":
                self.f = text or None
            else:
                self.inline = text
            self.text, self.target = None, ""
        elif depth == 5:
            self.in_is = False
        elif depth == 4:
            assert self.cell is not None
            self._cell(self.cell, self.v, self.f_attrs, self.f, self.inline)
            self.cell = None
        elif depth == 2:
            self.in_data = False

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def _protection(self, attrs: dict[str, str]) -> None:
        if self.protection is not None:
            raise Unusual("two sheetProtection elements")
        self.protection = attrs

    # rows and cells, as openpyxl's parse_row / parse_cell

    def _row(self, attrs: dict[str, str]) -> None:
        if "r" in attrs:
            try:
                self.row_counter = int(attrs["r"])
            except ValueError:
                val = float(attrs["r"])
                if val.is_integer():
                    self.row_counter = int(val)
                else:
                    raise ValueError(f"{attrs['r']} is not a valid row number") from None
        else:
            self.row_counter += 1
        self.col_counter = 0

    def _cell(
        self,
        attrs: dict[str, str],
        v: str | None,
        f_attrs: dict[str, str] | None,
        f: str | None,
        inline: str | None,
    ) -> None:
        """One cell as openpyxl's parse_cell reads it: `v` the text of its first <v> (None: no <v>), `f_attrs`
        and `f` those of its first <f>, `inline` the content of its first <is>."""
        data_type = attrs.get("t", "n")
        coordinate = attrs.get("r")
        style_id: Any = attrs.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value: Any = None if data_type == "inlineStr" else (v or None)
        # tianbao's openpyxl backend files a cell under its row element's number and its own column.
        row = self.row_counter
        if coordinate:
            column = _coordinate(coordinate)[1]
            self.col_counter = column
        else:
            self.col_counter += 1
            column = self.col_counter
        formula: str | None = None
        if f_attrs is not None:
            formula = self._formula(f_attrs, f, coordinate)
        elif value is not None:
            if data_type == "n":
                value = _cast_number(value)
                if style_id in self.date_formats:
                    from openpyxl.utils.datetime import from_excel

                    try:
                        value = from_excel(value, self.epoch, timedelta=style_id in self.timedelta_formats)
                    except (OverflowError, ValueError):
                        value = "#VALUE!"
            elif data_type == "s":
                value = self.strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                from openpyxl.utils.datetime import from_ISO8601

                value = from_ISO8601(value)
        elif data_type == "inlineStr":
            value = inline
        self.seen += 1
        if self.max_cells is not None and self.seen > self.max_cells:
            self.out.oversized = self.seen
            raise _Stop
        if formula is None and value is None:
            return
        out = self.out
        if row > out.max_row:
            out.max_row = row
        if column > out.max_col:
            out.max_col = column
        key = (row - 1, column - 1)
        if self.positions is not None and key not in self.positions:
            return
        if formula is not None:
            out.cells[key] = RawCell(None, formula, self._cached(data_type, v))
        else:
            out.cells[key] = RawCell(value)

    def _formula(self, attrs: dict[str, str], text: str | None, coordinate: str | None) -> str:
        kind = attrs.get("t")
        value = "=" + (text or "")
        if kind == "shared":
            index = attrs.get("si")
            if index in self.shared:
                return str(self.shared[index].translate_formula(coordinate))
            if value != "=":
                from openpyxl.formula.translate import Translator

                self.shared[index] = Translator(value, coordinate)
        elif kind == "dataTable":
            raise Unusual("a data table formula")
        return value

    def _cached(self, kind: str, text: str | None) -> Any:
        """The stored result of a formula cell (tianbao's extension of openpyxl's parser)."""
        if text is None or text == "":
            return None
        if kind == "n":
            try:
                return int(text) if text.lstrip("-").isdigit() else float(text)
            except ValueError:
                return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                return None
        return text

    # the pass over the part

    def parse(self, data: bytes) -> _Sheet:
        try:
            if self.dimension_only:
                self._dimension_only(data)
            elif not self._known_shell(data):
                window = _window(data)
                if window is None:
                    self._full(data)
                else:
                    self._windowed(data, *window)
        except _Stop:
            return self.out
        if self.protection is not None:
            self.out.protected = _protection(self.protection)
        return self.out

    def _known_shell(self, data: bytes) -> bool:
        """The usual case, without scanning the part: its shell (all but sheetData) is one checked before
        (`_windowed`), and sheetData holds nothing openpyxl would find besides rows and cells."""
        start, close = data.find(b"<sheetData"), data.rfind(b"</sheetData>")
        if start < 0 or close < start:
            return False
        end = close + len(b"</sheetData>")
        known = _SHELLS.get(data[:start] + data[end:])
        if known is None:
            return False
        body = data[start:end]
        if body.count(b"sheetData") != 2 or b"dimension" in body or b"sheetProtection" in body:
            return False
        tokens = _tokenize(body)
        if tokens is None:
            return False
        self.out.dimension, self.protection, declared = known
        self._cached_cells(tokens, declared)
        return True

    def _dimension_only(self, data: bytes) -> None:
        """What openpyxl reads of a sheet it does not need when it opens the file: up to the dimension.
        The elements before <sheetData> go through the handlers (once per distinct head), the rest is only
        checked by expat."""
        start = data.find(b"<sheetData") if _window(data) is not None else -1
        if start >= 0:
            known = _HEADS.get(data[:start])
            if known is not None:
                self.out.dimension = known
                return
        p = _parser()
        p.StartElementHandler, p.EndElementHandler = self.start, self.end
        if start >= 0:
            p.Parse(data[:start], False)
            if self.out.dimension is not None:
                _remember(_HEADS, data[:start], self.out.dimension)
                return
            p.StartElementHandler = p.EndElementHandler = None
            p.Parse(data[start:], True)
        else:
            p.Parse(data, True)

    def _full(self, data: bytes) -> None:
        """Every element through the handlers: anything unusual in the bytes."""
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.chars
        p.Parse(data, True)

    def _windowed(self, data: bytes, start: int, end: int, protection: int) -> None:
        """The part's shell (all but `<sheetData>`) is the same in every copy of a template: expat checks it,
        with handlers only before <sheetData> (dimension) and on the one <sheetProtection> after it, once
        per distinct shell. `<sheetData>` is then checked and read piece by piece (`_tokenize`, each
        distinct row tag and cell parsed once by ElementTree); when it cannot be cut so, the whole part
        goes through expat and ElementTree reads the cells with the calls openpyxl itself makes."""
        shell = data[:start] + data[end:]
        known = _SHELLS.get(shell)
        body = data[start:end]
        if known is not None:
            tokens = _tokenize(body)
            if tokens is not None:
                self.out.dimension, self.protection, declared = known
                self._cached_cells(tokens, declared)
                return
        namespaces: dict[str | None, str] = {}

        def declare(prefix: str | None, uri: str) -> None:
            if self.depth == 0:
                namespaces[prefix] = uri

        p = _parser()
        p.StartElementHandler, p.EndElementHandler = self.start, self.end
        p.StartNamespaceDeclHandler = declare
        p.Parse(data[:start], False)
        if self.depth != 1:
            raise Unusual("sheetData is not a child of the root")
        if namespaces.get(None) != MAIN:  # unprefixed names are not SpreadsheetML's (Strict OOXML, damage)
            raise Unusual("another default namespace")
        p.StartElementHandler = p.EndElementHandler = p.StartNamespaceDeclHandler = None
        if protection >= 0:
            p.Parse(data[start:protection], False)

            def first(name: str, attrs: dict[str, str]) -> None:
                p.StartElementHandler = None
                if name == PROTECTION:
                    self._protection(attrs)

            p.StartElementHandler = first
            p.Parse(data[protection:], True)
        else:
            p.Parse(data[start:], True)
        declared = b"".join(
            b' xmlns%s="%s"' % (b":" + k.encode() if k else b"", _attr(v)) for k, v in namespaces.items()
        )
        _remember(_SHELLS, shell, (self.out.dimension, self.protection, declared))
        self._cells(body, declared)

    def _cells(self, body: bytes, declared: bytes) -> None:
        """The rows and cells of `<sheetData>…</sheetData>` (`declared`: the root's namespace declarations)."""
        rows = _tokenize(body)
        if rows is not None:
            self._cached_cells(rows, declared)
            return
        root = XML(b"<w" + declared + b">" + body + b"</w>")
        sheet_data = root[0]
        found = [r for r in sheet_data if r.tag == ET_ROW]
        if len(found) != len(_ROW_TAG.findall(body)):
            raise Unusual("a row nested where openpyxl would still find it")
        for row in found:
            self._row(row.attrib)
            for cell in row:
                self._cell(*_cell_parts(cell))

    def _cached_cells(self, tokens: tuple[bytes, list[tuple[bytes, list[bytes]]]], declared: bytes) -> None:
        """Cells by their bytes: each distinct `<c>…</c>` is parsed once per process (by ElementTree, read
        as openpyxl reads it) and, where its outcome does not depend on the file (a reference, no shared
        string, no shared formula), kept as the finished `RawCell`. A template's labels, formulas, blank
        cells and most typed numbers are the same bytes in every copy."""
        context = (declared, self.date_formats, self.timedelta_formats, self.epoch)
        cache = _CELL_CACHE.get(context)
        if cache is None or len(cache) > CELL_CACHE_SIZE:
            cache = _CELL_CACHE[context] = {}
            if len(_CELL_CACHE) > 8:
                _CELL_CACHE.clear()
                _CELL_CACHE[context] = cache
        out, positions, max_cells = self.out, self.positions, self.max_cells
        cells = out.cells
        dimension = out.dimension
        extent = not (dimension and dimension[2] and dimension[3])  # else the sheet's extent is not used
        sheet_data, rows = tokens
        _tag_attrs(b"<sheetData", sheet_data, declared)  # checked, as expat would
        for row_attrs, row_cells in rows:
            self._row(_tag_attrs(b"<row", row_attrs, declared))
            row = self.row_counter
            column = self.col_counter
            seen = 0
            for raw in row_cells:
                known = cache.get(raw)
                if known is None:
                    known = cache[raw] = self._known(raw, declared)
                if known[0] is None:  # depends on this file: interpret it here
                    self.seen += seen
                    seen = 0
                    self.col_counter = column
                    self._cell(*known[1])
                    column = self.col_counter
                    continue
                _, column, cell, coordinate_row, key = known
                seen += 1
                if cell is None:
                    continue
                if extent:
                    out.max_row = max(out.max_row, row)
                    out.max_col = max(out.max_col, column)
                if coordinate_row != row:  # filed under its row element's number
                    key = (row - 1, column - 1)
                if positions is None or key in positions:
                    cells[key] = cell
            self.col_counter = column
            self.seen += seen
            if max_cells is not None and self.seen > max_cells:  # the reference stops at the first cell over
                out.oversized = max_cells + 1
                raise _Stop

    def _known(self, raw: bytes, declared: bytes) -> tuple[Any, ...]:
        """(True, column, RawCell or None, row, key) when the cell's outcome is the same in any file (filed under
        the row and key of its own reference, or of its row element when that differs), else (None, parts). `raw`: the bytes after the cell's `<c `, which
        must hold that one element (and text, which openpyxl ignores in a row) and nothing else."""
        root = XML(b"<w" + declared + b"><c " + raw + b"</w>")
        if len(root) != 1:
            raise Unusual("an element after a cell")
        parts = _cell_parts(root[0])
        attrs, _, f_attrs, _, _ = parts
        coordinate = attrs.get("r")
        if not coordinate or attrs.get("t") == "s" or (f_attrs is not None and f_attrs.get("t") == "shared"):
            return None, parts
        probe = _SheetParser(
            [], self.date_formats, self.timedelta_formats, self.epoch, None, None, dimension_only=False
        )
        row, column = _coordinate(coordinate)
        probe.row_counter = row
        probe._cell(*parts)
        key = (row - 1, column - 1)
        return True, column, probe.out.cells.get(key), row, key


_WS = rb"[ \t\r\n]"  # XML's whitespace (regular expressions' \s also takes \f and \v, which XML refuses)
_ATTRS = rb"((?:" + _WS + rb"+[^\s=/>]+" + _WS + rb"*=" + _WS + rb"*(?:\"[^\"]*\"|'[^']*'))*" + _WS + rb"*)"
_SHEET_DATA_RE = re.compile(rb"<sheetData" + _ATTRS + rb"(?:/>|>(.*)</sheetData>)\Z", re.S)
_ATTRS_NC = _ATTRS.replace(b"((", b"(?:(", 1)  # the same without a group
_ROW_OPEN = re.compile(_WS + rb"*<row" + _ATTRS + rb">")
_TOKEN_RE = re.compile(  # one piece of sheetData: a cell, a row's start tag or a row's end tag
    _WS + rb"*<(?:c" + _ATTRS_NC + rb"(?:/>|>[^<]*(?:<(?!/c>)[^<]*)*</c>)|row" + _ATTRS_NC + rb"/?>|/row>)"
)
_SPACE = re.compile(_WS + rb"*\Z")
_CELL_CACHE: dict[tuple[Any, ...], dict[bytes, tuple[Any, ...]]] = {}
_TAGS: dict[tuple[bytes, bytes, bytes], dict[str, str]] = {}
_SHELLS: dict[bytes, tuple[Any, ...]] = {}
_HEADS: dict[bytes, Any] = {}
CELL_CACHE_SIZE = 50_000


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value


def _tokenize(body: bytes) -> tuple[bytes, list[tuple[bytes, list[bytes]]]] | None:
    """`<sheetData>` cut into rows and cells by one regular expression: (sheetData's attributes, [(row
    attributes, [cell bytes])]). None unless the pieces tile the body exactly (XML whitespace between
    them) with nothing else in it — no namespace declarations, no element other than rows in sheetData
    and cells in rows, no cell in a cell. Each tag and cell is then parsed by ElementTree (once per
    distinct bytes), so the body is checked as expat would check it."""
    m = _SHEET_DATA_RE.match(body)
    if m is None or b"xmlns" in body:
        return None
    inner = m.group(2) or b""
    rows = _split_rows(inner)
    if rows is None:
        rows = _token_rows(inner)
    if rows is None:
        return None
    count = sum(len(cells) for _, cells in rows)
    if inner.count(b"<c") != count or inner.count(b"row") != len(rows) + inner.count(b"</row>"):
        return None  # maybe a cell in a cell or a row in a cell, which openpyxl would still find
    return m.group(1), rows


def _split_rows(inner: bytes) -> list[tuple[bytes, list[bytes]]] | None:
    """sheetData's content cut with `bytes.split` (twenty times faster than a regular expression): each
    `</row>` ends a row whose start tag is matched alone and whose cells each start with `<c `. A cell is
    given as the bytes after its `<c `; that it is one whole cell is checked when it is parsed (`_known`).
    None when the content does not have this form."""
    chunks = inner.split(b"</row>")
    if chunks[-1].strip(b" \t\r\n"):
        return None  # an empty <row/> at the end, or something else
    rows: list[tuple[bytes, list[bytes]]] = []
    for chunk in chunks[:-1]:
        start = _ROW_OPEN.match(chunk)
        if start is None:
            return None
        pieces = chunk[start.end() :].split(b"<c ")
        if pieces[0].strip(b" \t\r\n"):
            return None
        rows.append((start.group(1), pieces[1:]))
    return rows


def _token_rows(inner: bytes) -> list[tuple[bytes, list[bytes]]] | None:
    """sheetData's content cut by one regular expression into row tags and cells (any whitespace, empty
    rows); None unless the pieces tile it."""
    tokens = _TOKEN_RE.findall(inner)
    if sum(map(len, tokens)) != len(inner.rstrip(b" \t\r\n")):
        return None  # something between the pieces
    rows: list[tuple[bytes, list[bytes]]] = []
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
                rows.append((tag[4:-2], []))
            else:
                cells = []
                rows.append((tag[4:-1], cells))
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
    attrs = _TAGS.get(key)
    if attrs is None:
        if len(_TAGS) > 10_000:
            _TAGS.clear()
        attrs = _TAGS[key] = dict(XML(b"<w" + declared + b">" + tag + raw + b"/></w>")[0].attrib)
    return attrs


def _attr(value: str) -> bytes:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").encode()


def _cell_parts(cell: Element) -> tuple[Any, str | None, Any, str | None, str | None]:
    """What openpyxl's parse_cell reads of a cell element: its attributes, the text of its first <v>, the
    attributes and text of its first <f> and the content of its first <is>."""
    inline = None
    if cell.get("t") == "inlineStr":
        child = cell.find(ET_INLINE)
        if child is not None:
            inline = _inline_text(child)
    f = cell.find(ET_FORMULA)
    return (
        cell.attrib,
        cell.findtext(ET_VALUE),
        None if f is None else f.attrib,
        None if f is None else f.text,
        inline,
    )


def _inline_text(element: Element) -> str:
    """An inline string's content, as openpyxl's `Text.from_tree(element).content`."""
    children = list(element)
    if not element.attrib and len(children) == 1 and children[0].tag == ET_TEXT and not len(children[0]):
        return children[0].text or ""
    from openpyxl.cell.text import Text

    return str(Text.from_tree(element).content)


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s/>]")
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")


def _window_bytes(data: bytes) -> int | None:
    """Where the part starts after its XML declaration when it is UTF-8 without comments, CDATA, DOCTYPE or processing
    instructions: there a `<` always starts a tag, so byte searches find exactly the elements expat will
    report. None otherwise."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:1] == b"\x00" or b"<!" in data:
        return None
    after = 0
    if data.startswith(b"<?xml"):
        close = data.find(b"?>")
        m = _DECLARATION.match(data, 0, close + 2)
        if m and m.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
        after = close + 2
    return None if data.find(b"<?", after) >= 0 else after


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


# ---- the backend -------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, path: str | os.PathLike[str], max_cells: int | None) -> None:
        self.path, self.max_cells = path, max_cells
        self.limit = Limits().max_uncompressed
        self.data = b""

    def member(self, zf: zipfile.ZipFile, name: str) -> bytes:
        """A member's bytes, inflated straight from the file's bytes with zlib when it is a plain deflated
        or stored member (zipfile's own reading costs more than the inflating), else by zipfile. Either
        way the bytes are those zipfile gives, their length and CRC-32 checked."""
        info = zf.getinfo(name)
        if info.file_size > self.limit:
            raise Unusual(f"{name} is too large")
        data = self.data
        offset = info.header_offset
        header = data[offset : offset + 30]
        if len(header) == 30 and header[:4] == b"PK\x03\x04" and not info.flag_bits & 0x61:
            name_len, extra_len = struct.unpack_from("<HH", header, 26)
            raw_name = data[offset + 30 : offset + 30 + name_len]
            start = offset + 30 + name_len + extra_len
            raw = data[start : start + info.compress_size]
            encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
            if len(raw) == info.compress_size and raw_name.decode(encoding, "replace") == info.orig_filename:
                key = (raw, info.compress_type, info.file_size, info.CRC)
                out: bytes | None = _INFLATED.get(key)  # styles, theme, 校验 …: the same bytes in every copy
                if out is not None:
                    return out
                try:
                    if info.compress_type == zipfile.ZIP_DEFLATED:
                        out = zlib.decompress(raw, -15)
                    elif info.compress_type == zipfile.ZIP_STORED and info.compress_size == info.file_size:
                        out = raw
                except zlib.error:
                    out = None
                if out is not None and len(out) == info.file_size and zlib.crc32(out) == info.CRC:
                    if len(_INFLATED) >= CACHE_SIZE:
                        _INFLATED.clear()
                    _INFLATED[key] = out
                    return out
        return zf.read(name)

    def read(self, wanted: Wanted) -> RawWorkbook:
        if os.path.splitext(os.fspath(self.path))[-1].lower() not in SUPPORTED_SUFFIXES:
            raise Unusual("a file name openpyxl refuses")
        with open(self.path, "rb") as fh:
            self.data = fh.read()
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
            return self._read(zf, wanted)

    def _read(self, zf: zipfile.ZipFile, wanted: Wanted) -> RawWorkbook:
        names = set(zf.namelist())
        workbook_name, strings_name = _manifest(self.member(zf, "[Content_Types].xml"))
        strings = _shared_strings(self.member(zf, strings_name)) if strings_name is not None else []
        book = _workbook(self.member(zf, workbook_name))
        epoch = _epoch(book.date1904)
        if "docProps/core.xml" in names:
            _core(self.member(zf, "docProps/core.xml"))
        properties = (
            _custom_properties(self.member(zf, "docProps/custom.xml"))
            if "docProps/custom.xml" in names
            else {}
        )
        if "xl/theme/theme1.xml" in names:
            self.member(zf, "xl/theme/theme1.xml")
        date_formats, timedelta_formats = _styles(
            self.member(zf, "xl/styles.xml") if "xl/styles.xml" in names else None
        )

        raw = RawWorkbook()
        parts: dict[str, str] = {}  # sheet title → part (the first sheet of a title, as wb[title] finds it)
        loaded: list[str] = []
        targets: list[str] = []
        rels: dict[str, tuple[str, str]] | None = None
        for sheet in book.sheets:
            if not sheet.rel_id:
                continue
            if rels is None:
                rels_name = _rels_path(workbook_name)
                rels = _relationships(rels_name, self.member(zf, rels_name))
            kind, target = rels[sheet.rel_id]
            if target not in names:
                continue
            if "chartsheet" in kind:
                raise Unusual("a chart sheet")
            sheet_rels = _rels_path(target)
            if sheet_rels in names:
                _relationships(sheet_rels, self.member(zf, sheet_rels))
            loaded.append(sheet.name)
            targets.append(target)
            parts.setdefault(sheet.name, target)
            raw.sheets.append(sheet.name)
            raw.states[sheet.name] = str(sheet.state or "visible")
        raw.properties = properties
        raw.names = _names(book, loaded)

        def sheet(title: str, positions: Collection[tuple[int, int]] | None) -> _Sheet:
            data = self.member(zf, parts[title])
            parser = _SheetParser(strings, date_formats, timedelta_formats, epoch, positions, self.max_cells)
            got = parser.parse(data)
            if got.oversized:
                raw.oversized[title] = got.oversized
                return _Sheet()
            raw.protected[title] = got.protected
            _, _, max_col, max_row = got.dimension or (None, None, None, None)
            raw.dimensions[title] = (max_row or got.max_row, max_col or got.max_col)
            return got

        done: set[str] = set()  # parts read in full
        meta_cells: dict[tuple[int, int], RawCell] = {}
        if META_SHEET in parts:
            meta_cells = sheet(META_SHEET, None).cells
            done.add(parts[META_SHEET])
            for (row, col), cell in sorted(meta_cells.items()):
                if col == 0 and cell.value is not None:
                    raw.meta[property_text(cell.value).strip()] = meta_cells.get((row, 1), RawCell()).value
        for title, positions in resolve_wanted(wanted, raw).items():
            if title not in parts:
                continue
            if title == META_SHEET:
                chosen = set(positions)
                got = {k: v for k, v in meta_cells.items() if k in chosen}
            else:
                got = sheet(
                    title, positions if isinstance(positions, set | frozenset) else set(positions)
                ).cells
                done.add(parts[title])
            raw.cells.update({(title, r, c): cell for (r, c), cell in got.items()})
        for target in targets:  # openpyxl reads every sheet's dimension when it opens the file
            if target not in done:
                _SheetParser([], frozenset(), frozenset(), epoch, (), None, dimension_only=True).parse(
                    self.member(zf, target)
                )
        return raw


def _rels_path(path: str) -> str:
    folder, name = posixpath.split(path)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _epoch(date1904: bool) -> Any:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

    return CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH


def _names(book: _WorkbookPart, loaded: list[str]) -> dict[str, str]:
    """Workbook-level defined names, as openpyxl's `DefinedNameList.by_sheet` and `assign_names` keep them."""
    out: dict[str, str] = {}
    local: dict[int, dict[str, str | None]] = {}
    for name, sheet_id, text in book.names:
        if sheet_id is None:
            if name not in RESERVED_GLOBAL:
                out[name] = str(text or "")
        else:
            local.setdefault(int(sheet_id), {})[name] = text
    for index, names in local.items():
        try:
            loaded[index]
        except IndexError:
            continue
        for name, text in names.items():
            m = _RESERVED.match(name)
            if m:
                _check_reserved(m.group("name"), text)
    return out


class FastBackend:
    """zipfile + expat; openpyxl for whatever it does not handle itself (see the module's docstring)."""

    name = "fast"

    def __init__(self, fallback: ReaderBackend | None = None) -> None:
        self._fallback = fallback
        self.fallbacks = 0  # files handed to the reference backend (tests check the fast path is taken)

    @property
    def fallback(self) -> ReaderBackend:
        if self._fallback is None:
            from tianbao.reading.openpyxl_backend import OpenpyxlBackend

            self._fallback = OpenpyxlBackend()
        return self._fallback

    def read(
        self, path: str | os.PathLike[str], wanted: Wanted, *, max_cells: int | None = None
    ) -> RawWorkbook:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return _Reader(path, max_cells).read(wanted)
        except Exception:  # damaged, unsafe or unusual: the reference reads it and gives its own verdict
            self.fallbacks += 1
            return self.fallback.read(path, wanted, max_cells=max_cells)


__all__ = ["FastBackend", "Unusual"]
