"""Tampering that a consistent edit of the stamp used to hide, and consolidated workbooks that do not hold what
their stamp says. The fixtures (tests/data/tampered/ and tests/data/merge/tampered/, made by
tests/data/make_fixtures.py) are named for what is wrong with them; each is rejected, by either reader, with
the issue at its place, and what it hides is not counted."""

from __future__ import annotations

from pathlib import Path

import make_fixtures as fx
import pytest

from tianbao.consolidation import merge_files, write_consolidated
from tianbao.options import CheckOptions
from tianbao.reading import read_submission
from tianbao.reading.interpret import reader_backend
from tianbao.spec import load_spec
from tianbao.stamp import Stamp
from tianbao.template import TemplateOptions, write_template

DATA = Path(__file__).parent / "data"
TAMPERED, CONSOLIDATED = DATA / "tampered", DATA / "merge" / "tampered"

# fixture → the stamp-inconsistent messages it must get (in order), and their cells on the cover
UNITS = {
    "stamp-other-unit": [
        ("模板编号", None),
        ("封面的单位代码为“150723100”，戳记为“150723107”", "B5"),
        ("封面的单位名称为“阿里河镇人民政府”，戳记为“诺敏镇人民政府”", "B4"),
    ],
    "stamp-and-serial-other-unit": [
        ("封面的单位代码为“150723107”，戳记为“150723100”", "B5"),
        ("封面的单位名称为“诺敏镇人民政府”，戳记为“阿里河镇人民政府”", "B4"),
    ],
    "stamp-and-cover-other-unit": [("模板编号", None)],
    "stamp-other-year": [
        ("模板编号", None),
        (
            "封面的标题为“2024年度政府信息公开工作年度报告统计表”，戳记为“2025年度政府信息公开工作年度报告统计表”",
            "A1",
        ),
        ("封面的报告年度为“2024”，戳记为“2025”", "B6"),
    ],
    "serial-edited": [("模板编号“0123456789AB”与戳记中的格式、年度和单位不符", None)],
    "cover-title-other-year": [
        (
            "封面的标题为“2024年度政府信息公开工作年度报告统计表”，戳记为“2025年度政府信息公开工作年度报告统计表”",
            "A1",
        )
    ],
}
DETAILS = {
    "detail-row-deleted": ("stamp-inconsistent", "戳记的汇总单位 150723200 在明细中没有数据行"),
    "detail-row-not-in-stamp": ("stamp-inconsistent", "明细中的单位 150723200 不在戳记的汇总单位中"),
    "detail-unit-held-twice": ("stamp-inconsistent", "戳记中单位 150723107 出现了不止一次"),
    "detail-nan": ("value-not-a-number", "“明细 150723100 行政许可 / 本年处理决定数量”填写为“nan”，不是数字"),
    "detail-huge-value": ("value-out-of-range", "“明细 150723100 行政许可 / 本年处理决定数量”填写为“1E+25”"),
}


def test_every_fixture_is_tested() -> None:
    assert sorted(p.stem for p in TAMPERED.glob("*.xlsx")) == sorted(UNITS) == sorted(fx.TAMPERED)
    assert sorted(p.stem for p in CONSOLIDATED.glob("*.xlsx")) == sorted(DETAILS)
    assert sorted(DETAILS) == sorted(fx.TAMPERED_CONSOLIDATED)


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
@pytest.mark.parametrize("name", sorted(UNITS))
def test_a_tampered_stamp_or_cover_is_rejected(name: str, reader: str) -> None:
    sub = read_submission(
        TAMPERED / f"{name}.xlsx", backend=reader_backend(reader), expected_year=fx.YEAR, roster=fx.ROSTER
    )
    found = [(i.message, i.cell) for i in sub.issues if i.code == "stamp-inconsistent"]
    assert [cell for _, cell in found] == [cell for _, cell in UNITS[name]]
    for (message, _), (expected, _) in zip(found, UNITS[name], strict=True):
        assert message.startswith("模板戳记前后不一致：") and expected in message
    assert all(i.is_error for i in sub.issues if i.code == "stamp-inconsistent")
    # nothing else wrong but the protection some of them removed to edit the cover
    assert {i.code for i in sub.issues} <= {"stamp-inconsistent", "protection-removed"}


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
@pytest.mark.parametrize("name", sorted(DETAILS))
def test_a_consolidated_workbook_must_hold_what_its_stamp_says(name: str, reader: str) -> None:
    sub = read_submission(
        CONSOLIDATED / f"{name}.xlsx", backend=reader_backend(reader), expected_year=fx.YEAR
    )
    code, text = DETAILS[name]
    [issue] = [i for i in sub.issues if i.is_error]
    assert issue.code == code and text in issue.message
    assert issue.sheet == "明细"


