"""Every workbook tianbao writes prints as a clerk needs it: LibreOffice prints it to PDF, and the pages are
counted and read back (poppler): A4, the orientation each sheet asks for, a sheet per page where it fits (报送情况
of 20 units on one page), headers naming the sheet, “第 n 页，共 m 页” in the footer, no blank page, and 明细
— too wide for any page — with its header row and unit columns on every page."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from consolidation_data import CONTACT, YEAR, balanced, make_file
from lo import Page, pdf_pages, print_to_pdf
from tianbao.consolidation import merge_files, write_consolidated
from tianbao.options import CheckOptions
from tianbao.roster import Unit, load_roster, write_roster
from tianbao.spec import load_spec
from tianbao.template import TemplateOptions, write_template
from tianbao.validation import check_files
from tianbao.validation.feedback import FeedbackOptions, write_feedback_copies

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
A4 = (595.3, 841.9)  # points, portrait
PORTRAIT, LANDSCAPE = "portrait", "landscape"
# The 正文 (blank): its instructions and a tall cell for each part's text, to paste a page of Word into.
TEXT_PAGES = 3


@pytest.fixture(scope="module", autouse=True)
def poppler() -> None:
    if shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils (pdfinfo, pdftotext) is not installed, but CI must run these tests")
        pytest.skip("poppler-utils (pdfinfo, pdftotext) is not installed")


def county_roster(n: int) -> list[Unit]:
    return [Unit(f"150723{i:03d}", f"第{i}镇人民政府", "乡镇", "150723", i) for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Page]]:
    """The workbooks, printed in one LibreOffice run: the blank templates of both formats, a typical return
    copy (a sample with an unbalanced 表三) and the consolidated workbook of a county of 20 units."""
    root = tmp_path_factory.mktemp("printing")
    books: dict[str, Path] = {}
    books["blank2021"] = root / "blank2021.xlsx"
    write_template(load_spec("2021"), books["blank2021"], TemplateOptions(year=YEAR))
    books["blank2019"] = root / "blank2019.xlsx"
    write_template(load_spec("2019"), books["blank2019"], TemplateOptions(year=2020))

    roster = load_roster(SAMPLES / "roster.csv")
    run = check_files(
        [SAMPLES / "submissions" / "乌鲁布铁镇2022年度报表.xlsx"],
        CheckOptions(year=2022, roster=roster, jobs=1),
    )
    options = FeedbackOptions(root / "fb", date=dt.date(2026, 1, 20))
    (copy,) = write_feedback_copies(run.spec, [f.submission for f in run.report.files], options, year=2022)
    books["return"] = shutil.copyfile(copy.path, root / "return.xlsx")

    spec = load_spec("2021")
    units = county_roster(20)
    inbox = root / "回收"
    inbox.mkdir()
    for i, unit in enumerate(units[:-1]):  # the last unit sends nothing
        values: dict[str, object] = dict(balanced(i))
        if i in (3, 11):  # 表三 unbalanced in two columns: returned
            values["t3.new.np"] = float(values["t3.new.np"]) + 1  # type: ignore[arg-type]
            values["t3.new.ce"] = float(values["t3.new.ce"]) + 2  # type: ignore[arg-type]
        if i == 7:  # a blank cell: a warning
            values["t3.r2.ce"] = None
        make_file(spec, inbox, f"{unit.name}（{YEAR}年度报表）.xlsx", unit, {**values, **CONTACT})
    county = load_roster(write_roster(root / "名单.csv", units))
    merged = merge_files([inbox], CheckOptions(year=YEAR, roster=county, jobs=1), unit_name="鄂伦春自治旗")
    books["county"] = root / "汇总.xlsx"
    write_consolidated(merged, books["county"])
    pdfs = print_to_pdf(list(books.values()), root / "pdf")
    return {key: pdf_pages(pdf) for key, pdf in zip(books, pdfs, strict=True)}


def sheet_of(page: Page) -> str:
    """The sheet a page prints (the right part of its header)."""
    return page.header.split()[-1]


def by_sheet(pages: list[Page]) -> list[tuple[str, str, int]]:
    """(sheet, orientation, pages) of each sheet printed, in order."""
    out: list[tuple[str, str, int]] = []
    for page in pages:
        key = (sheet_of(page), orientation(page))
        if out and out[-1][:2] == key:
            out[-1] = (*key, out[-1][2] + 1)
        else:
            out.append((*key, 1))
    return out


def orientation(page: Page) -> str:
    assert sorted((round(page.width, 1), round(page.height, 1))) == sorted(A4), "not A4"
    return LANDSCAPE if page.landscape else PORTRAIT


def assert_well_printed(pages: list[Page], title: str) -> None:
    """Every page: the workbook in the header, “第 n 页，共 m 页” in the footer, something in between."""
    for n, page in enumerate(pages, start=1):
        assert page.header.startswith(title), (n, page.header)
        assert f"第 {n} 页，共 {len(pages)} 页" in page.text, (n, page.text[-200:])
        body = [line for line in page.text.splitlines()[1:] if line.strip() and "页，共" not in line]
        assert len(body) >= 2, f"page {n} is blank"


@pytest.mark.parametrize("key", ["blank2021", "blank2019"])
def test_blank_template_prints_a_page_a_sheet(printed: dict[str, list[Page]], key: str) -> None:
    pages = printed[key]
    year = 2025 if key == "blank2021" else 2020
    assert_well_printed(pages, f"{year}年度政府信息公开工作年度报告统计表")
    assert by_sheet(pages) == [
        ("封面", PORTRAIT, 1),  # narrow: fits a portrait page at full size
        ("正文", PORTRAIT, TEXT_PAGES),
        ("表二", PORTRAIT, 1),
        ("表三", LANDSCAPE, 1),
        ("表四", LANDSCAPE, 1),
        ("校验", LANDSCAPE, 1),
    ]
    t3 = pages[1 + TEXT_PAGES + 1].text
    assert "三、收到和处理政府信息公开申请情况" in t3
    assert "勾稽关系校验" in t3 and "未填写" in t3
    text = "".join(p.text for p in pages if sheet_of(p) == "正文")
    assert "填报说明" in text and "（五）监督保障" in text and "落款单位" in text


def test_return_copy_prints_a_page_a_sheet_the_list_first(printed: dict[str, list[Page]]) -> None:
    pages = printed["return"]
    assert_well_printed(pages, "乌鲁布铁镇人民政府")
    assert by_sheet(pages) == [
        ("封面", PORTRAIT, 1),
        ("问题清单", LANDSCAPE, 1),
        ("正文", PORTRAIT, TEXT_PAGES),
        ("表二", PORTRAIT, 1),
        ("表三", LANDSCAPE, 1),
        ("表四", LANDSCAPE, 1),
        ("校验", LANDSCAPE, 1),
    ]
    assert "退回修改（2026 年 1 月 20 日）" in pages[0].text
    listing = pages[1].text
    assert "问题清单" in listing and "如何修改" in listing and "rule-H3" in listing


def test_consolidated_workbook_of_20_units(printed: dict[str, list[Page]]) -> None:
    pages = printed["county"]
    assert_well_printed(pages, "鄂伦春自治旗")
    sheets = [sheet_of(p) for p in pages]
    per_sheet = Counter(sheets)
    assert list(dict.fromkeys(sheets)) == [
        "封面",
        "表二",
        "表三",
        "表四",
        "校验",
        "明细",
        "报送情况",
        "问题清单",
        "来源",
    ]
    # One page each, 报送情况 of the 20 units included; only 明细 (204 columns of numbers) takes more.
    assert {s: n for s, n in per_sheet.items() if s != "明细"} == dict.fromkeys(
        ["封面", "表二", "表三", "表四", "校验", "报送情况", "问题清单", "来源"], 1
    )
    detail = [p for p in pages if sheet_of(p) == "明细"]
    assert 2 <= len(detail) <= 24, len(detail)
    assert all(p.landscape for p in pages if sheet_of(p) not in ("封面", "表二"))
    for page in detail:  # the header row and the unit's code and name repeated on every page
        assert "单位代码" in page.text and "单位名称" in page.text
        assert "第1镇人民政府" in page.text and "第18镇人民政府" in page.text
    status = next(p for p in pages if sheet_of(p) == "报送情况").text
    assert all(f"第{i}镇人民政府" in status for i in range(1, 21))
    assert "未报送" in status and "退回" in status
    cover = pages[0].text
    assert "未计入：2 个单位退回，1 个单位未报送" in cover
