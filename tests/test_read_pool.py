"""The pool that reads files in parallel: the roster goes to each worker once (a task carries a stand-in),
files go in batches, the results come back in path order, and the workers collect garbage (the parent
pauses collection while it gathers results; a forked worker must not inherit that)."""

from __future__ import annotations

import gc
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from tianbao.options import CheckOptions
from tianbao.reading import Submission
from tianbao.roster import Roster, Unit
from tianbao.spec import load_spec
from tianbao.validation import run as run_module
from tianbao.validation.run import SHARED, read_all

ROSTER = Roster(
    tuple(Unit(f"{150000000 + i}", f"单位{i}", "乡镇", "150000", i + 2) for i in range(5000)), "t"
)


def test_a_task_carries_a_stand_in_for_the_roster() -> None:
    assert pickle.loads(pickle.dumps(SHARED)) is SHARED
    assert len(pickle.dumps(SHARED)) < 100 < len(pickle.dumps(ROSTER))


def _probe(args: Any) -> Submission:
    """Stands in for the worker's reader of one file (via monkeypatch): reports what the worker sees."""
    roster = run_module._worker_roster
    return Submission(
        path=args[0],
        meta={
            "gc": gc.isenabled(),
            "roster": len(roster) if roster else 0,
            "shared": args[2] is SHARED,
            "pid": os.getpid(),
        },
    )


def test_workers_get_the_roster_once_and_collect_garbage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [tmp_path / f"{i:03d}.xlsx" for i in range(40)]
    monkeypatch.setattr(run_module, "_read_one", _probe)
    subs = read_all(paths, load_spec("2021"), CheckOptions(year=2025, roster=ROSTER, jobs=2))
    assert [s.path for s in subs] == [str(p) for p in paths]
    assert all({**s.meta, "pid": 0} == {"gc": True, "roster": 5000, "shared": True, "pid": 0} for s in subs)
    assert os.getpid() not in {s.meta["pid"] for s in subs}
