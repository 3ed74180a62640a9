"""tianbao import: what a county officer sees — a workbook per published report (values as printed, the printed
totals and the source in 原报告, stamped imported), a clear verdict for every file whatever it is, check on the
imported workbook (published-total-mismatch at the cell, with both numbers), merge and --previous taking
imported workbooks and published reports."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import import_corpus as ic
from tianbao.cli.main import app
from tianbao.consolidation import merge_files
from tianbao.filling.fill import fill_template
from tianbao.importing.report import read_report
from tianbao.importing.run import ImportOptions, import_files
from tianbao.importing.sheet import SOURCE_SHEET
from tianbao.options import CheckOptions
from tianbao.reading import read_submission
from tianbao.reading.previous import read_previous
from tianbao.roster import Roster, Unit
from tianbao.spec import load_spec
from tianbao.spec.layout import a1, cell_boxes
from tianbao.validation import check_files

runner = CliRunner()
SPEC = load_spec("2021")
SEED = Path(__file__).parent / "data" / "import" / "nuomin-2022-annual-report.txt"


def report(
    seed: int = 1, fmt: str = "2021", year: int = 2024, unit: str = "诺敏镇人民政府", wrong: float = 0.0
) -> ic.Report:
    """A report of random values that pass check's hard rules, its totals printed right (or not)."""
    spec = load_spec(fmt)
    rng = random.Random(seed)
    return ic.make_report(
        spec, rng, year=year, unit=unit, wrong=wrong, values=ic.consistent_values(spec, rng)
    )


def html(path: Path, rep: ic.Report, **kwargs: object) -> Path:
    path.write_bytes(ic.to_html(rep.page, **kwargs))  # type: ignore[arg-type]
    return path


def codes(issues: list) -> list[str]:  # type: ignore[type-arg]
    return [i.code for i in issues]


# --- reading a report -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("charset", "declare"),
    [("utf-8", True), ("gbk", True), ("gbk", False), ("gb18030", False), ("utf-8-sig", False)],
)
def test_pages_of_any_charset_are_read(tmp_path: Path, charset: str, declare: bool) -> None:
    rep = report()
    reading = read_report(html(tmp_path / "r.html", rep, charset=charset, declare=declare))
    ic_values = {c: reading.values[c] for c in rep.values}
    assert ic_values == rep.values
    assert reading.unit_name == "诺敏镇人民政府" and reading.year == 2024


def test_a_page_declaring_the_wrong_charset_is_read_by_its_bytes(tmp_path: Path) -> None:
    rep = report()
    data = ic.to_html(rep.page, charset="gbk", declare=False).replace(
        b"<head>", b'<head><meta charset="utf-8">'
    )
    reading = read_report(_write(tmp_path / "r.htm", data))
    assert reading.unit_name == "诺敏镇人民政府"
    assert {c: reading.values[c] for c in rep.values} == rep.values


def test_a_traditional_page_in_big5(tmp_path: Path) -> None:
    """A mirror site's 繁体 page in Big5: labels, title and unit read as Simplified; values as printed."""
    import zhconv

    rep = report(unit="诺敏镇人民政府")
    data = zhconv.convert(ic.to_html(rep.page).decode(), "zh-hant").encode("big5", errors="xmlcharrefreplace")
    reading = read_report(_write(tmp_path / "r.html", data))
    assert reading.unit_name == "诺敏镇人民政府" and reading.year == 2024
    assert {c: reading.values[c] for c in rep.values} == rep.values
    assert not reading.unreadable


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_format_detected_from_table_two(tmp_path: Path) -> None:
    """A 2022 report printed on the 2019 tables is imported in the 2019 format, with format-outdated; the
    2021 tables are the 2021 format; --format decides when given."""
    old = read_report(html(tmp_path / "old.html", report(fmt="2019", year=2022)))
    assert old.fmt == "2019" and "format-outdated" in codes(old.issues)
    new = read_report(html(tmp_path / "new.html", report(fmt="2021", year=2022)))
    assert new.fmt == "2021" and "format-outdated" not in codes(new.issues)
    forced = read_report(tmp_path / "old.html", fmt="2021")
    assert forced.fmt == "2021" and "format-outdated" not in codes(forced.issues)
    assert "import-unreadable" in codes(forced.issues)  # 表二's 2019 rows are not the 2021 rows


