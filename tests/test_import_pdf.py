"""PDF reports: the corpus's Word documents printed to PDF by LibreOffice (one batch per session), read from
their text layer — tables broken over pages, long labels wrapped in narrow cells, as a PDF prints them —
and found to hold the same values and blanks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import import_corpus as ic
import lo
from test_import_corpus import assert_read_as_printed
from tianbao.cli.main import app
from tianbao.importing.report import read_report
from tianbao.spec import load_spec

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

CASES = [  # (format, distortion): the distortions a Word table (and so its PDF) can have
    ("2021", "none"),
    ("2019", "none"),
    ("2021", "split_labels"),
    ("2021", "groups_on_own_rows"),
    ("2019", "traditional"),
    ("2021", "dropped_empty"),
]


@dataclass(frozen=True)
class Printed:
    report: ic.Report
    pdf: Path
    lossy: bool


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Printed]:
    folder = tmp_path_factory.mktemp("pdf")
    docs, reports = [], []
    for fmt, name in CASES:
        rng = random.Random(f"pdf{fmt}{name}")
        report = ic.make_report(load_spec(fmt), rng, year=2024 if fmt == "2021" else 2020)
        page = report.page if name == "none" else ic.DISTORTIONS[name](report.page, rng)
        path = folder / f"{fmt}-{name}.docx"
        ic.to_docx(page, path)
        docs.append(path)
        reports.append(report)
    pdfs = lo.print_to_pdf(docs, folder / "pdf")
    return {
        case: Printed(report, pdf, case[1] in ic.LOSSY)
        for case, report, pdf in zip(CASES, reports, pdfs, strict=True)
    }


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_pdf_read_as_printed(printed: dict[tuple[str, str], Printed], case: tuple[str, str]) -> None:
    one = printed[case]
    reading = read_report(one.pdf)
    assert reading.kind == "pdf"
    assert_read_as_printed(one.report, reading, complete=not one.lossy)


def test_pdf_imported_by_the_command(printed: dict[tuple[str, str], Printed], tmp_path: Path) -> None:
    one = printed["2021", "none"]
    result = CliRunner().invoke(
        app, ["import", str(one.pdf), "-o", str(tmp_path / "导入"), "--unit-code", "1"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "导入" / f"{one.pdf.name}.xlsx").exists()
    assert "读取 " in result.output and "无法确定 0 格" in result.output
