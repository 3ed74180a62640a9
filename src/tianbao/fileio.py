"""Safe output: atomic writes and file names that work on Windows."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


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
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one step.

    An existing output is never left half-written: on failure the temporary file is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.stem[:40]}.", suffix=target.suffix + ".tmp", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
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
