"""Exceptions of tianbao. Each inherits the package base and a builtin, so callers may catch either."""

import errno
import re

_HAN = re.compile(r"[\u4e00-\u9fff]")


def speaks_chinese(message: str) -> bool:
    """Whether a message is ours (Chinese) rather than a library's English one, which is then translated."""
    return _HAN.search(message) is not None


class TianbaoError(Exception):
    """Base class. The message is Chinese and meant for the user; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}（{self.hint}）"


class SpecError(TianbaoError, ValueError):
    """The declarative spec is invalid; the message names the path of the bad entry."""


class RosterError(TianbaoError, ValueError):
    """The roster file cannot be used; the message names the row."""


class FillError(TianbaoError, ValueError):
    """Values cannot be written into a template."""


class UsageError(TianbaoError, ValueError):
    """Bad arguments from the command line or the caller."""


class NotARegularFile(OSError):
    """The path is a pipe, a device or a socket: nothing to read (and reading could wait forever)."""


# What an operating-system error means, in Chinese: the same words wherever a file is read or written (a
# return, the roster, an output). By class (Python picks it from errno, and code raising one may give none),
# then by errno.
_OS_CLASSES: tuple[tuple[type[OSError], str], ...] = (
    (NotARegularFile, "这不是普通文件（可能是管道或设备）"),
    (FileNotFoundError, "文件或文件夹不存在"),
    (IsADirectoryError, "这是文件夹，不是文件"),
    (NotADirectoryError, "路径中有一部分不是文件夹"),
    (PermissionError, "没有权限（文件是否正在 Excel 或 WPS 中打开？）"),
)
_OS_ERRNOS = {errno.ENOSPC: "磁盘空间不足", errno.EROFS: "只读的文件系统"}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Chinese."""
    for cls, reason in _OS_CLASSES:
        if isinstance(exc, cls):
            return reason
    return _OS_ERRNOS.get(exc.errno or 0, "读写时出错（可能是文件被占用或磁盘有问题）")
