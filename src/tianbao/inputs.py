"""The files a run reads: the files given, and every file under the folders given (at any depth).

Every file found gets a verdict, whatever it is (a broken link or a pipe as well as a workbook); the run's
own outputs are never taken as inputs, and never written over them: an output file that is, or resolves to,
an input (`inputs_at`) and an output folder among the inputs (`require_outside`) are usage errors, found
before any file is read.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from tianbao.errors import NotARegularFile, UsageError

# What pathlib's is_dir() and exists() take for "no": the path, or a folder on it, is missing or loops.
_ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def read_regular_file(path: str | os.PathLike[str], max_size: int) -> tuple[bytes, os.stat_result]:
    """The bytes of the file at `path` and its status, read by the one rule for every input (a workbook, a
    roster): opened without blocking and checked to be a regular file before anything is read — a FIFO or a
    device must not hang the run; nothing read when the file is larger than `max_size`; never more than
    `max_size` + 1 bytes (a file that grew while read). The caller compares `max(st.st_size, len(data))`
    with `max_size`. Raises OSError: IsADirectoryError, NotARegularFile, FileNotFoundError …"""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(errno.ENODEV, "not a regular file", os.fspath(path))
        data = b""
        if st.st_size <= max_size:
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(st.st_size + 1)  # a buffer of the file's size, not of the limit
                if len(data) > st.st_size:  # it grew since it was measured
                    data += fh.read(max_size + 1 - len(data))
        return data, st
    finally:
        os.close(fd)


def expand_paths(
    paths: Iterable[str | os.PathLike[str]], *, exclude: Iterable[str | os.PathLike[str]] = ()
) -> list[Path]:
    """Files given, and every file under folders given (recursively), sorted, without duplicates; never a
    file of `exclude`, also not through a link (an earlier output in the input folder: it would count
    everything twice)."""
    found, links = _listed(paths)
    for excluded in exclude:
        found = _without(found, links, _target(excluded))
    if not found:
        raise UsageError("没有可检查的文件", "请给出报表文件或包含报表文件的文件夹")
    return [found[k] for k in sorted(found)]


def inputs_at(target: str | os.PathLike[str], paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The inputs listed from `paths` (as `expand_paths` lists them, a path that does not exist left out)
    that are, or resolve to, `target`: what writing `target` would overwrite."""
    given = [p for p in paths if _stat(Path(p)) is not None or Path(p).is_symlink()]
    found, links = _listed(given)
    kept = _without(found, links, _target(target))
    return [found[k] for k in sorted(found) if k not in kept]


def require_not_input(target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Writing `target` overwrites none of `inputs` (files, or folders of files): a UsageError otherwise."""
    hit = inputs_at(target, inputs)
    if hit:
        raise UsageError(
            f"要写入的 {target} 是本次读取的文件 {hit[0]}，写入会覆盖它",
            "请给出另一个文件名，或写到别的文件夹",
        )


def require_outside(
    folder: str | os.PathLike[str],
    paths: Iterable[str | os.PathLike[str]],
    *,
    others: Iterable[str | os.PathLike[str]] = (),
    option: str,
) -> None:
    """An output folder (check --feedback, merge --export) is none of the run's inputs: not a folder given,
    nor one inside it (what is written there would be read as a report the next time), nor a folder that
    holds a file given, a file found through a link, or one of `others` (the roster, last year's files).
    A UsageError naming the input otherwise."""
    target = _target(folder)
    hint = f"请把 {option} 指向报表所在文件夹以外的文件夹"
    for p in paths:
        path = Path(p)
        where = _resolved(path)
        if where is None:
            continue
        if where.is_dir():
            if where == target or where in target.parents:
                raise UsageError(
                    f"{option} {folder} 在要检查的文件夹 {path} 之中：写入的文件会与报表混在一起，"
                    "下次检查时也会被当作报表",
                    hint,
                )
            linked = (sub for sub, is_link in _files_under(path) if is_link)
            _not_in(target, linked, folder, option, hint)
        else:
            _not_in(target, [path], folder, option, hint)
    _not_in(target, [Path(p) for p in others], folder, option, hint)


def _not_in(
    target: Path, files: Iterable[Path], folder: str | os.PathLike[str], option: str, hint: str
) -> None:
    for path in files:
        where = _resolved(path)
        if where is not None and where.parent == target:
            raise UsageError(f"{option} {folder} 中有本次读取的文件 {path}：写入的文件可能覆盖它", hint)


def _listed(paths: Iterable[str | os.PathLike[str]]) -> tuple[dict[str, Path], dict[str, bool]]:
    """Files given and every file under folders given, by their path as text; and whether each file found
    in a folder is a symbolic link (scandir knows). A path that does not exist is a UsageError."""
    found: dict[str, Path] = {}
    links: dict[str, bool] = {}
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
    return found, links


def _target(path: str | os.PathLike[str]) -> Path:
    """Where writing `path` writes: the path with every link followed (as far as they exist)."""
    return _resolved(Path(path)) or Path(path).absolute()


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
