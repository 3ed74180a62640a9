"""The report of a run: one FileReport per input file, and a summary. `--json` prints `Report.to_dict()`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tianbao.issues import Issue
from tianbao.reading.model import Submission

if TYPE_CHECKING:
    from tianbao.consolidation.rollcall import RollCall
    from tianbao.intake import ArchiveEntry, Ignored

Status = Literal["accepted", "accepted_with_warnings", "rejected"]
STATUS_ZH: dict[str, str] = {
    "accepted": "通过",
    "accepted_with_warnings": "通过（有警告）",
    "rejected": "退回",
}

_SURROGATE = re.compile("[\ud800-\udfff]")


def status_of(issues: list[Issue]) -> Status:
    if any(i.is_error for i in issues):
        return "rejected"
    return "accepted_with_warnings" if issues else "accepted"


@dataclass
class FileReport:
    submission: Submission

    @property
    def path(self) -> str:
        return self.submission.path

    @property
    def issues(self) -> list[Issue]:
        return self.submission.issues

    @property
    def status(self) -> Status:
        return status_of(self.issues)

    @property
    def unit(self) -> dict[str, str] | None:
        s = self.submission
        if not s.unit_code and not s.unit_name:
            return None
        return {"code": s.unit_code or "", "name": s.unit_name or ""}

    def to_dict(self) -> dict[str, Any]:
        s = self.submission
        return {
            "path": s.path,
            "sha256": s.sha256,
            "status": self.status,
            "unit": self.unit,
            "year": s.year,
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass
class Report:
    """`files`: a FileReport per input file, in path order (a file inside an archive as
    `archive.zip!folder/file.xlsx`). `roll_call`: with a roster, every roster unit and its state
    (tianbao.consolidation.rollcall). `ignored`: the files that are not reports (lock files, hidden files …),
    with the reason. `archives`: the archives opened, with their members. `year`: the year checked;
    `year_assumed`: it was not given but taken from the files (the year most of them carry)."""

    files: list[FileReport] = field(default_factory=list)
    roll_call: RollCall | None = None
    ignored: list[Ignored] = field(default_factory=list)
    archives: list[ArchiveEntry] = field(default_factory=list)
    year: int | None = None
    year_assumed: bool = False

    def summary(self) -> dict[str, int]:
        statuses = [f.status for f in self.files]
        all_issues = [i for f in self.files for i in f.issues]
        return {
            "files": len(self.files),
            "accepted": statuses.count("accepted"),
            "accepted_with_warnings": statuses.count("accepted_with_warnings"),
            "rejected": statuses.count("rejected"),
            "errors": sum(1 for i in all_issues if i.is_error),
            "warnings": sum(1 for i in all_issues if not i.is_error),
            "ignored": len(self.ignored),
            "archives": len(self.archives),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "summary": self.summary(),
            "year": self.year,
            "year_assumed": self.year_assumed,
            "ignored": [i.to_dict() for i in self.ignored],
            "archives": [a.to_dict() for a in self.archives],
            "roll_call": self.roll_call.to_dict() if self.roll_call is not None else None,
        }

    def to_json(self) -> str:
        """The report as JSON, UTF-8 whatever the file names: a name that is not UTF-8 (on Linux its bytes
        come as surrogate escapes, PEP 383) is written with JSON escapes (\\udcd5), which `json.loads` turns
        back into the same name (os.fsencode: the same bytes) — raw, they would make the output not UTF-8."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    @property
    def exit_code(self) -> int:
        return 1 if any(f.status == "rejected" for f in self.files) else 0
