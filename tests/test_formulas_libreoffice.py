"""The template's formulas give the spec's results in a real spreadsheet engine.

Random fills (hypothesis) are typed into the templates with `fill_template`, LibreOffice recalculates a whole
batch in one run, and the results read back with openpyxl must equal Python's: every computed cell equals
`spec.compute`, every ✓/✗ under 表三 and every row of the 校验 sheet agrees with the rule instance, and the
summary counts the failing errors, warnings and blank cells.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import C6, PREVIOUS_2021, UNIT, Made
from lo import recalc_and_save
from tianbao.filling import fill_template
from tianbao.spec import RuleInstance, load_spec
from tianbao.spec.layout import sheet_layouts

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

Values = dict[str, Any]
KINDS = ("generic", "unit", "generic2019")
PASS, FAIL, UNFILLED = "✓", "✗", "未填写"
CHECK_FIRST_ROW = 10  # 1-based row of the first check on the 校验 sheet


# --- What Python says the workbook must show ---------------------------------------------------------------


def active_checks(made: Made) -> list[RuleInstance]:
    previous = made.options.previous or {}
    return [
        inst
        for inst in made.spec.iter_checks(made.unit_type, previous=made.with_previous)
        if all(c in previous for c in inst.relation.cells(prev=True))
    ]


def expected_sheet(made: Made, values: Mapping[str, Any]) -> dict[str, Any]:
    """The computed cells, the check results and the summary, by the rules in Python (blank counts as 0)."""
    computed = made.spec.compute(values)
    previous = made.options.previous or {}

    def get(cell_id: str, prev: bool) -> Any:
        if prev:
            return previous[cell_id]
        if cell_id in computed:
            return computed[cell_id]
        return values.get(cell_id) or 0

    checks = []
    for inst in active_checks(made):
        lhs, rhs = inst.values(get)
        unfilled = all(
            values.get(c) is None
            for c in (i for c in inst.relation.cells() for i in made.spec.inputs_of.get(c, {c}))
        )
        checks.append((inst, lhs, rhs, UNFILLED if unfilled else PASS if inst.holds(get) else FAIL))
    errors = sum(1 for inst, *_, mark in checks if mark == FAIL and inst.rule.severity == "error")
    warnings = sum(1 for inst, *_, mark in checks if mark == FAIL and inst.rule.severity == "warning")
    blanks = sum(1 for c in made.spec.input_ids if values.get(c) is None)
    if errors:
        verdict = "✗ 有错误，请改正后报送"
    elif blanks:
        verdict = "✗ 有空白单元格，没有发生的事项请填 0"
    else:
        verdict = "✓ 无错误，有警告请核实" if warnings else "✓ 全部通过"
    return {"computed": computed, "checks": checks, "summary": (errors, warnings, blanks, verdict)}


def read_values(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """Sheet → {(row, column) 1-based: value} of the cached results (read-only mode: quick)."""
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        out = {}
        for ws in wb:
            grid = {}
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                grid.update({(r, c): v for c, v in enumerate(row, start=1) if v is not None})
            out[ws.title] = grid
        return out
    finally:
        wb.close()


def verify(made: Made, values: Mapping[str, Any], recalculated: Path) -> None:
    """Everything the recalculated workbook shows agrees with Python."""
    want = expected_sheet(made, values)
    shown = read_values(recalculated)
    where = f"{recalculated.name} ({made.key})"
    for lay in sheet_layouts(made.spec, made.with_previous):
        grid = shown[lay.sheet]
        for cell_id, box in lay.cells.items():
            value = grid.get((box.row + 1, box.col + 1))
            if made.spec.cells[cell_id].computed:
                assert value == want["computed"][cell_id], (where, cell_id, value)
            elif made.spec.cells[cell_id].type == "amount" and values.get(cell_id) is not None:
                assert value == pytest.approx(values[cell_id], rel=1e-12, abs=1e-12), (where, cell_id)
            else:
                assert value == values.get(cell_id), (where, cell_id, value)
        marks = {inst.key: mark for inst, _, _, mark in want["checks"]}
        for cc in lay.check_cells:
            value = grid.get((cc.box.row + 1, cc.box.col + 1))
            assert value == marks[cc.instance.key], (where, cc.instance.key, value)
    grid = shown["校验"]
    last = max(r for r, _ in grid)
    rows = [tuple(grid.get((r, c)) for c in range(1, 10)) for r in range(CHECK_FIRST_ROW, last + 1)]
    assert len(rows) == len(want["checks"]), where
    for row, (inst, lhs, rhs, mark) in zip(rows, want["checks"], strict=True):
        assert row[8] == inst.rule.id, (where, inst.key, row)
        assert (row[3], row[4], row[5], row[6]) == (lhs, rhs, lhs - rhs, mark), (where, inst.key, row)
    summary = tuple(grid.get((r, 3)) for r in (4, 5, 6, 7))
    assert summary == want["summary"], where


def recalc_and_verify(templates: dict[str, Made], fills: list[tuple[str, Values]], folder: Path) -> None:
    paths = []
    for i, (kind, values) in enumerate(fills):
        path = folder / f"fill{i:02d}_{kind}.xlsx"
        fill_template(templates[kind].path, values, path)
        paths.append(path)
    outputs = recalc_and_save(paths, folder / "recalculated")
    for (kind, values), out in zip(fills, outputs, strict=True):
        verify(templates[kind], values, out)


# --- Random fills ------------------------------------------------------------------------------------------
# Hypothesis draws the shape of each fill (how many blanks, zeros and huge numbers; which relations are made to
# hold) and the seed of a Random for the 166 values themselves: drawing every value separately would overflow
# hypothesis' per-example buffer with 15 fills of 166 cells.


def balance(values: Values, column: str, results: list[str]) -> None:
    """Make H3 hold in one column: 一 + 二 = （七）总计 + 四, raising the smaller side."""
    left = (values.get(f"t3.new.{column}") or 0) + (values.get(f"t3.carry.{column}") or 0)
    right = sum(values.get(f"t3.{r}.{column}") or 0 for r in results) + (values.get(f"t3.fwd.{column}") or 0)
    if left < right:
        values[f"t3.new.{column}"] = (values.get(f"t3.new.{column}") or 0) + right - left
    elif right < left:
        values[f"t3.fwd.{column}"] = (values.get(f"t3.fwd.{column}") or 0) + left - right


@st.composite
def fills(draw: st.DrawFn, made: Made) -> Values:
    """A fill of every input cell: blanks, zeros, small and huge numbers. In mode “valid” every relation is
    made to hold, in “mixed” a random part of them, in “raw” none (H3 then fails almost everywhere)."""
    spec = made.spec
    rnd = random.Random(draw(st.integers(0, 2**32 - 1), label="seed"))
    blank = draw(st.sampled_from([0.0, 0.03, 0.3]))
    zero = draw(st.sampled_from([0.0, 0.2, 0.6]))
    large = draw(st.sampled_from([0.0, 0.05, 0.5]))
    mode = draw(st.sampled_from(["valid", "mixed", "raw"]))

    def coin() -> bool:
        return mode == "valid" or (mode == "mixed" and draw(st.booleans()))

    def number(value_type: str) -> float | None:
        u = rnd.random()
        if u < blank:
            return None
        if u < blank + zero:
            return 0
        if value_type == "int":
            return rnd.randint(-(10**6), 10**6)
        if value_type == "amount":
            return rnd.randint(0, 10**8) / 10**4
        return rnd.randint(0, 10**12) if rnd.random() < large else rnd.randint(0, 30)

    values: Values = {c: number(spec.cells[c].type) for c in spec.input_ids}
    if made.with_previous:
        for c in C6:
            if coin():  # S1: 上年结转 = last year's 结转下年度继续办理
                values[f"t3.carry.{c}"] = PREVIOUS_2021[f"t3.fwd.{c}"]
        if coin():  # S5: a township makes no 规章
            values.update(dict.fromkeys(("t2.rules.issued", "t2.rules.repealed", "t2.rules.valid"), 0))
        for r in ("rules", "normative"):
            if coin():  # S2: the stock of documents carries over
                stock = PREVIOUS_2021[f"t2.{r}.valid"] + (values[f"t2.{r}.issued"] or 0)
                values[f"t2.{r}.valid"] = stock - (values[f"t2.{r}.repealed"] or 0)
                if values[f"t2.{r}.valid"] < 0:
                    values[f"t2.{r}.repealed"], values[f"t2.{r}.valid"] = stock, 0
    for c in C6:
        if coin():
            balance(values, c, spec.doc.sets["R"])
    return values


def batch(templates: dict[str, Made]) -> st.SearchStrategy[list[tuple[str, Values]]]:
    per_kind = [
        st.lists(fills(templates[k]).map(lambda v, k=k: (k, v)), min_size=5, max_size=5) for k in KINDS
    ]
    return st.tuples(*per_kind).map(lambda parts: [f for part in parts for f in part])


@settings(
    max_examples=3,  # 3 batches of 15 fills: 3 LibreOffice runs
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: every step is a LibreOffice run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(data=st.data())
def test_formulas_agree_with_python(data: st.DataObject, templates: dict[str, Made]) -> None:
    fills_ = data.draw(batch(templates), label="fills")
    with tempfile.TemporaryDirectory(prefix="tianbao-lo-") as folder:
        recalc_and_verify(templates, fills_, Path(folder))


# --- A fixed example, with the results written out by hand -------------------------------------------------

# A township's report: 自然人 balanced (12 + 1 = 10 + 3), 商业企业 not (2 + 0 ≠ 1 + 0), the rest 0; T4 one
# review maintained and one pending; fees 380 元 = 0.038 万元; 上年结转 differs from last year for 自然人.
REPORT: Values = {
    **{
        f"t4.{g}.{c}": 0
        for g in ("review", "lit_direct", "lit_after")
        for c in ("maintain", "correct", "other", "pending")
    },
    "meta.unit_name": UNIT.name,
    **{f"t3.{r}.{c}": 0 for r in ("new", "carry", "fwd", *load_spec("2021").doc.sets["R"]) for c in C6},
    "t3.new.np": 12,
    "t3.carry.np": 1,
    "t3.r1.np": 6,
    "t3.r2.np": 1,
    "t3.r3_3.np": 1,
    "t3.r4_1.np": 1,
    "t3.r6_3.np": 1,
    "t3.fwd.np": 3,
    "t3.new.ce": 2,
    "t3.r1.ce": 1,
    "t2.rules.issued": 0,
    "t2.rules.repealed": 0,
    "t2.rules.valid": 0,
    "t2.normative.issued": 3,
    "t2.normative.repealed": 1,
    "t2.normative.valid": 39,
    "t2.licensing.decisions": 1_234_567_890_123,
    "t2.penalty.decisions": 15,
    "t2.coercion.decisions": 0,
    "t2.fees.amount_wan": 0.038,
    "t4.review.maintain": 1,
    "t4.review.pending": 1,
}
REPORT_2019: Values = {
    "t3.new.np": 5,
    "t3.carry.np": 0,
    "t3.r5_2.np": 1,
    "t3.r6.np": 2,
    "t3.r6.oth": 4,
    "t3.fwd.np": 2,
    "t3.new.oth": 4,
    "t2.procurement.amount": 52.15,
    "t2.licensing.delta": -4,
}


@pytest.fixture(scope="module")
def by_hand(templates: dict[str, Made], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixed examples, filled and recalculated in one LibreOffice run; each result already verified."""
    folder = tmp_path_factory.mktemp("by_hand")
    fills = {"generic": REPORT, "unit": REPORT, "generic2019": REPORT_2019}
    paths = []
    for kind, values in fills.items():
        paths.append(folder / f"{kind}.xlsx")
        fill_template(templates[kind].path, values, paths[-1])
    # Not verified by `verify` below: the blank template as issued, and one column typed (自然人 unbalanced).
    extra = {"blank": {}, "one_column": {"t3.new.np": 2}}
    for name, values in extra.items():
        paths.append(folder / f"{name}.xlsx")
        fill_template(templates["generic"].path, values, paths[-1])
    # And a workbook whose stored result is stale: LibreOffice must recalculate, not keep 999.
    stale = xlsxwriter.Workbook(str(folder / "stale.xlsx"))
    sheet = stale.add_worksheet()
    sheet.write_number(0, 0, 2)
    sheet.write_formula(1, 0, "=A1*21", None, 999)
    stale.close()
    outputs = recalc_and_save([*paths, folder / "stale.xlsx"], folder / "recalculated")
    results = dict(zip([*fills, *extra, "stale"], outputs, strict=True))
    for kind, values in fills.items():
        verify(templates[kind], values, results[kind])
    return results


