"""tianbao merge: totals, statuses, duplicates, determinism, text safety, exports, the CLI."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gc
import hashlib
import io
import os
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

import lo
from consolidation_data import (
    COUNTY,
    YEAR,
    balanced,
    copy_in_order,
    independent_totals,
    make_file,
    named_values,
)
from tianbao.amounts import exact_sum, exact_sums
from tianbao.cli.main import app
from tianbao.consolidation import Consolidation, Parent, export_tidy, merge_files, write_consolidated
from tianbao.consolidation import merge as merge_module
from tianbao.consolidation import workbook as workbook_module
from tianbao.consolidation.dates import parse_fill_date
from tianbao.consolidation.merge import display_names
from tianbao.consolidation.select import select
from tianbao.errors import UsageError
from tianbao.inputs import expand_paths
from tianbao.issues import Issue
from tianbao.options import CheckOptions
from tianbao.reading.model import Submission
from tianbao.roster import Roster, Unit, load_roster, write_roster
from tianbao.spec import cell_name, load_spec
from tianbao.stamp import Stamp
from tianbao.template.cover import NOTICE_ROW
from tianbao.validation import run as run_module

SPEC = load_spec("2021")
A = Unit("150723100", "阿里河镇人民政府", "乡镇", COUNTY, 2)
B = Unit("150723101", "=1+2镇人民政府", "乡镇", COUNTY, 3)  # a name that looks like a formula
C = Unit("150723102", "乌鲁布铁镇人民政府", "乡镇", COUNTY, 4)
D = Unit("150723103", "古里乡人民政府", "乡镇", COUNTY, 5)  # sends nothing
E = Unit("150723201", "鄂伦春自治旗教育局", "部门", COUNTY, 6)
X = Unit("150723299", "鄂伦春自治旗乡村振兴局", "部门", COUNTY, 7)  # not in the roster


@dataclasses.dataclass
class County:
    root: Path
    files: list[Path]
    roster: Path
    included: list[dict[str, float | None]]  # the values of the files that must count
    result: Consolidation
    out: Path


def _values() -> dict[str, dict[str, float | None]]:
    b: dict[str, float | None] = dict(balanced(3))
    b["t3.carry.np"] = None  # blank: a warning, counted as 0
    c: dict[str, float | None] = dict(balanced(4))
    c["t3.fwd.np"] = (c["t3.fwd.np"] or 0) + 1  # H3 fails: rejected
    return {"a": dict(balanced(1)), "a_old": dict(balanced(2)), "b": b, "c": c, "e": dict(balanced(5))}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    root = tmp_path_factory.mktemp("county")
    inbox = root / "回收"
    (inbox / "微信接收").mkdir(parents=True)
    v = _values()
    files = [
        make_file(SPEC, inbox, "阿里河镇-报表（修改后）.xlsx", A, v["a"], filled_on="2026年1月16日"),
        make_file(SPEC, inbox, "微信接收/阿里河镇-报表.xlsx", A, v["a_old"], filled_on="2026/1/9"),
        make_file(SPEC, inbox, "乙镇.xlsx", B, v["b"]),
        make_file(SPEC, inbox, "乌鲁布铁镇.xlsx", C, v["c"]),
        make_file(SPEC, inbox, "教育局 报表.xlsx", E, v["e"]),
        make_file(SPEC, inbox, "乡村振兴局.xlsx", X, balanced(6)),
    ]
    roster = write_roster(root / "名单.csv", [A, B, C, D, E])
    result = merge_files(
        [inbox], CheckOptions(year=YEAR, roster=load_roster(roster), jobs=1), unit_name="鄂伦春自治旗"
    )
    out = root / "汇总.xlsx"
    write_consolidated(result, out)
    return County(inbox, files, roster, [v["a"], v["b"], v["e"]], result, out)


def rows_of(path: Path, sheet: str) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_totals_equal_independent_sums_of_the_accepted_files(county: County) -> None:
    expected = independent_totals(county.included)
    stored = named_values(county.out)  # openpyxl, no recalculation: the stored results
    for cell_id in SPEC.cells:
        assert stored[cell_name(cell_id)] == pytest.approx(expected[cell_id], abs=1e-9), cell_id
    assert county.result.totals["t2.fees.amount_wan"] == pytest.approx(
        expected["t2.fees.amount_wan"], abs=1e-9
    )
    assert [m.unit_code for m in county.result.members] == [A.code, B.code, E.code]


def test_input_cells_are_sums_over_the_detail_sheet(county: County) -> None:
    wb = openpyxl.load_workbook(county.out)
    try:
        assert wb["表三"]["D6"].value.startswith("=SUM('明细'!")  # t3.new.np
        assert wb["表三"]["J6"].value == "=SUM(D6:I6)"  # the template's total formula stays
        detail = wb["明细"]
        assert list(detail.tables) == ["明细表"]
        assert detail.tables["明细表"].ref == f"A1:{detail.cell(1, len(SPEC.cells) + 4).column_letter}4"
        header = [c.value for c in detail[1]]
        assert header[:4] == ["单位代码", "单位名称", "单位类型", "文件"]
        assert "表三 （一）予以公开 / 自然人〔t3.r1.np〕" in header
        assert [detail.cell(r, 1).value for r in range(2, 5)] == [A.code, B.code, E.code]
        assert detail.cell(2, 4).value == "阿里河镇-报表（修改后）.xlsx"
    finally:
        wb.close()


def test_check_row_and_check_sheet_have_stored_results(county: County) -> None:
    t3 = rows_of(county.out, "表三")
    check_row = next(r for r in t3 if r[0] == "勾稽关系校验")
    assert check_row[3:10] == ("✓",) * 7
    checks = rows_of(county.out, "校验")
    # What the consolidation holds and lacks, not “✓ 全部通过 / 未填写 0”: a unit returned, one missing.
    assert [(r[0], r[2]) for r in checks[3:9]] == [
        ("不通过的错误检查（项）", 0),
        ("不通过的警告检查（项）", 0),
        ("计入汇总的单位（个）", 3),
        ("退回、未计入汇总的单位（个）", 1),
        ("未报送的单位（个）", 1),
        ("结论", "✗ 汇总不完整：1 个单位退回、1 个单位未报送，见“报送情况”"),
    ]
    assert checks[10][:2] == ("序号", "检查内容") and checks[10][-1] == "规则"
    results = [r[6] for r in checks[11:] if r[0] is not None]
    assert results and all(r == "✓" for r in results)


def test_the_cover_says_whose_consolidation_of_how_many_units_and_what_it_lacks(county: County) -> None:
    cover = rows_of(county.out, "封面")
    assert cover[NOTICE_ROW][0] == (
        f"鄂伦春自治旗（{COUNTY}）2025 年度汇总表\n"
        "本表汇总了 3 个单位的报表，单位及其数值见“明细”工作表。\n"
        "未计入：1 个单位退回，1 个单位未报送，名单见“报送情况”工作表；汇总不完整。\n"
        "另有不计入的文件：名单外 1 个，重复（不计入） 1 个，见“报送情况”。"
    )
    notes = [r[0] for r in cover if r[0] and str(r[0])[:2] in ("1.", "2.")]
    assert notes == [
        "1. 本表由 tianbao 按《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）汇总生成："
        f"鄂伦春自治旗（{COUNTY}）2025 年度，汇总 3 个单位的报表，单位及其数值见“明细”工作表。",
        "2. 表二、表三、表四的每个填报单元格都是对“明细”相应列的求和公式，合计和总计沿用模板公式；"
        "文件中保存了全部计算结果。请勿修改“明细”和公式。",
    ]


def test_every_status_appears_in_the_status_sheet(county: County) -> None:
    rows = rows_of(county.out, "报送情况")
    counts = {r[0]: r[1] for r in rows[3:10]}
    assert counts == {
        "已通过": 2,
        "有警告": 1,
        "退回": 1,
        "未报送": 1,
        "已含于汇总表": 0,
        "名单外": 1,
        "重复（不计入）": 1,
    }
    table = rows[11:]
    assert table[0] == ("单位代码", "单位名称", "单位类型", "状态", "文件", "说明")
    status = {(r[0], r[4]): r[3] for r in table[1:]}
    assert status == {
        (A.code, "微信接收/阿里河镇-报表.xlsx"): "重复（不计入）",
        (A.code, "阿里河镇-报表（修改后）.xlsx"): "已通过",
        (B.code, "乙镇.xlsx"): "有警告",
        (C.code, "乌鲁布铁镇.xlsx"): "退回",
        (D.code, ""): "未报送",
        (E.code, "教育局 报表.xlsx"): "已通过",
        (X.code, "乡村振兴局.xlsx"): "名单外",
    }


def test_newer_fill_date_wins_and_the_older_file_is_listed(county: County) -> None:
    old = next(f for f in county.result.files if f.name == "微信接收/阿里河镇-报表.xlsx")
    assert not old.included and old.dropped == "duplicate-superseded"
    assert [i.message for i in old.submission.issues] == [
        "同一单位另有更新的报表 阿里河镇-报表（修改后）.xlsx，本文件不计入汇总。"
    ]


def test_issue_list_and_sources(county: County) -> None:
    issues = rows_of(county.out, "问题清单")
    assert issues[0][0] == "问题清单"
    assert issues[1][0] == (
        f"鄂伦春自治旗（{COUNTY}）2025 年度汇总的 6 个文件中，4 个有问题，共 5 项（错误 3 项，警告 2 项），"
        "按文件排列，错误在前。有错误的文件已退回，未计入汇总。"
    )
    assert issues[2] == (
        "序号",
        "文件",
        "单位代码",
        "单位名称",
        "级别",
        "工作表",
        "单元格",
        "问题",
        "如何修改",
        "代码",
    )  # Chinese first, the code last
    assert [r[0] for r in issues[3:]] == list(range(1, len(issues) - 2))
    codes = {(r[1], r[9], r[4]) for r in issues[3:]}
    assert ("乌鲁布铁镇.xlsx", "rule-H3", "错误") in codes
    assert ("乙镇.xlsx", "value-blank", "警告") in codes
    assert ("微信接收/阿里河镇-报表.xlsx", "duplicate-superseded", "警告") in codes
    assert ("乡村振兴局.xlsx", "unit-not-in-roster", "错误") in codes
    sources = rows_of(county.out, "来源")
    assert sources[0][:5] == ("文件", "SHA-256", "大小（字节）", "结论", "汇总")
    by_name = {r[0]: r for r in sources[1:]}
    assert len(by_name) == len(county.files)
    for f in county.files:
        row = by_name[f.relative_to(county.root).as_posix()]
        assert row[1] == hashlib.sha256(f.read_bytes()).hexdigest()
        assert row[2] == f.stat().st_size
    assert by_name["乌鲁布铁镇.xlsx"][3:5] == ("退回", "不计入")
    assert by_name["微信接收/阿里河镇-报表.xlsx"][4] == "不计入（重复，已被替代）"


def test_stamp_names_the_parent_and_its_members(county: County, stamps_of) -> None:  # type: ignore[no-untyped-def]
    stamps = stamps_of(county.out)
    for place in ("properties", "names", "meta"):
        assert stamps[place]["tianbao_kind"] == "consolidated"
        assert stamps[place]["tianbao_unit_code"] == COUNTY
        assert stamps[place]["tianbao_unit_name"] == "鄂伦春自治旗"
        assert stamps[place]["tianbao_members"] == ",".join([A.code, B.code, E.code])


def test_byte_identical_under_any_input_order(county: County, tmp_path: Path) -> None:
    roster = load_roster(county.roster)
    outputs = []
    for i, seed in enumerate((1, 2)):
        files = list(county.files)
        random.Random(seed).shuffle(files)
        copies = copy_in_order(county.root, files, tmp_path / f"copy{i}" / "回收")
        random.Random(seed + 10).shuffle(copies)
        result = merge_files(copies, CheckOptions(year=YEAR, roster=roster, jobs=1), unit_name="鄂伦春自治旗")
        outputs.append(tmp_path / f"out{i}.xlsx")
        write_consolidated(result, outputs[-1])
    assert outputs[0].read_bytes() == outputs[1].read_bytes() == county.out.read_bytes()


def test_text_from_submissions_stays_text(county: County, tmp_path: Path) -> None:
    parent = Parent(COUNTY, '=HYPERLINK("http://x")汇总')
    out = tmp_path / "text.xlsx"
    write_consolidated(dataclasses.replace(county.result, parent=parent), out)
    wb = openpyxl.load_workbook(out)
    try:
        seen = set()
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value in (B.name, parent.name):
                        assert cell.data_type == "s", (ws.title, cell.coordinate)
                        seen.add(ws.title)
        assert {"封面", "明细", "报送情况", "问题清单", "来源"} <= seen
    finally:
        wb.close()


def test_export_csv_and_parquet(county: County, tmp_path: Path) -> None:
    csv_path, parquet_path = export_tidy(county.result, tmp_path / "export")
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["单位代码", "单位名称", "cell_id", "标签", "数值"]
    assert len(rows) == 1 + 3 * len(SPEC.cells)
    assert {r[1] for r in rows if r[0] == B.code} == {"'=1+2镇人民政府"}  # escaped: Excel shows it as text
    assert [
        "150723100",
        "阿里河镇人民政府",
        "t2.fees.amount_wan",
        "表二 行政事业性收费 / 本年收费金额（单位：万元）",
    ] in [r[:4] for r in rows]
    import pyarrow.parquet as pq

    table = pq.read_table(parquet_path)
    assert table.column_names == ["unit_code", "unit_name", "cell_id", "label", "value"]
    assert table.num_rows == 3 * len(SPEC.cells)
    expected = independent_totals(county.included)
    got: dict[str, float] = {}
    for cell_id, value in zip(
        table.column("cell_id").to_pylist(), table.column("value").to_pylist(), strict=True
    ):
        got[cell_id] = got.get(cell_id, 0.0) + value
    for cell_id in SPEC.cells:
        assert got[cell_id] == pytest.approx(expected[cell_id], abs=1e-9)
    assert B.name in table.column("unit_name").to_pylist()  # Parquet holds data, not spreadsheet text


def test_identical_duplicates_count_once(tmp_path: Path) -> None:
    values = balanced(7)
    first = make_file(SPEC, tmp_path, "教育局.xlsx", E, values)
    second = make_file(SPEC, tmp_path, "教育局(1).xlsx", E, values)
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(second, (1_700_000_100, 1_700_000_100))  # same fill date: the later file time wins
    result = merge_files(
        [first, second], CheckOptions(year=YEAR, jobs=1), unit_code=COUNTY, unit_name="汇总单位"
    )
    assert [m.file for m in result.members] == ["教育局(1).xlsx"]
    dropped = next(f for f in result.files if not f.included)
    assert dropped.dropped == "duplicate-identical"
    assert dropped.submission.issues[-1].message == "与 教育局(1).xlsx 内容相同，只计一次。"
    assert result.totals["t3.new.tot"] == independent_totals([values])["t3.new.tot"]
    assert result.exit_code == 0


def _sub(
    path: str, code: str, filled_on: object, mtime: float, values: dict[str, float | None]
) -> Submission:
    return Submission(
        path=path,
        unit_code=code,
        unit_name=code,
        mtime=mtime,
        meta={"filled_on": filled_on},
        values=values,
        readable=True,
    )


def test_duplicate_rule_order_fill_date_then_file_time_then_name() -> None:
    ids = ["x"]
    names = {p: p for p in ("a", "b", "c", "d", "e", "f", "g")}
    newer_date = _sub("a", "1", "2026-01-15", 1.0, {"x": 1})
    older_date_newer_time = _sub("b", "1", dt.date(2026, 1, 14), 9.0, {"x": 2})
    no_date = _sub("c", "1", "不详", 99.0, {"x": 3})
    s = select([no_date, older_date_newer_time, newer_date], ids, names)
    assert [x.path for x in s.included] == ["a"]
    assert s.dropped == {"b": "duplicate-superseded", "c": "duplicate-superseded"}
    same_date_newer_time = _sub("d", "2", "2026-01-15", 5.0, {"x": 1})
    same_date_older_time = _sub("e", "2", "2026-01-15", 4.0, {"x": 2})
    assert [x.path for x in select([same_date_older_time, same_date_newer_time], ids, names).included] == [
        "d"
    ]
    tie_f = _sub("f", "3", None, 1.0, {"x": 1})
    tie_g = _sub("g", "3", None, 1.0, {"x": 1})
    s = select([tie_g, tie_f], ids, names)
    assert [x.path for x in s.included] == ["g"] and s.dropped == {"f": "duplicate-identical"}


def test_double_count_rule_on_hand_built_submissions() -> None:
    stamp = Stamp("s", "2021", "h", "2025", "150723", "鄂伦春自治旗汇总", kind="consolidated", members="1,2")
    county = Submission(
        path="旗.xlsx", unit_code="150723", unit_name="鄂伦春自治旗汇总", stamp=stamp, readable=True
    )
    town = _sub("镇.xlsx", "1", None, 0.0, {})
    other = _sub("乡.xlsx", "3", None, 0.0, {})
    s = select([town, county, other], [], {"旗.xlsx": "旗.xlsx", "镇.xlsx": "镇.xlsx", "乡.xlsx": "乡.xlsx"})
    assert [x.path for x in s.included] == ["旗.xlsx", "乡.xlsx"]  # by unit code
    expected = [
        Issue(
            code="double-count",
            severity="error",
            message="本单位的数据已包含在汇总表 旗.xlsx（鄂伦春自治旗汇总）中，会造成重复计算，本文件不计入汇总。",
            hint="汇总表已包含该单位的数据；请只保留汇总表或只保留其组成单位的报表。",
        )
    ]
    assert town.issues == [] and s.issues_of(town) == expected  # the rule is pure …
    s.apply()
    s.apply()
    assert town.issues == expected  # … until applied, once


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15", dt.date(2026, 1, 15)),
        ("2026/1/5", dt.date(2026, 1, 5)),
        ("2026年1月15日", dt.date(2026, 1, 15)),
        (dt.datetime(2026, 1, 15, 9, 30), dt.date(2026, 1, 15)),
        (46037, dt.date(2026, 1, 15)),
        ("元旦后", None),
        (None, None),
    ],
)
def test_fill_dates_as_people_write_them(value: object, expected: dt.date | None) -> None:
    assert parse_fill_date(value) == expected


def test_cli_merge_writes_and_exits_1_when_files_are_rejected(county: County, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    args = [
        "merge",
        str(county.root),
        "--year",
        str(YEAR),
        "--roster",
        str(county.roster),
        "--unit-name",
        "鄂伦春自治旗",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(
        app, [*args, "--unit-name", "鄂伦春自治旗", "--export", str(tmp_path / "x"), "-j", "1"]
    )
    assert result.exit_code == 1, result.output
    assert "报送情况（按单位计，名单中 5 个单位）：已通过 2，有警告 1，退回 1，未报送 1。" in result.output
    assert "未报送（1 个单位）：古里乡人民政府（150723103）" in result.output
    assert "已写入汇总表" in result.output
    assert out.read_bytes() == county.out.read_bytes()
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        f"{YEAR}年度汇总数据.csv",
        f"{YEAR}年度汇总数据.parquet",
    ]


def test_cli_merge_exits_0_without_rejections_and_ignores_its_own_output(
    county: County, tmp_path: Path
) -> None:
    good = copy_in_order(county.root, [county.files[0], county.files[4]], tmp_path / "in")
    out = tmp_path / "in" / "汇总.xlsx"
    args = [
        "merge",
        str(tmp_path / "in"),
        "--year",
        str(YEAR),
        "--unit",
        COUNTY,
        "--unit-name",
        "鄂伦春自治旗",
        "-o",
        str(out),
        "-j",
        "1",
    ]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, args)  # the output now lies in the input folder
    assert again.exit_code == 0, again.output
    assert "计入 2 个单位" in again.output
    assert len(good) == 2


def test_cli_merge_without_a_parent_unit_is_misuse(county: County, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["merge", str(county.root), "--year", str(YEAR), "-o", str(tmp_path / "o.xlsx")]
    )
    assert result.exit_code == 2
    assert "无法确定汇总单位" in result.output
    assert not (tmp_path / "o.xlsx").exists()


@pytest.mark.libreoffice
def test_libreoffice_recalculation_gives_the_stored_numbers(county: County, tmp_path: Path) -> None:
    [recalculated] = lo.recalc_and_save([county.out], tmp_path / "lo")
    stored, fresh = named_values(county.out), named_values(recalculated)
    for cell_id in SPEC.cells:
        name = cell_name(cell_id)
        assert fresh[name] == pytest.approx(stored[name], abs=1e-9), cell_id
    assert rows_of(recalculated, "校验")[3:7] == rows_of(county.out, "校验")[3:7]
    lo_check = next(r for r in rows_of(recalculated, "表三") if r[0] == "勾稽关系校验")
    assert lo_check[3:10] == ("✓",) * 7


def test_only_the_output_itself_is_left_out_of_the_inputs(tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    for name in ("汇总.xlsx", "a.xlsx", "b.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "link.xlsx").symlink_to(out)  # resolves to the output
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "汇总.xlsx").write_bytes(b"x")  # the same name elsewhere: an input
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    for given in ([tmp_path], files):  # links known from the folder's listing, or looked up
        found = expand_paths(given, exclude=[out])
        assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.xlsx", "b.xlsx", "sub/汇总.xlsx"]
        assert expand_paths(given, exclude=[tmp_path / "new.xlsx"]) == files  # an output not written yet
    with pytest.raises(UsageError):
        expand_paths([out], exclude=[out])


def test_a_link_loop_among_the_inputs_gets_a_verdict_not_a_traceback(tmp_path: Path) -> None:
    """Links that lead to each other (a loop) cannot be the output: they are inputs, each with a verdict."""
    inbox = tmp_path / "回收"
    inbox.mkdir()
    (inbox / "a.xlsx").symlink_to(inbox / "b.xlsx")
    (inbox / "b.xlsx").symlink_to(inbox / "a.xlsx")
    (inbox / "self.xlsx").symlink_to(inbox / "self.xlsx")
    out = inbox / "汇总.xlsx"
    assert [p.name for p in expand_paths([inbox], exclude=[out])] == ["a.xlsx", "b.xlsx", "self.xlsx"]
    result = CliRunner().invoke(
        app,
        [
            "merge",
            str(inbox),
            "--year",
            str(YEAR),
            "--unit",
            "150723",
            "--unit-name",
            "鄂伦春自治旗",
            "-o",
            str(out),
        ],
    )
    assert isinstance(result.exception, SystemExit), result.output  # no traceback
    assert result.exit_code == 1, result.output  # written, with the three links rejected
    assert all(f"退回 {name}" in result.output for name in ("a.xlsx", "b.xlsx", "self.xlsx")), result.output


@pytest.mark.parametrize(
    "paths",
    [
        ["a/x.xlsx", "a/b/y.xlsx", "./a/c/../z.xlsx"],
        ["/x.xlsx", "/tmp/y.xlsx"],  # the root folder holds them all
        ["only.xlsx"],
        ["a/b/同名.xlsx", "a/b/同名.xlsx", "a/b2/同名.xlsx"],
    ],
)
def test_display_names_are_relative_to_the_deepest_common_folder(paths: list[str]) -> None:
    absolute = [os.path.abspath(p) for p in paths]
    root = os.path.commonpath([os.path.dirname(a) for a in absolute])
    expected = {
        p: os.path.relpath(a, root).replace(os.sep, "/") for p, a in zip(paths, absolute, strict=True)
    }
    assert display_names(paths) == expected


def test_the_collector_is_paused_after_the_reading(
    county: County, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validating, consolidating and writing make millions of objects and few cycles: no cyclic collection
    walks them and the submissions alive; the collector is as it was afterwards."""
    seen: list[tuple[str, bool]] = []

    def spy(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, gc.isenabled()))
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(run_module, "validate", spy("validate", run_module.validate))
    monkeypatch.setattr(merge_module, "consolidate", spy("consolidate", merge_module.consolidate))
    monkeypatch.setattr(
        workbook_module, "write_extra_sheets", spy("write", workbook_module.write_extra_sheets)
    )
    result = merge_files(
        [county.root],
        CheckOptions(year=YEAR, roster=load_roster(county.roster), jobs=1),
        unit_name="鄂伦春自治旗",
    )
    write_consolidated(result, tmp_path / "汇总.xlsx")
    assert seen == [("validate", False), ("consolidate", False), ("write", False)]
    assert gc.isenabled()


