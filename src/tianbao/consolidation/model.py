"""What a merge produces before anything is written: the units in the totals, the totals, every input file
with its fate, and the 报送情况 rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tianbao.issues import Issue
from tianbao.reading.model import Submission
from tianbao.spec import Spec
from tianbao.validation.report import Report, Status, status_of

if TYPE_CHECKING:
    from tianbao.consolidation.rollcall import RollCall

# 报送情况 statuses, in the order of the counts at the top of the sheet.
PASSED, WARNED, RETURNED, MISSING, COVERED, OUTSIDE, DUPLICATE = (
    "已通过",
    "有警告",
    "退回",
    "未报送",
    "已含于汇总表",
    "名单外",
    "重复（不计入）",
)
STATUSES = (PASSED, WARNED, RETURNED, MISSING, COVERED, OUTSIDE, DUPLICATE)


def count_states(rows: Iterable[StatusRow]) -> dict[str, int]:
    """Roll-call rows by state, every state present, in the order of 报送情况's counts."""
    found = Counter(r.status for r in rows)
    return {s: found.get(s, 0) for s in STATUSES}


@dataclass
class Parent:
    """The unit the consolidated workbook reports for (the county, 旗, city …)."""

    code: str
    name: str
    type: str = ""


@dataclass(frozen=True)
class Member:
    """A unit in the totals: a row of 明细. `values`: every cell id → value (blank counted as 0)."""

    unit_code: str
    unit_name: str
    unit_type: str
    file: str  # display name of its file
    values: dict[str, float]
    submission: Submission


@dataclass(frozen=True)
class FileEntry:
    """One input file: its display name, its final status and whether it counts."""

    submission: Submission
    name: str
    included: bool
    dropped: str | None = None  # duplicate-identical | duplicate-superseded | double-count
    added: tuple[Issue, ...] = ()  # the issues of the duplicate and double-count rules, when not yet recorded

    @property
    def issues(self) -> list[Issue]:
        """The file's issues, with those the duplicate and double-count rules give it."""
        own = self.submission.issues
        return [*own, *(i for i in self.added if i not in own)] if self.added else own

    @property
    def status(self) -> Status:
        return status_of(self.issues)


@dataclass(frozen=True)
class StatusRow:
    """A row of the roll-call (报送情况): a roster unit (`on_roster`) or a file. `file_names`: the display
    names of its files (none for 未报送 and 已含于汇总表)."""

    unit_code: str
    unit_name: str
    unit_type: str
    status: str
    file_names: tuple[str, ...]
    note: str
    on_roster: bool = False

    @property
    def files(self) -> str:
        return "、".join(self.file_names)


@dataclass
class Consolidation:
    spec: Spec
    year: int
    parent: Parent
    members: list[Member]  # sorted by unit code
    totals: dict[str, float]  # every cell id → the consolidated value
    files: list[FileEntry]  # sorted by display name
    rows: list[StatusRow]  # 报送情况, sorted by unit code, then file
    covered: tuple[str, ...]  # every unit whose data is in the totals (the stamp's members, flat), sorted
    report: Report
    previous: Mapping[str, float] | None = None  # last year's values of the parent unit
    filled_on: str = ""  # the latest fill date of the members (ISO), for the cover
    names: dict[str, str] = field(default_factory=dict)  # path → display name
    roll_call: RollCall | None = None  # the roll-call that `rows` and `files` come from

    def counts(self) -> dict[str, int]:
        return count_states(self.rows)

    @property
    def rejected(self) -> list[FileEntry]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def exit_code(self) -> int:
        """0: written and no file rejected; 1: written, but some files were rejected."""
        return 1 if self.rejected else 0