def test_libreoffice_recalculates_on_load(by_hand: dict[str, Path]) -> None:
    """The helper's private profile makes LibreOffice recalculate; by default it would keep the stored 999."""
    assert openpyxl.load_workbook(by_hand["stale"], data_only=True).active["A2"].value == 42


@pytest.mark.parametrize("kind", ["generic", "unit"])
def test_regression_example_2021_by_hand(by_hand: dict[str, Path], kind: str) -> None:
    wb = openpyxl.load_workbook(by_hand[kind], data_only=True)
    t3, t4, checks = wb["表三"], wb["表四"], wb["校验"]
    assert t3["J6"].value == 14  # 一、新收 总计 = 12 + 2
    assert t3["D29"].value == 10  # （七）总计 自然人
    assert t3["E29"].value == 1
    assert t3["J29"].value == 11
    assert [t3.cell(31, c).value for c in range(4, 11)] == ["✓", "✗", "✓", "✓", "✓", "✓", "✗"]
    assert t4["E6"].value == 2 and t4["J6"].value == 0 and t4["O6"].value == 0
    assert wb["表二"]["B9"].value == 1_234_567_890_123
    assert wb["表二"]["B16"].value == 0.038
    assert wb["表二"]["A2"].value == f"填报单位：{UNIT.name}        报告年度：2025"
    errors, warnings, blanks, verdict = (checks[f"C{r}"].value for r in (4, 5, 6, 7))
    assert (errors, blanks, verdict) == (2, 0, "✗ 有错误，请改正后报送")
    assert checks["G10"].value == "✓" and checks["G11"].value == "✗"
    assert (checks["D11"].value, checks["E11"].value, checks["F11"].value) == (2, 1, 1)
    if kind == "unit":
        # S1: carry 1/0/0/0/0/0 (total 1) against last year's 4/2/0/1/0/3 (total 10): 5 of 7 columns differ.
        assert [t3.cell(33, c).value for c in range(4, 11)] == ["✗", "✗", "✓", "✗", "✓", "✗", "✗"]
        # S2 holds for 行政规范性文件 (37 + 3 − 1 = 39) and for 规章; S5 holds (no 规章).
        assert warnings == 5
    else:
        assert warnings == 0


