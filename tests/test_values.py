"""Tests of tianbao.reading.values: values as people type them, with the exact Chinese messages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tianbao.reading.values import Parsed, Where, is_blank, parse_text, parse_value

W = Where("t3.new.np", "表三", "D6", "表三 一、本年新收政府信息公开申请数量 / 自然人")
AMOUNT = Where("t2.fees.amount_wan", "表二", "B16", "表二 行政事业性收费 / 本年收费金额（单位：万元）")
DELTA = Where("t2.licensing.delta", "表二", "C10", "表二 行政许可 / 本年增/减")


def parse(value: object, kind: str = "count", where: Where = W, formula: str | None = None) -> Parsed:
    return parse_value(value, kind, where, formula)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(3, 3), (3.0, 3), (0, 0), (-0.0, 0), (1_000_000, 1_000_000)],
)
def test_numbers_are_taken_silently(typed: object, expected: int) -> None:
    p = parse(typed)
    assert (p.value, p.issue, p.blank) == (expected, None, False)
    assert isinstance(p.value, int)


@pytest.mark.parametrize("typed", [None, "", "   ", "\u3000", " \t\n"])
def test_blank(typed: object) -> None:
    p = parse(typed)
    assert (p.value, p.issue, p.blank, p.invalid) == (None, None, True, False)
    assert is_blank(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("１２", 12),
        ("1,234", 1234),
        ("1，234", 1234),
        ("１，２３４", 1234),
        ("1 234", 1234),
        ("12.0", 12),
        ("\u300012\u3000", 12),
    ],
)
def test_numbers_stored_as_text(typed: str, expected: int) -> None:
    p = parse(typed)
    assert p.value == expected
    assert p.issue is not None and p.issue.code == "value-text-number"
    assert p.issue.severity == "warning"
    assert (
        p.issue.message
        == f"“表三 一、本年新收政府信息公开申请数量 / 自然人”填写为“{typed}”，按 {expected} 读取。"
    )
    assert (p.issue.cell_id, p.issue.sheet, p.issue.cell) == ("t3.new.np", "表三", "D6")


@pytest.mark.parametrize("typed", ["—", "-", "–", "/", "无", "－", "——", " / ", "／"])
def test_dashes_mean_none(typed: str) -> None:
    p = parse(typed)
    assert p.value == 0
    assert p.issue is not None and p.issue.code == "value-dash"
    assert p.issue.message == f"“表三 一、本年新收政府信息公开申请数量 / 自然人”填写为“{typed}”，按 0 读取。"
    assert p.issue.hint == "没有发生请直接填 0，不要填写“—”“/”“无”。"


@pytest.mark.parametrize(
    ("typed", "kind", "where", "expected"),
    [
        ("12件", "count", W, 12),
        ("3 件", "count", W, 3),
        ("１２件", "count", W, 12),
        ("1,200件", "count", W, 1200),
        ("0.5万元", "amount", AMOUNT, 0.5),
        ("0.5 万", "amount", AMOUNT, 0.5),
        ("380元", "amount", AMOUNT, 0.038),
    ],
)
def test_unit_suffix(typed: str, kind: str, where: Where, expected: float) -> None:
    p = parse(typed, kind, where)
    assert p.value == pytest.approx(expected)
    assert p.issue is not None and p.issue.code == "value-unit-suffix"
    shown = f"{expected:g}"
    assert p.issue.message == f"“{where.label}”填写为“{typed}”，按 {shown} 读取。"


@pytest.mark.parametrize(
    "typed", ["不详", "22（其中修订16件）", "12元", "5万元", "1,23", "abc", "3-4", "1e3"]
)
def test_not_a_number(typed: str) -> None:
    p = parse(typed)
    assert p.value is None and p.invalid
    assert p.issue is not None and p.issue.code == "value-not-a-number"
    assert p.issue.severity == "error"
    assert p.issue.message == f"“表三 一、本年新收政府信息公开申请数量 / 自然人”填写为“{typed}”，不是数字。"


def test_long_text_is_shortened_in_the_message() -> None:
    p = parse("本年度未收到政府信息公开申请，详见报告正文第三部分的说明，此处不再填写具体数字，请领导审阅")
    assert p.issue is not None
    assert (
        "填写为“本年度未收到政府信息公开申请，详见报告正文第三部分的说明，此处不再填写具体数字…”，不是数字。"
        in p.issue.message
    )


@pytest.mark.parametrize(
    ("typed", "raw"),
    [
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.datetime(2025, 1, 2), "2025-01-02"),
        (dt.datetime(2025, 1, 2, 10, 30), "2025-01-02 10:30"),
        (dt.date(2025, 3, 4), "2025-03-04"),
        (dt.time(12, 5), "12:05"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
    ],
)
def test_bools_dates_and_non_finite_numbers_are_errors(typed: object, raw: str) -> None:
    p = parse(typed)
    assert p.value is None
    assert p.issue is not None and p.issue.code == "value-not-a-number"
    assert p.issue.message == f"“表三 一、本年新收政府信息公开申请数量 / 自然人”填写为“{raw}”，不是数字。"


@pytest.mark.parametrize(("typed", "raw"), [(-1, "-1"), ("-3", "-3"), (-2.5, "-2.5"), ("-1件", "-1件")])
def test_negative(typed: object, raw: str) -> None:
    p = parse(typed)
    assert p.value is None
    assert p.issue is not None and p.issue.code == "value-negative"
    assert p.issue.message == f"“表三 一、本年新收政府信息公开申请数量 / 自然人”填写为“{raw}”，不能为负数。"


def test_negative_amount() -> None:
    p = parse(-0.5, "amount", AMOUNT)
    assert p.issue is not None and p.issue.code == "value-negative"


@pytest.mark.parametrize(
    ("typed", "expected", "code"),
    [
        (-4, -4, None),
        ("减4", -4, "value-text-number"),
        ("增3", 3, "value-text-number"),
        ("-2件", -2, "value-unit-suffix"),
    ],
)
def test_signed_int_cells_accept_negatives(typed: object, expected: int, code: str | None) -> None:
    p = parse(typed, "int", DELTA)
    assert p.value == expected
    assert (p.issue.code if p.issue else None) == code


@pytest.mark.parametrize(
    ("typed", "kind", "raw"), [(1.5, "count", "1.5"), ("2.5", "count", "2.5"), (0.1, "int", "0.1")]
)
def test_fraction_in_a_count(typed: object, kind: str, raw: str) -> None:
    p = parse(typed, kind)
    assert p.value is None
    assert p.issue is not None and p.issue.code == "value-not-integer"
    assert p.issue.message == f"“表三 一、本年新收政府信息公开申请数量 / 自然人”填写为“{raw}”，件数应为整数。"


@pytest.mark.parametrize(
    ("typed", "expected"), [(0.038, 0.038), (18.871, 18.871), (4068.208, 4068.208), (26.55, 26.55)]
)
def test_amounts_up_to_four_decimals(typed: float, expected: float) -> None:
    p = parse(typed, "amount", AMOUNT)
    assert (p.value, p.issue) == (expected, None)


def test_amount_precision_is_rounded_with_a_warning() -> None:
    p = parse(0.123456, "amount", AMOUNT)
    assert p.value == 0.1235
    assert p.issue is not None and p.issue.code == "value-precision"
    assert p.issue.severity == "warning"
    assert p.issue.message == (
        "“表二 行政事业性收费 / 本年收费金额（单位：万元）”填写为“0.123456”，按 4 位小数 0.1235 读取。"
    )


def test_a_formula_in_an_input_cell_is_an_error_and_its_cached_value_unused() -> None:
    p = parse(None, formula="=1+2")
    assert p.value is None and p.invalid
    assert p.issue is not None and p.issue.code == "value-formula"
    assert p.issue.severity == "error"
    assert (
        p.issue.message == "“表三 一、本年新收政府信息公开申请数量 / 自然人”中是公式 =1+2，不是填写的数字。"
    )


def test_parse_text_returns_none_for_non_numbers() -> None:
    assert parse_text("十二", "count") is None
    assert parse_text("12", "count") == (12.0, "value-text-number")
    assert parse_text("—", "amount") == (0.0, "value-dash")


@given(st.integers(min_value=0, max_value=10**9))
def test_counts_round_trip_as_numbers_and_as_text(n: int) -> None:
    assert parse(n).value == n
    assert parse(str(n)).value == n
    assert parse(f"{n:,}").value == n


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_amounts_round_trip(d: object) -> None:
    v = float(d)  # type: ignore[arg-type]
    p = parse(v, "amount", AMOUNT)
    assert p.value == pytest.approx(v, abs=1e-9)
    assert p.issue is None
