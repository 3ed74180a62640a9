"""Files that are not reports: the lock files office programs leave, the folder settings of Windows and macOS,
hidden files. They are listed as 已忽略 with the reason — not read, not 退回, the exit code not affected."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Any

FILE_ATTRIBUTE_HIDDEN = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 2)

_BY_NAME = {
    "thumbs.db": "Windows 的缩略图缓存",
    "ehthumbs.db": "Windows 的缩略图缓存",
    "desktop.ini": "Windows 的文件夹设置",
    ".ds_store": "macOS 的文件夹设置",
}


@dataclass(frozen=True)
class Ignored:
    """A file that is not a report: its path (as the report shows it) and why it was left out."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason}


def ignored_reason(name: str, *, attributes: int = 0) -> str | None:
    """Why a file of this name (the last part of its path) is not a report; None when it may be one.
    `attributes`: the file's Windows attributes (`st_file_attributes`), whose hidden bit counts too."""
    lower = name.lower()
    if name.startswith("~$"):
        return "Excel 或 WPS 打开文件时留下的临时锁定文件（文件名以 ~$ 开头）"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "LibreOffice 或 WPS 打开文件时留下的锁定文件（文件名以 .~lock. 开头）"
    if lower in _BY_NAME:
        return _BY_NAME[lower]
    if name.startswith("._"):
        return "macOS 复制文件时留下的附加信息文件（文件名以 ._ 开头）"
    if name.startswith("."):
        return "隐藏文件（文件名以 . 开头）"
    if attributes & FILE_ATTRIBUTE_HIDDEN:
        return "隐藏文件（Windows 的隐藏属性）"
    return None


def member_ignored_reason(inner: str) -> str | None:
    """`ignored_reason` for a file inside an archive (`inner`: its path there, “/” between folders): also the
    files under macOS's __MACOSX folder and under hidden folders."""
    parts = [p for p in inner.split("/") if p]
    if any(p == "__MACOSX" for p in parts[:-1]):
        return "macOS 压缩时附带的系统文件（__MACOSX 文件夹）"
    if any(p.startswith(".") and p not in (".", "..") for p in parts[:-1]):
        return "在隐藏文件夹中"
    return ignored_reason(parts[-1]) if parts else None


def file_attributes(path: str | os.PathLike[str]) -> int:
    """The Windows attributes of a file (0 elsewhere, or when it cannot be read): only Windows pays a stat."""
    if os.name != "nt":
        return 0
    try:
        return int(getattr(os.stat(path, follow_symlinks=False), "st_file_attributes", 0))
    except OSError:
        return 0
