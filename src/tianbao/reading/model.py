"""What reading a returned workbook yields: a `Submission`, before validation.

A reader backend (openpyxl is the reference; a faster one may follow) turns a file into a `RawWorkbook`;
`tianbao.reading.interpret` turns that into a `Submission`: identity, integrity, parsed input values and the
reading-stage issues. Validation (tianbao.validation) then recomputes totals and checks the rules for many
submissions at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tianbao.issues import Issue
from tianbao.spec import Spec
from tianbao.stamp import Stamp

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Refuse files beyond these sizes before (or while) reading them; each refusal names the option that
    raises the limit. The defaults never bite a real file: a filled template is about 25 KB (130 KB and
    about 300 cells per sheet unzipped); a consolidated workbook of 1,000 units about 0.7 MB (7.5 MB
    unzipped, 204,000 cells in 明细, 130 KB of shared strings)."""

    max_file_size: int = 50 * MB  # bytes on disk (--max-file-size)
    max_uncompressed: int = 100 * MB  # sum of the zip members' declared sizes (--max-uncompressed)
    max_cells: int = 1_000_000  # cells read from one sheet (--max-cells)
    max_shared_strings: int = 10 * MB  # the shared strings table, unzipped (--max-shared-strings)
    max_member_ratio: int = 200  # uncompressed / compressed size of one member over 1 MB (a zip bomb)


# The command-line option that raises each limit (named in the refusal's hint).
LIMIT_OPTIONS = {
    "max_file_size": "--max-file-size",
    "max_uncompressed": "--max-uncompressed",
    "max_cells": "--max-cells",
    "max_shared_strings": "--max-shared-strings",
}
_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "M": MB, "MB": MB, "G": 1024 * MB, "GB": 1024 * MB}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")


def parse_size(text: str) -> int:
    """“50MB”, “500 KB”, “1.5GB”, “1048576” → bytes (units of 1024). Raises ValueError on anything else."""
    m = _SIZE.match(text)
    unit = m.group(2).upper() if m else ""
    if m is None or unit not in _UNITS:
        raise ValueError(f"无法识别的大小“{text}”，应写作如 50MB、500KB、1GB")
    return int(float(m.group(1)) * _UNITS[unit])


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
    # The 正文 sheet: None when the workbook has none (or it could not be used); else text cell id → its
    # text, for the cells that hold any (a blank cell is not in it).
    text: dict[str, str] | None = None
    issues: list[Issue] = field(default_factory=list)
    readable: bool = False  # False: the data could not be read at all (the issues say why)

    @property
    def kind(self) -> str:
        return self.stamp.kind if self.stamp else ""

    @property
    def members(self) -> list[str]:
        if self.stamp is None or "sha256:" in self.stamp.members:  # only the short form survived
            return []
        return [m for m in self.stamp.members.split(",") if m]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)