def test_year_and_unit_from_the_text_or_the_options(tmp_path: Path) -> None:
    lines = ic.text_lines(report(year=2023).page)[1:]  # no title: the period and the signature tell
    path = _write(tmp_path / "r.txt", "\n".join(lines).encode())
    reading = read_report(path)
    assert reading.year == 2023 and reading.unit_name == "诺敏镇人民政府"
    assert reading.identity.date == "2024-01-15"
    given = read_report(path, year=2022, unit_name="某某局")
    assert given.year == 2022 and given.unit_name == "某某局"
    without = [line for line in lines if "统计期限" not in line]
    unknown = _write(tmp_path / "u.txt", "\n".join(without).encode())
    assert codes(read_report(unknown).issues) == ["import-year-unknown"]
    (result,) = import_files([unknown], tmp_path / "导入").results
    assert result.output is None and result.status == "rejected"


def test_a_missing_table_is_said_and_left_blank(tmp_path: Path) -> None:
    rep = report()
    page = ic.Page(rep.page.title, rep.page.intro, rep.page.tables[:2], rep.page.closing)  # no 表四
    reading = read_report(_write(tmp_path / "r.html", ic.to_html(page)))
    missing = [i for i in reading.issues if i.code == "import-table-missing"]
    assert [(i.sheet, i.severity) for i in missing] == [("表四", "error")]
    assert reading.missing == ["t4"] and all(
        reading.values[c.id] is None for c in SPEC.table_cells("t4") if not c.computed
    )
    assert {c: reading.values[c] for c in rep.values if c.startswith("t3.")} == {
        c: v for c, v in rep.values.items() if c.startswith("t3.")
    }


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("空.html", b"", "文件是空的"),
        ("旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为 .docx"),
        ("图片.pdf.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "图片"),
        ("表格.xlsx", b"PK\x03\x04" + b"\0" * 100, "tianbao check"),
        ("损坏.docx", b"PK\x03\x04word/document.xml" + b"\0" * 50, "无法解析"),
        ("说明.rtf", b"{\\rtf1 hello}", "不支持的文件类型"),
    ],
)
def test_bad_files_get_a_clear_chinese_verdict(tmp_path: Path, name: str, data: bytes, said: str) -> None:
    reading = read_report(_write(tmp_path / name, data))
    assert not reading.readable
    assert codes(reading.issues) == ["report-unreadable"] and said in reading.issues[0].message


