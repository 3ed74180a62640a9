"""The fast paths of the reader (per-spec precomputations, results kept by content) give the results of the
paths they shortcut, and never carry one file's result over to another."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import make_fixtures as fx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tianbao.reading import read_submission
from tianbao.reading.backend import RawWorkbook
from tianbao.reading.fast_backend import FastBackend
from tianbao.reading.fast_backend.properties import _core
from tianbao.reading.fast_backend.rows import _remember_shell, _shell
from tianbao.reading.fast_backend.workbook import _workbook, _workbook_openpyxl
from tianbao.reading.identity import _places, by_majority, read_stamp
from tianbao.reading.openpyxl_backend import OpenpyxlBackend
from tianbao.reading.plan import plan_for
from tianbao.spec import load_spec
from tianbao.spec.rules import side_value
from tianbao.stamp import Stamp


def _member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


# --- files read one after another --------------------------------------------------------------------------


def test_files_read_in_turn_get_their_own_results(tmp_path: Path) -> None:
    """The same template filled for two units with other values, read in turn and again: each file gets what
    the reference reader finds in it."""
    one = fx.filled(tmp_path / "one.xlsx", {"t3.new.np": 5, "meta.filled_by": "张三"})
    two = fx.filled(
        tmp_path / "two.xlsx", {"t3.new.np": "7件", "t2.rules.issued": None}, unit=fx.ROSTER.units[1]
    )
    fast = FastBackend()
    for path in (one, two, one, two):
        kwargs: dict[str, Any] = {"expected_year": fx.YEAR, "roster": fx.ROSTER}
        got = read_submission(path, backend=fast, **kwargs)
        assert got == read_submission(path, backend=OpenpyxlBackend(), **kwargs)
    assert fast.fallbacks == 0


# --- the stamp ---------------------------------------------------------------------------------------------

_VALUES = st.text(alphabet="ab1 ", max_size=3)
_STAMPS = st.dictionaries(st.sampled_from(Stamp.keys()), _VALUES, min_size=1)


@given(stamp=_STAMPS)
def test_a_stamp_all_places_agree_on_is_the_majority_stamp(stamp: dict[str, str]) -> None:
    raw = RawWorkbook(
        properties=dict(stamp), names={k: f'="{v}"' for k, v in stamp.items()}, meta=dict(stamp)
    )
    assert read_stamp(raw) == by_majority(_places(raw))


@given(stamp=_STAMPS, other=_STAMPS)
def test_places_that_disagree_are_decided_by_majority(stamp: dict[str, str], other: dict[str, str]) -> None:
    raw = RawWorkbook(
        properties=dict(stamp), names={k: f'="{v}"' for k, v in stamp.items()}, meta=dict(other)
    )
    assert read_stamp(raw) == by_majority(_places(raw))


# --- per-spec precomputations ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_the_input_cells_of_each_sheet(fmt: str) -> None:
    spec = load_spec(fmt)
    plan = plan_for(spec)
    expected = [
        (lay.sheet, tuple(c for c in lay.cells if not spec.cells[c].computed)) for lay in plan.layouts
    ]
    assert plan.sheet_inputs == expected


# --- parts recognised by their bytes -----------------------------------------------------------------------


def test_a_sheet_shell_of_the_same_lengths_but_other_bytes_is_not_known() -> None:
    data = b"<worksheet><sheetData></sheetData><tail/></worksheet>"
    start, end = data.find(b"<sheetData"), data.find(b"</sheetData>") + len(b"</sheetData>")
    _remember_shell(data, start, end, "known")
    assert _shell(data, start, end) == "known"
    assert _shell(data.replace(b"<tail/>", b"<tale/>"), start, end) is None
    assert _shell(data.replace(b"<worksheet>", b"<worksheeT>"), start, end) is None
    moved = data.replace(b"<sheetData>", b"<x/><sheetData>")
    assert _shell(moved, start + 4, end + 4) is None


def _names_block(names: list[tuple[str, str]]) -> bytes:
    return b"".join(f'<definedName name="{n}">{t}</definedName>'.encode() for n, t in names)


def test_defined_names_after_a_remembered_prefix_are_read_in_each_file(tmp_path: Path) -> None:
    """Copies of a template share their first defined names: whatever follows (and whatever breaks the
    shared run) is read from each file, with openpyxl's result."""
    data = _member(fx.filled(tmp_path / "a.xlsx"), "xl/workbook.xml")
    start, end = data.index(b"<definedNames>") + len(b"<definedNames>"), data.index(b"</definedNames>")
    cells = [(f"cell_{i:02d}", f"'表三'!$D${i + 6}") for i in range(12)]
    variants = [
        [*cells, ("tianbao_unit_code", '"150723107"')],
        [*cells, ("tianbao_unit_code", '"150723108"')],
        [*cells, ("tianbao_unit_code", '"150723109"'), ("tianbao_year", '"2025"')],
        [*cells[:5], ("cell_05", "'表三'!$E$1"), *cells[6:], ("tianbao_unit_code", '"1"')],
        [("a_first", "'表三'!$A$1"), *cells, ("tianbao_unit_code", '"2"')],
        [*cells, ("tianbao_unit_code", '"3"'), ("_xlnm.Print_Area", "'表三'!$A$1:$J$31")],
        cells,
        [],
    ]
    for names in variants * 2:
        part = data[:start] + _names_block(names) + data[end:]
        assert _workbook(part) == _workbook_openpyxl(part)
    broken = data[:start] + _names_block(cells) + b'<definedName name="x"><b/></definedName>' + data[end:]
    assert _workbook(broken) == _workbook_openpyxl(broken)


