"""Small helpers for values as they come out of spreadsheet cells."""

from __future__ import annotations

import operator
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
