"""The web app's workspace on disk: the content-addressed store (kept once, never rewritten, names never
paths) and the folders of tasks (what a killed server left is removed, a task's own folder never)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from tianbao.web.store import Store
from tianbao.web.workspace import Workspace, unique_name


def test_a_file_is_kept_once_under_its_digest_and_never_rewritten(tmp_path: Path) -> None:
    store = Store(tmp_path / "blobs")
    data = b"PK\x03\x04 report"
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest() and store.put(data) == sha
    kept = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert kept == [store.path(sha)] and kept[0].read_bytes() == data
    if os.name == "posix":
        assert not kept[0].stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_a_write_cut_short_is_removed_at_start(tmp_path: Path) -> None:
    (tmp_path / "blobs").mkdir()
    (tmp_path / "blobs" / ".incoming.abc").write_bytes(b"half")
    Store(tmp_path / "blobs")
    assert not (tmp_path / "blobs" / ".incoming.abc").exists()


def test_a_task_folder_is_removed_after_use_the_stored_file_stays(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    sha = ws.put(b"data")
    folder = ws.scratch()
    ws.store.link_into(sha, folder / "报表.xlsx")
    assert (folder / "报表.xlsx").read_bytes() == b"data"
    shutil.rmtree(folder)
    assert ws.store.read(sha) == b"data"


def test_folders_a_killed_server_left_are_removed_a_fresh_one_is_not(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    old, fresh = ws.scratch(), ws.scratch()
    (old / "a.xlsx").write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    Workspace(tmp_path)
    assert not old.exists() and fresh.exists()


def test_names_laid_out_are_safe_unique_and_never_ignored_by_check() -> None:
    taken: set[str] = set()
    names = []
    for name in ("../../报表.xlsx", "C:\\fakepath\\报表.xlsx", " ~$报表.xlsx", "CON.xlsx", "报表.xlsx"):
        names.append(unique_name(name, taken))
        taken.add(names[-1])
    assert names == ["报表.xlsx", "报表 (2).xlsx", "_~$报表.xlsx", "_CON.xlsx", "报表 (3).xlsx"]


def test_a_checked_file_is_kept_with_everything_check_read_of_it() -> None:
    """What the workspace keeps of a checked file gives back every field of the check's Submission (its
    正文 texts too: the 核实 and 新模板 copies and the report carry them)."""
    from dataclasses import fields

    from tianbao.options import CheckOptions
    from tianbao.validation import check_files
    from tianbao.web.records import submission_from_json, submission_json
    from web_helpers import SUBMISSIONS

    run = check_files(SUBMISSIONS, CheckOptions(year=2022, jobs=1))
    subs = [f.submission for f in run.report.files]
    assert any(s.text for s in subs) and any(s.issues for s in subs) and any(s.meta for s in subs)
    for sub in subs:
        record, cells = submission_json(sub, {"t2.total": 1.0})
        back, computed = submission_from_json(record, cells)
        assert computed == {"t2.total": 1.0}
        for f in fields(sub):
            assert getattr(back, f.name) == getattr(sub, f.name), (sub.path, f.name)
        # the record alone (what the roll-call reads of a unit's only file): everything but the numbers
        alone, none = submission_from_json(record, None)
        assert none == {} and alone.values == {} and alone.cached == {}
        for f in fields(sub):
            if f.name not in ("values", "cached"):
                assert getattr(alone, f.name) == getattr(sub, f.name), (sub.path, f.name)
