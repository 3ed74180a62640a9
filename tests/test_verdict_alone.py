"""A file's verdict depends on the file alone: not on the files read before it (the fast reader recognises
what copies of a template share by its bytes), and not on the reader (the fast reader never accepts what
openpyxl, the reference, refuses). Each case here is a file read after a look-alike that shares all but the
bytes that matter."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import make_fixtures as fx
import pytest

import lookalikes as lk
from tianbao import caches
from tianbao.reading import Submission, read_submission
from tianbao.reading.backend import RawWorkbook
from tianbao.reading.fast_backend import FastBackend
from tianbao.reading.interpret import reader_backend
from tianbao.reading.openpyxl_backend import OpenpyxlBackend
from tianbao.spec import load_spec

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


# --- what the reference refuses, after a look-alike it accepts ----------------------------------------------


@pytest.mark.parametrize("name", sorted(lk.REFUSED))
def test_what_the_reference_refuses_is_refused_after_a_look_alike(tmp_path: Path, name: str) -> None:
    """Each case of tests/lookalikes.py: the fast reader gives the reference's verdict (refused as a damaged
    workbook), read alone and after its look-alike (accepted), which shares all but the bytes that matter:
    custom.xml or a sheet declared “UTF8” (to expat an unknown single-byte encoding) with non-ASCII text,
    after the same part with ASCII text only, which taught the reader the part's shape or shell;
    `<definedNames>` moved into `<sheets>`; a member name flagged UTF-8 only in the central directory
    (zipfile decodes the local header's name by the local header's flag); a member said to reach past the
    end of the file (openpyxl streams sheets); core property dates that openpyxl's descriptor refuses,
    also under a non-ASCII or punctuated prefix (openpyxl goes by the local name)."""
    refused, look_alike = lk.REFUSED[name]
    other = fx.filled(tmp_path / "a.xlsx")
    if look_alike is not None:
        look_alike(other)
        assert_alone(other)
    path = refused(fx.filled(tmp_path / "b.xlsx"))
    ref = assert_alone(path, other)
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]


@pytest.mark.parametrize("declaration", [b'encoding="utf8"', b'encoding="us-ascii"'])
def test_a_part_declared_in_an_encoding_expat_reads_otherwise_is_read_by_expat(
    tmp_path: Path, declaration: bytes
) -> None:
    """Other names of an encoding that is not expat's “UTF-8”: custom.xml with non-ASCII text is refused
    after an ASCII look-alike too."""
    look_alike = lk.custom_declared_ascii(fx.filled(tmp_path / "a.xlsx"), declaration)
    path = lk.custom_declared(fx.filled(tmp_path / "b.xlsx"), declaration)
    ref = assert_alone(path, look_alike)
    assert [i.code for i in ref.issues] == ["corrupt-workbook"]


def test_a_sheet_without_a_dimension_gets_its_extent_from_its_rows(tmp_path: Path) -> None:
    """Rows recognised by their bytes still count towards a sheet's extent where the sheet has no
    dimension (openpyxl then measures the rows)."""
    look_alike = fx.filled(tmp_path / "a.xlsx")
    path = fx.rewrite(
        fx.filled(tmp_path / "b.xlsx"),
        lk.SHEET3,
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
        lk.SHEET3,
        lambda xml: re.sub(rb'<c r="J6"', b"<c", xml, count=1),
    )
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(lk.SHEET3)
    before = xml[: xml.index(b'<row r="6"')].count(b"<c ")
    wanted = {"表三": {(5, 3)}}
    for limit in range(before + 1, before + 11):
        ref = OpenpyxlBackend().read(path, wanted, max_cells=limit)
        fast = FastBackend()
        fast.read(look_alike, wanted, max_cells=limit)
        assert fast.read(path, wanted, max_cells=limit) == ref, limit
        assert ref.oversized == {"表三": limit + 1}