def test_core_properties_dates_are_checked_in_every_file(tmp_path: Path) -> None:
    core = _member(fx.filled(tmp_path / "a.xlsx"), "docProps/core.xml")
    dates = [d for d in (b"2000-01-01T00:00:00Z", b"2026-01-15T10:00:00Z") if d in core]
    assert dates
    _core(core)
    _core(core)
    with pytest.raises(ValueError):
        _core(core.replace(dates[0], b"2000-13-45T99:00:00Z"))


_NUMBERS = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.1, 0.2, 1e-9]),
)


@pytest.mark.parametrize("fmt", ["2021", "2019"])
@settings(deadline=None)  # the first example compiles the plan: correctness here, speed in benchmarks/
@given(data=st.data())
def test_totals_are_computed_as_the_rules_define_them(fmt: str, data: st.DataObject) -> None:
    """Spec.compute, the one computation of the totals, gives what each definition's relation says (the rule
    language's own evaluation, `side_value`), to the float and its type; None counts as 0."""
    spec = load_spec(fmt)
    inputs = {cell_id: data.draw(_NUMBERS) for cell_id in spec.input_ids}
    expected: dict[str, Any] = {}

    def get(cell_id: str, prev: bool) -> Any:
        value = expected[cell_id] if cell_id in expected else inputs.get(cell_id)
        return 0 if value is None else value

    for cell_id, inst in spec.definitions.items():
        expected[cell_id] = side_value(inst.relation.rhs, get)
    got = spec.compute(inputs)
    assert list(got) == list(expected) and set(got) == set(spec.computed_ids)
    assert [(type(v), v) for v in got.values()] == [(type(v), v) for v in expected.values()]


def _outcome(read: Any, data: bytes) -> Any:
    try:
        return read(data)
    except Exception as exc:  # the fast backend hands such a part to openpyxl
        return type(exc)


_CUSTOM_VALUES = [
    "150723107",
    "诺敏镇",
    "a &amp; b",
    "x\ty",
    "x\ny",
    "x\r\ny",
    "x\ry",
    "x\x01y",
    "a]]>b",
    "a > b",
    "",
    "\ufffe",
    "  spaced  ",
]


@pytest.mark.parametrize("value", _CUSTOM_VALUES, ids=repr)
def test_custom_properties_read_by_their_shape_as_expat_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from tianbao.reading.fast_backend import properties

    data = _member(fx.filled(tmp_path / "a.xlsx"), "docProps/custom.xml")
    code = b">150723107<"
    assert code in data
    variants = [
        data,
        data.replace(code, b">" + value.encode() + b"<"),
        data.replace(code, b">" + value.encode("gb18030") + b"<"),
        data.replace(b"</property>", b"</property>\n  ", 1),
        data.replace(b"</property>", b"</property>junk", 1),
        data.replace(b"<vt:lpwstr>", b"<vt:lpwstr>\n", 1),
        data.replace(code, b">" + value.encode() + b"<").replace(b'pid="2"', b'pid="x"'),
    ]
    got = [_outcome(properties._custom_properties, v) for v in variants * 2]
    monkeypatch.setattr(properties, "_properties_by_shape", lambda data: None)
    assert got == [_outcome(properties._custom_properties, v) for v in variants * 2]


def test_cells_kept_follow_the_positions_asked_for_in_each_read(tmp_path: Path) -> None:
    """Cells are recognised by their bytes in the context of the positions kept: asking for other cells
    of the same sheet (or all of them) gives those cells, as the reference reader does."""
    path = fx.filled(tmp_path / "a.xlsx", {"t3.new.np": 4, "t3.new.ce": 5})
    fast, ref = FastBackend(), OpenpyxlBackend()
    asks: list[dict[str, Any]] = [
        {"表三": {(5, 3)}},
        {"表三": frozenset({(5, 4)})},
        {"表三": [(5, 3), (5, 4), (0, 0)]},
        {"表三": {(5, 3)}, "表二": {(4, 1)}},
        {"表三": {(5, 3)}},
    ]
    for wanted in asks * 2:
        got = fast.read(path, wanted)
        assert got == ref.read(path, wanted)
        assert set(got.cells) <= {(s, *p) for s, ps in wanted.items() for p in ps}
    assert fast.fallbacks == 0


def test_rows_recognised_by_their_bytes_only_where_their_bytes_are_the_same(tmp_path: Path) -> None:
    """Rows seen before are taken whole by their bytes: a file whose rows differ in a number, a row
    element's number or a missing one still gets the reference reader's result, before and after."""
    import re

    valid = fx.filled(tmp_path / "valid.xlsx", {"t3.new.np": 4})
    renumbered = fx.rewrite(
        fx.filled(tmp_path / "renumbered.xlsx", {"t3.new.np": 4}),
        fx.sheet_part("表三"),
        lambda xml: xml.replace(b'<row r="7"', b'<row r="9"', 1).replace(b'<row r="8"', b"<row", 1),
    )
    typed = fx.rewrite(
        fx.filled(tmp_path / "typed.xlsx", {"t3.new.np": 4}),
        fx.sheet_part("表三"),
        lambda xml: re.sub(rb'(<c r="E6" s="\d+") t="n"><v>0</v>', rb'\1 t="str"><v>x</v>', xml, count=1),
    )
    fast = FastBackend()
    kwargs: dict[str, Any] = {"expected_year": fx.YEAR, "roster": fx.ROSTER}
    for path in (valid, renumbered, valid, typed, valid, renumbered):
        assert read_submission(path, backend=fast, **kwargs) == read_submission(
            path, backend=OpenpyxlBackend(), **kwargs
        )
