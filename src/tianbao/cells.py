"""Small helpers for values as they come out of spreadsheet cells."""

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


# Line breaks as Word and other applications put them into pasted text: CR LF, CR, Word's manual line break
# (vertical tab), Unicode's line and paragraph separators. Any other control character is dropped, and so is
# what XML cannot hold (a lone surrogate, from an escape such as _xD800_), so the text can be written anywhere.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\u2028\u2029\x85]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_EMPTY_LINES = re.compile(r"\n{3,}")
_SPACE = " \t\u3000\xa0"  # spaces, and the full-width ones that indent pasted paragraphs


def clean_text(value: Any) -> str:
    """A text cell's content as text: a paragraph a line (line breaks as \\n, no indentation or spaces around
    a line, at most one blank line between paragraphs), no control characters; a date as 2026年1月15日 (what a
    person typing a date into Excel meant); "" for blank."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = cell_text(value)
    if not text:
        return ""
    text = _CONTROL.sub("", _BREAKS.sub("\n", text))
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
