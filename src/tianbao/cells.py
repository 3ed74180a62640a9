"""Small helpers for values as they come out of spreadsheet cells, and for text as it goes into them."""

from __future__ import annotations

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
