"""A consolidated workbook is itself a submission: `check` accepts it with the same values, a city merges
county workbooks, and a county workbook merged with one of its own towns is a double count."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest

from consolidation_data import YEAR, balanced, independent_totals, make_file, named_values
from tianbao.consolidation import Consolidation, merge_files, write_consolidated
from tianbao.options import CheckOptions
from tianbao.reading.consolidated import parse_detail, summary_issues
from tianbao.reading.previous import read_previous
from tianbao.roster import Unit
from tianbao.spec import cell_name, load_spec
from tianbao.spec.layout import DETAIL_FIXED, detail_columns, detail_header, detail_sum_formula
from tianbao.validation import check_files

SPEC = load_spec("2021")
COUNTY1, COUNTY2, CITY = "150723", "150724", "1507"
TOWNS1 = [
    Unit("150723100", "阿里河镇人民政府", "乡镇", COUNTY1, 2),
    Unit("150723101", "大杨树镇人民政府", "乡镇", COUNTY1, 3),
]
TOWNS2 = [
    Unit("150724100", "巴彦托海镇人民政府", "乡镇", COUNTY2, 4),
    Unit("150724101", "红花尔基镇人民政府", "乡镇", COUNTY2, 5),
]


@dataclasses.dataclass
class Counties:
    towns: dict[str, Path]  # unit code → its own file
    values: dict[str, dict[str, float]]  # unit code → the values filled in
    county1: Path
    county2: Path
    merged1: Consolidation


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> Counties:
    root = tmp_path_factory.mktemp("counties")
    towns, values = {}, {}
    for i, town in enumerate([*TOWNS1, *TOWNS2], start=1):
        values[town.code] = balanced(10 + i)
        folder = root / town.parent  # type: ignore[operator]
        folder.mkdir(exist_ok=True)
        towns[town.code] = make_file(SPEC, folder, f"{town.name}.xlsx", town, values[town.code])
    merged1 = merge_files(
        [root / COUNTY1], CheckOptions(year=YEAR, jobs=1), unit_code=COUNTY1, unit_name="鄂伦春自治旗"
    )
    merged2 = merge_files(
        [root / COUNTY2], CheckOptions(year=YEAR, jobs=1), unit_code=COUNTY2, unit_name="陈巴尔虎旗"
    )
    out = root / "上报"
    county1, county2 = out / "鄂伦春自治旗汇总.xlsx", out / "陈巴尔虎旗汇总.xlsx"
    write_consolidated(merged1, county1)
    write_consolidated(merged2, county2)
    return Counties(towns, values, county1, county2, merged1)


def test_check_accepts_a_consolidated_workbook_with_the_same_values(counties: Counties) -> None:
    run = check_files([counties.county1], CheckOptions(year=YEAR, jobs=1))
    [f] = run.report.files
    assert f.status == "accepted", [i.message for i in f.issues]
    sub = f.submission
    assert (sub.kind, sub.unit_code, sub.unit_name) == ("consolidated", COUNTY1, "鄂伦春自治旗")
    assert sub.members == [t.code for t in TOWNS1]
    values = run.validated.values(0)
    expected = independent_totals([counties.values[t.code] for t in TOWNS1])
    for cell_id in SPEC.cells:
        assert values[cell_id] == pytest.approx(expected[cell_id], abs=1e-9), cell_id


def test_a_city_merges_county_workbooks(counties: Counties, tmp_path: Path) -> None:
    city = merge_files(
        [counties.county1, counties.county2],
        CheckOptions(year=YEAR, jobs=1),
        unit_code=CITY,
        unit_name="呼伦贝尔市",
    )
    assert city.exit_code == 0
    assert [m.unit_code for m in city.members] == [COUNTY1, COUNTY2]
    assert city.covered == tuple(sorted([COUNTY1, COUNTY2, *(t.code for t in [*TOWNS1, *TOWNS2])]))
    out = tmp_path / "呼伦贝尔市汇总.xlsx"
    write_consolidated(city, out)
    expected = independent_totals(list(counties.values.values()))
    stored = named_values(out)
    for cell_id in SPEC.cells:
        assert stored[cell_name(cell_id)] == pytest.approx(expected[cell_id], abs=1e-9), cell_id
    # …and the city workbook is accepted again one level up.
    run = check_files([out], CheckOptions(year=YEAR, jobs=1))
    assert run.report.files[0].status == "accepted"
    assert run.validated.values(0)["t3.new.tot"] == expected["t3.new.tot"]


def test_a_town_merged_with_its_county_workbook_is_a_double_count(counties: Counties) -> None:
    town = TOWNS1[0]
    paths = [counties.county1, counties.county2, counties.towns[town.code]]
    city = merge_files(paths, CheckOptions(year=YEAR, jobs=1), unit_code=CITY, unit_name="汇总单位")
    entry = next(f for f in city.files if f.submission.unit_code == town.code)
    assert not entry.included and entry.status == "rejected" and entry.dropped == "double-count"
    [issue] = [i for i in entry.submission.issues if i.code == "double-count"]
    assert issue.severity == "error"
    assert issue.message == (
        "本单位的数据已包含在汇总表 上报/鄂伦春自治旗汇总.xlsx（鄂伦春自治旗）中，会造成重复计算，本文件不计入汇总。"
    )
    assert city.exit_code == 1
    expected = independent_totals(list(counties.values.values()))
    assert city.totals["t3.new.tot"] == expected["t3.new.tot"]  # counted once, through the county
    row = next(r for r in city.rows if r.unit_code == town.code)
    assert row.status == "退回"


def test_an_overwritten_sum_in_a_consolidated_workbook_is_an_error(
    counties: Counties, tmp_path: Path
) -> None:
    tampered = tmp_path / "改过的汇总.xlsx"
    wb = openpyxl.load_workbook(counties.county1)
    wb["表三"]["D6"] = 999  # t3.new.np typed over its SUM formula
    wb.save(tampered)
    run = check_files([tampered], CheckOptions(year=YEAR, jobs=1))
    sub = run.report.files[0].submission
    [issue] = [i for i in sub.issues if i.code == "formula-overwritten"]
    assert (issue.cell_id, issue.sheet, issue.cell) == ("t3.new.np", "表三", "D6")
    assert run.report.files[0].status == "rejected"
    expected = independent_totals([counties.values[t.code] for t in TOWNS1])
    assert sub.values["t3.new.np"] == expected["t3.new.np"]  # the values come from 明细, not the cell


def _detail_rows(units: list[tuple[str, dict[str, float]]]) -> list[list[object]]:
    header = [*DETAIL_FIXED, *(detail_header(SPEC, c) for c in SPEC.cells)]
    rows: list[list[object]] = [header]
    for code, values in units:
        rows.append([code, f"{code}名", "乡镇", f"{code}.xlsx", *(values.get(c, 0) for c in SPEC.cells)])
    return rows


def test_detail_sums_are_exact_and_cached_results_are_not_trusted() -> None:
    a, b = {"t2.fees.amount_wan": 0.1, "t3.new.np": 2}, {"t2.fees.amount_wan": 0.2, "t3.new.np": 3}
    detail = parse_detail(SPEC, _detail_rows([("1", a), ("2", b)]))
    assert detail.issues == []
    assert detail.totals["t2.fees.amount_wan"] == 0.3  # not 0.30000000000000004
    assert detail.by_unit()["2"]["t3.new.np"] == 3
    cols = detail_columns(SPEC)
    cells = {c: (detail_sum_formula(cols[c], 2), detail.totals[c]) for c in SPEC.input_ids}
    assert summary_issues(SPEC, detail, cells) == []
    loose = detail_sum_formula(cols["t3.new.np"], 2).replace("'", "").replace("E", "$E$")
    cells["t3.new.np"] = (loose, 4)  # Excel's spelling of the same formula, with a stale cached result
    [issue] = summary_issues(SPEC, detail, cells)
    assert (issue.code, issue.cell_id) == ("cached-value-mismatch", "t3.new.np")
    assert (
        issue.message
        == "“表三 一、本年新收政府信息公开申请数量 / 自然人”文件中显示为 4，按填写的数字重新计算为 5。"
    )


def test_text_in_a_detail_value_is_reported_with_its_cell() -> None:
    rows = _detail_rows([("1", {"t3.new.np": 2})])
    rows[1][len(DETAIL_FIXED) + list(SPEC.cells).index("t3.new.np")] = "两件"
    detail = parse_detail(SPEC, rows)
    [issue] = detail.issues
    assert (issue.code, issue.sheet, issue.cell_id) == ("value-not-a-number", "明细", "t3.new.np")


def test_last_years_consolidated_workbook_gives_each_units_values(counties: Counties) -> None:
    prev = read_previous([counties.county1], SPEC)
    assert sorted(prev.units) == sorted([COUNTY1, *(t.code for t in TOWNS1)])
    town = TOWNS1[1].code
    assert prev.units[town].values["t3.fwd.np"] == counties.values[town]["t3.fwd.np"]
    assert prev.units[COUNTY1].values["t3.fwd.tot"] == counties.merged1.totals["t3.fwd.tot"]
