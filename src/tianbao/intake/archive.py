"""Zip archives of returned workbooks: each file inside is checked as a file of its own, named
`archive.zip!folder/file.xlsx`, under the archive's limits.

Only the zip directory is trusted for nothing: every member's declared size is checked before it is inflated
(a member larger than `max_file_size`, a member over 1 MB compressed more than `max_member_ratio` times, more than
MAX_MEMBERS members, more than `max_uncompressed` inflated from one archive in all — nested archives included),
zipfile itself never inflates more than the declared size and checks the CRC. A name with “..”, a leading “/”
or a drive letter, an encrypted member and archives nested deeper than MAX_DEPTH get a verdict and are not
read. Names are decoded as Windows writes them: without the UTF-8 flag a name is UTF-8 when it is valid UTF-8,
else GBK (GB18030), else code page 437.

Nothing is written outside a private temporary folder (made by `Intake`, removed after the run), and there
under names tianbao chooses (a number and the member's extension), never the member's own name.
7z and RAR archives are not opened (their libraries need native decompressors or an external unrar); the
reader says what they are and what to do.
"""

from __future__ import annotations

import calendar
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.intake.ignore import Ignored, member_ignored_reason
from tianbao.issues import Issue, make
from tianbao.reading.container import MAX_MEMBERS, RATIO_MIN_SIZE, human_size, too_large
from tianbao.reading.model import Limits, Submission

MEMBER_SEP = "!"  # between an archive's path and a member's path inside it
MAX_DEPTH = 2  # an archive inside an archive is opened; one inside that is refused
ARCHIVE_SUFFIXES = (".zip",)
_EXT = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_OOXML = ("[Content_Types].xml", "xl/workbook.xml", "mimetype")


@dataclass(frozen=True)
class ArchiveEntry:
    """An archive that was opened: its path and the paths of the files inside that were checked."""

    path: str
    members: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "members": list(self.members)}


@dataclass
class Unpacked:
    """What the archives of a run held: files to read (temporary path → the name shown), the members refused
    with their verdict, the members ignored, and the archives."""

    files: dict[str, str] = field(default_factory=dict)
    verdicts: list[Submission] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    archives: list[ArchiveEntry] = field(default_factory=list)


_MEMBER = re.compile(r"^(.*?\.zip)!", re.IGNORECASE)


def outer_path(path: str) -> str:
    """The file on disk of a path shown for an archive member (`a.zip!b/c.xlsx` → `a.zip`), else the path."""
    m = _MEMBER.match(path)
    return m.group(1) if m else path


def is_archive(path: Path) -> bool:
    return path.suffix.lower() in ARCHIVE_SUFFIXES


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it: without the UTF-8 flag, zipfile reads code page 437, but
    Windows writes the system code page (GBK in China) and some tools UTF-8 without the flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = info.orig_filename.encode("cp437")
        except UnicodeEncodeError:
            raw = b""
        if raw and not raw.isascii():
            for encoding in ("utf-8", "gb18030"):
                try:
                    name = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
    return name.replace("\\", "/")


def unsafe_name(name: str) -> bool:
    """A name that points outside the archive: absolute, a drive letter, or a “..” part."""
    return name.startswith("/") or bool(re.match(r"^[A-Za-z]:", name)) or ".." in name.split("/")


