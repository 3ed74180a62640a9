"""A file's verdict depends on the file alone: not on the files read before it (the fast reader recognises
what copies of a template share by its bytes), and not on the reader (the fast reader never accepts what
openpyxl, the reference, refuses). Each case here is a file read after a look-alike that shares all but the
bytes that matter."""

from __future__ import annotations

import importlib.util
import io
import re
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tianbao import caches
from tianbao.reading import Submission, read_submission
from tianbao.reading.backend import RawWorkbook
from tianbao.reading.fast_backend import FastBackend
from tianbao.reading.interpret import reader_backend
from tianbao.reading.openpyxl_backend import OpenpyxlBackend
from tianbao.spec import load_spec

_spec = importlib.util.spec_from_file_location(
    "make_fixtures", Path(__file__).parent / "data" / "make_fixtures.py"
)
assert _spec is not None and _spec.loader is not None
fx = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_fixtures", fx)
_spec.loader.exec_module(fx)

KWARGS: dict[str, Any] = {"expected_year": fx.YEAR, "roster": fx.ROSTER}


def _issues(sub: Submission) -> list[tuple[Any, ...]]:
    return [(i.code, i.cell_id, i.sheet, i.cell, i.message) for i in sub.issues]


def assert_alone(path: Path, *before: Path) -> Submission:
    """The fast reader gives `path` the reference's submission, read alone and read after `before`."""
    ref = read_submission(path, backend=OpenpyxlBackend(), **KWARGS)
    caches.clear_all()
    alone = read_submission(path, backend=FastBackend(), **KWARGS)
    fast = FastBackend()
    for other in before:
        read_submission(other, backend=fast, **KWARGS)
    after = read_submission(path, backend=fast, **KWARGS)
    assert _issues(alone) == _issues(ref)
    assert _issues(after) == _issues(ref), "read after a look-alike"
    assert alone == ref and after == ref
    return ref


def _raw_alone(path: Path, wanted: Any, *before: Path) -> RawWorkbook:
    ref = OpenpyxlBackend().read(path, wanted)
    caches.clear_all()
    assert FastBackend().read(path, wanted) == ref
    fast = FastBackend()
    for other in before:
        fast.read(other, wanted)
    assert fast.read(path, wanted) == ref, "read after a look-alike"
    return ref


# --- the plan: the same text in the input cell of the same rank in two formats --------------------------------


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
def test_the_same_text_at_the_same_input_of_another_format_names_its_own_cell(
    tmp_path: Path, reader: str
) -> None:
    """A 2021 and a 2019 file holding the same text in the input cell of the same rank: each file's issue
    names its own cell, whichever was read first (a result kept by the input's rank named the other
    format's cell)."""
    first2021, first2019 = load_spec("2021").input_ids[0], load_spec("2019").input_ids[0]
    assert first2021 != first2019
    new = fx.filled(tmp_path / "new.xlsx", {first2021: "12件"})
    old = fx.filled(tmp_path / "old.xlsx", {first2019: "12件"}, fmt="2019", year=2020)
    results: dict[str, list[list[tuple[Any, ...]]]] = {"new": [], "old": []}
    for order in ((new, old), (old, new), (new, old)):
        for path in order:
            results[path.stem].append(_issues(read_submission(path, backend=reader_backend(reader))))
    for name, cell_id in (("new", first2021), ("old", first2019)):
        got = results[name]
        assert all(g == got[0] for g in got), got
        assert [i[1] for i in got[0] if i[0] == "value-unit-suffix"] == [cell_id]


# --- parts known by their bytes ----------------------------------------------------------------------------

UTF8_BY_ANOTHER_NAME = b'<?xml version="1.0" encoding="UTF8"?>'


@pytest.mark.parametrize("declaration", [b'encoding="UTF8"', b'encoding="utf8"', b'encoding="us-ascii"'])
def test_a_part_declared_in_an_encoding_expat_reads_otherwise_is_read_by_expat(
    tmp_path: Path, declaration: bytes
) -> None:
    """custom.xml declared “UTF8” (to expat: an unknown single-byte encoding) with non-ASCII text is refused
    by openpyxl; so it is after a look-alike with ASCII text only, which taught the reader the part's
    shape."""
    decl = b'<?xml version="1.0" ' + declaration + b"?>"

    def ascii_only(xml: bytes) -> bytes:
        return decl + xml.replace("诺敏镇人民政府".encode(), b"Nuomin").replace("乡镇".encode(), b"xz")

    look_alike = fx.rewrite(fx.filled(tmp_path / "a.xlsx"), "docProps/custom.xml", ascii_only)
    path = fx.rewrite(fx.filled(tmp_path / "b.xlsx"), "docProps/custom.xml", lambda xml: decl + xml)
    ref = assert_alone(path, look_alike)
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]


