"""A unit's explanation (说明) of a warning goes into the consolidated workbook beside that warning; an error
cannot be explained away."""

from __future__ import annotations

from pathlib import Path

from consolidation_data import issue_list
from tianbao.consolidation import explanation_key, merge_files, write_consolidated
from tianbao.options import CheckOptions
from tianbao.roster import load_roster

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_explanation_of_a_warning_is_written_beside_it_and_errors_get_none(tmp_path: Path) -> None:
    options = CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1)
    first = merge_files([SAMPLES / "submissions"], options, unit_name="鄂伦春自治旗")
    warned = next(m for m in first.members if m.submission.issues)
    warning = next(i for i in warned.submission.issues if not i.is_error)
    rejected = first.rejected[0].submission
    error = next(i for i in rejected.issues if i.is_error)
    explanations = {
        explanation_key(warned.unit_code, warning): "本年无此类事项，已核实。",
        explanation_key(rejected.unit_code, error): "不应出现",
    }
    result = merge_files(
        [SAMPLES / "submissions"], options, unit_name="鄂伦春自治旗", explanations=explanations
    )
    out = tmp_path / "汇总.xlsx"
    write_consolidated(result, out)
    rows = issue_list(out)
    assert rows and "说明" in rows[0]
    noted = [r for r in rows if r["说明"]]
    assert [(r["单位代码"], r["代码"], r["说明"]) for r in noted] == [
        (warned.unit_code, warning.code, "本年无此类事项，已核实。")
    ]
    assert all(r["说明"] in (None, "") for r in rows if r["单位代码"] == rejected.unit_code)
