"""A file's verdict is its own (property-based): any files — the fixtures, the samples, 2019 and 2021 files,
hostile ones and their look-alikes (tests/lookalikes.py), a file given twice — checked together, in any
order, with one reading process or two, with the fast reader or the reference (openpyxl), get each the
result the file gets checked alone: the same status, unit, year, values and issues (codes, cells and
messages). Whatever the reader recognises from one file to the next (tianbao.caches), and whatever a worker
process inherits from the process it was forked from, never changes what a file gets.

The runs are given the year: without it, the year most files carry is the run's (tianbao.validation.year),
and whether a file of another year is told so depends, by design, on the others."""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import lookalikes as lk
from tianbao import caches
from tianbao.cli.main import app
from tianbao.options import CheckOptions
from tianbao.roster import load_roster
from tianbao.spec import load_spec
from tianbao.validation import check_files
from tianbao.validation.report import FileReport

fx = lk.fx
REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
ROSTER = load_roster(REPO / "samples" / "roster.csv")  # holds the fixtures' units too
KNOWN = [
    *sorted(DATA.glob("*.xlsx")),
    *sorted((DATA / "rules").glob("*.xlsx")),
    *sorted((DATA / "merge").rglob("*.xlsx")),
    *sorted((REPO / "samples" / "submissions").rglob("*.xlsx")),
]
FIRST_2021, FIRST_2019 = load_spec("2021").input_ids[0], load_spec("2019").input_ids[0]


Group = tuple[Path, ...]


@dataclass
class Pool:
    """The files to draw from: alone, or in pairs that share all but the bytes that matter (a 2021 and a
    2019 file with the same text at the input cell of the same rank; each refused file of
    tests/lookalikes.py and its look-alike), drawn as often as the rest."""

    singles: list[Group]
    pairs: list[Group]


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Pool:
    folder = tmp_path_factory.mktemp("made") / "文件"
    folder.mkdir()
    valid = fx.filled(folder / "valid.xlsx")
    valid2019 = fx.filled(folder / "valid2019.xlsx", fmt="2019", year=2020)
    new = fx.filled(folder / "new.xlsx", {FIRST_2021: "12件"})
    old = fx.filled(folder / "old.xlsx", {FIRST_2019: "12件"}, fmt="2019", year=2020)
    pairs: list[Group] = [(new, old)]
    for name, (refused, look_alike) in sorted(lk.REFUSED.items()):
        pair = []
        for kind, change in (("look-alike", look_alike), ("refused", refused)):
            path = folder / f"{name}-{kind}.xlsx"
            shutil.copyfile(valid, path)
            pair.append(change(path) if change is not None else path)
        pairs.append(tuple(pair))
    return Pool([(p,) for p in (*KNOWN, valid, valid2019)], pairs)


def options(jobs: int, reader: str = "fast") -> CheckOptions:
    return CheckOptions(year=fx.YEAR, roster=ROSTER, jobs=jobs, reader=reader)


def result(report: FileReport) -> tuple[Any, ...]:
    """What a file gets: its status, its issues (code, severity, cells, message, hint) and the whole
    submission (values, blanks, meta, stamp …), where the file lies and when it was copied aside."""
    sub = report.submission
    issues = [(i.code, i.severity, i.cell_id, i.sheet, i.cell, i.message, i.hint) for i in sub.issues]
    return report.status, issues, dataclasses.replace(sub, path="", mtime=0.0)


class Alone:
    """Each file's result checked alone (the caches emptied first, one process), once per file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.known: dict[Path, tuple[Any, ...]] = {}

    def __call__(self, path: Path) -> tuple[Any, ...]:
        if path not in self.known:
            copy = self.folder / str(len(self.known)) / path.name
            copy.parent.mkdir(parents=True)
            shutil.copyfile(path, copy)
            caches.clear_all()
            (report,) = check_files([copy], options(jobs=1)).report.files
            self.known[path] = result(report)
        return self.known[path]


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> Alone:
    return Alone(tmp_path_factory.mktemp("alone"))


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_each_file_gets_the_result_it_gets_alone(
    pool: Pool, alone: Alone, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    group = st.one_of(st.sampled_from(pool.pairs), st.sampled_from(pool.singles))
    groups = data.draw(st.lists(group, min_size=1, max_size=3), label="files")
    chosen = data.draw(st.permutations([p for g in groups for p in g]), label="in order")
    jobs = data.draw(st.sampled_from([1, 2]), label="jobs")  # two from four files (PARALLEL_FROM) up
    reader = data.draw(st.sampled_from(["fast", "fast", "openpyxl"]), label="reader")
    expected = [alone(path) for path in chosen]  # (each alone first: then the run starts after others)
    folder = tmp_path_factory.mktemp("run")
    for i, path in enumerate(chosen):  # the run reads in path order: the folders give the drawn order
        (folder / f"{i:02d}").mkdir()
        shutil.copyfile(path, folder / f"{i:02d}" / path.name)
    files = check_files([folder], options(jobs, reader)).report.files
    assert [Path(f.path).parent.name for f in files] == [f"{i:02d}" for i in range(len(chosen))]
    for path, report, want in zip(chosen, files, expected, strict=True):
        got = result(report)
        assert got[:2] == want[:2], f"{path.name}: issues"
        assert got == want, f"{path.name}: submission"


def _check_json(*paths: Path, fmt: str = "2021") -> dict[str, dict[str, Any]]:
    """`tianbao check PATHS --jobs 1 --json --year 2025`: each file's entry, by the file's name, without its path."""
    args = ["check", *map(str, paths), "--jobs", "1", "--json", "--format", fmt, "--year", str(fx.YEAR)]
    run = CliRunner().invoke(app, args)
    assert run.exit_code in (0, 1), run.output
    out = {}
    for entry in json.loads(run.stdout)["files"]:
        out[Path(entry.pop("path")).name] = entry
    return out


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_a_2019_and_a_2021_file_checked_together_get_what_they_get_alone(tmp_path: Path, fmt: str) -> None:
    """The case that was reported: a 2021 and a 2019 file holding the same text at the input cell of the same
    rank, `tianbao check DIR --jobs 1`: each file's entry is the one it gets checked alone, and its issue
    names its own cell (a value kept by the input's rank named the other format's cell)."""
    folder = tmp_path / "报表"
    folder.mkdir()
    new = fx.filled(folder / "1-new.xlsx", {FIRST_2021: "12件"})
    old = fx.filled(folder / "2-old.xlsx", {FIRST_2019: "12件"}, fmt="2019", year=2020)
    together = _check_json(folder, fmt=fmt)
    for path, cell_id in ((new, FIRST_2021), (old, FIRST_2019)):
        caches.clear_all()  # (the command runs in this process)
        assert together[path.name] == _check_json(path, fmt=fmt)[path.name]
        suffix = [i for i in together[path.name]["issues"] if i["code"] == "value-unit-suffix"]
        assert [i["cell_id"] for i in suffix] == [cell_id]
