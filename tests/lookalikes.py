"""Files that differ from a valid workbook only in the bytes that matter: what openpyxl (the reference reader)
refuses, beside a look-alike it accepts. A reader that recognises what copies of a template share by their
bytes must still refuse the first after reading the second (tests/test_verdict_alone.py); the hostile corpus
(tests/test_hostile.py), the fuzzing of the fast reader (tests/test_fast_reader.py) and the property that a
file's verdict is its own (tests/test_verdict_property.py) take them too.

Each function rewrites the workbook at `path` (a valid one, as tests/data/make_fixtures.py `filled` makes it)
and returns `path`.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import make_fixtures as fx

Change = Callable[[Path], Path]
rewrite, FIXED_TIME = fx.rewrite, fx.FIXED_TIME

# --- an encoding by another name -------------------------------------------------------------------------


def declared(declaration: bytes) -> bytes:
    return b'<?xml version="1.0" ' + declaration + b"?>"


UTF8_BY_ANOTHER_NAME = b'encoding="UTF8"'  # to expat an unknown single-byte encoding: no byte above 127


def _ascii(xml: bytes) -> bytes:
    return re.sub(rb"[\x80-\xff]+", b"x", xml)


def custom_declared(path: Path, declaration: bytes = UTF8_BY_ANOTHER_NAME) -> Path:
    """docProps/custom.xml declared in `declaration`, its texts (the unit's name …) not ASCII: refused."""
    return rewrite(path, "docProps/custom.xml", lambda xml: declared(declaration) + xml)


def custom_declared_ascii(path: Path, declaration: bytes = UTF8_BY_ANOTHER_NAME) -> Path:
    """Its look-alike: the same declaration, the texts ASCII (accepted; the stamp is then another unit's)."""
    return rewrite(path, "docProps/custom.xml", lambda xml: declared(declaration) + _ascii(xml))


SHEET3 = fx.sheet_part("表三")  # 表三's worksheet part (its number depends on the sheets before it)


def _ascii_shell(xml: bytes) -> bytes:
    """表三 without its data validations, conditional formats and printed header and footer: the rest of its
    shell is ASCII."""
    for element in (rb"dataValidations", rb"conditionalFormatting", rb"headerFooter"):
        xml = re.sub(rb"<" + element + rb"\b.*</" + element + rb">", b"", xml, flags=re.S)
    assert xml[: xml.index(b"<sheetData")].isascii() and xml[xml.index(b"</sheetData>") :].isascii()
    return declared(UTF8_BY_ANOTHER_NAME) + xml


def sheet_declared(path: Path) -> Path:
    """表三 declared “UTF8”, its shell ASCII, its cells' texts not: refused."""
    return rewrite(path, SHEET3, _ascii_shell)


def sheet_declared_ascii(path: Path) -> Path:
    """Its look-alike: the same shell, every text ASCII."""
    return rewrite(path, SHEET3, lambda xml: _ascii(_ascii_shell(xml)))


# --- the workbook part -----------------------------------------------------------------------------------


def names_moved(path: Path) -> Path:
    """workbook.xml with `<definedNames>` moved into `<sheets>`: the rest has a valid file's bytes, but the
    names are no longer a child of the root (openpyxl refuses the part)."""

    def move(xml: bytes) -> bytes:
        block = re.search(rb"<definedNames>.*</definedNames>", xml, re.S)
        assert block is not None
        return xml.replace(block.group(0), b"").replace(b"</sheets>", block.group(0) + b"</sheets>")

    return rewrite(path, "xl/workbook.xml", move)


# --- member names ----------------------------------------------------------------------------------------

RENAMED = "xl/worksheets/表三.xml"


def rename_member(path: Path, old: str = SHEET3, new: str = RENAMED) -> Path:
    """`old` renamed `new` (and so in the workbook's relationships), written by zipfile: a non-ASCII name
    is flagged UTF-8 in the central directory and in the local header (accepted)."""
    src = path.read_bytes()
    out = io.BytesIO()
    rels = "xl/_rels/workbook.xml.rels"
    target = old.removeprefix("xl/").encode()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = new if info.filename == old else info.filename
            if info.filename == rels:
                data = data.replace(target, new.removeprefix("xl/").encode())
            zout.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())
    return path


