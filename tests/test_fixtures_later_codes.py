"""The codes of validation (rule-*) and consolidation (duplicate-*, double-count), each from its fixture in
tests/data/rules/ and tests/data/merge/ (built by tests/data/make_fixtures.py): checked or merged as a county
would, with the roster, and last year's report where the rule needs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tianbao.consolidation import merge_files
from tianbao.issues import CATALOGUE, catalogue_rows
from tianbao.options import CheckOptions
from tianbao.reading.previous import read_previous
from tianbao.roster import Roster, Unit
from tianbao.spec import load_spec
from tianbao.validation import check_files

DATA = Path(__file__).parent / "data"
RULES = DATA / "rules"
MERGE = DATA / "merge"
ROSTER = Roster(
    (
        Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 2),
        Unit("150723100", "阿里河镇人民政府", "乡镇", "150723", 3),
    ),
    "tests",
)
RULE_CODES = sorted(code for code, *_ in catalogue_rows() if code.startswith("rule-"))
MERGE_CODES = ["double-count", "duplicate-identical", "duplicate-superseded"]


def test_every_later_code_has_a_fixture() -> None:
    assert sorted(p.stem for p in RULES.glob("rule-*.xlsx")) == RULE_CODES
    # (merge/tampered/ holds consolidated workbooks that do not hold what their stamp says: test_tampering.py)
    assert sorted(p.name for p in MERGE.iterdir() if p.name != "tampered") == MERGE_CODES
    assert set(MERGE_CODES) <= set(CATALOGUE)


@pytest.mark.parametrize("code", RULE_CODES)
def test_rule_fixture_reports_its_code_alone(code: str) -> None:
    previous = read_previous([RULES / "previous-2024.xlsx"], load_spec("2021"), year=2025)
    run = check_files(
        [RULES / f"{code}.xlsx"], CheckOptions(year=2025, roster=ROSTER, previous=previous, jobs=1)
    )
    (f,) = run.report.files
    assert {i.code for i in f.issues} == {code}, [i.message for i in f.issues]
    first = f.issues[0]
    assert first.sheet and first.cell and first.cell_id and first.hint
    assert first.severity == ("error" if code == "rule-H3" else "warning")


@pytest.mark.parametrize("code", MERGE_CODES)
def test_merge_fixture_reports_its_code_on_the_file_left_out(code: str) -> None:
    # The city level: the banner's consolidated workbook is a submission like any other.
    merged = merge_files(
        [MERGE / code], CheckOptions(year=2025, jobs=1), unit_code="1507", unit_name="呼伦贝尔市"
    )
    flagged = [(Path(f.path).name, i) for f in merged.report.files for i in f.issues if i.code == code]
    assert len(flagged) == 1
    name, issue = flagged[0]
    expected = {
        "double-count": {"诺敏镇.xlsx"},
        "duplicate-identical": {"诺敏镇.xlsx", "诺敏镇（副本）.xlsx"},  # either copy: they are the same
        "duplicate-superseded": {"诺敏镇-初稿.xlsx"},  # the older fill date
    }[code]
    assert name in expected
    assert issue.severity == CATALOGUE[code].severity
    assert "{" not in issue.message
