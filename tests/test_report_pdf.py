"""The Word report opened by a real word processor: LibreOffice converts it to PDF (as a clerk's “导出为
PDF” would), and the PDF is checked with poppler: A4 pages, a page count within what the text and the tables
need, every word inside the page's margins (no table wider than the text), every page numbered, every label
of the national tables printed."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

import pytest

import lo
from seed import UNIT, YEAR, seed_text
from tianbao.report.document import build_report
from tianbao.report.word import MARGINS, report_docx
from tianbao.spec import load_spec

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

CM = 72 / 2.54  # points
A4 = (21.0 * CM, 29.7 * CM)
TOLERANCE = 0.3 * CM


def poppler(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return exe


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed report (text and tables, all 0), a report of a workbook without text (placeholders only),
    and one of the 2019 format."""
    src = tmp_path_factory.mktemp("docx")
    spec, spec19 = load_spec("2021"), load_spec("2019")
    docs = {
        "seed": build_report(
            spec, unit=UNIT, year=YEAR, text=seed_text(), values=dict.fromkeys(spec.cells, 0.0)
        ),
        "empty": build_report(spec, unit="某局", year=2025, text=None, values=dict.fromkeys(spec.cells, 7.0)),
        "f2019": build_report(
            spec19, unit="某局", year=2020, text=None, values=dict.fromkeys(spec19.cells, 0.0)
        ),
    }
    for name, doc in docs.items():
        (src / f"{name}.docx").write_bytes(report_docx(doc))
    out = lo.print_to_pdf(sorted(src.glob("*.docx")), tmp_path_factory.mktemp("pdf"))
    return {p.stem: p for p in out}


def pages(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """(width, height, words as (xMin, yMin, xMax, yMax, text)) of every page."""
    xml = subprocess.run(
        [poppler("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, check=True
    ).stdout
    xml = re.sub(rb"<!DOCTYPE[^>]*>", b"", xml)
    ns = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(xml)
    out = []
    for page in root.iter(f"{ns}page"):
        words = [
            (
                float(w.get("xMin", 0)),
                float(w.get("yMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMax", 0)),
                w.text or "",
            )
            for w in page.iter(f"{ns}word")
        ]
        out.append((float(page.get("width", 0)), float(page.get("height", 0)), words))
    return out


def page_count(pdf: Path) -> int:
    return len(lo.pdf_pages(pdf))


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        # about 5,500 characters of text at 28 characters × 22 lines a page (6–8 pages), 表三 over a page and
        # a half, 表二 and 表四 most of one
        ("seed", 8, 10),
        # the opening and six placeholders on the first page, the tables on the next two
        ("empty", 3, 3),
        ("f2019", 3, 4),
    ],
)
def test_page_count(pdfs: dict[str, Path], name: str, low: int, high: int) -> None:
    assert low <= page_count(pdfs[name]) <= high


@pytest.mark.parametrize("name", ["seed", "empty", "f2019"])
def test_pages_are_a4_and_nothing_leaves_the_margins(pdfs: dict[str, Path], name: str) -> None:
    left, right = MARGINS["left"].pt, A4[0] - MARGINS["right"].pt
    for number, (width, height, words) in enumerate(pages(pdfs[name]), start=1):
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1
        for x0, y0, x1, y1, text in words:
            assert left - TOLERANCE <= x0 and x1 <= right + TOLERANCE, (number, text, x0, x1)
            assert y0 >= 0 and y1 <= height
        footer = "".join(t for _, y0, _, _, t in words if y0 > height - MARGINS["bottom"].pt)
        assert footer == f"—{number}—", footer  # the page number, as a 公文 prints it


def test_every_label_of_the_tables_is_printed(pdfs: dict[str, Path]) -> None:
    text = "".join(t for _, _, words in pages(pdfs["empty"]) for *_, t in words)
    text = unicodedata.normalize("NFKC", text)
    spec = load_spec("2021")
    labels = {lab for c in spec.cells.values() for lab in (*c.row_labels, *c.col_labels)}
    missing = [lab for lab in labels if unicodedata.normalize("NFKC", lab).replace(" ", "") not in text]
    assert not missing
    assert "【待填写:一、总体情况】" in text  # NFKC: the full-width colon as ASCII
