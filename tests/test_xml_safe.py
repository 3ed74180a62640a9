"""Every text tianbao writes into a workbook is text XML can hold (`tianbao.cells.xml_text`), whatever its
source: a roster's unit name with Word's line break (U+000B) or other control characters, U+FFFE, a file name
that is not UTF-8 (Linux gives its bytes as surrogate escapes), an option, a values file. Before, merge exited
0 with a consolidated workbook that was not well-formed XML, or crashed inside xlsxwriter on a file name.
Each output here must parse, part by part, open in openpyxl, and be read back by tianbao; file names are shown
legibly (`tianbao.fileio.legible_path`)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import make_fixtures as fx
import openpyxl
import pytest
from typer.testing import CliRunner

from tianbao.cells import xml_text
from tianbao.cli.main import app
from tianbao.fileio import legible_path
from tianbao.reading import read_submission
from tianbao.roster import Unit, load_roster, write_roster
from wellformed import assert_well_formed

YEAR = fx.YEAR
ODD = "\x0b\x01\x1f\ufffe\uffff"  # a manual line break (Word), other control characters, non-characters
NAMES = [f"诺敏{ODD}镇人民政府", "阿里河镇\x0b人民政府\x08", "甘河镇人民政府\x1b[31m"]
CLEAN = [xml_text(n).strip() for n in NAMES]  # as the roster keeps them
GBK_NAME = os.fsdecode("诺敏镇报表.xlsx".encode("gbk"))  # as Linux names a file unzipped from Windows
LINUX = sys.platform.startswith("linux")


def cli(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roster")
    units = [Unit(f"15072310{i}", name, "乡镇", "150723", i + 2) for i, name in enumerate(NAMES)]
    return write_roster(folder / "名单.csv", units)


def test_the_function() -> None:
    assert xml_text("诺敏\x0b镇\x00\ufffe\uffff\ud800\tA\nB\r") == "诺敏 镇 \ufffd\tA\nB\r"
    assert xml_text("普通的文字 =1+1 <&>") == "普通的文字 =1+1 <&>"
    assert legible_path("/回收/" + GBK_NAME) == "/回收/诺敏镇报表.xlsx"
    assert legible_path(os.fsdecode(b"/x/\xff\xfe.xlsx")) == "/x/\ufffd\ufffd.xlsx"
    assert legible_path("/x/a\ud800b") == "/x/a\ufffdb"  # a surrogate that stands for no byte


def test_a_roster_keeps_names_as_workbooks_can_hold_them(roster: Path) -> None:
    names = [u.name for u in load_roster(roster)]
    assert names == CLEAN
    assert all(xml_text(n) == n for n in names)


def test_templates_from_such_a_roster_are_well_formed(roster: Path, tmp_path: Path) -> None:
    result = cli("template", "--year", str(YEAR), "--roster", str(roster), "-o", str(tmp_path), "-j", "1")
    assert result.exit_code == 0, result.output
    made = sorted(tmp_path.glob("*.xlsx"))
    assert len(made) == len(NAMES)
    for path in made:
        assert_well_formed(path)
        sub = read_submission(path, expected_year=YEAR, roster=load_roster(roster))
        assert sub.unit_name in CLEAN
        assert "unit-name-mismatch" not in [i.code for i in sub.issues]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, roster: Path) -> Path:
    """Filled templates of the roster's units, one under a GBK name, one with a control character in its name."""
    folder = tmp_path_factory.mktemp("inbox")
    units = list(load_roster(roster))
    names = [
        GBK_NAME if LINUX else "诺敏镇报表.xlsx",
        "阿里河\x01镇.xlsx" if LINUX else "阿里河镇.xlsx",
        "甘河镇.xlsx",
    ]
    for unit, name in zip(units, names, strict=True):
        fx.filled(folder / name, {"meta.filled_by": "张三"}, unit=unit)
    return folder


