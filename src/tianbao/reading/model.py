"""What reading a returned workbook yields: a `Submission`, before validation.

A reader backend (openpyxl is the reference; a faster one may follow) turns a file into a `RawWorkbook`;
`tianbao.reading.interpret` turns that into a `Submission`: identity, integrity, parsed input values and the
reading-stage issues. Validation (tianbao.validation) then recomputes totals and checks the rules for many
submissions at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tianbao.issues import Issue
from tianbao.spec import Spec
from tianbao.stamp import Stamp


@dataclass(frozen=True)
class Limits:
    """Refuse files beyond these sizes before reading them. Defaults never bite a real template."""

    max_file_size: int = 50 * 1024 * 1024  # bytes on disk
    max_uncompressed: int = 200 * 1024 * 1024  # sum of the zip members' declared sizes
    max_member_ratio: int = 200  # uncompressed / compressed size of one member
    max_cells: int = 200_000  # cells in one sheet (from its dimension)


@dataclass
class Submission:
    path: str
    sha256: str = ""
    size: int = 0
    mtime: float = 0.0
    stamp: Stamp | None = None
    spec: Spec | None = None  # the spec the workbook was made from; None when unknown
    unit_code: str | None = None
    unit_name: str | None = None
    unit_type: str | None = None  # from the roster (or the stamp) when known
    year: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # meta id → value as read (text, number, date)
    values: dict[str, float | None] = field(default_factory=dict)  # input id → value; None: blank/unusable
    blank: list[str] = field(default_factory=list)  # input cell ids left blank
    invalid: list[str] = field(default_factory=list)  # input cell ids whose value could not be used
    cached: dict[str, float | None] = field(default_factory=dict)  # computed cell id → stored result, if any
    issues: list[Issue] = field(default_factory=list)
    readable: bool = False  # False: the data could not be read at all (the issues say why)

    @property
    def kind(self) -> str:
        return self.stamp.kind if self.stamp else ""

    @property
    def members(self) -> list[str]:
        return [m for m in (self.stamp.members.split(",") if self.stamp else []) if m]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)