def test_regression_example_2019_by_hand(by_hand: dict[str, Path], templates: dict[str, Made]) -> None:
    wb = openpyxl.load_workbook(by_hand["generic2019"], data_only=True)
    t3 = wb["表三"]
    assert t3["D27"].value == 3  # （七）总计 自然人 = 重复申请 1 + （六）其他处理 2
    assert t3["J26"].value == 6  # （六）其他处理 总计
    # 自然人 and 其他 are filled and balance; the four columns between them hold nothing yet.
    assert [t3.cell(29, c).value for c in range(4, 11)] == [PASS, *[UNFILLED] * 4, PASS, PASS]
    checks = wb["校验"]
    assert checks["C4"].value == 0
    assert checks["C6"].value == len(templates["generic2019"].spec.input_ids) - len(REPORT_2019)
    assert checks["C7"].value == "✗ 有空白单元格，没有发生的事项请填 0"


def test_a_blank_form_shows_unfilled_not_a_tick(by_hand: dict[str, Path]) -> None:
    """An empty template: every check under 表三 and on 校验 says “未填写” (✓ on an empty form would say that
    nothing is wrong); typing one column makes that column's check live, the others stay “未填写”."""
    blank = openpyxl.load_workbook(by_hand["blank"], data_only=True)
    assert [blank["表三"].cell(31, c).value for c in range(4, 11)] == [UNFILLED] * 7
    assert [blank["校验"].cell(r, 7).value for r in range(10, 17)] == [UNFILLED] * 7
    assert blank["校验"]["C4"].value == 0  # not counted as failing
    one = openpyxl.load_workbook(by_hand["one_column"], data_only=True)
    assert [one["表三"].cell(31, c).value for c in range(4, 11)] == [FAIL, *[UNFILLED] * 5, FAIL]