class Unpacker:
    """Unpacks the archives of one run into `folder` (a private temporary folder)."""

    def __init__(self, folder: Path, limits: Limits) -> None:
        self.folder = folder
        self.limits = limits
        self.out = Unpacked()
        self._count = 0

    def unpack(self, shown: str, data: bytes, depth: int = 0, budget: list[int] | None = None) -> None:
        """The archive `data`, shown as `shown`: its members become files to read, verdicts or ignored."""
        budget = budget if budget is not None else [self.limits.max_uncompressed]
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
            self._verdict(shown, make("corrupt-workbook", reason="压缩包已损坏或不完整"), data)
            return
        with zf:
            names = {i.filename for i in zf.infolist()}
            if names.intersection(_OOXML):  # a workbook (or an OpenDocument file) named .zip: read as a file
                self._file(shown, data, Path(shown).suffix, 0.0)
                return
            self._members(zf, shown, data, depth, budget)

    def _members(self, zf: zipfile.ZipFile, shown: str, data: bytes, depth: int, budget: list[int]) -> None:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            self._verdict(shown, make("unsafe-workbook", reason=f"压缩包内有 {len(infos)} 个文件"), data)
            return
        total = sum(i.file_size for i in infos)
        if total > budget[0]:
            detail = (
                f"压缩包解压后大小 {human_size(total)} 超过上限 {human_size(self.limits.max_uncompressed)}"
            )
            self._verdict(shown, too_large("max_uncompressed", detail), data)
            return
        checked: list[str] = []
        for info, name in sorted(((i, member_name(i)) for i in infos), key=lambda x: x[1]):
            path = f"{shown}{MEMBER_SEP}{name}"
            reason = member_ignored_reason(name)
            if reason is not None:
                self.out.ignored.append(Ignored(path, reason))
                continue
            checked.append(path)
            problem = self._refusal(info, name, depth)
            if problem is not None:
                self._verdict(path, problem)
                continue
            try:
                content = zf.read(info)  # never more than the declared size; the CRC checked
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
                self._verdict(path, make("corrupt-workbook", reason="压缩包中的这个文件已损坏"))
                continue
            except Exception:  # zlib and the other decompressors: anything is this member's problem
                self._verdict(path, make("corrupt-workbook", reason="压缩包中的这个文件无法解压"))
                continue
            budget[0] -= len(content)
            mtime = _entry_time(info)
            if name.lower().endswith(ARCHIVE_SUFFIXES):
                self.unpack(path, content, depth + 1, budget)
            else:
                self._file(path, content, name, mtime)
        if not checked:
            self._verdict(shown, make("not-xlsx", reason="这是压缩包，里面没有可检查的文件"), data)
        self.out.archives.append(ArchiveEntry(shown, tuple(checked)))

    def _refusal(self, info: zipfile.ZipInfo, name: str, depth: int) -> Issue | None:
        """Why a member must not be read, from the zip directory alone; None when it may be."""
        limits = self.limits
        if unsafe_name(name):
            return make("unsafe-workbook", reason="压缩包中的文件名指向压缩包之外（含有“..”或绝对路径）")
        if info.flag_bits & 0x1:
            return make("file-unreadable", reason="压缩包中的这个文件设置了密码，无法解压")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > limits.max_member_ratio:
            return make("unsafe-workbook", reason=f"压缩包中的这个文件压缩比异常（{ratio:.0f} 倍）")
        if info.file_size > limits.max_file_size:
            found, limit = human_size(info.file_size), human_size(limits.max_file_size)
            return too_large("max_file_size", f"文件大小 {found} 超过上限 {limit}")
        if name.lower().endswith(ARCHIVE_SUFFIXES) and depth + 1 >= MAX_DEPTH:
            return make("unsafe-workbook", reason=f"压缩包中套压缩包超过 {MAX_DEPTH} 层")
        return None

    def _file(self, shown: str, content: bytes, name: str, mtime: float) -> None:
        """A member to read: written under a name of tianbao's (its extension kept, for the reader's hints)."""
        self._count += 1
        ext = _EXT.search(name)
        target = self.folder / f"{self._count:05d}{ext.group(0).lower() if ext else ''}"
        with open(target, "xb") as fh:
            fh.write(content)
        if mtime:
            os.utime(target, (mtime, mtime))
        self.out.files[str(target)] = shown

    def _verdict(self, shown: str, issue: Issue, data: bytes | None = None) -> None:
        import hashlib

        sub = Submission(path=shown, issues=[issue])
        if data is not None:
            sub.size, sub.sha256 = len(data), hashlib.sha256(data).hexdigest()
        self.out.verdicts.append(sub)


def _entry_time(info: zipfile.ZipInfo) -> float:
    """The member's time as the zip records it (no time zone: read as UTC, the same on every machine)."""
    try:
        return float(calendar.timegm((*info.date_time, 0, 0, 0)))
    except (ValueError, OverflowError):
        return 0.0
