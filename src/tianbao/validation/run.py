"""`check` as a library call: find the files, read them (in parallel processes), validate them together."""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import stat
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.errors import UsageError
from tianbao.issues import make
from tianbao.options import CheckOptions
from tianbao.reading import Limits, Submission, read_submission
from tianbao.reading.consolidated import read_detail
from tianbao.reading.interpret import reader_backend
from tianbao.reading.previous import Previous, PreviousUnit
from tianbao.roster import Roster
from tianbao.spec import Spec, known_specs
from tianbao.validation.report import FileReport, Report
from tianbao.validation.validate import Validated, validate

Progress = Callable[[int, int], None]


# What pathlib's is_dir() and exists() take for "no": the path, or a folder on it, is missing or loops.
_ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def expand_paths(
    paths: Iterable[str | os.PathLike[str]], *, exclude: Iterable[str | os.PathLike[str]] = ()
) -> list[Path]:
    """Files given, and every file under folders given (recursively), sorted, without duplicates; never a
    file of `exclude`, also not through a link (an earlier output in the input folder: it would count
    everything twice)."""
    found: dict[str, Path] = {}
    links: dict[str, bool] = {}  # whether a file found in a folder is a symbolic link (scandir knows)
    for p in paths:
        path = Path(p)
        st = _stat(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            for sub, is_link in _files_under(path):
                found.setdefault(str(sub), sub)
                links[str(sub)] = is_link
        elif st is not None or path.is_symlink():
            found.setdefault(str(path), path)
        else:
            raise UsageError(f"找不到文件或文件夹：{path}", "请检查路径是否正确")
    for excluded in exclude:
        found = _without(found, links, _resolved(Path(excluded)) or Path(excluded).absolute())
    if not found:
        raise UsageError("没有可检查的文件", "请给出报表文件或包含报表文件的文件夹")
    return [found[k] for k in sorted(found)]


def _stat(path: Path) -> os.stat_result | None:
    """The path's status (following links); None where `Path.exists()` says no."""
    try:
        return path.stat()
    except OSError as exc:
        if exc.errno not in _ABSENT:
            raise
    except ValueError:  # a NUL in the name
        pass
    return None


def _without(found: dict[str, Path], links: dict[str, bool], target: Path) -> dict[str, Path]:
    """The files found that do not resolve to `target`."""
    return {
        k: p
        for k, p in found.items()
        if not _may_resolve_to(p, links.get(k), target) or _resolved(p) != target
    }


def _resolved(path: Path) -> Path | None:
    """The path with every link followed; None for a link that leads back to itself (a loop), which is no
    output file (Python 3.11 raises RuntimeError there, later versions OSError)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return None


def _may_resolve_to(path: Path, is_link: bool | None, target: Path) -> bool:
    """Only a file of the target's name, a link (`is_link`; None: not known yet) or `..` can resolve to
    `target`: any other resolves to a path ending in its own name. Resolving each of 10,000 files would
    cost most of a second. (casefold: file systems that ignore case may resolve to the name on disk.)"""
    if path.name.casefold() == target.name.casefold() or path.name in ("", ".."):
        return True
    return path.is_symlink() if is_link is None else is_link


def _files_under(folder: Path) -> Iterator[tuple[Path, bool]]:
    """What `folder.rglob("*")` finds that is not a folder — files, but also broken links, pipes …: each gets
    a verdict — and whether it is a symbolic link. Like rglob, links to folders are not followed and
    unreadable folders are skipped; one `scandir` per folder, without a `stat` per file. A list of folders
    still to list rather than recursion: any depth of folders."""
    todo = [folder]
    while todo:
        current = todo.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except PermissionError:
            continue
        for entry in entries:
            child = current / entry.name
            if not _is_dir(entry):
                yield child, entry.is_symlink()
            elif not entry.is_symlink():
                todo.append(child)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError as exc:
        if exc.errno not in _ABSENT:
            raise
        return False


@dataclass
class CheckRun:
    spec: Spec
    report: Report
    validated: Validated  # the readable submissions of the run's spec, with their values


ReadArgs = tuple[str, int | None, "Roster | _Shared | None", str, str, Limits, str]
IN_FLIGHT = 2  # batches queued per worker: enough to keep it busy, few to re-read when a worker dies
POLL_SECONDS = 0.5  # how often a waiting run looks whether a worker has died
MAX_BATCH = 32  # files per task: a task costs the pool about a millisecond, a file a few


class _Shared:
    """Stands for the run's roster in a task. The roster (a megabyte for 10,000 units) goes to each worker
    once, with the pool's initializer, not with every file."""

    def __reduce__(self) -> str:
        return "SHARED"


SHARED = _Shared()
_worker_roster: Roster | None = None


def _init_worker(roster: Roster | None) -> None:
    global _worker_roster
    _worker_roster = roster
    gc.enable()  # forked from a parent that pauses it while it gathers the results


def _read_one(args: ReadArgs) -> Submission:
    path, year, roster, spec_id, spec_version, limits, reader = args
    expected = known_specs()[(spec_id, spec_version)]
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


def _read_batch(batch: list[ReadArgs]) -> list[Submission]:
    out = []
    for a in batch:
        with paused_gc():  # file by file: the reference reader leaves a workbook's cycles behind
            out.append(_read_one(a))
    return out


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a file is read: reading makes many short-lived objects and few
    cycles, and each collection would walk every object alive (the caches, the submissions read so far).
    Reference counting frees nearly everything; what a file leaves in cycles (openpyxl's workbooks) is
    still in the youngest generation afterwards, and the next collection frees it cheaply.
    The same once the files are read, while the run is validated, consolidated and written: millions of new
    objects, few cycles, and each collection walks the submissions alive — at 10,000 files about a second
    and a half of collections, for the same peak memory."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_all(
    paths: Sequence[Path], spec: Spec, options: CheckOptions, progress: Progress | None = None
) -> list[Submission]:
    """Read every file (in path order); with `jobs` > 1 in worker processes, where a crash is contained."""
    done = 0
    total = len(paths)

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    year, roster, limits, reader, jobs = (
        options.year,
        options.roster,
        options.limits,
        options.reader,
        options.processes,
    )
    if jobs <= 1 or len(paths) < 4:
        out = []
        for p in paths:
            with paused_gc():
                out.append(_read_one((str(p), year, roster, spec.id, spec.version, limits, reader)))
            tick()
    else:
        args: list[ReadArgs] = [(str(p), year, SHARED, spec.id, spec.version, limits, reader) for p in paths]
        with paused_gc():
            out = _read_parallel(args, jobs, roster, tick)
    specs = known_specs()
    for sub in out:
        if sub.stamp is not None:
            sub.spec = specs.get((sub.stamp.spec_id, sub.stamp.spec_version))
    return out


def _read_parallel(
    args: list[ReadArgs], jobs: int, roster: Roster | None, tick: Callable[[int], None]
) -> list[Submission]:
    """Read in a pool of worker processes, in batches of files. One bad file never stops the others: when a
    worker dies (a crash in native code, the out-of-memory killer), the files of the batches that were in
    flight become suspects and are read again one per task in a new pool; when that pool breaks too, the
    few files it had in flight are read each alone in a fresh process, so that the culprit is known and gets
    a `reader-crashed` verdict. The files not yet started go on in batches in a new pool."""
    results: dict[int, Submission] = {}
    todo = list(range(len(args)))
    suspects: list[int] = []
    while todo or suspects:
        if suspects:
            lost, suspects = _pool_pass(args, suspects, jobs, roster, results, tick, batch_size=1)
            for i in lost:  # at most jobs × IN_FLIGHT files
                results[i] = _read_alone(args[i], roster)
                tick(1)
        else:
            suspects, todo = _pool_pass(args, todo, jobs, roster, results, tick)
    return [results[i] for i in range(len(args))]


def _pool_pass(
    args: list[ReadArgs],
    todo: list[int],
    jobs: int,
    roster: Roster | None,
    results: dict[int, Submission],
    tick: Callable[[int], None],
    batch_size: int | None = None,
) -> tuple[list[int], list[int]]:
    """Read `todo` in one pool, a few batches in flight per worker, until done or until the pool breaks.
    Returns the files that were in flight when it broke and the files not started."""
    size = batch_size or max(1, min(MAX_BATCH, len(todo) // (jobs * 8)))
    queue = deque(todo[i : i + size] for i in range(0, len(todo), size))
    running: dict[Future[list[Submission]], list[int]] = {}
    lost: list[int] = []
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(roster,))
    try:
        while queue or running:
            while queue and len(running) < jobs * IN_FLIGHT and not lost:
                batch = queue.popleft()
                try:
                    running[pool.submit(_read_batch, [args[i] for i in batch])] = batch
                except BrokenProcessPool:
                    lost.extend(batch)
            if not running:
                break
            finished = _wait_any(pool, running)
            if finished is None:  # a worker died and the executor did not notice
                for batch in running.values():
                    lost.extend(batch)
                running.clear()
                break
            for future in finished:
                batch = running.pop(future)
                try:
                    results.update(zip(batch, future.result(), strict=True))
                    tick(len(batch))
                except Exception:  # BrokenProcessPool, or a result that could not be sent back
                    lost.extend(batch)
    finally:
        _close(pool, broken=bool(lost))
    return sorted(lost), [i for batch in queue for i in batch]


def _wait_any(pool: ProcessPoolExecutor, futures: Collection[Future[Any]]) -> set[Future[Any]] | None:
    """At least one finished future, or None when a worker of the pool has died without the executor
    failing the futures (CPython's executor can miss a worker killed abruptly, and then waits forever)."""
    while True:
        done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        if done:
            return done
        # Workers never exit while the pool is open (no max_tasks_per_child): an exit code means death.
        if any(p.exitcode is not None for p in _workers(pool)):
            return None


def _workers(pool: ProcessPoolExecutor) -> list[Any]:
    return list((getattr(pool, "_processes", None) or {}).values())


def _close(pool: ProcessPoolExecutor, broken: bool) -> None:
    """Shut a pool down; a broken one without waiting for it, its surviving workers terminated."""
    if not broken:
        pool.shutdown(wait=True)
        return
    workers = _workers(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        if p.exitcode is None:
            p.terminate()


def _read_alone(a: ReadArgs, roster: Roster | None) -> Submission:
    """Read one file in a process of its own: a crash there is this file's."""
    pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(roster,))
    broken = True
    try:
        future = pool.submit(_read_one, a)
        if _wait_any(pool, [future]) is None:
            return crashed(a[0], "进程意外终止，可能是内存不足或读取组件崩溃")
        result = future.result()
        broken = False
        return result
    except BrokenProcessPool:
        return crashed(a[0], "进程意外终止，可能是内存不足或读取组件崩溃")
    except MemoryError:
        return crashed(a[0], "内存不足")
    except Exception as exc:
        return crashed(a[0], f"读取结果无法传回：{type(exc).__name__}")
    finally:
        _close(pool, broken)


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


def previous_by_unit(paths: Sequence[str | os.PathLike[str]]) -> Previous:
    """Last year's values by unit code, from last year's submitted workbooks."""
    out: dict[str, PreviousUnit] = {}
    year = None
    for p in paths:
        sub = read_submission(p)
        if not sub.readable or sub.spec is None or not sub.unit_code:
            raise UsageError(f"上年报表 {p} 无法使用", "请给出上年通过校验的报表或汇总表")
        year = sub.year
        v = validate(sub.spec, [sub])
        # Last year's consolidated workbook: each unit of its 明细, then the consolidated unit itself.
        if sub.kind == "consolidated":
            for code, values in read_detail(sub.spec, p).by_unit().items():
                out[code] = PreviousUnit(code, "", "", values)
        out[sub.unit_code] = PreviousUnit(sub.unit_code, "", "", v.values(0))
    return Previous(year, out, tuple(map(str, paths)))


def check_files(
    paths: Iterable[str | os.PathLike[str]],
    options: CheckOptions | None = None,
    *,
    progress: Progress | None = None,
) -> CheckRun:
    """Check every file under `paths` (files, or folders walked recursively) as `options` say; return the
    report (one entry per file, in path order) and the validated values. `progress(done, total)` is called
    as files are read."""
    options = options or CheckOptions()
    spec = options.spec
    files = expand_paths(paths, exclude=options.exclude)
    subs = read_all(files, spec, options, progress)
    with paused_gc():
        ok = [s for s in subs if s.readable and s.spec is spec]
        previous = options.previous
        prev = [previous.values(s.unit_code) if previous is not None else None for s in ok]
        validated = validate(spec, ok, prev)
        return CheckRun(spec, Report([FileReport(s) for s in subs]), validated)
