"""Look at the bytes before any XML is parsed: is this an .xlsx at all, and is it safe to open?

Empty files, legacy binary workbooks (.xls, WPS .et), password-encrypted workbooks (an OLE2 container holding
an `EncryptedPackage` stream), OpenDocument spreadsheets, other files renamed to .xlsx, truncated downloads and
zip bombs are recognised here from the header and the zip directory alone — nothing is inflated.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from tianbao import caches
from tianbao.errors import os_reason
from tianbao.issues import Issue, make
from tianbao.reading.model import LIMIT_OPTIONS, Limits

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_LOCAL = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
RATIO_MIN_SIZE = 1024 * 1024  # small members may compress very well; only large ones are checked
MAX_MEMBERS = 10_000
WORKBOOK_PARTS = ("xl/workbook.xml", "xl/workbook.bin")
MAIN_TYPES = (
    b"spreadsheetml.sheet.main",
    b"ms-excel.sheet.macroEnabled.main",
    b"spreadsheetml.template.main",
)

_MAGIC = [
    (b"%PDF", "这是 PDF 文件"),
    (b"\x89PNG", "这是图片（PNG）"),
    (b"\xff\xd8\xff", "这是图片（JPEG）"),
    (b"GIF8", "这是图片（GIF）"),
    (b"Rar!", "这是 RAR 压缩包（tianbao 只打开 .zip 压缩包：请解压后检查其中的工作簿，或改用 .zip 压缩）"),
    (
        b"7z\xbc\xaf\x27\x1c",
        "这是 7z 压缩包（tianbao 只打开 .zip 压缩包：请解压后检查其中的工作簿，或改用 .zip 压缩）",
    ),
    (b"\x1f\x8b", "这是 gzip 压缩包"),
    (b"{\\rtf", "这是 RTF 文档"),
]


def human_size(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} 字节"


def too_large(limit: str, detail: str, sheet: str | None = None) -> Issue:
    """A refusal by one of the `Limits` (named by its field): the message says what and how much, the hint
    names the option that raises it."""
    return make("file-too-large", sheet=sheet, detail=detail, option=LIMIT_OPTIONS[limit])


def inspect_bytes(data: bytes, path: Path, limits: Limits) -> list[Issue]:
    """Issues found in the file's bytes. Any error means the file must not be handed to a backend."""
    issues, archive = open_archive(data, path, limits)
    if archive is not None:
        archive.close()
    return issues


def open_archive(data: bytes, path: Path, limits: Limits) -> tuple[list[Issue], zipfile.ZipFile | None]:
    """`inspect_bytes`, and the zip opened on `data` when it is one (its directory parsed once, for the
    backend to read the members from; the caller closes it). Any error means the file must not be handed
    to a backend."""
    if not data:
        return [make("file-empty")], None
    if data.startswith(OLE2):
        return [_ole2(data, path)], None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        if data.startswith(ZIP_LOCAL):
            return [make("corrupt-workbook", reason="文件不完整（可能是传输或复制时中断了）")], None
        return [make("not-xlsx", reason=_not_zip_reason(data, path))], None
    try:
        issues = _zip_issues(zf, data, limits)
    except Exception as exc:  # a member that does not inflate, a directory that lies …: a verdict
        zf.close()
        return [failure(exc)], None
    except BaseException:
        zf.close()
        raise
    return issues, zf


