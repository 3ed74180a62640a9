"""The rows of 报送情况: every roster unit with its status, then every file not shown against a roster unit.

A roster unit is 已通过 or 有警告 (its file counts), 退回 (its files have errors and are left out), 已含于汇总表
(no file of its own, but a consolidated workbook in the totals contains it) or 未报送. Files of units outside
the roster are 名单外; files that lost to a newer or identical file of the same unit are 重复（不计入）.
Without a roster every file is a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
)
from tianbao.consolidation.select import IDENTICAL, SUPERSEDED
from tianbao.roster import Roster, Unit


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
    issues = f.submission.issues
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


def expected_units(roster: Roster, parent_code: str) -> list[Unit]:
    """The units that should report to `parent_code`: its descendants in the roster, else every unit."""

    def descends(unit: Unit) -> bool:
        code = unit.parent
        while code is not None:
            if code == parent_code:
                return True
            above = roster.get(code)
            code = above.parent if above is not None else None
        return False

    below = [u for u in roster if u.code != parent_code and descends(u)]
    return below or [u for u in roster if u.code != parent_code]


def _file_row(f: FileEntry, roster: Roster | None) -> StatusRow:
    s = f.submission
    status = file_status(f, roster)
    return StatusRow(
        s.unit_code or "", s.unit_name or "", s.unit_type or "", status, f.name, file_note(f, status)
    )


def status_rows(
    files: Sequence[FileEntry], roster: Roster | None, parent_code: str, covered_by: Mapping[str, str]
) -> list[StatusRow]:
    """`covered_by`: unit code → display name of the consolidated file in the totals that contains it."""
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
            if counted or own:
                chosen = counted or own
                status = file_status(chosen[0], roster)
                note = file_note(chosen[0], status)
                names = "、".join(f.name for f in chosen)
                shown.update(f.submission.path for f in chosen)
            elif unit.code in covered_by:
                status, names, note = COVERED, "", f"数据已包含在汇总表 {covered_by[unit.code]} 中"
            else:
                status, names, note = MISSING, "", ""
            rows.append(StatusRow(unit.code, unit.name, unit.type, status, names, note))
    rows.extend(_file_row(f, roster) for f in files if f.submission.path not in shown)
    return sorted(rows, key=lambda r: (r.unit_code == "", r.unit_code, r.files, r.status))
