"""What reading a returned workbook yields: a `Submission`, before validation.

A reader backend (openpyxl is the reference; a faster one may follow) turns a file into a `RawWorkbook`;
`tianbao.reading.interpret` turns that into a `Submission`: identity, integrity, parsed input values and the
reading-stage issues. Validation (tianbao.validation) then recomputes totals and checks the rules for many
submissions at once.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from tianbao.errors import UsageError
from tianbao.issues import Issue
from tianbao.spec import Spec
from tianbao.stamp import Stamp, is_short_form, member_codes

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

    def __post_init__(self) -> None:
        """Each limit is a whole number of at least 1; one above `NO_LIMIT` is taken as `NO_LIMIT`, which no
        file reaches (and which Python's reads and sizes can take)."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                option = LIMIT_OPTIONS.get(f.name, f.name)
                raise UsageError(f"读取上限 {option} 的值“{value}”无效，应为不小于 1 的整数")
            object.__setattr__(self, f.name, min(value, NO_LIMIT))


NO_LIMIT = sys.maxsize  # 8 EB, 9 × 10¹⁸ cells: a larger limit is no limit

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
    """“50MB”, “500 KB”, “1.5GB”, “1048576” → bytes (units of 1024, whole bytes), computed exactly for any
    number of digits; a size above `NO_LIMIT` is `NO_LIMIT`. Raises ValueError (in Chinese) on anything else
    and on a size below 1 byte."""
    m = _SIZE.match(text)
    unit = m.group(2).upper() if m else ""
    if m is None or unit not in _UNITS:
        raise ValueError(f"无法识别的大小“{text}”，应写作如 50MB、500KB、1GB")
    size = Decimal(m.group(1)) * _UNITS[unit]
    if size < 1:
        raise ValueError(f"大小“{text}”不到 1 字节，应写作如 50MB、500KB、1GB")
    return NO_LIMIT if size > NO_LIMIT else int(size)


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
        """Every unit whose data a consolidated workbook holds (its 明细 rows and the units they hold)."""
        if self.stamp is None or is_short_form(self.stamp.members):  # only the short form survived
            return []
        return member_codes(self.stamp.members)

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)
