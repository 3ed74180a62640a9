"""The 正文 sheet: written after 封面 from the spec's text part, read back with both readers identically —
long texts as shared strings (plain and rich) and inline strings (plain and rich), beyond Excel's cell limit,
at the reading limits — checked like a table sheet when present, and optional: a workbook without it (a
template of before) is accepted as it was."""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import make_fixtures as fx
import openpyxl
import pytest

from tianbao.cells import clean_text
from tianbao.reading import Limits, Submission, read_submission
from tianbao.reading.fast_backend import FastBackend
from tianbao.reading.openpyxl_backend import OpenpyxlBackend
from tianbao.spec import load_spec
from tianbao.spec.layout import a1
from tianbao.spec.text_layout import text_layout
from tianbao.template import TemplateOptions, write_template
from tianbao.validation import check_files
from tianbao.validation.feedback import RETURN, write_feedback
from wellformed import assert_well_formed

SPEC = load_spec("2021")
LAYOUT = text_layout(SPEC)
assert LAYOUT is not None
ACTIVE = "text.overview.active"
# A long text as Word gives it: paragraphs, full-width spaces indenting them, Latin and digits, XML specials.
LONG = "\n".join(
    f"\u3000\u3000第{i}段：本机关主动公开政府信息 {i * 7} 条，涉及 <规划> & “计划”等内容。" * 12
    for i in range(1, 40)
)
BEFORE = Path(__file__).parent / "data" / "text" / "before-text-sheet.xlsx"


def read_both(path: Path, **kwargs: Any) -> Submission:
    """The submission as both readers read it (they must agree); the fast reader must not hand it over."""
    fast = FastBackend()
    ref = read_submission(path, backend=OpenpyxlBackend(), expected_year=fx.YEAR, **kwargs)
    got = read_submission(path, backend=fast, expected_year=fx.YEAR, **kwargs)
    assert got == ref
    return ref


def rewrite(path: Path, member: str, change: Any) -> Path:
    return fx.rewrite(path, member, change)


# --- the template ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("text") / "template.xlsx"
    write_template(SPEC, path, TemplateOptions(year=fx.YEAR, unit=fx.UNIT))
    return path


