"""Bytes of a saved page or a text file as text, whatever the charset: a byte-order mark, the charset the page
declares, UTF-8, else what charset-normalizer finds. GBK and GB2312 are read as GB18030, their superset."""

from __future__ import annotations

import codecs
import re

_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_SUPERSET = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(name: str) -> str | None:
    name = _SUPERSET.get(name.lower(), name.lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag (in its first 4 KB), if Python knows it."""
    m = _DECLARED.search(data[:4096])
    return _codec(m.group(1).decode("ascii", "replace")) if m else None


def decode(data: bytes, html: bool = False) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    declared = declared_charset(data) if html else None
    if declared is not None:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # a wrong declaration (a page re-saved in another charset): find out
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Chinese reports: GB18030 (GBK's superset) on the mainland, Big5 on Traditional mirror sites.
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "utf_32"]).best()
    found = _codec(best.encoding) if best is not None else None
    return data.decode(found or "gb18030", errors="replace")
