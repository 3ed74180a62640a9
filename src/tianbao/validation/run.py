"""`check` as a library call: find the files (tianbao.inputs), read them (in worker processes where a crash
is contained: tianbao.pool), validate them together."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tianbao.errors import UsageError
from tianbao.gctools import paused_gc
from tianbao.inputs import expand_paths
from tianbao.intake import Ignored, gather
from tianbao.issues import make
from tianbao.narrative import narrative_issues
from tianbao.options import CheckOptions
from tianbao.pool import contained_map
from tianbao.reading import Limits, Submission, read_submission
from tianbao.reading.interpret import reader_backend
from tianbao.roster import Roster
from tianbao.spec import Spec, known_specs
from tianbao.validation.report import FileReport, Report
from tianbao.validation.validate import Validated, validate
from tianbao.validation.year import assumed_year, warn_other_years

Progress = Callable[[int, int], None]
PARALLEL_FROM = 4  # fewer files than this are read in this process: a pool costs more


@dataclass
class CheckRun:
    spec: Spec
    report: Report
    validated: Validated  # the readable submissions of the run's spec, with their values


ReadArgs = tuple[str, int | None, "Roster | _Shared | None", str, str, Limits, str]


class _Shared:
    """Stands for the run's roster in a task. The roster (a megabyte for 10,000 units) goes to each worker
    once, with the pool's initializer, not with every file."""

    def __reduce__(self) -> str:
        return "SHARED"


SHARED = _Shared()
_worker_roster: Roster | None = None


def _share_roster(roster: Roster | None) -> None:
    global _worker_roster
    _worker_roster = roster


def _read_one(args: ReadArgs) -> Submission:
    path, year, roster, spec_id, spec_version, limits, reader = args
    expected = known_specs()[(spec_id, spec_version)]
    with paused_gc():  # file by file: the reference reader leaves a workbook's cycles behind
        sub = read_submission(
            path,
            backend=reader_backend(reader),
            limits=limits,
            expected_year=year,
            roster=_worker_roster if roster is SHARED else roster,  # type: ignore[arg-type]
            expected_spec=expected,
        )
    sub.spec = None  # re-attached in the parent: specs are not worth pickling
    return sub


def read_all(
    paths: Sequence[Path], spec: Spec, options: CheckOptions, progress: Progress | None = None
) -> list[Submission]:
    """Read every file (in path order); with more than one process in worker processes, where a crash is
    contained (the file that crashed its reader gets `reader-crashed`)."""
    done = 0
    total = len(paths)

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    jobs = options.processes
    common = (options.year, spec.id, spec.version, options.limits, options.reader)

    def task(p: Path, roster: Roster | _Shared | None) -> ReadArgs:
        year, spec_id, spec_version, limits, reader = common
        return (str(p), year, roster, spec_id, spec_version, limits, reader)

    if jobs <= 1 or len(paths) < PARALLEL_FROM:
        out = []
        for p in paths:
            out.append(_read_one(task(p, options.roster)))
            tick()
    else:
        with paused_gc():
            out = contained_map(
                _read_one,
                [task(p, SHARED) for p in paths],
                jobs=jobs,
                crashed=lambda args, reason: crashed(args[0], reason),
                initializer=_share_roster,
                initargs=(options.roster,),
                tick=tick,
            )
    specs = known_specs()
    for sub in out:
        if sub.stamp is not None:
            sub.spec = specs.get((sub.stamp.spec_id, sub.stamp.spec_version))
    return out


def crashed(path: str, reason: str) -> Submission:
    """The verdict of a file whose reader died: `reader-crashed`, with the file's size and sha256."""
    sub = Submission(path=path, issues=[make("reader-crashed", reason=reason)])
    with contextlib.suppress(OSError):
        p = Path(path)
        st = p.stat()
        sub.size, sub.mtime = st.st_size, st.st_mtime
        if stat.S_ISREG(st.st_mode) and st.st_size <= Limits().max_file_size:
            sub.sha256 = hashlib.sha256(p.read_bytes()).hexdigest()
    return sub


def check_files(
    paths: Iterable[str | os.PathLike[str]],
    options: CheckOptions | None = None,
    *,
    progress: Progress | None = None,
) -> CheckRun:
    """Check every file under `paths` (files, or folders walked recursively) as `options` say; return the
    report (one entry per file, in path order; the files ignored, the archives opened; with a roster the
    roll-call) and the validated values. Without `options.year`, the year most files carry is checked (and
    said in the report). `progress(done, total)` is called as files are read."""
    options = options or CheckOptions()
    spec = options.spec
    found = expand_paths(paths, exclude=options.exclude)
    with gather(found, options.limits) as intake:
        if intake.empty:
            raise nothing_to_check(intake.ignored)
        subs = read_all(intake.to_read, spec, options, progress)
        intake.rename(subs)
    subs = sorted([*subs, *intake.verdicts], key=lambda s: s.path)
    year, assumed = options.year, False
    if year is None and (year := assumed_year(subs)) is not None:
        assumed = True
        warn_other_years(subs, year)
    with paused_gc():
        ok = [s for s in subs if s.readable and s.spec is spec]
        previous = options.previous
        prev = [
            previous.values_for(s.unit_code, s.year, s.unit_name) if previous is not None else None
            for s in ok
        ]
        validated = validate(spec, ok, prev)
        for i, sub in enumerate(ok):  # the 正文 against the tables and last year's text
            if not sub.text:
                continue
            last = previous.text_for(sub.unit_code, sub.year, sub.unit_name) if previous is not None else None
            sub.issues.extend(
                narrative_issues(spec, sub.text, validated.values(i), year=sub.year, previous=last)
            )
        report = Report(
            [FileReport(s) for s in subs],
            ignored=intake.ignored,
            archives=intake.archives,
            year=year,
            year_assumed=assumed,
        )
        if options.roster is not None:
            from tianbao.consolidation.rollcall import roll_call  # the package imports this module

            parent = options.roster.top_parent()
            report.roll_call = roll_call(subs, spec=spec, roster=options.roster, parent_code=parent)
        return CheckRun(spec, report, validated)


def nothing_to_check(ignored: Sequence[Ignored]) -> UsageError:
    """The usage error of a run that found only files that are not reports."""
    shown = "；".join(f"{i.path}（{i.reason}）" for i in ignored[:3]) + ("等" if len(ignored) > 3 else "")
    return UsageError(
        f"没有可检查的文件：找到的 {len(ignored)} 个文件都不是报表，已忽略：{shown}",
        "请给出报表文件或包含报表文件的文件夹",
    )
