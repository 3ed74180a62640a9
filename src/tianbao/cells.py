"""Small helpers for values as they come out of spreadsheet cells, and for text as it goes into them."""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any


def cell_text(value: Any) -> str:
    """A cell as stripped text; integral floats (Excel stores every number as a float) lose their “.0”."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def shorten(text: str, limit: int = 40) -> str:
    """Text quoted in a message: on one line, at most `limit` characters (the last an ellipsis)."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What XML 1.0 cannot hold, hence no part of an xlsx: C0 control characters other than tab, line feed and
# carriage return; surrogates (in a Python string always unpaired: a file name's undecodable bytes); U+FFFE and
# U+FFFF, which are not characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_char(m: re.Match[str]) -> str:
    ch = m.group()
    if ch < " ":
        return " "  # Word's manual line break is U+000B: a space reads as it did
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"  # the replacement character, as a decoder shows a byte it cannot read
    return ""


def xml_text(text: str) -> str:
    """`text` as every part of a workbook may hold it: control characters (other than tab and line breaks)
    become spaces, unpaired surrogates U+FFFD, and U+FFFE / U+FFFF go. Every text tianbao writes into a workbook
    passes through here (tianbao.template.book), whatever its source: a roster, a submission, a file name."""
    if _NOT_XML.search(text) is None:
        return text
    return _NOT_XML.sub(_xml_char, text)


# Line breaks as Word and other applications put them into pasted text: CR LF, CR, Word's manual line break
# (vertical tab), Unicode's line and paragraph separators. What else XML cannot hold goes as `xml_text` says.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\u2028\u2029\x85]")
# A character a workbook's XML cannot hold is stored as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19 ST_Xstring): Excel
# saves Word's manual line break pasted into a cell as _x000B_. Neither reader decodes it (both drop the
# x005F_ of an escaped “_x”, as openpyxl does for shared strings), so a text cell's content is decoded here.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_EMPTY_LINES = re.compile(r"\n{3,}")
_SPACE = " \t\u3000\xa0"  # spaces, and the full-width ones that indent pasted paragraphs


def clean_text(value: Any) -> str:
    """A text cell's content as text: _xHHHH_ escapes decoded, a paragraph a line (line breaks as \\n, no
    indentation or spaces around a line, at most one blank line between paragraphs), text XML can hold
    (`xml_text`); a date as 2026年1月15日 (what a person typing a date into Excel meant); "" for blank."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = cell_text(value)
    if not text:
        return ""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = xml_text(_BREAKS.sub("\n", text))
    text = "\n".join(line.strip(_SPACE) for line in text.split("\n"))
    return _EMPTY_LINES.sub("\n\n", text).strip()


_REQUIRED = object()


def picker(keys: Iterable[Any], default: Any = _REQUIRED) -> Callable[[Any], tuple[Any, ...]]:
    """A function taking the items `keys` of a mapping or sequence, as a tuple: one `operator.itemgetter`
    call (in C) for the 200 cell values of each of 10,000 units. With `default`, a key a mapping lacks gives
    `default` (otherwise KeyError, as indexing)."""
    keys = tuple(keys)
    if len(keys) > 1:
        get: Callable[[Any], tuple[Any, ...]] = operator.itemgetter(*keys)
    else:  # itemgetter of one key gives the item, not a tuple; of none, it cannot be made

        def get(container: Any) -> tuple[Any, ...]:
            return tuple(container[k] for k in keys)

    if default is _REQUIRED:
        return get

    def get_or_default(container: Any) -> tuple[Any, ...]:
        try:
            return get(container)
        except KeyError:
            return tuple(container.get(k, default) for k in keys)

    return get_or_default
