"""Safe output: atomic writes and file names that work on Windows."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import signal
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from tianbao.cells import xml_text

_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def legible_path(path: str) -> str:
    """A path as people should read it (in messages and in the sheets), never as the file system needs it.
    On Linux a name that is not UTF-8 (a zip made on Windows in China names its files in GBK) comes as
    surrogate escapes, which no text file can hold: each such part of the path is decoded as GB18030 when it
    is GB18030, else its bytes show as U+FFFD. Then `xml_text`."""
    if not _SURROGATE.search(path):
        return xml_text(path)
    parts = []
    for part in path.split(os.sep):
        if _SURROGATE.search(part):
            try:
                raw = os.fsencode(part)
            except UnicodeError:  # a surrogate that stands for no byte: xml_text shows it as U+FFFD
                parts.append(part)
                continue
            try:
                part = raw.decode("gb18030")
            except UnicodeDecodeError:
                part = raw.decode("utf-8", "replace")
        parts.append(part)
    return xml_text(os.sep.join(parts))


def safe_filename(name: str, max_len: int = 120, max_bytes: int = 240) -> str:
    """A file name that Windows, macOS and Linux all accept: unsafe characters (“/”, “:” …) become “_”,
    reserved device names (CON, NUL, COM1 …) get a leading “_”, leading and trailing dots go (“..” becomes
    “_”), and a long name is shortened to `max_len` characters and `max_bytes` bytes of UTF-8 (file
    systems count bytes, 255 at most), keeping its extension."""
    name = unicodedata.normalize("NFC", name)
    name = _BAD.sub("_", name).strip().strip(". ")  # no hidden “.name”, no “name.” (Windows drops it)
    if not name:
        name = "_"
    stem, dot, ext = name.rpartition(".")
    if (dot and stem.split(".")[0].upper() in _RESERVED) or name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
        stem = "_" + stem
    if not (dot and 0 < len(ext) <= 5):
        stem, dot, ext = name, "", ""
    if len(stem + dot + ext) <= max_len and len((stem + dot + ext).encode()) <= max_bytes:
        return stem + dot + ext
    while len(stem + dot + ext) > max_len or len((stem + dot + ext).encode()) > max_bytes:
        stem = stem[:-1]
    return (stem.rstrip(". ") or "_") + dot + ext


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Ctrl+C (SIGINT) held back while the block runs and delivered at its end: a file created or removed in
    the block is never left half done — created but not yet known to the code that removes it. (Signals are
    handled in the main thread only; elsewhere the block just runs.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and callable(previous):
            previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt here


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one step.

    An existing output is never left half-written: on failure (also Ctrl+C) the temporary file is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path: Path | None = None
    try:
        with deferred_interrupt():
            fd, tmp = tempfile.mkstemp(
                prefix=f".{target.stem[:40]}.", suffix=target.suffix + ".tmp", dir=target.parent
            )
            os.close(fd)
            tmp_path = Path(tmp)
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        with deferred_interrupt():
            if tmp_path is not None and tmp_path.exists():
                tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def fixed_zip(data: bytes, when: dt.datetime, replace: Mapping[str, bytes] | None = None) -> bytes:
    """A zip (an .xlsx, a .docx) rewritten so that it records `when` instead of the clock: every entry dated
    `when` (1980 at the earliest, zip's first date), entry attributes fixed, members in their order and
    deflated; `replace`: members given new content."""
    out = io.BytesIO()
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = (replace or {}).get(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            zout.writestr(entry, zin.read(info) if content is None else content)
    return out.getvalue()
