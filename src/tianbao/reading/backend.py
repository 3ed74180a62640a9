"""The reader backend interface: what a backend extracts from a workbook file, and nothing more.

A backend turns a file into a `RawWorkbook` in two steps of one pass:

1. the *head*: sheet names and states, custom document properties, workbook-level defined names and the rows
   of the very hidden `_meta` sheet — all the reader needs to learn the stamp and pick the spec;
2. the *cells*: `wanted(head)` names the cells to fetch per sheet; the backend reads those sheets once each,
   keeping the wanted cells (value as typed, formula text, cached result), the sheet protection and dimension.

openpyxl is the reference implementation (`openpyxl_backend`); a streaming backend (zipfile + expat) can
implement the same interface: workbook.xml, docProps/custom.xml and the `_meta` part first, then each wanted
sheet part streamed once. Interpretation (stamp, layout, values, issues) lives in `tianbao.reading.interpret`.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

SheetState = str  # visible | hidden | veryHidden
CellMap = Mapping[str, Collection[tuple[int, int]]]  # sheet → {(row0, col0)}
Wanted = CellMap | Callable[["RawWorkbook"], CellMap]


@dataclass(frozen=True)
class RawCell:
    """One cell as stored. A formula cell has `value` None, `formula` its text (with the leading “=”) and
    `cached` the result stored by the last application that calculated it (None when there is none)."""

    value: Any = None
    formula: str | None = None
    cached: Any = None


EMPTY = RawCell()


@dataclass
class RawWorkbook:
    sheets: list[str] = field(default_factory=list)  # in workbook order
    states: dict[str, SheetState] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)  # custom document properties, as text
    names: dict[str, str] = field(default_factory=dict)  # workbook-level defined names → their text
    meta: dict[str, Any] = field(default_factory=dict)  # the `_meta` sheet: column A key → column B value
    # Filled for the sheets that were read (those named by `wanted`):
    protected: dict[str, bool] = field(default_factory=dict)
    dimensions: dict[str, tuple[int, int]] = field(default_factory=dict)  # (max_row, max_col), 1-based
    cells: dict[tuple[str, int, int], RawCell] = field(
        default_factory=dict
    )  # wanted cells that hold something
    oversized: dict[str, int] = field(
        default_factory=dict
    )  # sheets not read: too many cells (the count seen)

    def cell(self, sheet: str, row: int, col: int) -> RawCell:
        return self.cells.get((sheet, row, col), EMPTY)


class ReaderBackend(Protocol):
    """Reads one workbook file. Raises on a file it cannot parse; the caller turns that into an issue."""

    name: str

    def read(
        self, path: str | os.PathLike[str], wanted: Wanted, *, max_cells: int | None = None
    ) -> RawWorkbook: ...


class BytesReaderBackend(ReaderBackend, Protocol):
    """A backend that can also read a workbook from the bytes the caller already read from the file (and
    the zip the caller opened on them), so the file is read and its zip directory parsed once."""

    def read_bytes(
        self,
        path: str | os.PathLike[str],
        data: bytes,
        wanted: Wanted,
        *,
        max_cells: int | None = None,
        archive: zipfile.ZipFile | None = None,
    ) -> RawWorkbook: ...


def cell_number(text: str) -> int | float | str:
    """The value of a number cell's `<v>` as openpyxl casts it (an int, or a float when the text has a “.” or
    an exponent), except that a text it cannot cast — NaN, INF, 0x10, 5,000 digits (beyond Python's int
    conversion) — stays text, for the value parser to judge at its cell (value-not-a-number,
    value-out-of-range): openpyxl raises there, and the whole file was corrupt-workbook, its other issues
    lost. Both readers cast by this function."""
    try:
        if "." in text or "E" in text or "e" in text:
            return float(text)
        return int(text)
    except ValueError:
        return text


def stored_result(kind: str, text: str | None, shared_strings: list[str]) -> Any:
    """The stored result of a formula cell from its `t` attribute and the text of its `<v>` (both readers'
    extension of openpyxl, which keeps the formula and drops its result): a number, a boolean, a shared
    string, or the text itself (str, e: an error such as #REF!); None when nothing is stored."""
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
            return shared_strings[int(text)]
        except (ValueError, IndexError):
            return None
    return text


def resolve_wanted(wanted: Wanted, head: RawWorkbook) -> CellMap:
    return wanted(head) if callable(wanted) else wanted


def property_text(value: Any) -> str:
    """A custom property value as text: applications may re-save a text “2021” as the number 2021."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
