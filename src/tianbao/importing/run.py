"""`tianbao import` as a library call: every report given (folders walked as `check` walks them) read and
written as an imported workbook in the output folder; a verdict for every file, whatever it is."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.fileio import safe_filename
from tianbao.importing.report import AUTO, ReportReading, read_report
from tianbao.importing.workbook import write_imported
from tianbao.validation.report import status_of
from tianbao.validation.run import expand_paths


@dataclass(frozen=True)
class ImportOptions:
    year: int | None = None
    unit_code: str = ""
    unit_name: str | None = None
    fmt: str = AUTO
    password: str | None = None


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
            "kind": r.kind,
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


def targets(paths: Iterable[str | os.PathLike[str]], out_dir: Path) -> list[tuple[Path, Path]]:
    """Each report with its workbook: `<name>.xlsx` in the output folder, a folder's files under the same
    sub-folders; never a file of the output folder itself."""
    out_root = out_dir.resolve()
    pairs: list[tuple[Path, Path]] = []
    for given in paths:
        root = Path(given)
        for path in expand_paths([root]):
            if out_root == path.resolve().parent or out_root in path.resolve().parents:
                continue
            rel = path.relative_to(root) if root.is_dir() else Path(path.name)
            pairs.append((path, out_dir.joinpath(*rel.parts[:-1], safe_filename(rel.name + ".xlsx"))))
    seen: dict[Path, int] = {}
    unique = []
    for path, target in pairs:
        n = seen.get(target, 0)
        seen[target] = n + 1
        unique.append((path, target if not n else target.with_name(f"{target.stem}（{n + 1}）.xlsx")))
    return unique


def _one(args: tuple[str, str, ImportOptions]) -> ImportResult:
    path, target, options = args
    reading = read_report(path, year=options.year, unit_name=options.unit_name, fmt=options.fmt)
    result = ImportResult(reading, unit_code=options.unit_code)
    if reading.readable and reading.year is not None:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        write_imported(reading, target, options.unit_code, options.password)
        result.output = target
    return result


def import_files(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: ImportOptions = ImportOptions(),
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ImportResult]:
    """Import every report; results in the order of the files (sorted as `check` sorts them)."""
    out = Path(out_dir)
    work = [(str(p), str(t), options) for p, t in targets(paths, out)]
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    out.mkdir(parents=True, exist_ok=True)
    results: list[ImportResult] = []
    if jobs <= 1 or len(work) < 4:
        for a in work:
            results.append(_one(a))
            if progress:
                progress(len(results), len(work))
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(_one, work, chunksize=max(1, min(16, len(work) // (jobs * 4)))):
            results.append(result)
            if progress:
                progress(len(results), len(work))
    return results
