"""Stage 1b: what the files found are — reports to read, files that are not reports (已忽略: lock files,
folder settings, hidden files) and zip archives, whose members are checked each as a file of its own.

    with gather(files, limits) as intake:
        subs = read(intake.to_read)       # plain files and the members unpacked to a private folder
        intake.rename(subs)               # members shown as archive.zip!folder/file.xlsx
    subs += intake.verdicts               # members (or archives) refused from the zip directory alone

`check_files` does this; a front end that receives uploads (the web app) passes the uploaded files the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.intake.archive import MEMBER_SEP, ArchiveEntry, Unpacker, is_archive
from tianbao.intake.ignore import Ignored, file_attributes, ignored_reason, member_ignored_reason
from tianbao.reading.model import Limits, Submission

__all__ = [
    "MEMBER_SEP",
    "ArchiveEntry",
    "Ignored",
    "Intake",
    "gather",
    "ignored_reason",
    "member_ignored_reason",
]


@dataclass
class Intake:
    """The files of a run, sorted out. `to_read`: the files to read (plain files as found, archive members as
    temporary files); `verdicts`: archive members or archives refused before reading; `ignored`; `archives`."""

    to_read: list[Path] = field(default_factory=list)
    shown: dict[str, str] = field(default_factory=dict)  # temporary path of a member → the name shown
    verdicts: list[Submission] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    archives: list[ArchiveEntry] = field(default_factory=list)

    def rename(self, subs: Sequence[Submission]) -> None:
        """Give the submissions of archive members their shown names instead of their temporary paths."""
        for sub in subs:
            sub.path = self.shown.get(sub.path, sub.path)

    @property
    def empty(self) -> bool:
        return not self.to_read and not self.verdicts


@contextlib.contextmanager
def gather(files: Sequence[Path], limits: Limits | None = None) -> Iterator[Intake]:
    """Sort `files` (as `expand_paths` finds them) into an `Intake`; archives are unpacked into a private
    temporary folder that is removed when the block ends."""
    limits = limits or Limits()
    intake = Intake()
    folder: str | None = None
    try:
        unpacker: Unpacker | None = None
        for path in files:
            reason = ignored_reason(path.name, attributes=file_attributes(path))
            if reason is not None:
                intake.ignored.append(Ignored(str(path), reason))
                continue
            data = _archive_bytes(path, limits) if is_archive(path) else None
            if data is None:  # a plain file, or an archive the reader will give its verdict (too large …)
                intake.to_read.append(path)
                continue
            if unpacker is None:
                folder = tempfile.mkdtemp(prefix="tianbao-")  # private: mode 0700
                unpacker = Unpacker(Path(folder), limits)
            unpacker.unpack(str(path), data)
        if unpacker is not None:
            out = unpacker.out
            intake.to_read.extend(Path(p) for p in out.files)
            intake.shown.update(out.files)
            intake.verdicts.extend(out.verdicts)
            intake.ignored.extend(out.ignored)
            intake.archives.extend(out.archives)
        intake.ignored.sort(key=lambda i: i.path)
        yield intake
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _archive_bytes(path: Path, limits: Limits) -> bytes | None:
    """An archive's bytes; None when the reader should judge it as a file (not a regular file, unreadable,
    over the size limit): it says why in the same words as for any file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limits.max_file_size:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limits.max_file_size + 1)
        return data if len(data) <= limits.max_file_size else None
    except OSError:
        return None
    finally:
        os.close(fd)