def test_the_sheet_follows_the_cover(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[:3] == ["封面", "正文", "表二"]
    ws = wb["正文"]
    assert ws.protection.sheet and ws.protection.formatRows is False  # False: rows may be resized
    assert ws.protection.formatColumns is True  # columns may not


def test_labels_are_the_spec_s(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["正文"]
    texts = {lab.text for lab in LAYOUT.labels}
    assert {
        "一、总体情况",
        "（一）主动公开",
        "五、存在的主要问题及改进情况",
        "收取信息处理费情况",
        "成文日期",
    } <= texts
    for lab in LAYOUT.labels:
        assert ws.cell(lab.box.row + 1, lab.box.col + 1).value == lab.text
    assert str(ws.cell(3, 1).value).startswith("填报说明\n1. 本表填写年度报告的文字部分")


def test_text_cells_take_pasted_text(template: Path) -> None:
    """Unlocked, wrapped, top-aligned, text format (a date stays as typed), tall; the cell below every long
    one is locked, so a paste spread over rows is refused rather than written over the next section."""
    ws = openpyxl.load_workbook(template)["正文"]
    for cell_id, box in LAYOUT.cells.items():
        cell = ws.cell(box.row + 1, box.col + 1)
        assert cell.protection.locked is False, cell_id
        assert cell.alignment.wrap_text and cell.number_format == "@", cell_id
        if LAYOUT.text.cells[cell_id].size == "long":
            assert cell.alignment.vertical == "top" and ws.row_dimensions[box.row + 1].height >= 150
            below = ws.cell(box.row + 2, box.col + 1)
            assert below.protection.locked is not False, f"{cell_id}: the cell below must be locked"
    names = openpyxl.load_workbook(template).defined_names
    assert names["text_overview_active"].attr_text == f"'正文'!$B${LAYOUT.cells[ACTIVE].row + 1}"


def test_without_the_sheet(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(SPEC, path, TemplateOptions(year=fx.YEAR, text=False))
    assert "正文" not in openpyxl.load_workbook(path).sheetnames


# --- reading ---------------------------------------------------------------------------------------------


def test_text_round_trip_as_inline_strings(tmp_path: Path) -> None:
    """fill (openpyxl) writes inline strings; both readers read the text, cleaned as `clean_text` says."""
    path = fx.filled(tmp_path / "t.xlsx", {ACTIVE: LONG, "text.problems": "  问题。\r\n\r\n\r\n改进。  "})
    sub = read_both(path)
    assert sub.issues == []
    assert sub.text == {ACTIVE: clean_text(LONG), "text.problems": "问题。\n\n改进。"}
    assert sub.text[ACTIVE].startswith("第1段") and "<规划> & “计划”" in sub.text[ACTIVE]


def _shared(tmp_path: Path, text: str) -> Path:
    """A workbook whose text is in the shared strings table (xlsxwriter writes one)."""
    template = tmp_path / "shared.xlsx"
    write_template(SPEC, template, TemplateOptions(year=fx.YEAR, unit=fx.UNIT, prefill={ACTIVE: text}))
    return template


def test_text_round_trip_as_shared_strings(tmp_path: Path) -> None:
    sub = read_both(_shared(tmp_path, LONG))
    assert sub.text == {ACTIVE: clean_text(LONG)}


def test_text_as_rich_shared_strings(tmp_path: Path) -> None:
    """Word's formatting survives a paste as runs of rich text (Excel, WPS save them so)."""
    path = _shared(tmp_path, "第一段加粗。\n第二段")

    def rich(xml: bytes) -> bytes:
        new, n = re.subn(
            "<si><t>第一段加粗。\n第二段</t></si>".encode(),
            '<si><r><rPr><b/><sz val="10"/><rFont val="宋体"/></rPr><t>第一段加粗。</t></r>'
            '<r><rPr><sz val="10"/><rFont val="Times New Roman"/></rPr><t xml:space="preserve">\n第二段</t></r></si>'.encode(),
            xml,
        )
        assert n == 1
        return new

    sub = read_both(rewrite(path, "xl/sharedStrings.xml", rich))
    assert sub.text == {ACTIVE: "第一段加粗。\n第二段"}


def _inline(tmp_path: Path, cell_id: str, body: str, values: dict[str, Any] | None = None) -> Path:
    """The workbook (filled with `values`) with `cell_id` holding an inline string of `body` (raw XML inside
    <is>)."""
    path = fx.filled(tmp_path / "inline.xlsx", {cell_id: "x", **(values or {})})
    ref = a1(LAYOUT.cells[cell_id].row, LAYOUT.cells[cell_id].col)

    def change(xml: bytes) -> bytes:
        new, n = re.subn(
            rf'(<c r="{ref}"[^>]*t="inlineStr">)<is><t>x</t></is>'.encode(),
            rb"\1<is>" + body.encode() + b"</is>",
            xml,
        )
        assert n == 1
        return new

    return rewrite(path, fx.sheet_part("正文"), change)


def test_text_as_a_rich_inline_string(tmp_path: Path) -> None:
    path = _inline(tmp_path, ACTIVE, "<r><rPr><b/></rPr><t>粗体</t></r><r><t>正文</t></r>")
    assert read_both(path).text == {ACTIVE: "粗体正文"}


def test_text_beyond_excel_s_cell_limit(tmp_path: Path) -> None:
    """No spreadsheet program writes it; another program may. Read whole, and warned about."""
    text = "超" * 40_000
    path = _inline(tmp_path, "text.other", f"<t>{text}</t>")
    sub = read_both(path)
    assert sub.text == {"text.other": text}
    run = check_files([path])
    codes = [i.code for i in run.report.files[0].issues]
    assert "text-cell-too-long" in codes


def test_a_full_text_within_the_shared_strings_limit(tmp_path: Path) -> None:
    """Every text cell at Excel's 32,767 characters (three bytes each in UTF-8): about 1.5 MB of shared
    strings, well within the default limit of 10 MB; a lower limit refuses the file and names its option."""
    rng = random.Random(13)  # text as varied as writing: a repeated character compresses like a zip bomb
    full = {cid: "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(32_767)) for cid in LAYOUT.cells}
    path = tmp_path / "full.xlsx"
    write_template(SPEC, path, TemplateOptions(year=fx.YEAR, unit=fx.UNIT, prefill=full))
    with zipfile.ZipFile(path) as z:
        size = z.getinfo("xl/sharedStrings.xml").file_size
    assert 1_400_000 < size < Limits().max_shared_strings
    sub = read_both(path)
    assert sub.text == full
    refused = read_both(path, limits=Limits(max_shared_strings=1024 * 1024))
    assert [i.code for i in refused.issues] == ["file-too-large"]
    assert "--max-shared-strings" in refused.issues[0].message


def test_a_date_typed_into_the_date_cell(tmp_path: Path) -> None:
    path = fx.filled(tmp_path / "d.xlsx", {"text.closing.date": dt.datetime(2026, 1, 15)})
    assert read_both(path).text == {"text.closing.date": "2026年1月15日"}


def test_escapes_and_what_xml_cannot_hold(tmp_path: Path) -> None:
    """Excel saves Word's manual line break (pasted into a cell) as _x000B_; a control character or a lone
    surrogate may come as an escape too. Both readers read the text as the unit wrote it — a line break, a
    space for a control character, U+FFFD for a surrogate, as `xml_text` writes every text — and the
    退回修改 copy, which writes the text again, is well-formed and holds the same text."""
    body = "<t>问题_x000B_改进_x0001_措施_xD800_。</t>"
    path = _inline(tmp_path, "text.problems", body, {"t3.fwd.np": 2})  # H3 broken: sent back
    assert read_both(path).text == {"text.problems": "问题\n改进 措施\ufffd。"}
    sub = check_files([path]).report.files[0].submission
    assert sub.has_errors
    copy = write_feedback(SPEC, sub, tmp_path / "back.xlsx", RETURN, year=fx.YEAR, date=dt.date(2026, 1, 20))
    assert_well_formed(copy)
    assert read_submission(copy).text == sub.text


def test_protection_removed_from_the_text_sheet(tmp_path: Path) -> None:
    """The 正文 is checked as a table sheet: its protection keeps its labels and layout."""

    def change(wb: Any) -> None:
        wb["正文"].protection.sheet = False

    sub = read_both(fx.edit(fx.filled(tmp_path / "p.xlsx"), change))
    assert [(i.code, i.sheet) for i in sub.issues] == [("protection-removed", "正文")]


def test_a_changed_label_is_reported(tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        wb["正文"].protection.sheet = True
        box = LAYOUT.labels[5].box
        wb["正文"].cell(box.row + 1, box.col + 1).value = "（一）主动公开情况说明"

    sub = read_both(fx.edit(fx.filled(tmp_path / "l.xlsx"), change))
    assert [(i.code, i.sheet) for i in sub.issues] == [("label-changed", "正文")]


# --- workbooks without the sheet ---------------------------------------------------------------------------


def test_a_template_of_before_is_accepted_as_before() -> None:
    """tests/data/text/before-text-sheet.xlsx is a template made without the 正文 (byte-identical to the
    templates tianbao wrote before the sheet existed): no issue, no text."""
    sub = read_both(BEFORE, roster=fx.ROSTER, expected_spec=SPEC)
    assert sub.issues == [] and sub.readable and sub.text is None
    assert sub.values["t3.new.np"] == 3


def test_a_blank_text_is_no_issue(tmp_path: Path) -> None:
    sub = read_both(fx.filled(tmp_path / "b.xlsx"))
    assert sub.issues == [] and sub.text == {}


def test_feedback_keeps_the_text(tmp_path: Path) -> None:
    path = fx.filled(tmp_path / "f.xlsx", {ACTIVE: LONG, "t3.fwd.np": 2})  # H3 broken: sent back
    run = check_files([path])
    sub = run.report.files[0].submission
    assert sub.has_errors
    copy = write_feedback(SPEC, sub, tmp_path / "back.xlsx", RETURN, year=fx.YEAR, date=dt.date(2026, 1, 20))
    assert read_submission(copy).text == {ACTIVE: clean_text(LONG)}