def test_a_sheet_declared_utf8_by_another_name_is_read_by_expat(tmp_path: Path) -> None:
    """The same for a sheet (its data validations and conditional formats removed: the rest of its shell is
    ASCII) after a look-alike whose cells' texts are ASCII too: the shell is known, but the cells' bytes,
    which read as UTF-8 alone, do not in this part."""

    def declare(xml: bytes) -> bytes:
        xml = re.sub(rb"<dataValidations.*</dataValidations>", b"", xml, flags=re.S)
        xml = re.sub(rb"<conditionalFormatting.*</conditionalFormatting>", b"", xml, flags=re.S)
        assert xml[: xml.index(b"<sheetData")].isascii() and xml[xml.index(b"</sheetData>") :].isascii()
        return UTF8_BY_ANOTHER_NAME + xml

    def ascii_only(xml: bytes) -> bytes:
        return re.sub(rb"[\x80-\xff]+", b"x", declare(xml))

    look_alike = fx.rewrite(fx.filled(tmp_path / "a.xlsx"), "xl/worksheets/sheet3.xml", ascii_only)
    path = fx.rewrite(fx.filled(tmp_path / "b.xlsx"), "xl/worksheets/sheet3.xml", declare)
    ref = assert_alone(path, look_alike)
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]


def test_defined_names_moved_into_another_element_are_not_taken_for_the_workbook_s(tmp_path: Path) -> None:
    """workbook.xml with `<definedNames>` moved into `<sheets>`: the rest of the part has the same bytes as
    a look-alike's, but the names are no longer a child of the root (where openpyxl reads them)."""

    def move(xml: bytes) -> bytes:
        block = re.search(rb"<definedNames>.*</definedNames>", xml, re.S)
        assert block is not None
        return xml.replace(block.group(0), b"").replace(b"</sheets>", block.group(0) + b"</sheets>")

    look_alike = fx.filled(tmp_path / "a.xlsx")
    path = fx.rewrite(fx.filled(tmp_path / "b.xlsx"), "xl/workbook.xml", move)
    ref = assert_alone(path, look_alike)
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]


def test_a_sheet_without_a_dimension_gets_its_extent_from_its_rows(tmp_path: Path) -> None:
    """Rows recognised by their bytes still count towards a sheet's extent where the sheet has no
    dimension (openpyxl then measures the rows)."""
    look_alike = fx.filled(tmp_path / "a.xlsx")
    path = fx.rewrite(
        fx.filled(tmp_path / "b.xlsx"),
        "xl/worksheets/sheet3.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>', b"", xml, count=1),
    )
    wanted = {"表三": {(5, 3)}}
    ref = _raw_alone(path, wanted, look_alike)
    assert ref.dimensions["表三"][0] > 20


def test_the_cell_a_sheet_is_cut_at_is_the_reference_s_in_every_row(tmp_path: Path) -> None:
    """With a limit on the cells of a sheet, the reader stops at the same cell as the reference, also in a
    row whose first cells are known by their bytes and whose last is not (no reference: it depends on its
    place), and names that cell in the message."""
    look_alike = fx.filled(tmp_path / "a.xlsx")
    path = fx.rewrite(
        fx.filled(tmp_path / "b.xlsx"),
        "xl/worksheets/sheet3.xml",
        lambda xml: re.sub(rb'<c r="J6"', b"<c", xml, count=1),
    )
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet3.xml")
    before = xml[: xml.index(b'<row r="6"')].count(b"<c ")
    wanted = {"表三": {(5, 3)}}
    for limit in range(before + 1, before + 11):
        ref = OpenpyxlBackend().read(path, wanted, max_cells=limit)
        fast = FastBackend()
        fast.read(look_alike, wanted, max_cells=limit)
        assert fast.read(path, wanted, max_cells=limit) == ref, limit
        assert ref.oversized == {"表三": limit + 1}