def test_merge_writes_well_formed_xml_and_names_files_legibly(
    inbox: Path, roster: Path, tmp_path: Path
) -> None:
    out = tmp_path / "汇总.xlsx"
    result = cli(
        "merge", str(inbox), "--year", str(YEAR), "--roster", str(roster),
        "--unit", "150723", "--unit-name", f"鄂伦春{ODD}自治旗", "-o", str(out), "-j", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_well_formed(out)
    again = read_submission(out, expected_year=YEAR)
    assert [i.code for i in again.issues] == [] and again.unit_name == xml_text(f"鄂伦春{ODD}自治旗")
    assert sorted(again.members) == ["150723100", "150723101", "150723102"]
    sources = [
        r[0]
        for r in openpyxl.load_workbook(out, read_only=True)["来源"].iter_rows(min_row=2, values_only=True)
    ]
    if LINUX:
        assert sorted(sources) == sorted(["诺敏镇报表.xlsx", "阿里河 镇.xlsx", "甘河镇.xlsx"])
    listed = cli("check", str(inbox), "--year", str(YEAR), "-j", "1")
    assert listed.exit_code == 0 and "诺敏镇报表.xlsx" in listed.output


def test_feedback_for_such_files_is_well_formed(inbox: Path, tmp_path: Path) -> None:
    """Checked against another year, every file gets a 退回修改 copy: each is well-formed."""
    result = cli(
        "check", str(inbox), "--year", str(YEAR + 1), "--feedback", str(tmp_path / "退回"), "-j", "1"
    )
    assert result.exit_code == 1, result.output
    written = sorted((tmp_path / "退回").glob("*.xlsx"))
    assert len(written) == len(NAMES)
    for path in written:
        assert_well_formed(path)


def test_fill_writes_any_text_as_a_workbook_can_hold_it(blank_template: Path, tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(
        json.dumps({"meta.filled_by": f"张{ODD}三", "t3.new.np": f"3{ODD}件"}), encoding="utf-8"
    )
    out = tmp_path / "已填写.xlsx"
    result = cli("fill", str(blank_template), "--values", str(values), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert_well_formed(out)
    sub = read_submission(out)
    assert sub.meta["filled_by"] == xml_text(f"张{ODD}三")


def test_json_names_a_file_that_is_not_utf8_so_that_it_is_found_again(inbox: Path) -> None:
    """--json is UTF-8 whatever the names: a name's undecodable bytes are JSON escapes (\\udcd5), which
    json.loads turns back into the name the file system knows (raw, they made the output not UTF-8)."""
    result = cli("check", str(inbox), "--year", str(YEAR), "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout_bytes.decode("utf-8"))  # strict: every byte is UTF-8
    paths = [f["path"] for f in report["files"]]
    assert len(paths) == 3 and all(Path(p).is_file() for p in paths)
    if LINUX:
        assert str(inbox / GBK_NAME) in paths and "\\udc" in result.stdout_bytes.decode("utf-8")


def test_report_of_such_files_is_well_formed_and_names_them_legibly(inbox: Path, tmp_path: Path) -> None:
    """The 年度报告 of units whose names held control characters, from files whose names are not UTF-8: every
    page and Word part well-formed, each file named legibly in the output."""
    import xml.parsers.expat
    import zipfile

    import docx

    out = tmp_path / "年度报告"
    result = cli("report", str(inbox), "--year", str(YEAR), "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    pages, words = sorted(out.glob("*.html")), sorted(out.glob("*.docx"))
    assert len(pages) == len(words) == len(NAMES)
    assert sorted(p.name.removesuffix(".html") for p in pages) == sorted(
        f"{name}{YEAR}年政府信息公开工作年度报告" for name in CLEAN
    )
    for page in pages:  # nothing an HTML parser must not meet (it would show as boxes or stop a CMS)
        assert (
            re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", page.read_text("utf-8"))
            is None
        )
    for word in words:
        with zipfile.ZipFile(word) as z:
            for name in z.namelist():
                if name.endswith((".xml", ".rels")):
                    xml.parsers.expat.ParserCreate().Parse(z.read(name), True)
        assert docx.Document(str(word)).paragraphs
    if LINUX:
        assert "诺敏镇报表.xlsx" in result.output and "阿里河 镇.xlsx" in result.output
