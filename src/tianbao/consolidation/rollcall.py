"""The roll-call (报送情况): who has sent what. One implementation for `check --roster` (its last section and
`--json`), merge's 报送情况 sheet and any other front end (the web app): `roll_call(files, …)`, pure — it reads
the check report and the roster and changes neither.

Every roster unit expected to report gets one row with its state:

- 已通过 / 有警告: a file of the unit counts (the duplicate rule below chose it);
- 退回: the unit sent files, none counts (errors, another format or year, or double counting);
- 已含于汇总表: no file of its own, but a consolidated workbook that counts contains it;
- 未报送: nothing from or for the unit.

Then a row per file not shown against a roster unit: 名单外 (a unit not on the roster), 重复（不计入） (it lost to a
newer or identical file of the same unit) and files of no unit at all (unreadable, not a template: 退回).
Without a roster every file is a row.

What counts is decided by `tianbao.consolidation.select` (the same rule as merge): of the accepted files of one
unit, the newest by fill date, then file time, then name; a unit inside a consolidated workbook that counts is
not counted again (`double-count`). The issues those rules give a file (duplicate-identical,
duplicate-superseded, double-count) are in `RollCall.selection`; the roll-call's own view of each file
(`FileEntry.issues`, `FileEntry.status`) already includes them. `RollCall.selection.apply()` records them on the
submissions (merge does, so that its report and 问题清单 carry them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tianbao.consolidation.model import (
    COVERED,
    DUPLICATE,
    MISSING,
    OUTSIDE,
    PASSED,
    RETURNED,
    WARNED,
    FileEntry,
    StatusRow,
    count_states,
)
from tianbao.consolidation.select import IDENTICAL, SUPERSEDED, Selection, select
from tianbao.fileio import legible_path
from tianbao.intake.archive import outer_path
from tianbao.reading.model import Submission
from tianbao.roster import Roster, Unit

if TYPE_CHECKING:
    from tianbao.spec import Spec
    from tianbao.validation.report import FileReport

# The states as stable keys, for JSON and programs (the Chinese label is what users read).
STATUS_KEYS: dict[str, str] = {
    PASSED: "passed",
    WARNED: "warned",
    RETURNED: "returned",
    MISSING: "missing",
    COVERED: "covered",
    OUTSIDE: "outside",
    DUPLICATE: "duplicate",
}


@dataclass(frozen=True)
class RollCall:
    """The roll-call of a run: `rows` (roster units first in unit-code order, then the other files),
    `files` (every input file with its fate, by display name) and the `selection` that decided what counts.
    `parent_code`: the unit the roster units report to (None: every roster unit is expected)."""

    rows: tuple[StatusRow, ...]
    files: tuple[FileEntry, ...]
    selection: Selection
    parent_code: str | None
    has_roster: bool

    def counts(self) -> dict[str, int]:
        """Rows by state, every state present (in the order of 报送情况's counts)."""
        return count_states(self.rows)

    @property
    def units(self) -> list[StatusRow]:
        """The rows of roster units."""
        return [r for r in self.rows if r.on_roster]

    @property
    def missing(self) -> list[StatusRow]:
        """The roster units that sent nothing (未报送), in unit-code order."""
        return [r for r in self.rows if r.status == MISSING]

    @property
    def included(self) -> list[Submission]:
        """The submissions that count, by unit code and file name."""
        return self.selection.included

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {STATUS_KEYS[s]: n for s, n in self.counts().items()},
            "rows": [row_dict(r) for r in self.rows],
        }


def row_dict(r: StatusRow) -> dict[str, Any]:
    return {
        "unit_code": r.unit_code,
        "unit_name": r.unit_name,
        "unit_type": r.unit_type,
        "on_roster": r.on_roster,
        "status": STATUS_KEYS[r.status],
        "status_zh": r.status,
        "files": list(r.file_names),
        "note": r.note,
    }


def roll_call(
    files: Sequence[FileReport | Submission],
    *,
    spec: Spec,
    roster: Roster | None,
    parent_code: str | None = None,
    names: Mapping[str, str] | None = None,
) -> RollCall:
    """The roll-call of checked files (a check report's `files`, or their submissions) against `roster`.

    `spec`: the run's format (files of another format never count); `parent_code`: the consolidating unit,
    whose descendants on the roster are expected (None: every roster unit); `names`: path → the name shown
    for a file (default: `display_names` of the paths, as merge shows them). Neither the files nor their
    submissions are changed."""
    subs = [f if isinstance(f, Submission) else f.submission for f in files]
    if names is None:
        names = display_names([s.path for s in subs])
    candidates = [s for s in subs if s.readable and s.spec is spec and not s.has_errors]
    chosen = select(candidates, spec.input_ids, names, parent_code)
    included = {s.path for s in chosen.included}
    entries = tuple(
        sorted(
            (
                FileEntry(
                    s,
                    names[s.path],
                    s.path in included,
                    chosen.reason(s),
                    tuple(i for i in chosen.issues_of(s) if i not in s.issues),
                )
                for s in subs
            ),
            key=lambda f: (f.name, f.submission.sha256, f.submission.path),
        )
    )
    covered_by = {
        code: names[s.path]
        for s in chosen.included
        if s.kind == "consolidated"
        for code in s.members
        if code != s.unit_code
    }
    rows = status_rows(entries, roster, parent_code, covered_by)
    return RollCall(tuple(rows), entries, chosen, parent_code, roster is not None)


