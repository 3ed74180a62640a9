"""The report as a page and as a Word document: the tables exactly as the format's (the HTML parsed back, the
.docx read back with python-docx: merges, header rows), the 公文 layout (A4, margins, 黑体/楷体 headings,
仿宋 body), placeholders for what is not written, nothing external, the same bytes every time."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm

from seed import UNIT, YEAR, seed_text
from test_report_grid import T2_2021, T4, structure, t3_rows
from tianbao.report.document import PLACEHOLDER, ReportDocument, build_report
from tianbao.report.grid import table_grids
from tianbao.report.html_page import report_html
from tianbao.report.word import report_docx
from tianbao.spec import load_spec

SPEC = load_spec("2021")


def values() -> dict[str, float | None]:
    out: dict[str, float | None] = {c: float(i % 7) for i, c in enumerate(SPEC.cells)}
    out["t2.fees.amount_wan"] = 0.038
    out["t3.new.ce"] = None  # left blank: printed blank
    return out


def seed_doc(text: dict[str, str] | None = None) -> ReportDocument:
    return build_report(
        SPEC, unit=UNIT, year=YEAR, text=seed_text() if text is None else text, values=values()
    )


# --- the document ------------------------------------------------------------------------------------------


def test_a_whole_report_has_nothing_missing() -> None:
    doc = seed_doc()
    assert doc.title_text == "鄂伦春自治旗诺敏镇人民政府2022年政府信息公开工作年度报告"
    heads = [b.text for b in doc.blocks if b.kind == "heading"]
    assert heads == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    subs = [b.text for b in doc.blocks if b.kind == "subheading"]
    assert subs == [
        "（一）主动公开",
        "（二）依申请公开",
        "（三）政府信息管理",
        "（四）政府信息公开平台建设",
        "（五）监督保障",
    ]
    assert doc.missing == ("开头·报告下载",)  # the report gives no download address
    assert [r.text for p in doc.signature for r in p] == [UNIT, "2023年1月12日"]


def test_the_opening_from_the_spec_and_the_text() -> None:
    doc = build_report(SPEC, unit="诺敏镇人民政府", year=2025, text={}, values={})
    first = doc.blocks[0].text
    assert first.startswith(
        "本报告根据《中华人民共和国政府信息公开条例》第五十条和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）的要求编制。"
    )
    assert (
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、" in first
        and "六部分。" in first
    )
    assert first.endswith("本报告中所列数据的统计期限为2025年1月1日至2025年12月31日。")
    assert doc.title_text == "诺敏镇人民政府2025年政府信息公开工作年度报告"


def test_what_is_missing_is_marked_and_listed() -> None:
    doc = build_report(
        SPEC, unit="诺敏镇人民政府", year=2025, text={"text.overview.active": "公开了。"}, values={}
    )
    assert doc.missing == (
        "开头·报告下载",
        "开头·联系方式",
        "一、总体情况（二）依申请公开",
        "一、总体情况（三）政府信息管理",
        "一、总体情况（四）政府信息公开平台建设",
        "一、总体情况（五）监督保障",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
        "落款·成文日期",
    )
    marked = [r.text for b in doc.blocks for r in b.runs if r.missing]
    assert PLACEHOLDER.format(label="（二）依申请公开") in marked
    assert PLACEHOLDER.format(label="五、存在的主要问题及改进情况") in marked


def test_a_part_written_in_one_piece() -> None:
    """一、总体情况 given whole in its own cell (as an imported report may be): its sub-sections are not
    missing; 六 without its fee statement is."""
    text = {"text.overview": "全年主动公开信息120条，未收到申请。", "text.other": "无其他事项。"}
    doc = build_report(SPEC, unit="某局", year=2025, text=text, values={})
    assert not [m for m in doc.missing if m.startswith("一、")]
    assert "六、其他需要报告的事项（收取信息处理费情况）" in doc.missing


def test_the_unit_s_own_headings_are_not_doubled() -> None:
    text = {
        "text.overview.active": "（一）主动公开情况\n本年主动公开信息120条。",
        "text.problems": "五、存在的主要问题及改进情况\n问题。",
    }
    doc = build_report(SPEC, unit="某局", year=2025, text=text, values={})
    texts = [(b.kind, b.text) for b in doc.blocks]
    assert ("subheading", "（一）主动公开情况") in texts and ("subheading", "（一）主动公开") not in texts
    assert [t for k, t in texts if k == "heading" and t.startswith("五、")] == [
        "五、存在的主要问题及改进情况"
    ]


def test_a_workbook_without_text() -> None:
    doc = build_report(SPEC, unit="某局", year=2025, text=None, values={})
    assert not doc.has_text
    assert doc.missing == (  # a part wholly blank is missing as a whole
        "开头·报告下载",
        "开头·联系方式",
        "一、总体情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
        "落款·成文日期",
    )


# --- HTML -------------------------------------------------------------------------------------------------


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[str] = []
        self.depth = 0
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend(attrs)


def test_the_page_s_tables_are_the_format_s() -> None:
    html = report_html(seed_doc())
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert [structure(t) for t in tables] == [T2_2021, t3_rows("2021"), T4]


def test_the_page_is_self_contained() -> None:
    html = report_html(seed_doc())
    p = _Tables()
    p.feed(html)
    assert not p.tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert not [v for k, v in p.attrs if k in ("src", "href")]
    assert "url(" not in html and "@import" not in html and "http" not in html.split("<body>")[0]
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert "@page { size: A4 portrait;" in html and "display: table-header-group" in html


def test_the_page_escapes_the_text() -> None:
    doc = seed_doc(
        {"text.overview.active": "<script>alert(1)</script> & “引号”", "text.title.unit": "A&B<局>"}
    )
    html = report_html(doc)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; “引号”" in html
    assert "<title>A&amp;B&lt;局&gt;2022年政府信息公开工作年度报告</title>" in html


def test_placeholders_in_the_page() -> None:
    html = report_html(build_report(SPEC, unit="某局", year=2025, text={}, values={}))
    assert '<span class="tianbao-missing">【待填写：成文日期】</span>' in html


def test_blank_is_printed_blank() -> None:
    html = report_html(seed_doc())
    t3 = re.findall(r"<table.*?</table>", html, re.S)[1]
    first_row = re.findall(r"<tr>.*?</tr>", t3, re.S)[3]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", first_row)[1] == ""  # t3.new.ce: blank, not 0


# --- Word -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def word() -> docx.document.Document:
    return docx.Document(io.BytesIO(report_docx(seed_doc())))


def east_asian(run: object) -> str | None:
    fonts = run._element.rPr.rFonts  # type: ignore[attr-defined]
    return fonts.get(qn("w:eastAsia"))


def test_word_page_is_a4_with_official_margins(word: docx.document.Document) -> None:
    s = word.sections[0]
    assert (round(s.page_width.cm, 1), round(s.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(x.cm, 1) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        3.7,
        3.5,
        2.8,
        2.6,
    ]
    footer = "".join(r.text for r in s.footer.paragraphs[0].runs)
    assert footer.startswith("— ") and footer.endswith(" —")
    assert 'w:instrText xml:space="preserve">PAGE<' in s.footer.paragraphs[0]._p.xml


def test_word_headings_and_body_fonts(word: docx.document.Document) -> None:
    paragraphs = [p for p in word.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.text == "鄂伦春自治旗诺敏镇人民政府2022年政府信息公开工作年度报告"
    assert east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    h1 = [p for p in paragraphs if p.style.name == "Heading 1"]
    h2 = [p for p in paragraphs if p.style.name == "Heading 2"]
    assert h1[0].text == "一、总体情况" and len(h1) == 6 and len(h2) == 5
    assert all(east_asian(r) == "黑体" for p in h1 for r in p.runs)
    assert all(east_asian(r) == "楷体" for p in h2 for r in p.runs)
    body = [p for p in paragraphs[1:] if p.style.name == "Normal"]
    assert body and all(east_asian(r) == "仿宋" and r.font.size.pt == 16 for p in body for r in p.runs)
    assert body[0].paragraph_format.first_line_indent.pt == 32  # two characters
    assert word.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0, 0, 0)


def _merged(table: object) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell of a Word table → (rowspan, colspan) of the merged cell starting there."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    grid = [[table.cell(r, c)._tc for c in range(len(table.columns))] for r in range(len(table.rows))]  # type: ignore[attr-defined]
    seen: set[int] = set()
    for r, row in enumerate(grid):
        for c, tc in enumerate(row):
            if id(tc) in seen:
                continue
            seen.add(id(tc))
            cols = sum(1 for x in row if x is tc)
            rows = sum(1 for other in grid if other[c] is tc)
            out[r, c] = (rows, cols)
    return out


def test_word_tables_are_merged_as_the_format(word: docx.document.Document) -> None:
    tables = word.tables
    assert len(tables) == 3
    for table, grid in zip(tables, table_grids(SPEC), strict=True):
        assert (len(table.rows), len(table.columns)) == (grid.n_rows, grid.n_cols)
        spans = _merged(table)
        assert spans == {(c.row, c.col): (c.rowspan, c.colspan) for c in grid.cells}
        for c in grid.cells:
            if c.is_header:
                assert table.cell(c.row, c.col).text == c.text
    t3 = tables[1]
    assert (
        t3.cell(0, 0).text.startswith("（本列数据的勾稽关系为")
        and t3.cell(3, 0).text == "一、本年新收政府信息公开申请数量"
    )
    assert t3.cell(3, 4).text == "" and t3.cell(3, 3).text != ""  # t3.new.ce blank, t3.new.np printed
    assert tables[0].cell(13, 1).text == "0.038"


def test_word_table_headers_repeat_and_rows_do_not_split(word: docx.document.Document) -> None:
    t3 = word.tables[1]
    flags = [(r._tr.xml.count("<w:tblHeader"), r._tr.xml.count("<w:cantSplit")) for r in t3.rows]
    assert flags[:3] == [(1, 1)] * 3 and all(f == (0, 1) for f in flags[3:])
    assert "<w:tblHeader" not in word.tables[0]._tbl.xml  # 表二: four sub-tables, no repeated header


def test_word_tables_fit_the_text_width(word: docx.document.Document) -> None:
    for table in word.tables:
        total = sum(col.width for col in table.columns)
        assert abs(total - Cm(21.0 - 2.8 - 2.6)) < Cm(0.05)


def test_word_placeholders_stand_out() -> None:
    d = docx.Document(io.BytesIO(report_docx(build_report(SPEC, unit="某局", year=2025, text={}, values={}))))
    runs = [r for p in d.paragraphs for r in p.runs if r.text.startswith("【待填写")]
    assert len(runs) == 6
    assert all(r.font.bold and r.font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0) for r in runs)


def test_outputs_are_deterministic() -> None:
    a, b = report_docx(seed_doc()), report_docx(seed_doc())
    assert a == b and report_html(seed_doc()) == report_html(seed_doc())
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and core.count("2000-01-01") >= 2
    props = docx.Document(io.BytesIO(a)).core_properties
    assert props.title == "鄂伦春自治旗诺敏镇人民政府2022年政府信息公开工作年度报告" and props.revision == 1


def test_what_xml_cannot_hold_is_left_out() -> None:
    """A control character or a lone surrogate (a workbook's _x0001_, _xD800_ escapes; a library caller's
    text) would stop python-docx: the text is cleaned as the reader cleans a cell, for every format — as
    `xml_text` makes every text tianbao writes (a space for a control character, U+FFFD for a surrogate)."""
    doc = build_report(
        SPEC,
        unit="诺敏镇\x01人民政府\ud800",
        year=2025,
        text={"text.problems": "问题\x00一。\udc00"},
        values={},
    )
    assert doc.title_text == "诺敏镇 人民政府\ufffd2025年政府信息公开工作年度报告"
    word = docx.Document(io.BytesIO(report_docx(doc)))
    assert "问题 一。\ufffd" in [p.text for p in word.paragraphs]
    html = report_html(doc)
    assert "<p>问题 一。\ufffd</p>" in html and "\x00" not in html and "\x01" not in html