def test_the_untampered_originals_are_accepted(tmp_path: Path) -> None:
    """The comparisons are not vacuous: made the same way, untouched, they pass."""
    plain = fx.filled(tmp_path / "诺敏镇.xlsx")
    sub = read_submission(plain, expected_year=fx.YEAR, roster=fx.ROSTER)
    assert sub.issues == []
    towns = [fx.filled(tmp_path / f"{u.code}.xlsx", unit=u) for u in (fx.UNIT, fx.OTHER, fx.THIRD)]
    county = fx.consolidated(tmp_path / "汇总.xlsx", towns)
    sub = read_submission(county, expected_year=fx.YEAR)
    assert sub.issues == [] and sub.members == sorted(u.code for u in (fx.UNIT, fx.OTHER, fx.THIRD))


def test_a_deleted_row_is_counted_through_the_units_own_file(tmp_path: Path) -> None:
    """The next level: the county workbook that lost 甘河镇's row is rejected, so 甘河镇's own file is not a
    double count — its data is in the totals once, instead of in neither."""
    own = fx.filled(tmp_path / "甘河镇.xlsx", unit=fx.THIRD)
    city = merge_files(
        [CONSOLIDATED / "detail-row-deleted.xlsx", own],
        CheckOptions(year=fx.YEAR, jobs=1),
        unit_code="1507",
        unit_name="呼伦贝尔市",
    )
    status = {Path(f.submission.path).name: (f.status, f.included) for f in city.files}
    assert status == {"detail-row-deleted.xlsx": ("rejected", False), "甘河镇.xlsx": ("accepted", True)}
    assert [m.unit_code for m in city.members] == [fx.THIRD.code]


def test_a_nested_consolidation_lists_what_each_row_holds(tmp_path: Path) -> None:
    """A city's stamp lists each county row with the towns it holds; read back, every unit is held once."""
    towns = [fx.filled(tmp_path / f"{u.code}.xlsx", unit=u) for u in (fx.UNIT, fx.OTHER)]
    county = fx.consolidated(tmp_path / "旗.xlsx", towns)
    other_town = fx.filled(tmp_path / "甘河镇.xlsx", unit=fx.THIRD)
    city = merge_files(
        [county, other_town], CheckOptions(year=fx.YEAR, jobs=1), unit_code="1507", unit_name="呼伦贝尔市"
    )
    out = tmp_path / "市.xlsx"
    stamp = write_consolidated(city, out)
    assert stamp.members == "150723/150723100/150723107,150723200"
    sub = read_submission(out, expected_year=fx.YEAR)
    assert [i.code for i in sub.issues] == []
    assert sub.members == ["150723", "150723100", "150723107", "150723200"]


def test_a_consolidation_of_five_thousand_units_keeps_its_members(tmp_path: Path) -> None:
    """More members than a cell holds (32,767 characters, about 3,000 codes): `_meta` carries them over
    several rows, and the stamp is read back whole (it used to be `stamp-inconsistent`)."""
    codes = tuple(f"1507{i:05d}" for i in range(5_000))
    path = tmp_path / "汇总.xlsx"
    options = TemplateOptions(year=2025, kind="consolidated", members=codes)
    stamp = write_template(load_spec("2021"), path, options)
    sub = read_submission(path)
    assert sub.stamp == stamp and sub.members == list(codes)
    assert "stamp-inconsistent" not in [i.code for i in sub.issues]


def test_the_serial_is_the_spec_year_and_unit() -> None:
    stamp = Stamp("gov-info-annual-report", "2021", "abc", "2025", "150723107", "诺敏镇").with_serial()
    assert stamp.serial == stamp.expected_serial()
    for change in (
        {"year": "2024"},
        {"unit_code": "150723100"},
        {"spec_hash": "abd"},
        {"kind": "consolidated"},
    ):
        assert Stamp(**{**stamp.__dict__, **change}).expected_serial() != stamp.serial, change
    assert Stamp(**{**stamp.__dict__, "unit_name": "诺敏镇人民政府"}).expected_serial() == stamp.serial
