"""What a check run is asked to do: one frozen object that `check_files`, `merge_files`, the command line
(tianbao.cli.common builds it once from the options check and merge share) and any other front end pass around.

A new option of the run is a field here, with its default, its check in `__post_init__` and, where a command
offers it, one typer option in tianbao.cli.common: every command and library call that checks files gets it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tianbao.errors import UsageError
from tianbao.pool import MAX_JOBS
from tianbao.reading.interpret import DEFAULT_READER, READERS
from tianbao.reading.model import Limits
from tianbao.spec import DEFAULT_FORMAT, YEARS, Spec, load_spec

if TYPE_CHECKING:
    from tianbao.reading.previous import Previous
    from tianbao.roster import Roster


@dataclass(frozen=True, kw_only=True)
class CheckOptions:
    """The options of a check (and of the check that a merge starts with).

    - `year`: the reporting year the files must carry (`year-mismatch` otherwise); None: not checked.
    - `fmt`: the format of this year's templates ("2021", "2019" or a spec file); files of another format
      are read but not validated or consolidated.
    - `roster`: the units expected (`unit-not-in-roster`, unit types for S5, the roll-call).
    - `previous`: last year's values (`tianbao.reading.previous.read_previous`), for S1 and S2. Its year must
      be the year before `year`.
    - `limits`: the reading limits (file size, unzipped size, shared strings, cells).
    - `jobs`: reading processes; None: one per CPU.
    - `reader`: "fast" (the default) or "openpyxl" (the reference; the same results, slower).
    - `exclude`: files never read as inputs, wherever found (also through a link): the run's own outputs.
    """

    year: int | None = None
    fmt: str = DEFAULT_FORMAT
    roster: Roster | None = None
    previous: Previous | None = None
    limits: Limits = field(default_factory=Limits)
    jobs: int | None = None
    reader: str = DEFAULT_READER
    exclude: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        if self.year is not None and self.year not in YEARS:
            raise UsageError(
                f"报告年度 {self.year} 不在 {YEARS.start}–{YEARS.stop - 1} 之间", "请写四位数的年度，如 2025"
            )
        if self.reader not in READERS:
            raise UsageError(f"未知的读取方式“{self.reader}”", f"可选：{'、'.join(READERS)}")
        if self.jobs is not None and not 1 <= self.jobs <= MAX_JOBS:
            raise UsageError(f"进程数 {self.jobs} 应在 1–{MAX_JOBS} 之间")
        load_spec(self.fmt)  # an unknown format is a usage error now, not after the files are read
        if self.previous is not None:
            self.previous.require_year(self.year)
        object.__setattr__(self, "exclude", tuple(Path(p) for p in self.exclude))

    @property
    def spec(self) -> Spec:
        """The spec of `fmt`."""
        return load_spec(self.fmt)

    @property
    def processes(self) -> int:
        """How many processes read the files."""
        return self.jobs if self.jobs is not None else (os.cpu_count() or 1)

    @property
    def read_files(self) -> list[str]:
        """The files these options were read from (the roster, last year's files), as given."""
        roster = [self.roster.source] if self.roster is not None else []
        return roster + list(self.previous.sources if self.previous is not None else ())

    def excluding(self, paths: Iterable[str | os.PathLike[str]]) -> CheckOptions:
        """These options with `paths` also excluded from the inputs."""
        return replace(self, exclude=(*self.exclude, *(Path(p) for p in paths)))
