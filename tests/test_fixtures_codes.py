"""Every reading-stage issue code has a named fixture in tests/data/ (`value-dash.xlsx` …), and reading the
fixture reports that code. Fixtures are made by tests/data/make_fixtures.py; codes whose files would be big or
depend on permissions or a crash are made in tests/test_reading.py and tests/test_hostile.py instead
(GENERATED_IN_TESTS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tianbao.issues import CATALOGUE
from tianbao.reading import read_submission
from tianbao.roster import Roster, Unit
from tianbao.spec import load_spec

DATA = Path(__file__).parent / "data"
FIXTURES = sorted(DATA.glob("*.xlsx"))
ROSTER = Roster(
    (
        Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 2),
        Unit("150723100", "阿里河镇人民政府", "乡镇", "150723", 3),
    ),
    "tests",
)

# The codes the reading stage reports (tianbao.reading); rule-* codes come from validation, duplicate-* and
# double-count from consolidation.
READING_CODES = {
    "file-unreadable",
    "file-empty",
    "file-too-large",
    "not-xlsx",
    "legacy-format",
    "encrypted",
    "corrupt-workbook",
    "unsafe-workbook",
    "macros-present",
    "not-a-template",
    "stamp-inconsistent",
    "spec-unknown",
    "year-mismatch",
    "unit-missing",
    "unit-not-in-roster",
    "unit-name-mismatch",
    "meta-missing",
    "sheet-missing",
    "layout-changed",
    "label-changed",
    "name-mismatch",
    "formula-overwritten",
    "protection-removed",
    "cached-value-mismatch",
    "value-text-number",
    "value-dash",
    "value-unit-suffix",
    "value-not-a-number",
    "value-negative",
    "value-not-integer",
    "value-out-of-range",
    "value-precision",
    "value-blank",
    "table-empty",
    "value-formula",
    "reader-crashed",
}
GENERATED_IN_TESTS = {"file-too-large", "file-unreadable", "unsafe-workbook", "reader-crashed"}


def test_every_reading_code_has_a_fixture_or_a_test() -> None:
    assert set(CATALOGUE) >= READING_CODES
    have = {p.stem for p in FIXTURES}
    assert have | GENERATED_IN_TESTS == READING_CODES, sorted(READING_CODES - have - GENERATED_IN_TESTS)
    assert not have & GENERATED_IN_TESTS


def test_fixtures_are_small() -> None:
    big = [p.name for p in FIXTURES if p.stat().st_size >= 50 * 1024]
    assert not big


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_reports_its_code(path: Path) -> None:
    sub = read_submission(path, expected_year=2025, roster=ROSTER, expected_spec=load_spec("2021"))
    found = [i.code for i in sub.issues]
    assert path.stem in found, found
    assert found == [path.stem], f"{path.name} should show its problem alone: {found}"
    issue = sub.issues[0]
    assert issue.severity == CATALOGUE[path.stem].severity
    assert issue.message and issue.hint and "{" not in issue.message + issue.hint
