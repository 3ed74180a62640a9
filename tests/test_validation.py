"""Validation of many submissions in one frame: rule issues, domain checks, recomputed totals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tianbao.errors import UsageError
from tianbao.inputs import expand_paths
from tianbao.reading.model import Submission
from tianbao.spec import load_spec
from tianbao.validation.validate import validate

SPEC = load_spec("2021")
C6 = ["np", "ce", "ri", "spo", "lso", "oth"]


def balanced(new: dict[str, int] | None = None) -> dict[str, float | None]:
    """All inputs 0, with `new` applications per column all granted (r1) so that H3 holds."""
    values: dict[str, float | None] = dict.fromkeys(SPEC.input_ids, 0.0)
    for col, n in (new or {}).items():
        values[f"t3.new.{col}"] = n
        values[f"t3.r1.{col}"] = n
    return values


def sub(values: dict[str, float | None], unit_type: str | None = None, code: str = "1") -> Submission:
    return Submission(path=f"{code}.xlsx", unit_code=code, unit_type=unit_type, values=values, readable=True)


def codes(s: Submission) -> list[str]:
    return [i.code for i in s.issues]


def test_balanced_submissions_have_no_issues_and_totals_are_recomputed() -> None:
    subs = [sub(balanced({"np": 3, "ce": 2})), sub(balanced({"oth": 7}), code="2")]
    v = validate(SPEC, subs)
    assert [codes(s) for s in subs] == [[], []]
    first = v.values(0)
    assert first["t3.new.tot"] == 5
    assert first["t3.r7.np"] == 3
    assert first["t3.r7.tot"] == 5
    assert v.values(1)["t3.r1.tot"] == 7


def test_h3_violation_is_an_error_at_the_first_cell_of_the_relation() -> None:
    values = balanced({"np": 3})
    values["t3.fwd.np"] = 2  # 3 + 0 ≠ 3 + 2
    s = sub(values)
    validate(SPEC, [sub(balanced()), s, sub(balanced(), code="3")])
    assert codes(s) == ["rule-H3", "rule-H3"]  # the 自然人 column and the 总计 column
    issue = s.issues[0]
    assert issue.severity == "error"
    assert (issue.sheet, issue.cell, issue.cell_id) == ("表三", "D6", "t3.new.np")
    assert issue.message == (
        "表三“自然人”列勾稽关系不成立：第一项加第二项之和为 3，第三项（七）总计加第四项之和为 5，相差 -2。"
    )
    assert issue.hint and "结转下年度继续办理" in issue.hint


def test_blank_inputs_count_as_zero_in_the_rules() -> None:
    values = balanced({"np": 1})
    values["t3.carry.np"] = None
    s = sub(values)
    v = validate(SPEC, [s])
    assert codes(s) == []
    assert v.values(0)["t3.carry.tot"] == 0


def test_unusable_cells_do_not_raise_rule_errors_twice() -> None:
    values = balanced({"np": 4})
    values["t3.r1.np"] = None
    s = sub(values)
    s.invalid.append("t3.r1.np")
    validate(SPEC, [s])
    assert "rule-H3" not in [i.code for i in s.issues if i.cell_id == "t3.new.np"]


def test_s5_rules_row_applies_to_townships_only() -> None:
    values = balanced()
    values["t2.rules.valid"] = 6
    town, city, unknown = (
        sub(dict(values), "乡镇"),
        sub(dict(values), "市级政府", "2"),
        sub(dict(values), None, "3"),
    )
    validate(SPEC, [town, city, unknown])
    assert codes(town) == ["rule-S5"]
    assert town.issues[0].severity == "warning"
    assert town.issues[0].cell == "D5"
    assert codes(city) == [] and codes(unknown) == []


def test_s1_compares_with_last_year_only_when_known() -> None:
    values = balanced()
    values["t3.carry.np"] = 2
    values["t3.r1.np"] = 2
    with_prev, without = sub(dict(values)), sub(dict(values), code="2")
    prev = {f"t3.fwd.{c}": 0.0 for c in [*C6, "tot"]}
    prev["t3.fwd.np"] = 1.0
    validate(SPEC, [with_prev, without], [prev, None])
    assert codes(with_prev) == ["rule-S1", "rule-S1"]
    assert (
        with_prev.issues[0].message
        == "表三“自然人”列：上年结转为 2，上年报告的结转下年度继续办理为 1，相差 1。"
    )
    assert codes(without) == []


@pytest.mark.parametrize(
    ("cell", "value", "code"),
    [
        ("t3.new.ce", -1.0, "value-negative"),
        ("t3.new.ce", 1.5, "value-not-integer"),
        ("t2.fees.amount_wan", 0.123456, "value-precision"),
    ],
)
def test_domain_checks_of_the_schema(cell: str, value: float, code: str) -> None:
    values = balanced()
    values[cell] = value
    s = sub(values)
    validate(SPEC, [s])
    assert code in codes(s)
    issue = next(i for i in s.issues if i.code == code)
    assert issue.cell_id == cell


def rglob_files(paths: list[Path]) -> list[Path]:
    """The reference: what expand_paths found with pathlib (a stat per file, twice for each path given)."""
    found: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            for sub in path.rglob("*"):
                if not sub.is_dir():
                    found.setdefault(str(sub), sub)
        elif path.exists() or path.is_symlink():
            found.setdefault(str(path), path)
    return [found[k] for k in sorted(found)]


def test_expand_paths_goes_to_any_depth(tmp_path: Path) -> None:
    """Folders nested deeper than Python's recursion limit are listed all the same (the limit is lowered
    here, so that the folders stay shallow enough for the file system and for pytest to remove them)."""
    folder = tmp_path
    for _ in range(300):
        folder = folder / "a"
        folder.mkdir()
    (folder / "deep.xlsx").write_bytes(b"x")
    (tmp_path / "top.xlsx").write_bytes(b"x")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        found = sorted(p.name for p in expand_paths([tmp_path]))
    finally:
        sys.setrecursionlimit(limit)
    assert found == ["deep.xlsx", "top.xlsx"]


def test_expand_paths_finds_what_rglob_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    for name in ("x.xlsx", "a/y.xlsx", "a/b/.hidden.xlsx", "a/b/c/z.txt", "outside/w.xlsx"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "a" / "linked-folder").symlink_to(tmp_path / "outside")  # listed by neither: not followed
    (tmp_path / "a" / "linked-file.xlsx").symlink_to(tmp_path / "x.xlsx")
    (tmp_path / "a" / "broken.xlsx").symlink_to(tmp_path / "gone.xlsx")
    (tmp_path / "a" / "loop.xlsx").symlink_to(tmp_path / "a" / "loop.xlsx")
    os.mkfifo(tmp_path / "a" / "b" / "pipe.xlsx")
    monkeypatch.chdir(tmp_path)
    cases = [
        [Path("a")],
        [Path("."), Path("x.xlsx")],
        [tmp_path / "a", Path("a/b/"), Path("a/broken.xlsx"), Path("a/linked-folder")],
        [Path("a/loop.xlsx"), Path("a/b/c/z.txt")],
    ]
    for paths in cases:
        found = expand_paths(paths)
        assert found == rglob_files(paths)
        assert [str(p) for p in found] == [str(p) for p in rglob_files(paths)]
    assert "a/loop.xlsx" in [str(p) for p in expand_paths([Path("a")])]
    with pytest.raises(UsageError):
        expand_paths([Path("a/nothing.xlsx")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError):
        expand_paths([Path("empty")])


def test_pandas_and_pandera_are_not_imported_before_the_validation() -> None:
    """They load on the first validation: the forked reading workers never carry them."""
    code = (
        "import sys, tianbao.cli.main, tianbao.consolidation, tianbao.validation;"
        "print(sorted(m for m in ('pandas', 'pandera') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