def failure(exc: BaseException) -> Issue:
    """An exception from reading a file (the zip here, a backend, anything) as an issue, in Chinese."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:  # openpyxl re-raises parse errors as ValueError(...) from e
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any("Forbidden" in type(e).__name__ for e in chain):  # defusedxml: DTDForbidden, EntitiesForbidden …
        return make("unsafe-workbook", reason="含有不允许的 XML 实体或外部引用")
    if any(isinstance(e, ParseError) for e in chain):
        return make("corrupt-workbook", reason="内部 XML 格式错误")
    return _failure_of(exc)


def _failure_of(exc: BaseException) -> Issue:
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        return make("file-unreadable", reason=os_reason(exc))
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        return make("corrupt-workbook", reason="压缩数据损坏")
    if "XML" in str(exc)[:300]:
        return make("corrupt-workbook", reason="内部 XML 格式错误")
    if isinstance(exc, KeyError):
        return make("corrupt-workbook", reason="缺少必要的组成部分")
    if isinstance(exc, MemoryError):
        return make("unsafe-workbook", reason="内容过大，内存不足")
    return make("corrupt-workbook", reason="无法解析文件内容")


def read_member(zf: zipfile.ZipFile, data: bytes, name: str) -> bytes:
    """A member's bytes (`data`: the zip's own bytes): `inflate_plain`'s when it is a plain member, else
    zipfile's."""
    out = inflate_plain(zf, data, name)
    return zf.read(name) if out is None else out


def inflate_plain(zf: zipfile.ZipFile, data: bytes, name: str) -> bytes | None:
    """A plain member's bytes, inflated straight from `data` with zlib (zipfile's own reading costs more
    than the inflating); None when the member is not plain. Plain: deflated or stored, not encrypted, its
    compressed bytes wholly in the file, the local header's name as zipfile decodes it (UTF-8 when the
    local header says so, whatever the central directory says), not overlapping the next member (where
    this Python's zipfile checks that), length and CRC-32 as the directory says. The bytes are then those
    zipfile gives, however it is read (whole, or streamed as openpyxl streams a sheet). A member whose
    compressed bytes were inflated before (styles, theme, 校验 …: the same in every copy of a template) is
    not inflated again."""
    info = zf.getinfo(name)
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) != 30 or header[:4] != ZIP_LOCAL or info.flag_bits & 0x61:
        return None
    (flags,) = struct.unpack_from("<H", header, 6)
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    raw_name = data[offset + 30 : offset + 30 + name_len]
    start = offset + 30 + name_len + extra_len
    end = getattr(info, "_end_offset", None)  # zipfile's “overlapped entries” check, where it has it
    raw = data[start : start + info.compress_size]
    try:  # as zipfile decodes it: strictly, by the local header's own flag
        local_name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if (
        len(raw) != info.compress_size
        or local_name != info.orig_filename
        or (end is not None and start + info.compress_size > end)
    ):
        return None
    key = (raw, info.compress_type, info.file_size, info.CRC)
    out: bytes | None = caches.INFLATED.get(key)
    if out is not None:
        return out
    try:
        if info.compress_type == zipfile.ZIP_DEFLATED:
            out = zlib.decompress(raw, -15)
        elif info.compress_type == zipfile.ZIP_STORED and info.compress_size == info.file_size:
            out = raw
    except zlib.error:
        return None
    if out is None or len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        return None
    return caches.INFLATED.put(key, out, size=len(raw) + len(out))


def _ole2(data: bytes, path: Path) -> Issue:
    if "EncryptedPackage".encode("utf-16-le") in data:
        return make("encrypted")
    if path.suffix.lower() == ".et":
        return make("legacy-format", kind="WPS 表格的 .et")
    return make("legacy-format", kind="旧版 Excel（97-2003）的 .xls")


