"""`check` as a library call: find the files, read them (in parallel processes), validate them together."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tianbao.errors import UsageError
from tianbao.reading import Limits, Submission, read_submission
from tianbao.reading.consolidated import read_detail
from tianbao.roster import Roster
from tianbao.spec import Spec, known_specs, load_spec
from tianbao.validation.report import FileReport, Report
from tianbao.validation.validate import Validated, validate

Progress = Callable[[int, int], None]


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files given, and every file under folders given (recursively), sorted, without duplicates."""
    found: dict[str, Path] = {}
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for sub in path.rglob("*"):
                if sub.is_file() or (sub.is_symlink() and not sub.is_dir()):
                    found.setdefault(str(sub), sub)
        elif path.exists() or path.is_symlink():
            found.setdefault(str(path), path)
        else:
            raise UsageError(f"找不到文件或文件夹：{path}", "请检查路径是否正确")
    if not found:
        raise UsageError("没有可检查的文件", "请给出报表文件或包含报表文件的文件夹")
    return [found[k] for k in sorted(found)]


@dataclass
class CheckRun:
    spec: Spec
    report: Report
    validated: Validated  # the readable submissions of the run's spec, with their values


def _read_one(args: tuple[str, int | None, Roster | None, str, str, Limits]) -> Submission:
    path, year, roster, spec_id, spec_version, limits = args
    expected = known_specs()[(spec_id, spec_version)]
    sub = read_submission(path, limits=limits, expected_year=year, roster=roster, expected_spec=expected)
    sub.spec = None  # re-attached in the parent: specs are not worth pickling
    return sub


def read_all(
    paths: Sequence[Path],
    spec: Spec,
    *,
    year: int | None,
    roster: Roster | None,
    limits: Limits,
    jobs: int,
    progress: Progress | None = None,
) -> list[Submission]:
    args = [(str(p), year, roster, spec.id, spec.version, limits) for p in paths]
    out: list[Submission] = []
    if jobs <= 1 or len(paths) < 4:
        for i, a in enumerate(args):
            out.append(_read_one(a))
            if progress:
                progress(i + 1, len(args))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for i, sub in enumerate(
                pool.map(_read_one, args, chunksize=max(1, min(64, len(args) // (jobs * 8))))
            ):
                out.append(sub)
                if progress:
                    progress(i + 1, len(args))
    specs = known_specs()
    for sub in out:
        if sub.stamp is not None:
            sub.spec = specs.get((sub.stamp.spec_id, sub.stamp.spec_version))
    return out


def previous_by_unit(paths: Sequence[str | os.PathLike[str]]) -> dict[str, dict[str, float]]:
    """Last year's values by unit code, from last year's submitted workbooks."""
    out: dict[str, dict[str, float]] = {}
    for p in paths:
        sub = read_submission(p)
        if not sub.readable or sub.spec is None or not sub.unit_code:
            raise UsageError(f"上年报表 {p} 无法使用", "请给出上年通过校验的报表或汇总表")
        v = validate(sub.spec, [sub])
        # Last year's consolidated workbook: each unit of its 明细, then the consolidated unit itself.
        if sub.kind == "consolidated":
            out.update(read_detail(sub.spec, p).by_unit())
        out[sub.unit_code] = v.values(0)
    return out


def check_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    year: int | None = None,
    roster: Roster | None = None,
    previous: Mapping[str, Mapping[str, float]] | None = None,
    fmt: str = "2021",
    limits: Limits | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> CheckRun:
    """Check every file; return the report (one entry per file, in path order) and the validated values."""
    spec = load_spec(fmt)
    files = expand_paths(paths)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    subs = read_all(
        files, spec, year=year, roster=roster, limits=limits or Limits(), jobs=jobs, progress=progress
    )
    ok = [s for s in subs if s.readable and s.spec is spec]
    prev = [(previous or {}).get(s.unit_code or "") for s in ok]
    validated = validate(spec, ok, prev)
    return CheckRun(spec, Report([FileReport(s) for s in subs]), validated)