def display_names(paths: Sequence[str]) -> dict[str, str]:
    """Each path relative to the deepest folder holding them all, legible (`legible_path`): what the sheets
    and messages show as 文件. (A file in an archive, `a.zip!b/c.xlsx`, counts as in the archive's folder and
    keeps its archive's name.)"""
    if not paths:
        return {}
    absolute = {p: os.path.abspath(p) for p in paths}
    root = os.path.commonpath([os.path.dirname(os.path.abspath(outer_path(p))) for p in paths])
    return {p: legible_path(_relative(a, root)).replace(os.sep, "/") for p, a in absolute.items()}


def _relative(path: str, root: str) -> str:
    """`os.path.relpath(path, root)` for a normalised absolute path under `root`: what follows root's prefix
    (relpath normalises both paths again, ten times slower)."""
    prefix = root if root.endswith(os.sep) else root + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, root)


def file_status(f: FileEntry, roster: Roster | None) -> str:
    if f.included:
        return PASSED if f.status == "accepted" else WARNED
    if f.dropped in (IDENTICAL, SUPERSEDED):
        return DUPLICATE
    code = f.submission.unit_code
    if roster is not None and code and code not in roster:
        return OUTSIDE
    return RETURNED


def file_note(f: FileEntry, status: str) -> str:
    issues = f.issues
    errors = [i for i in issues if i.is_error]
    if status == DUPLICATE:
        return next((i.message for i in issues if i.code in (IDENTICAL, SUPERSEDED)), "")
    if errors:
        more = f"（共 {len(errors)} 项错误）" if len(errors) > 1 else ""
        return errors[0].message + more
    if status == RETURNED:
        return "格式或年度与本次汇总不同，未计入"
    warnings = len(issues)
    return f"警告 {warnings} 项" if warnings else ""


def expected_units(roster: Roster, parent_code: str | None) -> list[Unit]:
    """The units that should report to `parent_code`: its descendants in the roster, else every unit (every
    unit when `parent_code` is None)."""

    def descends(unit: Unit) -> bool:
        code = unit.parent
        while code is not None:
            if code == parent_code:
                return True
            above = roster.get(code)
            code = above.parent if above is not None else None
        return False

    below = [u for u in roster if u.code != parent_code and descends(u)] if parent_code else []
    return below or [u for u in roster if u.code != parent_code]


def _file_row(f: FileEntry, roster: Roster | None) -> StatusRow:
    s = f.submission
    status = file_status(f, roster)
    return StatusRow(
        s.unit_code or "", s.unit_name or "", s.unit_type or "", status, (f.name,), file_note(f, status)
    )


def status_rows(
    files: Sequence[FileEntry], roster: Roster | None, parent_code: str | None, covered_by: Mapping[str, str]
) -> list[StatusRow]:
    """The rows of the roll-call. `covered_by`: unit code → display name of the consolidated file in the
    totals that contains it."""
    rows: list[StatusRow] = []
    shown: set[str] = set()
    by_unit: dict[str | None, list[FileEntry]] = {}  # in file order: a roster of 10,000 units is not squared
    for f in files:
        if f.dropped not in (IDENTICAL, SUPERSEDED):
            by_unit.setdefault(f.submission.unit_code, []).append(f)
    if roster is not None:
        for unit in expected_units(roster, parent_code):
            own = by_unit.get(unit.code, [])
            counted = [f for f in own if f.included]
            names: tuple[str, ...] = ()
            if counted or own:
                chosen = counted or own
                status = file_status(chosen[0], roster)
                note = file_note(chosen[0], status)
                names = tuple(f.name for f in chosen)
                shown.update(f.submission.path for f in chosen)
            elif unit.code in covered_by:
                status, note = COVERED, f"数据已包含在汇总表 {covered_by[unit.code]} 中"
            else:
                status, note = MISSING, ""
            rows.append(StatusRow(unit.code, unit.name, unit.type, status, names, note, on_roster=True))
    rows.extend(_file_row(f, roster) for f in files if f.submission.path not in shown)
    return sorted(rows, key=lambda r: (r.unit_code == "", r.unit_code, r.files, r.status))