def _not_zip_reason(data: bytes, path: Path) -> str:
    if path.name.startswith("~$") and len(data) < 4096:
        return "这是 Excel 或 WPS 打开文件时留下的临时锁定文件（文件名以 ~$ 开头），不是报表，可以删除"
    for magic, reason in _MAGIC:
        if data.startswith(magic):
            return reason
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        return "这是网页或 XML 文件（可能是从网页导出的“假 Excel”）"
    if _looks_like_text(data[:4096]):
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".et"):
            return "这是文本文件（可能是 CSV 改了扩展名）"
        return "这是文本文件"
    return "文件内容不是 Excel 工作簿"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _zip_issues(zf: zipfile.ZipFile, data: bytes, limits: Limits) -> list[Issue]:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if len(infos) > MAX_MEMBERS:
        return [make("unsafe-workbook", reason=f"压缩包内有 {len(infos)} 个文件")]
    for i in infos:  # a zip bomb first: its declared size is also beyond the limit, but it is not a big file
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > RATIO_MIN_SIZE and ratio > limits.max_member_ratio:
            return [make("unsafe-workbook", reason=f"其中的 {i.filename} 压缩比异常（{ratio:.0f} 倍）")]
        if i.flag_bits & 0x1:
            return [make("encrypted")]
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        detail = f"解压后大小 {human_size(total)} 超过上限 {human_size(limits.max_uncompressed)}"
        return [too_large("max_uncompressed", detail)]
    strings = sum(zf.getinfo(n).file_size for n in _shared_strings_parts(zf, data, names))
    if strings > limits.max_shared_strings:
        detail = (
            f"共享字符串表解压后大小 {human_size(strings)} 超过上限 {human_size(limits.max_shared_strings)}"
        )
        return [too_large("max_shared_strings", detail)]
    if "mimetype" in names:
        mime = zf.read("mimetype")[:200]  # stored uncompressed by convention, a few bytes
        if mime.startswith(ODS_MIME):
            return [make("legacy-format", kind="OpenDocument 表格的 .ods")]
        return [make("not-xlsx", reason="这是 OpenDocument 文档，不是表格")]
    if not names.intersection(WORKBOOK_PARTS) and not _declares_workbook(zf, data, names):
        return [make("not-xlsx", reason=_zip_reason(names))]
    if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
        return [make("legacy-format", kind="Excel 二进制工作簿 .xlsb")]
    issues: list[Issue] = []
    vba = sorted(n for n in names if n.lower().endswith("vbaproject.bin"))
    if vba:
        issues.append(make("macros-present", kind=vba[0]))
    return issues


def _declares_workbook(zf: zipfile.ZipFile, data: bytes, names: set[str]) -> bool:
    if "[Content_Types].xml" not in names:
        return False
    info = zf.getinfo("[Content_Types].xml")
    if info.file_size > 1024 * 1024:
        return False
    types = read_member(zf, data, "[Content_Types].xml")
    return any(t in types for t in MAIN_TYPES)


_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
_PART = re.compile(rb'PartName\s*=\s*["\']/?([^"\']+)["\']')


def _shared_strings_parts(zf: zipfile.ZipFile, data: bytes, names: set[str]) -> set[str]:
    """The members holding shared strings: declared so in [Content_Types].xml (where readers look them up),
    or named so."""
    found = {n for n in names if n.lower().endswith("sharedstrings.xml")}
    if "[Content_Types].xml" in names and zf.getinfo("[Content_Types].xml").file_size <= 1024 * 1024:
        found.update(n for n in _declared_strings(read_member(zf, data, "[Content_Types].xml")) if n in names)
    return found


def _declared_strings(types: bytes) -> tuple[str, ...]:
    """The part names [Content_Types].xml declares as shared strings (by content: the same in every copy)."""

    def compute() -> tuple[str, ...]:
        found = []
        for override in _OVERRIDE.findall(types):
            part = _PART.search(override)
            if part and b"sharedStrings+xml" in override:
                found.append(part.group(1).decode("utf-8", "replace"))
        return tuple(found)

    return caches.DECLARED_STRINGS.lookup(types, compute)


def _zip_reason(names: set[str]) -> str:
    if any(n.startswith("word/") for n in names):
        return "这是 Word 文档"
    if any(n.startswith("ppt/") for n in names):
        return "这是 PowerPoint 演示文稿"
    workbooks = sum(1 for n in names if n.lower().endswith((".xlsx", ".xlsm")))
    if workbooks:
        return f"这是压缩包，里面有 {workbooks} 个 Excel 工作簿；请把文件的扩展名改为 .zip 后再检查（会逐个检查其中的工作簿）"
    return "这是压缩包，里面没有 Excel 工作簿"
