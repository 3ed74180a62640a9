"""`tianbao import` as a library call: every report given (folders walked and archives opened as `check` walks
and opens them) read and written as an imported workbook in the output folder; a verdict for every file,
whatever it is; files that are no reports (lock files, hidden files) listed as ignored."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.errors import UsageError
from tianbao.fileio import safe_filename
from tianbao.importing.report import AUTO, ReportReading, read_report
from tianbao.importing.workbook import ImportedUnit, write_imported
from tianbao.inputs import expand_paths, require_not_input
from tianbao.intake import MEMBER_SEP, Ignored, gather
from tianbao.issues import make
from tianbao.pool import contained_map
from tianbao.reading.identity import norm_name
from tianbao.reading.model import Limits
from tianbao.roster import Roster, Unit, require_bounded
from tianbao.validation.report import status_of

PARALLEL_FROM = 4  # fewer reports than this are read in this process: a pool costs more


@dataclass(frozen=True)
class ImportOptions:
    year: int | None = None
    unit_code: str = ""  # the unit of every report (its code: a report names none)
    unit_name: str | None = None
    fmt: str = AUTO
    password: str | None = None
    limits: Limits = field(default_factory=Limits)
    roster: Roster | None = None  # each report's unit found by its name: code, roster name, type


def roster_unit(roster: Roster, name: str) -> Unit | None:
    """The roster's unit of the name a report gives: the one of that name (spaces and width aside), else
    the one whose name the report's contains or is contained in (“鄂伦春自治旗诺敏镇人民政府”,
    “诺敏镇人民政府”); None when there is none, or more than one."""
    key = norm_name(name)
    if not key:
        return None
    same = [u for u in roster if norm_name(u.name) == key]
    if not same:
        same = [
            u
            for u in roster
            if len(norm_name(u.name)) >= 3 and (norm_name(u.name) in key or key in norm_name(u.name))
        ]
    return same[0] if len(same) == 1 else None


def _unit(reading: ReportReading, options: ImportOptions) -> ImportedUnit | None:
    """The unit to stamp the workbook with: --unit-code, else the roster's unit of the report's name (an
    issue when there is none)."""
    if options.unit_code:
        return ImportedUnit(options.unit_code, reading.unit_name)
    if options.roster is None or not reading.unit_name:
        return None
    unit = roster_unit(options.roster, reading.unit_name)
    if unit is None:
        reading.issues.append(make("import-unit-not-in-roster", name=reading.unit_name))
        return None
    return ImportedUnit(unit.code, unit.name, unit.type)


@dataclass
class ImportResult:
    reading: ReportReading
    output: str | None = None  # the workbook written, None when the report could not be read
    unit_code: str = ""

    @property
    def status(self) -> str:
        return status_of(self.reading.issues)

    def to_dict(self) -> dict[str, Any]:
        r = self.reading
        return {
            "path": r.path,
            "sha256": r.sha256,
            "kind": r.kind or None,
            "status": self.status,
            "output": self.output,
            "format": r.fmt or None,
            "year": r.year,
            "unit": {"code": self.unit_code, "name": r.unit_name}
            if (r.unit_name or self.unit_code)
            else None,
            "cells": r.counts() if r.readable else None,
            "issues": [i.to_dict() for i in r.issues],
        }


@dataclass
class ImportRun:
    results: list[ImportResult]
    ignored: list[Ignored] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(1 for r in self.results if r.output)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [r.to_dict() for r in self.results],
            "ignored": [i.to_dict() for i in self.ignored],
        }


def _found(paths: Iterable[str | os.PathLike[str]], out_dir: Path) -> list[tuple[Path, Path]]:
    """Each file with its path relative to the folder it was found in (its name for a file given); never a
    file of the output folder (an earlier import there)."""
    out_root = out_dir.resolve()
    pairs: list[tuple[Path, Path]] = []
    for given in paths:
        root = Path(given)
        for path in expand_paths([root]):
            resolved = path.resolve()
            if out_root == resolved.parent or out_root in resolved.parents:
                continue
            pairs.append((path, path.relative_to(root) if root.is_dir() else Path(path.name)))
    return pairs


def _target(out_dir: Path, rel: Path) -> Path:
    """`<name>.xlsx` in the output folder under the report's sub-folders (an archive's members under a folder
    named as the archive): “乡镇/诺敏镇.html” → “乡镇/诺敏镇.html.xlsx” (the report's suffix kept, so that
    the page and the PDF of one report do not overwrite each other)."""
    parts = [p for part in rel.parts for p in part.split(MEMBER_SEP)]
    folders = [safe_filename(p) for p in parts[:-1]]
    return out_dir.joinpath(*folders, safe_filename(parts[-1] + ".xlsx"))


def _unique(targets: list[Path]) -> list[Path]:
    seen: dict[Path, int] = {}
    out = []
    for target in targets:
        n = seen.get(target, 0)
        seen[target] = n + 1
        out.append(target if not n else target.with_name(f"{target.stem}（{n + 1}）.xlsx"))
    return out


def _one(args: tuple[str, str, ImportOptions]) -> ImportResult:
    path, target, options = args
    reading = read_report(
        path, year=options.year, unit_name=options.unit_name, fmt=options.fmt, limits=options.limits
    )
    result = ImportResult(reading)
    if reading.readable and reading.year is not None:
        unit = _unit(reading, options)
        result.unit_code = unit.code if unit is not None else ""
        if unit is not None:
            reading.unit_name = unit.name
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        write_imported(reading, target, unit, options.password)
        result.output = target
    return result


def _crashed(args: tuple[str, str, ImportOptions], reason: str) -> ImportResult:
    return ImportResult(ReportReading(path=args[0], issues=[make("reader-crashed", reason=reason)]))


def import_files(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: ImportOptions = ImportOptions(),
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportRun:
    """Import every report; results in the order of the files' paths (as `check` sorts them). No workbook
    written may be the roster read."""
    require_bounded(
        options.unit_code,
        options.unit_name,
        whose="单位",
        code_option="--unit-code",
        name_option="--unit-name",
    )
    out = Path(out_dir)
    found = _found(paths, out)
    rel_of = {str(p): rel for p, rel in found}
    with gather([p for p, _ in found], options.limits) as intake:
        if intake.empty:
            raise UsageError(
                "没有可导入的报告", "请给出报告文件（.html、.docx、.pdf、.txt）或包含报告的文件夹"
            )
        shown = [intake.shown.get(str(p), str(p)) for p in intake.to_read]
        rels = [_relative(s, rel_of) for s in shown]
        targets = _unique([_target(out, rel) for rel in rels])
        if options.roster is not None:
            for target in targets:
                require_not_input(target, [options.roster.source])
        work = [(str(p), str(t), options) for p, t in zip(intake.to_read, targets, strict=True)]
        out.mkdir(parents=True, exist_ok=True)
        results = _map(work, jobs, progress)
        for result, name in zip(results, shown, strict=True):
            result.reading.path = name
    for sub in intake.verdicts:  # archive members refused from the archive's directory alone
        results.append(ImportResult(ReportReading(path=sub.path, size=sub.size, issues=list(sub.issues))))
    results.sort(key=lambda r: r.reading.path)
    return ImportRun(results, intake.ignored)


def _relative(shown: str, rel_of: dict[str, Path]) -> Path:
    """A file's path relative to its folder given; an archive member's under its archive's."""
    archive, sep, inner = shown.partition(MEMBER_SEP)
    rel = rel_of.get(archive, Path(Path(archive).name))
    return Path(f"{rel}{sep}{inner}") if sep else rel


def _map(
    work: list[tuple[str, str, ImportOptions]], jobs: int | None, progress: Callable[[int, int], None] | None
) -> list[ImportResult]:
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(work))

    if jobs <= 1 or len(work) < PARALLEL_FROM:
        results = []
        for args in work:
            results.append(_one(args))
            tick()
        return results
    return contained_map(_one, work, jobs=jobs, crashed=_crashed, tick=tick)


__all__ = ["ImportOptions", "ImportResult", "ImportRun", "import_files"]
