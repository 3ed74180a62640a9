"""The fast backend: one workbook file read into a `RawWorkbook`, and openpyxl for whatever it does not
handle itself."""

from __future__ import annotations

import io
import os
import posixpath
import warnings
import zipfile
from collections.abc import Callable, Collection
from typing import Any

from tianbao import caches
from tianbao.reading.backend import (
    RawCell,
    RawWorkbook,
    ReaderBackend,
    Wanted,
    property_text,
    resolve_wanted,
)
from tianbao.reading.container import inflate_plain
from tianbao.reading.fast_backend.base import (
    _RESERVED,
    RESERVED_GLOBAL,
    SUPPORTED_SUFFIXES,
    Unusual,
)
from tianbao.reading.fast_backend.parts import (
    _check_reserved,
    _manifest,
    _relationships,
    _shared_strings,
    _styles,
)
from tianbao.reading.fast_backend.properties import _core, _custom_properties
from tianbao.reading.fast_backend.sheet import (
    _Sheet,
    _SheetParser,
)
from tianbao.reading.fast_backend.workbook import _workbook, _WorkbookPart
from tianbao.reading.model import Limits
from tianbao.stamp import META_SHEET


class _Reader:
    def __init__(self, path: str | os.PathLike[str], max_cells: int | None, data: bytes = b"") -> None:
        self.path, self.max_cells = path, max_cells
        self.limit = Limits().max_uncompressed
        self.data = data

    def member(self, zf: zipfile.ZipFile, name: str) -> bytes:
        """A member's bytes, as zipfile gives them (length and CRC-32 checked); bounded in size. A member
        that is not plain (`inflate_plain`) makes the file openpyxl's: how zipfile reads such a member
        depends on how it is read (openpyxl streams sheets and shared strings)."""
        if zf.getinfo(name).file_size > self.limit:
            raise Unusual(f"{name} is too large")
        out = inflate_plain(zf, self.data, name)
        if out is None:
            raise Unusual(f"{name} is not a plain member")
        return out

    def read(self, wanted: Wanted) -> RawWorkbook:
        """The workbook in the file at `path`."""
        _check_suffix(self.path)
        with open(self.path, "rb") as fh:
            self.data = fh.read()
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
            return self._read(zf, wanted)

    def read_archive(self, zf: zipfile.ZipFile | None, wanted: Wanted) -> RawWorkbook:
        """The workbook in `data` (the file's bytes), from `zf` when given (a zip opened on those bytes)."""
        _check_suffix(self.path)
        if zf is not None:
            return self._read(zf, wanted)
        with zipfile.ZipFile(io.BytesIO(self.data)) as opened:
            return self._read(opened, wanted)

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
        for entry in book.sheets:
            if not entry.rel_id:
                continue
            if rels is None:
                rels_name = _rels_path(workbook_name)
                rels = _relationships(rels_name, self.member(zf, rels_name))
            kind, target = rels[entry.rel_id]
            if target not in names:
                continue
            if "chartsheet" in kind:
                raise Unusual("a chart sheet")
            sheet_rels = _rels_path(target)
            if sheet_rels in names:
                _relationships(sheet_rels, self.member(zf, sheet_rels))
            loaded.append(entry.name)
            targets.append(target)
            parts.setdefault(entry.name, target)
            raw.sheets.append(entry.name)
            raw.states[entry.name] = str(entry.state or "visible")
        raw.properties = properties
        raw.names = _names(book, loaded)

        def sheet(title: str, positions: Collection[tuple[int, int]] | None) -> _Sheet:
            data = self.member(zf, parts[title])
            parser = _SheetParser(
                strings, date_formats, timedelta_formats, epoch, positions, self.max_cells, title=title
            )
            got = parser.parse(data)
            if got.oversized:
                raw.oversized[title] = got.oversized
                return _Sheet()
            raw.protected[title] = got.protected
            _, _, max_col, max_row = got.dimension or (None, None, None, None)
            raw.dimensions[title] = (max_row or got.max_row, max_col or got.max_col)
            return got

        done: set[str] = set()  # parts read in full
        meta_cells: dict[tuple[str, int, int], RawCell] = {}
        if META_SHEET in parts:
            meta_cells = sheet(META_SHEET, None).cells
            done.add(parts[META_SHEET])
            for (_, row, col), cell in sorted(meta_cells.items()):
                if col == 0 and cell.value is not None:
                    value = meta_cells.get((META_SHEET, row, 1), RawCell()).value
                    raw.meta[property_text(cell.value).strip()] = value
        for title, positions in resolve_wanted(wanted, raw).items():
            if title not in parts:
                continue
            if title == META_SHEET:
                chosen = set(positions)
                got = {k: v for k, v in meta_cells.items() if k[1:] in chosen}
            else:
                got = sheet(title, positions).cells
                done.add(parts[title])
            raw.cells.update(got)
        for target in targets:  # openpyxl reads every sheet's dimension when it opens the file
            if target not in done:
                _SheetParser([], frozenset(), frozenset(), epoch, (), None, dimension_only=True).parse(
                    self.member(zf, target)
                )
        return raw


def _check_suffix(path: str | os.PathLike[str]) -> None:
    if os.path.splitext(os.fspath(path))[-1].lower() not in SUPPORTED_SUFFIXES:
        raise Unusual("a file name openpyxl refuses")


@caches.memoized(caches.MEMBER_PATHS)
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
        return self._guarded(lambda: _Reader(path, max_cells).read(wanted), path, wanted, max_cells)

    def read_bytes(
        self,
        path: str | os.PathLike[str],
        data: bytes,
        wanted: Wanted,
        *,
        max_cells: int | None = None,
        archive: zipfile.ZipFile | None = None,
    ) -> RawWorkbook:
        """The workbook whose bytes `data` were read from `path` (and, when given, `archive`: a zip opened on
        `data`), without reading the file again. What the fast path does not handle goes to the reference
        backend, which reads `path` itself."""
        return self._guarded(
            lambda: _Reader(path, max_cells, data).read_archive(archive, wanted), path, wanted, max_cells
        )

    def _guarded(
        self,
        attempt: Callable[[], RawWorkbook],
        path: str | os.PathLike[str],
        wanted: Wanted,
        max_cells: int | None,
    ) -> RawWorkbook:
        """The fast path's result; for a file it does not handle (damaged, unsafe or unusual), the reference
        backend's, which reads `path` itself and gives its own verdict."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return attempt()
        except Exception:
            self.fallbacks += 1
            return self.fallback.read(path, wanted, max_cells=max_cells)