def test_a_scanned_pdf_without_text_is_a_clear_error(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.save(str(tmp_path / "扫描件.pdf"))
    reading = read_report(tmp_path / "扫描件.pdf")
    assert codes(reading.issues) == ["report-unreadable"]
    assert "PDF 中没有文字（可能是扫描件或图片）" in reading.issues[0].message


def test_the_seed_report(tmp_path: Path) -> None:
    """The published 2022 report of 诺敏镇 (鄂伦春自治旗), as copied from its page (tests/data/import/README.md):
    no title line — the year from the statistical period, the unit from the signature; every cell 0."""
    reading = read_report(SEED)
    assert (reading.fmt, reading.year, reading.unit_name) == ("2021", 2022, "鄂伦春自治旗诺敏镇人民政府")
    assert reading.identity.date == "2023-01-12"
    assert reading.issues == []
    assert set(reading.values.values()) == {"0"} and set(reading.values) == set(SPEC.input_ids)
    assert set(reading.published.values()) == {"0"}


# --- the imported workbook --------------------------------------------------------------------------------
def test_the_workbook_holds_the_values_as_printed_and_the_source(tmp_path: Path) -> None:
    truth = report()
    src = html(tmp_path / "诺敏镇.html", truth)
    before = src.read_bytes()
    run = import_files([src], tmp_path / "导入", ImportOptions(unit_code="150723107"))
    assert src.read_bytes() == before  # inputs are never modified
    (result,) = run.results
    assert result.output == str(tmp_path / "导入" / "诺敏镇.html.xlsx") and result.status == "accepted"
    sub = read_submission(result.output)
    assert sub.kind == "imported" and sub.unit_code == "150723107" and sub.unit_name == "诺敏镇人民政府"
    assert sub.year == 2024
    wb = openpyxl.load_workbook(result.output)
    boxes = cell_boxes(SPEC)
    for cell_id, text in truth.values.items():
        sheet, box = boxes[cell_id]
        value = wb[sheet].cell(box.row + 1, box.col + 1).value
        if text is None or text in ("/", "—"):
            assert value == text, cell_id  # blank stays blank, a dash as printed
        else:
            assert isinstance(value, int | float) and value == float(text), cell_id
    facts = {row[0].value: row[1].value for row in wb[SOURCE_SHEET].iter_rows(min_row=2, max_row=6)}
    assert facts["文件"] == "诺敏镇.html" and facts["类型"] == "HTML 网页"
    assert facts["SHA-256"] == hashlib.sha256(before).hexdigest()
    printed = {
        r[0].value: r[4].value for r in wb[SOURCE_SHEET].iter_rows(min_row=8) if r[0].value in SPEC.cells
    }
    assert printed == truth.totals
    wb.close()


def test_outputs_are_deterministic(tmp_path: Path) -> None:
    folder = tmp_path / "报告"
    folder.mkdir()
    for k in range(3):
        html(folder / f"{k}.html", report(seed=k))
    import_files([folder], tmp_path / "a", jobs=1)
    import_files([folder], tmp_path / "b", jobs=1)
    for k in range(3):
        assert (tmp_path / "a" / f"{k}.html.xlsx").read_bytes() == (
            tmp_path / "b" / f"{k}.html.xlsx"
        ).read_bytes()


# --- check on imported workbooks --------------------------------------------------------------------------
def test_check_compares_every_printed_total(tmp_path: Path) -> None:
    """A report whose （七）总计 of 自然人 is printed one more than its parts: an error at that cell, quoting
    both numbers; the other totals agree."""
    rep = report(seed=3)
    texts = dict(rep.totals)
    for table in rep.page.tables:
        for row in table.rows:
            for cell in row:
                if cell.cell_id == "t3.r7.np":
                    cell.text = str(int(float(texts["t3.r7.np"] or 0)) + 1)
    src = html(tmp_path / "r.html", rep)
    run = import_files([src], tmp_path / "导入", ImportOptions(unit_code="150723107"))
    check = check_files([run.results[0].output], CheckOptions(year=2024))
    issues = check.report.files[0].submission.issues
    mismatch = [i for i in issues if i.code == "published-total-mismatch"]
    sheet, box = cell_boxes(SPEC)["t3.r7.np"]
    assert [(i.cell_id, i.sheet, i.cell, i.severity) for i in mismatch] == [
        ("t3.r7.np", sheet, a1(box.row, box.col), "error")
    ]
    printed, recomputed = int(float(texts["t3.r7.np"] or 0)) + 1, int(float(texts["t3.r7.np"] or 0))
    assert f"报告中公布为 {printed}，按分项重新计算为 {recomputed}" in mismatch[0].message
    assert "meta-missing" not in codes(issues)  # a report names no 填报人


def test_check_repeats_what_the_import_could_not_read_until_it_is_filled(tmp_path: Path) -> None:
    rep = report(seed=4)
    page = ic.dropped_empty(rep.page)
    src = _write(tmp_path / "r.html", ic.to_html(page))
    out = import_files([src], tmp_path / "导入", ImportOptions(unit_code="150723107")).results[0]
    unreadable = set(out.reading.unreadable)
    assert unreadable
    sub = read_submission(out.output)  # type: ignore[arg-type]
    said = {i.cell_id for i in sub.issues if i.code == "import-unreadable"}
    assert said == unreadable and unreadable & set(SPEC.input_ids) <= set(sub.invalid)
    assert not {i.cell_id for i in sub.issues if i.code == "value-blank"} & unreadable
    # No printed total is compared over a cell that could not be read.
    over = SPEC.unusable(unreadable)
    assert not {i.cell_id for i in sub.issues if i.code == "published-total-mismatch"} & over
    cell = sorted(c for c in unreadable if c in SPEC.input_ids)[0]
    fixed = tmp_path / "核实后.xlsx"
    fill_template(out.output, {cell: rep.values[cell] or 0}, fixed)  # type: ignore[arg-type]
    again = read_submission(fixed)
    assert cell not in {i.cell_id for i in again.issues if i.code == "import-unreadable"}
    assert cell not in again.invalid


# --- the command ------------------------------------------------------------------------------------------
def test_the_command_walks_folders_and_gives_every_file_a_verdict(tmp_path: Path) -> None:
    folder = tmp_path / "公开报告"
    (folder / "乡镇").mkdir(parents=True)
    html(folder / "乡镇" / "诺敏镇.html", report(seed=1))
    (folder / "乡镇" / "古里乡.txt").write_bytes(ic.to_text(report(seed=2, unit="古里乡人民政府").page))
    _write(folder / "旧报告.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    _write(folder / "~$诺敏镇.docx", b"lock")
    result = runner.invoke(app, ["import", str(folder), "-o", str(tmp_path / "导入"), "--json"])
    assert result.exit_code == 1  # a file could not be imported
    data = json.loads(result.stdout)
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert set(files) == {"诺敏镇.html", "古里乡.txt", "旧报告.doc"}
    assert files["旧报告.doc"]["status"] == "rejected" and files["旧报告.doc"]["output"] is None
    town = files["诺敏镇.html"]
    assert town["output"] == str(tmp_path / "导入" / "乡镇" / "诺敏镇.html.xlsx")
    assert (town["format"], town["year"], town["unit"]["name"], town["kind"]) == (
        "2021",
        2024,
        "诺敏镇人民政府",
        "html",
    )
    assert town["cells"] == {
        "read": sum(v is not None for v in report(seed=1).values.values()),
        "blank": sum(v is None for v in report(seed=1).values.values()),
        "unreadable": 0,
    }
    assert files["古里乡.txt"]["unit"]["name"] == "古里乡人民政府"
    assert [Path(i["path"]).name for i in data["ignored"]] == ["~$诺敏镇.docx"]
    again = runner.invoke(app, ["import", str(folder / "乡镇"), "-o", str(tmp_path / "导入2")])
    assert again.exit_code == 0, again.output
    assert "已导入 2，未导入 0" in again.output


def test_the_command_refuses_a_file_as_the_output_folder(tmp_path: Path) -> None:
    src = html(tmp_path / "r.html", report())
    result = runner.invoke(app, ["import", str(src), "-o", str(tmp_path / "导入.xlsx")])
    assert result.exit_code == 2 and "像是一个文件名" in result.output


# --- merge and --previous ---------------------------------------------------------------------------------
ROSTER = Roster(
    (
        Unit("150723", "鄂伦春自治旗人民政府", "旗县", None, 2),
        Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 3),
        Unit("150723108", "古里乡人民政府", "乡镇", "150723", 4),
    ),
    "名单.csv",
)


def test_merge_takes_imported_workbooks(tmp_path: Path) -> None:
    a, b = report(seed=5), report(seed=6, unit="古里乡人民政府")
    out = tmp_path / "导入"
    import_files([html(tmp_path / "a.html", a)], out, ImportOptions(unit_code="150723107"))
    import_files([html(tmp_path / "b.html", b)], out, ImportOptions(unit_code="150723108"))
    result = merge_files([out], CheckOptions(year=2024, roster=ROSTER), unit_code="150723")
    assert [m.unit_code for m in result.members] == ["150723107", "150723108"]
    for cell_id in ("t3.new.np", "t4.review.maintain", "t2.fees.amount_wan", "t3.r7.tot"):
        expected = sum(ic._as_number((r.values | r.totals)[cell_id]) for r in (a, b))
        assert result.totals[cell_id] == pytest.approx(expected), cell_id


def test_units_found_in_the_roster_by_their_names(tmp_path: Path) -> None:
    """import --roster: each report's unit by the name it gives (the roster's name, code and type in the
    workbook), so that the imported folder is merged as it is; a name the roster lacks is said."""
    folder = tmp_path / "报告"
    folder.mkdir()
    a, b = report(seed=12, unit="鄂伦春自治旗诺敏镇人民政府"), report(seed=13, unit="古里乡人民政府")
    html(folder / "a.html", a)
    html(folder / "b.html", b)
    html(folder / "c.html", report(seed=14, unit="某某局"))
    run = import_files([folder], tmp_path / "导入", ImportOptions(roster=ROSTER))
    units = {Path(r.reading.path).name: (r.unit_code, r.reading.unit_name) for r in run.results}
    assert units == {
        "a.html": ("150723107", "诺敏镇人民政府"),
        "b.html": ("150723108", "古里乡人民政府"),
        "c.html": ("", "某某局"),
    }
    assert "import-unit-not-in-roster" in codes(run.results[2].reading.issues)
    merged = merge_files([tmp_path / "导入"], CheckOptions(year=2024, roster=ROSTER), unit_code="150723")
    assert [m.unit_code for m in merged.members] == ["150723107", "150723108"]
    assert merged.totals["t3.new.np"] == sum(ic._as_number(r.values["t3.new.np"]) for r in (a, b))


def test_previous_takes_an_imported_workbook_or_the_published_report(tmp_path: Path) -> None:
    """Last year's report of 诺敏镇: imported, or the page itself. Either gives 2024's values for 2025's S1;
    the page names no code, so the unit is found by its name."""
    last = report(seed=7, year=2024)
    page = html(tmp_path / "2024.html", last)
    imported = import_files([page], tmp_path / "导入", ImportOptions(unit_code="150723107")).results[0].output
    expected = {c: ic._as_number(v) for c, v in last.values.items() if c.startswith("t3.fwd.")}
    by_code = read_previous(imported, SPEC, year=2025)  # type: ignore[arg-type]
    assert {c: by_code.values("150723107")[c] for c in expected} == expected  # type: ignore[index]
    by_name = read_previous(page, SPEC, year=2025)
    assert by_name.values("150723107") is None
    assert {c: by_name.values("150723107", "诺敏镇人民政府")[c] for c in expected} == expected  # type: ignore[index]
    assert by_name.values_for("", 2025, " 诺敏镇 人民政府")[  # type: ignore[index]
        "t3.fwd.tot"
    ] == sum(expected.values())
    with pytest.raises(Exception, match="2024 年度"):
        read_previous(page, SPEC, year=2026)


def test_previous_leaves_out_what_the_report_does_not_say(tmp_path: Path) -> None:
    last = report(seed=8, year=2024)
    page = _write(tmp_path / "2024.html", ic.to_html(ic.dropped_empty(last.page)))
    reading = read_report(page)
    prev = read_previous(page, SPEC, year=2025)
    values = prev.values("", "诺敏镇人民政府")
    assert values is not None
    assert not set(reading.unreadable) & set(values)
    assert not SPEC.unusable(set(reading.unreadable)) & set(values)


def test_check_previous_with_the_published_report(tmp_path: Path) -> None:
    """check --previous 2024年报告.html: S1 compares 2025's 上年结转 with the 结转下年度 the page printed (the
    unit found by its name: the page names no code)."""
    last = report(seed=9, year=2024)
    values = ic.random_values(SPEC, random.Random(10))
    for c in ("np", "ce", "ri", "spo", "lso", "oth"):
        values[f"t3.carry.{c}"] = last.values[f"t3.fwd.{c}"]
    values["t3.carry.np"] = str(int(ic._as_number(last.values["t3.fwd.np"])) + 2)
    this = ic.make_report(SPEC, random.Random(10), year=2025, values=values)
    page = html(tmp_path / "2024年报告.html", last)
    out = import_files([html(tmp_path / "2025.html", this)], tmp_path / "导入").results[0].output
    result = runner.invoke(app, ["check", str(out), "--previous", str(page), "--json"])
    data = json.loads(result.stdout)
    s1 = sorted(i["cell_id"] for f in data["files"] for i in f["issues"] if i["code"] == "rule-S1")
    assert s1 == ["t3.carry.np", "t3.carry.tot"]


def test_template_previous_with_the_published_report(tmp_path: Path) -> None:
    page = html(tmp_path / "2024年报告.html", report(seed=11, year=2024))
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位代码,单位名称,单位类型,上级单位代码\n150723107,诺敏镇人民政府,乡镇,150723\n", "utf-8-sig"
    )
    result = runner.invoke(
        app,
        [
            "template",
            "--year",
            "2025",
            "--roster",
            str(roster),
            "--previous",
            str(page),
            "-o",
            str(tmp_path / "模板"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "其中 1 个带有上年数据" in result.output


def test_seed_imported_and_checked(tmp_path: Path) -> None:
    copy = tmp_path / SEED.name
    shutil.copyfile(SEED, copy)
    run = import_files([copy], tmp_path / "导入", ImportOptions(unit_code="150723107"))
    (result,) = run.results
    check = check_files([result.output], CheckOptions(year=2022))
    issues = check.report.files[0].submission.issues
    assert "published-total-mismatch" not in codes(issues) and "import-unreadable" not in codes(issues)