def clear_local_utf8_flag(path: Path, member: str = RENAMED) -> Path:
    """The UTF-8 flag of `member`'s name cleared in its local header (kept in the central directory)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    assert info.flag_bits & 0x800
    at = info.header_offset + 6
    (flags,) = struct.unpack_from("<H", data, at)
    struct.pack_into("<H", data, at, flags & ~0x800)
    path.write_bytes(bytes(data))
    return path


def utf8_name_in_directory_only(path: Path) -> Path:
    """表三 renamed 表三.xml, flagged UTF-8 in the central directory only: zipfile decodes the local header's
    name by the local header's flag, the names differ, the zip is bad (refused)."""
    return clear_local_utf8_flag(rename_member(path))


REPLACED = "xl/worksheets/\ufffd\ufffd.xml"  # two U+FFFD: what a decoder makes of bytes that are not UTF-8


def renamed_replaced(path: Path) -> Path:
    """表三 renamed with two U+FFFD characters, flagged UTF-8 (accepted)."""
    return rename_member(path, SHEET3, REPLACED)


def invalid_utf8_local_name(path: Path) -> Path:
    """Its local header's name flagged UTF-8 but not UTF-8 (two 4-byte sequences cut short, each decoded
    as one U+FFFD when errors are replaced): zipfile decodes it strictly and fails (refused)."""
    renamed_replaced(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(REPLACED)
    at = info.header_offset + 30 + len("xl/worksheets/")
    assert data[at : at + 6] == "\ufffd\ufffd".encode()
    data[at : at + 6] = b"\xf0\x9f\x98\xf0\x9f\x98"
    path.write_bytes(bytes(data))
    return path


def central_entry(data: bytes, member: str) -> int:
    """Where `member`'s entry in the zip's central directory starts."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == member.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def past_the_end(path: Path, member: str = SHEET3) -> Path:
    """`member`'s compressed size in the central directory 16 KB larger than the file holds: zipfile reads it
    whole without noticing (the deflated stream ends before), but openpyxl streams a sheet in 16 KB reads
    and runs out of file (refused)."""
    data = bytearray(path.read_bytes())
    at = central_entry(bytes(data), member) + 20
    (size,) = struct.unpack_from("<I", data, at)
    struct.pack_into("<I", data, at, size + 16 * 1024)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert len(zf.read(member)) > 32 * 1024  # read whole: more than openpyxl's two reads of 16 KB
    return path


# --- core properties -------------------------------------------------------------------------------------

CORE_DATE = b"2026-01-15T09:30:00Z"  # dcterms:modified, as make_fixtures.normalise writes it


def _prefix(prefix: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        return (
            xml.replace(b"dcterms:", prefix + b":")
            .replace(b"xmlns:dcterms", b"xmlns:" + prefix)
            .replace(CORE_DATE, b"garbage")
        )

    return change


# openpyxl reads a core property date by its local name, whatever its prefix, and takes only a date-time.
CORE_CHANGES: dict[str, Callable[[bytes], bytes]] = {
    "date-only": lambda xml: xml.replace(CORE_DATE, b"2026-01-15"),
    "time-only": lambda xml: xml.replace(CORE_DATE, b"10:00:00"),
    "duration": lambda xml: xml.replace(CORE_DATE, b"P1D"),
    "non-ascii-prefix": _prefix("日期".encode()),
    "punctuated-prefix": _prefix(b"d-t.1"),
}


def core_changed(path: Path, how: str) -> Path:
    """docProps/core.xml changed as `CORE_CHANGES[how]` says (refused)."""
    with zipfile.ZipFile(path) as zf:
        assert CORE_DATE in zf.read("docProps/core.xml")
    return rewrite(path, "docProps/core.xml", CORE_CHANGES[how])


# --- the refused, each with its look-alike (None: the valid file itself) ----------------------------------

REFUSED: dict[str, tuple[Change, Change | None]] = {
    "custom-utf8-by-another-name": (custom_declared, custom_declared_ascii),
    "sheet-utf8-by-another-name": (sheet_declared, sheet_declared_ascii),
    "names-moved": (names_moved, None),
    "utf8-name-in-directory-only": (utf8_name_in_directory_only, rename_member),
    "invalid-utf8-local-name": (invalid_utf8_local_name, renamed_replaced),
    "past-the-end": (past_the_end, None),
    **{f"core-{how}": ((lambda p, how=how: core_changed(p, how)), None) for how in CORE_CHANGES},
}
