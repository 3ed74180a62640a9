"""The roll-call (tianbao.consolidation.roll_call): one implementation for check, merge's 报送情况 and the web app;
pure over the check report and the roster; the duplicate and double-count rules of merge."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from consolidation_data import COUNTY, YEAR, balanced, make_file
from tianbao.consolidation import merge_files, roll_call, write_consolidated
from tianbao.options import CheckOptions
from tianbao.roster import Roster, Unit, load_roster, write_roster
from tianbao.spec import load_spec
from tianbao.validation import CheckRun, check_files

SPEC = load_spec("2021")
A = Unit("150723100", "阿里河镇人民政府", "乡镇", COUNTY, 2)
B = Unit("150723101", "大杨树镇人民政府", "乡镇", COUNTY, 3)
C = Unit("150723102", "乌鲁布铁镇人民政府", "乡镇", COUNTY, 4)
D = Unit("150723103", "古里乡人民政府", "乡镇", COUNTY, 5)  # sends nothing
X = Unit("150723299", "鄂伦春自治旗乡村振兴局", "部门", COUNTY, 7)  # not on the roster


@dataclasses.dataclass
class Season:
    inbox: Path
    roster: Roster
    run: CheckRun


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Season:
    root = tmp_path_factory.mktemp("season")
    inbox = root / "回收"
    (inbox / "微信接收").mkdir(parents=True)
    bad = dict(balanced(4))
    bad["t3.fwd.np"] = (bad["t3.fwd.np"] or 0) + 1  # H3 fails
    make_file(SPEC, inbox, "阿里河镇（修改后）.xlsx", A, balanced(1), filled_on="2026年1月16日")
    make_file(SPEC, inbox, "微信接收/阿里河镇.xlsx", A, balanced(2), filled_on="2026/1/9")
    make_file(SPEC, inbox, "大杨树镇.xlsx", B, {**balanced(3), "t3.carry.np": None})  # a blank: warned
    make_file(SPEC, inbox, "乌鲁布铁镇.xlsx", C, bad)
    make_file(SPEC, inbox, "乡村振兴局.xlsx", X, balanced(6))
    (inbox / "说明.txt").write_text("报表见附件", encoding="utf-8")
    roster = load_roster(write_roster(root / "名单.csv", [A, B, C, D]))
    return Season(inbox, roster, check_files([inbox], CheckOptions(year=YEAR, roster=roster, jobs=1)))


def table(rows) -> list[tuple[str, str, tuple[str, ...], bool]]:  # type: ignore[no-untyped-def]
    return [(r.unit_code, r.status, r.file_names, r.on_roster) for r in rows]


def test_check_report_carries_every_roster_unit_with_its_state(season: Season) -> None:
    call = season.run.report.roll_call
    assert call is not None
    assert table(call.units) == [
        (A.code, "已通过", ("阿里河镇（修改后）.xlsx",), True),
        (B.code, "有警告", ("大杨树镇.xlsx",), True),
        (C.code, "退回", ("乌鲁布铁镇.xlsx",), True),
        (D.code, "未报送", (), True),
    ]
    others = [r for r in call.rows if not r.on_roster]
    assert table(others) == [
        (A.code, "重复（不计入）", ("微信接收/阿里河镇.xlsx",), False),
        (X.code, "名单外", ("乡村振兴局.xlsx",), False),
        ("", "退回", ("说明.txt",), False),
    ]
    assert [(r.unit_code, r.unit_name) for r in call.missing] == [(D.code, "古里乡人民政府")]
    assert call.counts() == {
        "已通过": 1,
        "有警告": 1,
        "退回": 2,
        "未报送": 1,
        "已含于汇总表": 0,
        "名单外": 1,
        "重复（不计入）": 1,
    }
    duplicate = next(r for r in others if r.status == "重复（不计入）")
    assert duplicate.note == "同一单位另有更新的报表 阿里河镇（修改后）.xlsx，本文件不计入汇总。"


def test_the_roll_call_is_pure(season: Season) -> None:
    """The check's verdicts stay the check's: the duplicate rule's issue is in the roll-call's view only."""
    old = next(f for f in season.run.report.files if f.path.endswith("微信接收/阿里河镇.xlsx"))
    assert [i.code for i in old.issues] == []
    entry = next(f for f in season.run.report.roll_call.files if f.name == "微信接收/阿里河镇.xlsx")  # type: ignore[union-attr]
    assert [i.code for i in entry.issues] == ["duplicate-superseded"]
    again = roll_call(season.run.report.files, spec=SPEC, roster=season.roster, parent_code=COUNTY)
    assert again.rows == season.run.report.roll_call.rows  # type: ignore[union-attr]


def test_merge_status_sheet_is_the_same_roll_call(season: Season) -> None:
    merged = merge_files(
        [season.inbox], CheckOptions(year=YEAR, roster=season.roster, jobs=1), unit_name="旗"
    )
    assert merged.rows == list(season.run.report.roll_call.rows)  # type: ignore[union-attr]
    assert merged.counts() == season.run.report.roll_call.counts()  # type: ignore[union-attr]
    old = next(f for f in merged.files if f.name == "微信接收/阿里河镇.xlsx")
    assert [i.code for i in old.submission.issues] == ["duplicate-superseded"]  # merge records them


def test_json_carries_the_roll_call(season: Season) -> None:
    data = json.loads(season.run.report.to_json())["roll_call"]
    assert data["counts"] == {
        "passed": 1,
        "warned": 1,
        "returned": 2,
        "missing": 1,
        "covered": 0,
        "outside": 1,
        "duplicate": 1,
    }
    missing = next(r for r in data["rows"] if r["unit_code"] == D.code)
    assert missing == {
        "unit_code": D.code,
        "unit_name": "古里乡人民政府",
        "unit_type": "乡镇",
        "on_roster": True,
        "status": "missing",
        "status_zh": "未报送",
        "files": [],
        "note": "",
    }
    without = check_files([season.inbox], CheckOptions(year=YEAR, jobs=1)).report
    assert without.roll_call is None and without.to_dict()["roll_call"] is None


def test_units_inside_a_consolidated_workbook_are_covered(tmp_path: Path, season: Season) -> None:
    towns = tmp_path / "镇"
    towns.mkdir()
    make_file(SPEC, towns, "阿里河镇.xlsx", A, balanced(1))
    make_file(SPEC, towns, "大杨树镇.xlsx", B, balanced(3))
    county = merge_files([towns], CheckOptions(year=YEAR, jobs=1), unit_code=COUNTY, unit_name="鄂伦春自治旗")
    inbox = tmp_path / "回收"
    inbox.mkdir()
    write_consolidated(county, inbox / "旗汇总.xlsx")
    run = check_files([inbox], CheckOptions(year=YEAR, jobs=1))
    call = roll_call(run.report.files, spec=SPEC, roster=season.roster)
    assert table(call.units) == [
        (A.code, "已含于汇总表", (), True),
        (B.code, "已含于汇总表", (), True),
        (C.code, "未报送", (), True),
        (D.code, "未报送", (), True),
    ]
    assert call.units[0].note == "数据已包含在汇总表 旗汇总.xlsx 中"