@pytest.mark.parametrize("n, value", [(3, 1.2345), (10_000, 99_999_999_999.9999)])
def test_column_sums_in_ten_thousandths_are_exact(n: int, value: float) -> None:
    """Summed in numpy's int64 where no column can overflow it, else in Python integers (10,000 units of
    a hundred billion: past int64)."""
    matrix = np.array([[value, -value / 3 if n == 3 else value, 0.0001 * i] for i in range(n)])
    matrix = np.round(matrix, 4)
    assert exact_sums(matrix) == [exact_sum(matrix[:, j].tolist()) for j in range(3)]
    assert exact_sums(matrix + 0.00001) == [exact_sum((matrix[:, j] + 0.00001).tolist()) for j in range(3)]
    assert exact_sums(np.zeros((0, 3))) == [0.0, 0.0, 0.0]


# --- a roster that lists the county itself ------------------------------------------------------------------
ROOT = Unit(COUNTY, "鄂伦春自治旗人民政府", "县级政府", None, 2)
UNDER_ROOT = [dataclasses.replace(u, row=i + 3) for i, u in enumerate((A, C, E))]


def test_a_roster_with_one_root_consolidates_to_it(tmp_path: Path) -> None:
    """The county itself (no parent) and its units (parent: the county): the county is the consolidating
    unit, with its name and type from the roster (this was “无法确定汇总单位”). The county's own report (its
    本级 data, which no unit's report holds) counts once, as any unit's; 报送情况 names each unit."""
    roster = write_roster(tmp_path / "名单.csv", [ROOT, *UNDER_ROOT])
    inbox = tmp_path / "回收"
    inbox.mkdir()
    values = {u.code: balanced(i + 1) for i, u in enumerate([ROOT, *UNDER_ROOT])}
    for u in [ROOT, *UNDER_ROOT]:
        make_file(SPEC, inbox, f"{u.name}.xlsx", u, values[u.code])
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(
        app, ["merge", str(inbox), "--year", str(YEAR), "--roster", str(roster), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "鄂伦春自治旗人民政府（150723）2025 年度汇总" in result.output.replace("\n", "")
    merged = merge_files([inbox], CheckOptions(year=YEAR, roster=load_roster(roster), jobs=1))
    assert (merged.parent.code, merged.parent.name, merged.parent.type) == (COUNTY, ROOT.name, "县级政府")
    assert sorted(m.unit_code for m in merged.members) == sorted(values)
    assert merged.totals["t3.new.tot"] == independent_totals(list(values.values()))["t3.new.tot"]
    status = {r.unit_code: r.status for r in merged.rows}
    assert status == {u.code: "已通过" for u in [ROOT, *UNDER_ROOT]}


def test_the_county_and_its_own_consolidated_workbook(tmp_path: Path) -> None:
    """An earlier consolidated workbook of the county among the county's inputs holds the units it would
    count again: it is left out (double-count). One level up, the county's consolidated workbook and its
    own report are not duplicates of each other: the report is inside the workbook when the workbook lists
    the county's code, and is then left out; otherwise both count."""
    inbox = tmp_path / "回收"
    inbox.mkdir()
    own = make_file(SPEC, inbox, "本级.xlsx", ROOT, balanced(1))
    town = make_file(SPEC, inbox, "阿里河镇.xlsx", UNDER_ROOT[0], balanced(2))
    options = CheckOptions(year=YEAR, roster=Roster((ROOT, *UNDER_ROOT), "名单"), jobs=1)
    earlier = merge_files([inbox], options)
    assert sorted(m.unit_code for m in earlier.members) == [COUNTY, A.code]
    write_consolidated(earlier, inbox / "以前的汇总.xlsx")
    again = merge_files([inbox], options)
    assert sorted(m.file for m in again.members) == ["本级.xlsx", "阿里河镇.xlsx"]
    dropped = next(f for f in again.files if f.name == "以前的汇总.xlsx")
    assert dropped.dropped == "double-count" and not dropped.included
    assert dropped.submission.issues[-1].message == (
        "本文件是汇总单位鄂伦春自治旗人民政府（150723）自己的汇总表（可能是以前汇总的结果），其中的单位会再次计入，"
        "会造成重复计算，本文件不计入汇总。"
    )
    assert again.totals == earlier.totals
    # One level up: the city gets the county's workbook (which holds 本级) and 本级 again.
    up = tmp_path / "上报"
    up.mkdir()
    write_consolidated(earlier, up / "旗汇总.xlsx")
    shutil.copy(own, up / "本级.xlsx")
    city = merge_files([up], CheckOptions(year=YEAR, jobs=1), unit_code="1507", unit_name="呼伦贝尔市")
    assert [m.file for m in city.members] == ["旗汇总.xlsx"]
    assert next(f for f in city.files if f.name == "本级.xlsx").dropped == "double-count"
    assert city.totals == earlier.totals
    # A county workbook without 本级, with 本级 sent beside it: both count, each once.
    (inbox / "以前的汇总.xlsx").unlink()
    own.unlink()
    towns_only = merge_files([inbox], options)
    write_consolidated(towns_only, up / "旗汇总.xlsx")
    city = merge_files([up], CheckOptions(year=YEAR, jobs=1), unit_code="1507", unit_name="呼伦贝尔市")
    assert sorted(m.file for m in city.members) == ["旗汇总.xlsx", "本级.xlsx"]
    assert city.totals["t3.new.tot"] == independent_totals([balanced(1), balanced(2)])["t3.new.tot"]
    assert town.exists()
