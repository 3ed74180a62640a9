"""Published reports in: render random values in the national layout (HTML, text, Word), distort the page as
real pages are distorted, import it, and find the same values and blanks — for every distortion alone and in
combination. Distortions that lose information (dropped empty cells) may leave cells unreadable, never wrong:
every cell read is the printed one, and every cell not read is reported at its place."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import import_corpus as ic
from tianbao.importing.report import ReportReading, read_report
from tianbao.spec import load_spec
from tianbao.spec.layout import a1, cell_boxes

NAMES = sorted(ic.DISTORTIONS)
# How a page is rendered: the HTML page (plain, or with a CMS editor's markup), text copied from it (cells separated by “ | ”, by tabs, the values on
# the line under their label, a cell per line with “|” lines or without), a Word document.
RENDERERS = ("html", "cms", "text", "tabs", "under", "cells", "lines")
LOSSY_RENDERERS = {"lines"}  # an empty cell on a line of its own is lost among the empty lines


def _import(tmp: Path, data: bytes, suffix: str) -> ReportReading:
    path = tmp / f"report{suffix}"
    path.write_bytes(data)
    return read_report(path)


def _render(page: ic.Page, renderer: str, tmp: Path, lossy: bool) -> ReportReading:
    if renderer in ("html", "cms"):
        return _import(tmp, ic.to_html(page, cms=renderer == "cms"), ".html")
    if renderer == "text":
        # A copied page pads every line to the table's width; with cells dropped it is printed as it is
        # (padding after dropped cells cannot be told from blanks at the end: see the README).
        return _import(tmp, ic.to_text(page, pad=not lossy), ".txt")
    if renderer == "tabs":
        return _import(tmp, ic.to_text(page, sep="\t", pad=False), ".txt")
    if renderer == "under":
        return _import(tmp, ic.to_text(page, pad=False, under=True), ".txt")
    if renderer in ("cells", "lines"):
        return _import(tmp, "\n".join(ic.cell_lines(page, bars=renderer == "cells")).encode(), ".txt")
    path = tmp / "report.docx"
    ic.to_docx(page, path)
    return read_report(path)


def assert_read_as_printed(report: ic.Report, reading: ReportReading, complete: bool) -> None:
    spec = report.spec
    assert reading.spec is spec
    assert reading.year == report.year
    assert reading.unit_name == report.unit
    wrong = {
        c: (v, reading.values.get(c))
        for c, v in report.values.items()
        if c not in reading.unreadable and reading.values.get(c) != v
    }
    wrong.update(
        {
            c: (v, reading.published.get(c))
            for c, v in report.totals.items()
            if c not in reading.unreadable and reading.published.get(c) != v
        }
    )
    assert not wrong  # never a misplaced or invented value
    boxes = cell_boxes(spec)
    reported = {(i.cell_id, i.sheet, i.cell) for i in reading.issues if i.code == "import-unreadable"}
    for cell_id in reading.unreadable:
        sheet, box = boxes[cell_id]
        assert (cell_id, sheet, a1(box.row, box.col)) in reported
    if complete:
        assert not reading.unreadable
        assert not [i for i in reading.issues if i.severity == "error"]


CASES = [
    (fmt, renderer, name) for fmt in ("2021", "2019") for renderer in RENDERERS for name in ("none", *NAMES)
] + [  # Word documents take python-docx seconds to write: the distortions a Word table can have
    ("2021", "docx", name)
    for name in ("none", "split_labels", "groups_on_own_rows", "page_footers", "dropped_empty")
]


@pytest.mark.parametrize(("fmt", "renderer", "name"), CASES)
def test_each_distortion_alone(tmp_path: Path, fmt: str, renderer: str, name: str) -> None:
    rng = random.Random(f"{fmt}{renderer}{name}")
    report = ic.make_report(load_spec(fmt), rng, year=2024 if fmt == "2021" else 2020)
    page = report.page if name == "none" else ic.DISTORTIONS[name](report.page, rng)
    lossy = name in ic.LOSSY or renderer in LOSSY_RENDERERS
    reading = _render(page, renderer, tmp_path, lossy)
    assert_read_as_printed(report, reading, complete=not lossy)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10**6),
    fmt=st.sampled_from(["2021", "2019"]),
    names=st.sets(st.sampled_from(NAMES), min_size=2, max_size=6).filter(
        lambda n: not (n & ic.LOSSY and n & ic.PADDING)
    ),
    renderer=st.sampled_from(RENDERERS),
    wrong=st.sampled_from([0.0, 0.2]),
)
def test_distortions_in_combination(
    tmp_path: Path, seed: int, fmt: str, names: set[str], renderer: str, wrong: float
) -> None:
    rng = random.Random(seed)
    report = ic.make_report(load_spec(fmt), rng, year=2023 if fmt == "2021" else 2019, wrong=wrong)
    page = report.page
    for name in NAMES:  # in one order: a slip in a label, then the page converted, spaced …
        if name in names:
            page = ic.DISTORTIONS[name](page, rng)
    lossy = bool(names & ic.LOSSY) or renderer in LOSSY_RENDERERS
    reading = _render(page, renderer, tmp_path, lossy)
    # Wrong printed totals: the relations cannot help choose a reading, but nothing read is wrong. (Cells
    # dropped from rows that are also padded cannot be told from blanks: that combination is not drawn.)
    assert_read_as_printed(report, reading, complete=not lossy)


def _one_row_dropped(spec_fmt: str, row: str, printed: dict[str, str]) -> ic.Report:
    """A report without blanks but in one row of 表三, which prints only `printed` (column → text); the empty
    cells of that row dropped from the page."""
    spec = load_spec(spec_fmt)
    rng = random.Random(7)
    values = ic.random_values(spec, rng, blank=0.0, dash=0.0)
    for cell_id in values:
        if cell_id.startswith(f"t3.{row}."):
            values[cell_id] = printed.get(cell_id.rsplit(".", 1)[1])
    report = ic.make_report(spec, rng, values=values)
    report.page = ic.dropped_empty(report.page)
    return report


def test_dropped_cells_are_read_where_the_totals_decide(tmp_path: Path) -> None:
    """（一）予以公开 printed “3 | 1 | 4” over seven columns, every other row complete: the row's 总计
    (H1) and the （七）总计 of each column (H2) allow one reading only — 3 自然人, 1 科研机构, 4 总计 and the
    other columns blank — and it is read."""
    report = _one_row_dropped("2021", "r1", {"np": "3", "ri": "1"})
    assert report.totals["t3.r1.tot"] == "4"
    reading = _render(report.page, "html", tmp_path, True)
    assert_read_as_printed(report, reading, complete=True)
    assert [reading.values[f"t3.r1.{c}"] for c in ("np", "ce", "ri", "spo")] == ["3", None, "1", None]


def test_dropped_cells_are_left_blank_where_the_totals_cannot_decide(tmp_path: Path) -> None:
    """一、本年新收 printed “3 | 1 | 4”: no column total runs over this row, and its own 总计 may be the
    blank cell (reports leave 总计 blank: docs/format.md §7) — 3 + 1 = 4 may be a coincidence. Every cell of the
    row is left blank and reported; nothing is placed."""
    report = _one_row_dropped("2021", "new", {"np": "3", "ri": "1"})
    reading = _render(report.page, "text", tmp_path, True)
    assert_read_as_printed(report, reading, complete=False)
    row = {c for c in report.spec.cells if c.startswith("t3.new.")}
    assert set(reading.unreadable) == row
    assert all(reading.values.get(c) is None and reading.published.get(c) is None for c in row)


def test_a_row_with_one_value_and_its_total_is_read(tmp_path: Path) -> None:
    """“5 | 5” is np or any other column and the total: only the total is certain. “2 | 3 | 5 | 10” with
    only three applicant columns printed besides the total cannot be placed either; a full row can."""
    from tianbao.importing.resolve import readings

    assert readings(["5", "", "", "", "", "", "5"], 7) == [("5", None, None, None, None, None, "5")]
    assert len(readings(["5", "5"], 7)) == 21
    assert readings(["1", "2", "3", "4", "5", "6", "7", "8"], 7) == []
    assert readings(["1", "", "", "", "", "", "2", "", ""], 7, "end") == [
        ("1", None, None, None, None, None, "2")
    ]


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_the_tables_tianbao_publishes_are_read_back(tmp_path: Path, fmt: str) -> None:
    """The national tables as the report package renders them for a site (tianbao.report.grid_html: <th>
    labels, <thead>, inline styles): imported back, the same values and blanks."""
    from tianbao.report.grid import table_grids
    from tianbao.report.html_table import grid_html

    spec = load_spec(fmt)
    report = ic.make_report(spec, random.Random(fmt), year=2024 if fmt == "2021" else 2020)
    texts = {**report.values, **report.totals}
    body = "".join(f"<p>{grid.title}</p>" + grid_html(grid, texts) for grid in table_grids(spec))
    page = f"<html><body><h1>{report.page.title}</h1>{body}<p>诺敏镇人民政府</p></body></html>"
    reading = _import(tmp_path, page.encode(), ".html")
    assert_read_as_printed(report, reading, complete=True)
