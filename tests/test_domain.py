"""The domain of a reported number (tianbao.spec.domain): counts are whole numbers below 10¹⁰, amounts below 10⁷
万元 with at most 4 decimals. Beyond it a value is `value-out-of-range` at its cell — with the file's other
issues kept — whether it is stored as a number or as text, by either reader; whatever is accepted, `merge`
adds up exactly. Huge numbers used to pass `check` and then crash `merge` (decimal.InvalidOperation), or turn
the whole file into `corrupt-workbook`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import make_fixtures as fx
import openpyxl
import pytest

from tianbao.consolidation import merge_files, write_consolidated
from tianbao.consolidation.merge import totals_of
from tianbao.options import CheckOptions
from tianbao.reading import read_submission
from tianbao.reading.interpret import reader_backend
from tianbao.reading.values import Where, parse_value
from tianbao.roster import Unit
from tianbao.spec import load_spec
from tianbao.spec.domain import DOMAINS
from tianbao.spec.layout import a1, cell_boxes
from tianbao.template.tables import VALIDATIONS

SPEC = load_spec("2021")
COUNT, AMOUNT = "t2.licensing.decisions", "t2.fees.amount_wan"  # cells no rule ties to others
W = Where(COUNT, "表二", "E9", "表二 行政许可 / 本年处理决定数量")
COUNT_BOUND = "件数应小于 10,000,000,000（100 亿）"
AMOUNT_BOUND = "金额应小于 10,000,000 万元（1000 亿元）"


def stored(path: Path, cell_id: str, xml: str) -> Path:
    """Put a cell's XML (as a hostile or unusual client stores it) in place of the filled cell."""
    sheet, box = cell_boxes(SPEC)[cell_id]
    ref = a1(box.row, box.col)
    part = fx.sheet_part(sheet)
    cell = f'<c r="{ref}"{xml}</c>'.encode()

    def change(data: bytes) -> bytes:
        new, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)', cell, data, count=1)
        assert n == 1
        return new

    return fx.rewrite(path, part, change)


def number(text: str) -> str:
    return f"><v>{text}</v>"


def inline(text: str) -> str:
    return f' t="inlineStr"><is><t>{text}</t></is>'


# (cell, stored as, how the message quotes it, the bound it names)
OUT_OF_RANGE = {
    "1E+25 as a number": (COUNT, number("1E+25"), "1E+25", COUNT_BOUND),
    "1e308 as a number": (COUNT, number("1e308"), "1E+308", COUNT_BOUND),
    "400 digits as a number": (COUNT, number("9" * 400), "9" * 39 + "…", COUNT_BOUND),
    "400 digits as text": (COUNT, inline("9" * 400), "9" * 39 + "…", COUNT_BOUND),
    "10^10 as text": (COUNT, inline("10,000,000,000"), "10,000,000,000", COUNT_BOUND),
    "1E+25 万元": (AMOUNT, number("1E+25"), "1E+25", AMOUNT_BOUND),
    "400 digits of 万元 as text": (AMOUNT, inline("9" * 400), "9" * 39 + "…", AMOUNT_BOUND),
    "10^7 万元": (AMOUNT, number("10000000"), "10000000", AMOUNT_BOUND),
    "10^11 元 is 10^7 万元": (AMOUNT, inline("100000000000元"), "100000000000元", AMOUNT_BOUND),
}


