"""The workspace's store of received files, addressed by content: a file is kept once, under its SHA-256
(`blobs/ab/abcdef…`), written to a temporary file, flushed to disk and renamed into place before the database
records it, and never modified afterwards. A name given by a user is never part of a path here."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

_HEX = re.compile(r"[0-9a-f]{64}")
CHUNK = 1024 * 1024


class Store:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        for left in self.root.glob(
            ".incoming.*"
        ):  # a write cut short (the server was killed): never recorded
            with contextlib.suppress(OSError):
                left.unlink()

    def path(self, sha256: str) -> Path:
        """Where the file of this digest is (whether or not it is there)."""
        if not _HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store `data`; return its SHA-256. Storing the same bytes again changes nothing."""
        return self.put_chunks([data])

    def put_file(self, fh: object) -> str:
        """Store what a binary file object holds, read in chunks; return its SHA-256."""
        read = fh.read  # type: ignore[attr-defined]
        return self.put_chunks(iter(lambda: read(CHUNK), b""))

    def put_chunks(self, chunks: Iterable[bytes]) -> str:
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(prefix=".incoming.", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            if target.is_file():
                return sha  # already kept: the store never rewrites a file
            target.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
            _fsync_dir(target.parent)
            return sha
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def link_into(self, sha256: str, target: Path) -> None:
        """Make `target` show the stored file — for a folder of files a library call reads under their
        names: a hard link where the file system allows, else a copy with the same modification time. On
        Windows always a copy: a link shares the file's read-only attribute, and a read-only file cannot be
        deleted there, so the folder could not be removed afterwards."""
        source = self.path(sha256)
        if os.name != "nt":
            try:
                os.link(source, target)
                return
            except OSError:
                pass
        shutil.copyfile(source, target)
        st = source.stat()
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to flush)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
