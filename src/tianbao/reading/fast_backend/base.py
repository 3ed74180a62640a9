"""What the fast reader's parts share: namespaces, the expat parser that refuses DTDs, openpyxl's results
by content (kept in `tianbao.caches`), byte-level checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn
from xml.parsers import expat

from tianbao import caches

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CUSTPROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VTYPES = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_S = MAIN + " "  # expat reports a namespaced name as "uri local"
ROW, VALUE, FORMULA, INLINE, TEXT = (_S + t for t in ("row", "v", "f", "is", "t"))
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


class Unusual(Exception):
    """Something the fast path does not handle itself: openpyxl reads the file instead."""


def _forbid(*_: Any) -> NoReturn:
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


def _cached(kind: str, key: Any, compute: Callable[[], Any]) -> Any:
    """openpyxl's reading of a part (`kind`), by what it was computed from (`caches.PARTS`)."""
    return caches.PARTS.lookup((kind, key), compute)


@caches.memoized(caches.COORDINATES)  # a template has a few hundred distinct references
def _coordinate(ref: str) -> tuple[int, int]:
    """openpyxl's `coordinate_to_tuple`."""
    from openpyxl.utils.cell import coordinate_to_tuple

    result: tuple[int, int] = coordinate_to_tuple(ref)
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


def _attr(value: str) -> bytes:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").encode()


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row[\s/>]")
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")


def _window_bytes(data: bytes) -> int | None:
    """Where the part starts after its XML declaration when it is UTF-8 without comments, CDATA, DOCTYPE or
    processing instructions: there a `<` always starts a tag, so byte searches find exactly the elements
    expat will report, and a piece cut from it reads as it does in the part. None otherwise — also for an
    encoding declared by another name than expat's own “UTF-8” (in any case): expat reads “UTF8” as an
    unknown single-byte encoding and refuses any byte above 127."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:1] == b"\x00" or b"<!" in data:
        return None
    after = 0
    if data.startswith(b"<?xml"):
        close = data.find(b"?>")
        m = _DECLARATION.match(data, 0, close + 2)
        if m and m.group(1).lower() != b"utf-8":
            return None
        after = close + 2
    return None if data.find(b"<?", after) >= 0 else after