@pytest.fixture(scope="module")
def out_of_range(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("range")
    made = {}
    for i, (name, (cell_id, xml, _, _)) in enumerate(OUT_OF_RANGE.items()):
        # Another issue in the same file, which must not be lost: a blank cell of 表四.
        path = fx.filled(folder / f"{i:02d}.xlsx", {"t4.review.other": None})
        made[name] = stored(path, cell_id, xml)
    return made


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
@pytest.mark.parametrize("name", list(OUT_OF_RANGE))
def test_beyond_the_domain_is_out_of_range_at_the_cell(
    name: str, reader: str, out_of_range: dict[str, Path]
) -> None:
    cell_id, _, quoted, bound = OUT_OF_RANGE[name]
    sub = read_submission(
        out_of_range[name], backend=reader_backend(reader), expected_year=fx.YEAR, roster=fx.ROSTER
    )
    assert sub.readable
    assert sorted(i.code for i in sub.issues) == ["value-blank", "value-out-of-range"]
    issue = next(i for i in sub.issues if i.code == "value-out-of-range")
    sheet, box = cell_boxes(SPEC)[cell_id]
    assert (issue.severity, issue.cell_id, issue.sheet, issue.cell) == (
        "error",
        cell_id,
        sheet,
        a1(box.row, box.col),
    )
    label = f"{sheet} {SPEC.cells[cell_id].label}"
    assert issue.message == f"“{label}”填写为“{quoted}”，超出允许的范围：{bound}。"
    assert issue.hint and "单位" in issue.hint
    assert sub.values[cell_id] is None and cell_id in sub.invalid


# A number cell (no t attribute) whose <v> no number cast reads: what no spreadsheet writes, a hostile file may.
UNCASTABLE = {
    "NaN": ("value-not-a-number", "“{label}”填写为“NaN”，不是数字。"),
    "INF": ("value-not-a-number", "“{label}”填写为“INF”，不是数字。"),
    "-Infinity": ("value-not-a-number", "“{label}”填写为“-Infinity”，不是数字。"),
    "0x10": ("value-not-a-number", "“{label}”填写为“0x10”，不是数字。"),
    "1.2.3": ("value-not-a-number", "“{label}”填写为“1.2.3”，不是数字。"),
    "9" * 5000: (
        "value-out-of-range",
        "“{label}”填写为“" + "9" * 39 + "…”，超出允许的范围：" + COUNT_BOUND + "。",
    ),
}


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
@pytest.mark.parametrize("text", list(UNCASTABLE), ids=lambda t: t[:12])
def test_a_number_cell_no_cast_reads_is_an_issue_at_the_cell(text: str, reader: str, tmp_path: Path) -> None:
    """openpyxl's cast raised on these (int("NaN"); 5,000 digits are beyond Python's int conversion), and the
    whole file was corrupt-workbook, its other issues lost."""
    path = stored(fx.filled(tmp_path / "a.xlsx", {"t4.review.other": None}), COUNT, number(text))
    sub = read_submission(path, backend=reader_backend(reader), expected_year=fx.YEAR, roster=fx.ROSTER)
    code, message = UNCASTABLE[text]
    assert sub.readable and sorted(i.code for i in sub.issues) == sorted(["value-blank", code])
    issue = next(i for i in sub.issues if i.code == code)
    sheet, box = cell_boxes(SPEC)[COUNT]
    assert (issue.sheet, issue.cell) == (sheet, a1(box.row, box.col))
    assert issue.message == message.format(label=f"{sheet} {SPEC.cells[COUNT].label}")


def test_out_of_range_files_are_rejected_and_the_merge_is_written(
    out_of_range: dict[str, Path], tmp_path: Path
) -> None:
    merged = merge_files(
        list(out_of_range.values()),
        CheckOptions(year=fx.YEAR, jobs=1),
        unit_code="150723",
        unit_name="鄂伦春自治旗",
    )
    assert all(f.status == "rejected" for f in merged.files)
    write_consolidated(merged, tmp_path / "汇总.xlsx")
    assert openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True).sheetnames


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (-0.0, "count", 0),
        (-0.0, "amount", 0.0),
        (5e-324, "count", 0),  # a denormal: float noise around 0
        (5e-324, "amount", 0.0),
        (9_999_999_999, "count", 9_999_999_999),
        (9_999_999_999.0, "count", 9_999_999_999),
        (-9_999_999_999, "int", -9_999_999_999),
        (9_999_999.9999, "amount", 9_999_999.9999),
    ],
)
def test_the_edges_inside_the_domain(value: float, kind: str, expected: float) -> None:
    p = parse_value(value, kind, W)  # type: ignore[arg-type]
    assert p.value == expected and p.issue is None
    assert str(p.value) == str(expected)  # no “-0”


@pytest.mark.parametrize(
    ("value", "kind"),
    [(10**10, "count"), (-(10**10), "int"), (10**400, "count"), (10**7, "amount"), (1e300, "amount")],
)
def test_the_edges_outside_the_domain(value: float, kind: str) -> None:
    p = parse_value(value, kind, W)  # type: ignore[arg-type]
    assert p.value is None and p.issue is not None and p.issue.code == "value-out-of-range"


def test_nan_and_infinity_are_not_numbers() -> None:
    for value in (float("nan"), float("inf"), float("-inf"), "nan", "inf", "NaN"):
        p = parse_value(value, "count", W)
        assert p.issue is not None and p.issue.code == "value-not-a-number", value


def test_what_is_accepted_is_merged_exactly(tmp_path: Path) -> None:
    """The largest accepted values, in three files (as numbers and as text), add up to the exact totals."""
    units = [fx.UNIT, fx.OTHER, Unit("150723200", "甘河镇人民政府", "乡镇", "150723", 4)]
    typed: list[tuple[Any, Any]] = [
        (9_999_999_999, 9_999_999.9999),
        ("9,999,999,999", "9999999.9999"),
        (7, 0.0001),
    ]
    paths = [
        fx.filled(tmp_path / f"{u.code}.xlsx", {COUNT: c, AMOUNT: a}, unit=u)
        for u, (c, a) in zip(units, typed, strict=True)
    ]
    merged = merge_files(
        paths, CheckOptions(year=fx.YEAR, jobs=1), unit_code="150723", unit_name="鄂伦春自治旗"
    )
    assert len(merged.members) == 3
    assert merged.totals[COUNT] == 19_999_999_998 + 7
    assert repr(merged.totals[AMOUNT]) == "19999999.9999"
    out = tmp_path / "汇总.xlsx"
    write_consolidated(merged, out)
    again = read_submission(out, expected_year=fx.YEAR)
    assert [i.code for i in again.issues if i.is_error] == []
    assert again.values[COUNT] == 19_999_999_998 + 7 and repr(again.values[AMOUNT]) == "19999999.9999"


def test_ten_thousand_units_at_the_bound_add_up_exactly() -> None:
    """The bounds are chosen so: 10,000 × the largest amount is still exact in a double (and in Excel)."""
    largest = {c: float(DOMAINS[SPEC.cells[c].type].largest) for c in SPEC.input_ids}
    totals = totals_of(SPEC, [largest] * 10_000)
    assert totals[AMOUNT] == 99_999_999_999.0  # 9,999,999.9999 × 10,000
    assert totals[COUNT] == 99_999_999_990_000
    assert totals["t3.new.tot"] == 6 * 99_999_999_990_000


def test_the_template_refuses_what_the_reader_refuses() -> None:
    """Excel's data validation of the input cells has the domain's bounds."""
    assert (VALIDATIONS["count"]["minimum"], VALIDATIONS["count"]["maximum"]) == (0, 9_999_999_999)
    assert (VALIDATIONS["int"]["minimum"], VALIDATIONS["int"]["maximum"]) == (-9_999_999_999, 9_999_999_999)
    for kind in ("count", "int", "amount"):
        assert DOMAINS[kind].bound_text in VALIDATIONS[kind]["error_message"]  # type: ignore[index]