# --- what the reference refuses ----------------------------------------------------------------------------


def _rename_member(path: Path, old: str, new: str) -> Path:
    """`old` renamed `new` (and so in the workbook's relationships), written by zipfile: a non-ASCII name
    is flagged UTF-8 in the central directory and in the local header."""
    src = path.read_bytes()
    out = io.BytesIO()
    rels = "xl/_rels/workbook.xml.rels"
    target = old.removeprefix("xl/").encode()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = new if info.filename == old else info.filename
            if info.filename == rels:
                data = data.replace(target, new.removeprefix("xl/").encode())
            zout.writestr(zipfile.ZipInfo(name, date_time=fx.FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())
    return path


def _clear_local_utf8_flag(path: Path, member: str) -> Path:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    assert info.flag_bits & 0x800
    at = info.header_offset + 6
    (flags,) = struct.unpack_from("<H", data, at)
    struct.pack_into("<H", data, at, flags & ~0x800)
    path.write_bytes(bytes(data))
    return path


def test_a_member_name_flagged_utf8_only_in_the_central_directory_is_refused(tmp_path: Path) -> None:
    """zipfile decodes the local header's name as its own flags say: a UTF-8 name flagged so only in the
    central directory differs from the directory's and the member is refused (a bad zip)."""
    member = "xl/worksheets/表三.xml"
    look_alike = _rename_member(fx.filled(tmp_path / "a.xlsx"), "xl/worksheets/sheet3.xml", member)
    assert_alone(look_alike)
    path = _rename_member(fx.filled(tmp_path / "b.xlsx"), "xl/worksheets/sheet3.xml", member)
    _clear_local_utf8_flag(path, member)
    ref = assert_alone(path, look_alike)
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]


CORE_DATE = b"2026-01-15T09:30:00Z"


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml.replace(CORE_DATE, b"2026-01-15"),  # a date without its time: not a date-time
        lambda xml: xml.replace(CORE_DATE, b"10:00:00"),
        lambda xml: xml.replace(CORE_DATE, b"P1D"),
        lambda xml: (
            xml.replace(b"dcterms:", "日期:".encode())
            .replace(b"xmlns:dcterms", "xmlns:日期".encode())
            .replace(CORE_DATE, b"garbage")
        ),  # a non-ASCII prefix
        lambda xml: (
            xml.replace(b"dcterms:", b"d-t.1:")
            .replace(b"xmlns:dcterms", b"xmlns:d-t.1")
            .replace(CORE_DATE, b"garbage")
        ),
    ],
    ids=["date-only", "time-only", "duration", "non-ascii-prefix", "punctuated-prefix"],
)
def test_core_property_dates_are_checked_as_openpyxl_checks_them(tmp_path: Path, change: Any) -> None:
    """openpyxl reads a core property date by its local name, whatever its namespace prefix, and takes only
    a date-time."""
    with zipfile.ZipFile(fx.filled(tmp_path / "a.xlsx")) as zf:
        assert CORE_DATE in zf.read("docProps/core.xml")
    look_alike = fx.filled(tmp_path / "a.xlsx")
    path = fx.rewrite(fx.filled(tmp_path / "b.xlsx"), "docProps/core.xml", change)
    ref = assert_alone(path, look_alike)
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]


def _central_entry(data: bytes, member: str) -> int:
    """Where `member`'s entry in the zip's central directory starts."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == member.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def test_a_member_said_to_reach_past_the_end_of_the_file_is_refused_as_openpyxl_streams_it(
    tmp_path: Path,
) -> None:
    """A sheet whose compressed size in the central directory is 16 KB larger than the file holds: zipfile
    reads it whole without noticing (the deflated stream ends before), but openpyxl streams a sheet in 16 KB
    reads and runs out of file (a damaged zip)."""
    path = fx.filled(tmp_path / "b.xlsx")
    data = bytearray(path.read_bytes())
    at = _central_entry(bytes(data), "xl/worksheets/sheet3.xml") + 20
    (size,) = struct.unpack_from("<I", data, at)
    struct.pack_into("<I", data, at, size + 16 * 1024)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert len(zf.read("xl/worksheets/sheet3.xml")) > 32 * 1024
    ref = assert_alone(path, fx.filled(tmp_path / "a.xlsx"))
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]
