"""The parts of a workbook other than its sheets, its workbook part and its document properties: content
types, relationships, styles, shared strings; a sheet's protection and dimension and print settings. Each as
openpyxl reads it: by openpyxl's own classes once per distinct content, or natively in its plain form."""

from __future__ import annotations

import contextlib
import io
from typing import Any
from xml.etree.ElementTree import Element

from tianbao.reading.fast_backend.base import (
    DIMENSION,
    PROTECTION,
    _cached,
    _et,
    _Member,
)
from tianbao.reading.fast_backend.strings import rich_strings


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


def _shared_strings(data: bytes) -> list[str]:
    """All shared strings, as openpyxl's `read_string_table` gives them."""
    found = rich_strings(data)  # plain texts and runs of text with fonts (as Excel, WPS, LibreOffice save)
    if found is not None:
        return found

    def compute() -> list[str]:
        from openpyxl.reader.strings import read_string_table

        return list(read_string_table(io.BytesIO(data)))

    return list(_cached("strings", data, compute))


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
