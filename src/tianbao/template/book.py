"""The xlsxwriter workbook every tianbao workbook is written with (templates, 退回修改 copies, consolidated
workbooks): text made fit for XML, deflated at a chosen level, and nothing left behind when writing fails.

- Text: every string that goes into a cell, a formula's stored result, a comment, a document property or a
  defined name passes through `tianbao.cells.xml_text` (`SafeSheet`, `Book`), whatever its source — a unit's
  name with Word's line break (U+000B), a file name that is not UTF-8 — so that every part is well-formed XML.
- Temporary files: a workbook not assembled in memory (a consolidated workbook) writes its parts into a
  private folder (`scratch`), removed afterwards whatever happens.
- Failure: when storing fails (a full disk, Ctrl+C, any exception), the files xlsxwriter opened are closed
  without writing more, so that nothing is flushed later by the garbage collector onto a full disk (the
  “Exception ignored” noise on stderr) or into a file already removed.

xlsxwriter opens its zip and its parts itself, with the `ZipFile` of its workbook module and the builtin
`open`: those names are swapped in the two modules while a workbook is stored (workbooks are not closed in
threads here).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any, Literal

import xlsxwriter.workbook
import xlsxwriter.xmlwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tianbao.cells import xml_text
from tianbao.fileio import deferred_interrupt


class SafeSheet(Worksheet):
    """A worksheet whose every text (cells, merged ranges, formulas and their stored results, comments) is
    `xml_text`."""

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        return super()._write_string(row, col, xml_text(string), cell_format)

    def _write_formula(
        self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0
    ) -> Any:
        if isinstance(value, str):
            value = xml_text(value)
        return super()._write_formula(row, col, xml_text(formula), cell_format, value)

    def write_comment(self, row: int, col: int, comment: str, options: dict[str, Any] | None = None) -> Any:
        return super().write_comment(row, col, xml_text(comment), options)


class _LeveledZipFile(zipfile.ZipFile):
    """A zip whose entries are all deflated at its `compresslevel`, also those written from a `ZipInfo` (as
    an in-memory workbook writes them), which `ZipFile.writestr` would deflate at zlib's default level."""

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        level = self.compresslevel if compresslevel is None else compresslevel
        super().writestr(zinfo_or_arcname, data, compress_type, level)


class Book(Workbook):
    """An xlsxwriter workbook of `SafeSheet`s, its properties and names `xml_text` too, deflated at
    `compresslevel` (1 fastest … 9 smallest; None: zlib's default, 6, as xlsxwriter always does)."""

    worksheet_class = SafeSheet

    def __init__(self, filename: str, options: dict[str, Any], compresslevel: int | None = None) -> None:
        super().__init__(filename, options)
        self.compresslevel = compresslevel

    def set_properties(self, properties: dict[str, Any]) -> None:
        super().set_properties({k: xml_text(v) if isinstance(v, str) else v for k, v in properties.items()})

    def set_custom_property(self, name: str, value: Any, property_type: str | None = None) -> Any:
        return super().set_custom_property(
            xml_text(name), xml_text(value) if isinstance(value, str) else value, property_type
        )

    def define_name(self, name: str, formula: str) -> Any:
        return super().define_name(name, xml_text(formula))

    def _store_workbook(self) -> None:
        opened: list[Any] = []

        def zip_file(
            file: Any, mode: Literal["w"], compression: int = zipfile.ZIP_STORED, allowZip64: bool = True
        ) -> zipfile.ZipFile:  # as xlsxwriter calls it
            zf = _LeveledZipFile(file, mode, compression, allowZip64, compresslevel=self.compresslevel)
            opened.append(zf)
            return zf

        def open_part(*args: Any, **kwargs: Any) -> Any:
            fh = open(*args, **kwargs)  # noqa: SIM115 - closed by xlsxwriter, or by `_abandon`
            opened.append(fh)
            return fh

        saved = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = zip_file  # type: ignore[misc,assignment]
        xlsxwriter.xmlwriter.open = open_part  # type: ignore[attr-defined]
        try:
            super()._store_workbook()
        except BaseException:
            for f in reversed(opened):
                _abandon(f)
            raise
        finally:
            xlsxwriter.workbook.ZipFile = saved  # type: ignore[misc]
            del xlsxwriter.xmlwriter.open  # type: ignore[attr-defined]


def _abandon(f: Any) -> None:
    """Close a file of a workbook that will not be finished, writing nothing more: a zip without its
    directory, a part without what is still buffered when the disk is full."""
    with contextlib.suppress(Exception):
        if isinstance(f, zipfile.ZipFile):
            fp, f.fp = f.fp, None  # no end of central directory: the file is removed anyway
            if fp is not None:
                fp.close()
        else:
            f.close()


@contextlib.contextmanager
def scratch() -> Iterator[str]:
    """A private temporary folder for xlsxwriter's parts (in the system's temporary folder), removed with
    whatever is left in it when the block ends, however it ends."""
    folder: str | None = None
    try:
        with deferred_interrupt():
            folder = tempfile.mkdtemp(prefix="tianbao-")
        yield folder
    finally:
        if folder is not None:
            with deferred_interrupt():
                shutil.rmtree(folder, ignore_errors=True)
