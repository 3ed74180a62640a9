"""Every result tianbao keeps from one file to the next: in one module, under one rule.

Copies of a template are mostly the same bytes (styles, theme, relationships, label cells, formulas, defined
names): reading them once and then recognising them by their bytes is what makes the fast reader fast
(README “性能”). What a file gets must still never depend on the files read before it — in this process, or
in the parent a worker process was forked from. So:

- **A cache entry's value depends on nothing outside its key.** The key is the full content the value was
  computed from (the bytes or the text themselves: never a position, a count, or a digest of them) plus every
  context the computation used: the namespaces declared around a fragment, the workbook's date styles, the
  plan's own input cell (an object of that plan: another spec's plan is another key) …
- **A cache is bounded by the bytes it holds** (keys and values, as `size_of` estimates them), not by its
  number of entries: one workbook may have a 50 MB theme. Past the bound the oldest entries are dropped; an
  entry larger than a quarter of the bound is not kept at all (it is computed again when seen again).
- `clear_all` empties them all; the test suite does so before each test (tests/conftest.py).

State derived from a spec alone (the cells to read, labels, formulas, the input cells) is not kept here: it
lives on the spec's plan (`tianbao.reading.plan`), made once per spec.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, TypeVar

MB = 1 << 20
ENTRY = 200  # bytes an entry costs beyond its key and value: its slots in the two dictionaries
_MISSING: Any = object()
T = TypeVar("T")


class _Store(OrderedDict[Hashable, Any]):
    """A cache's entries, oldest first. `missing`, when set, computes and keeps the value of a key looked
    up with `[]` and not there (`memoized`)."""

    missing: Callable[[Any], Any] | None = None

    def __missing__(self, key: Hashable) -> Any:
        if self.missing is None:
            raise KeyError(key)
        return self.missing(key)


class Cache:
    """Values by their full key (see the module's rule), bounded by `limit` bytes, the oldest dropped first."""

    def __init__(self, name: str, limit: int, holds: str) -> None:
        if name in CACHES:
            raise ValueError(f"a cache named {name!r} exists")
        self.name, self.limit, self.holds = name, limit, holds
        self.data = _Store()  # never replaced: callers may bind `get`
        self.get = self.data.get
        self._sizes: dict[Hashable, int] = {}
        self.size = 0  # bytes held, by `size_of`
        CACHES[name] = self

    def put(self, key: Hashable, value: T, size: int | None = None) -> T:
        """Keep `value` for `key` (`size`: the bytes of both, when the caller knows them better than
        `size_of`); returns `value`."""
        n = (size_of(key) + size_of(value) if size is None else size) + ENTRY
        old = self._sizes.pop(key, None)
        if old is not None:
            del self.data[key]
            self.size -= old
        if n > self.limit // 4:
            return value
        self.data[key] = value
        self._sizes[key] = n
        self.size += n
        while self.size > self.limit:
            oldest, _ = self.data.popitem(last=False)
            self.size -= self._sizes.pop(oldest)
        return value

    def lookup(self, key: Hashable, compute: Callable[[], T], size: int | None = None) -> T:
        """The value kept for `key`, else `compute()` kept (an exception is not kept: it is raised)."""
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            value = self.put(key, compute(), size)
        return value  # type: ignore[no-any-return]

    def clear(self) -> None:
        self.data.clear()
        self._sizes.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self.data)


CACHES: dict[str, Cache] = {}


def clear_all() -> None:
    for cache in CACHES.values():
        cache.clear()


def held() -> int:
    """Bytes held by all the caches."""
    return sum(c.size for c in CACHES.values())


def bound() -> int:
    """The most bytes all the caches together may hold."""
    return sum(c.limit for c in CACHES.values())


def memoized(cache: Cache, *, typed: bool = False) -> Callable[[Callable[[Any], T]], Callable[[Any], T]]:
    """A one-argument function whose results are kept in `cache` (its own) by the argument (and its type,
    when `typed`: 1, 1.0 and True are equal keys but different arguments). A result kept is found without
    a Python call: the function is the cache's own item lookup."""

    def decorate(function: Callable[[Any], T]) -> Callable[[Any], T]:
        store, put = cache.data, cache.put
        if store.missing is not None:
            raise ValueError(f"the cache {cache.name!r} is another function's")
        if typed:
            store.missing = lambda key: put(key, function(key[0]))
            lookup = store.__getitem__

            @wraps(function)
            def typed_call(arg: Any) -> T:
                return lookup((arg, arg.__class__))  # type: ignore[no-any-return]

            return typed_call
        store.missing = lambda key: put(key, function(key))
        return store.__getitem__

    return decorate


class Shared:
    """Marks a context object that stands in keys for itself (a plan's input cell, a sheet's context): it
    lives elsewhere anyway, so a key holding it costs a reference, not its contents."""

    __slots__ = ()


_ATOMS = (bytes, str, int, float, bool, type(None), bytearray)


def from_bytes(n: int, objects: int = 1) -> int:
    """What an entry keyed by `n` bytes of XML and holding what was read from them takes, with `objects`
    Python objects in it: the bytes, the texts read from them (at most 4 bytes a character, a character
    at least one byte), about 150 bytes an object. For the entries of the hot caches, where `size_of`
    would cost as much as reading the bytes again."""
    return 5 * n + 150 * objects


def size_of(obj: Any) -> int:
    """The bytes `obj` holds, with what it contains (containers, dataclass instances); a `Shared` object
    or a class counts as a reference."""
    if isinstance(obj, _ATOMS):
        return sys.getsizeof(obj)
    if isinstance(obj, Shared | type):
        return 8
    n = sys.getsizeof(obj)
    if isinstance(obj, tuple | list | set | frozenset):
        return n + sum(map(size_of, obj))
    if isinstance(obj, dict):
        return n + sum(size_of(k) + size_of(v) for k, v in obj.items())
    fields = getattr(obj, "__dict__", None)
    if fields is not None:
        return n + size_of(fields)
    return n


# ---- the caches -------------------------------------------------------------------------------------------
# Their bounds add up to `bound()`, about 120 MB per process; a run over copies of one template holds a few MB.

# zip members and whole parts
INFLATED = Cache("inflated", 24 * MB, "(compressed bytes, method, size, CRC-32) → the member's bytes")
DECLARED_STRINGS = Cache(
    "declared strings", 1 * MB, "[Content_Types].xml → the shared strings parts it declares"
)
PARTS = Cache(
    "parts",
    16 * MB,
    "(kind, a part's bytes or what was read from them) → openpyxl's reading: content types, relationships, "
    "styles, core properties, workbook, shared strings, custom properties, protection, dimension, print settings",
)
# pieces of the workbook part, the document properties and the shared strings
WORKBOOK_SHELLS = Cache(
    "workbook shells", 4 * MB, "workbook.xml without <definedNames> → its sheets, namespaces"
)
DEFINED_NAMES = Cache("defined names", 4 * MB, "(a <definedName> element's bytes, namespaces) → the name")
NAME_RUNS = Cache(
    "name runs", 2 * MB, "(the <definedName> elements before the stamp's, namespaces) → the names"
)
CORE_DATES = Cache("core dates", 1 * MB, "a core property date's text → accepted by openpyxl")
PROPERTY_SHAPES = Cache("property shapes", 2 * MB, "custom.xml without its texts → where its values are")
RUN_FONTS = Cache("run fonts", 1 * MB, "a shared string run's font → accepted by openpyxl")
# worksheets
SHEET_SHELLS = Cache(
    "sheet shells", 8 * MB, "a sheet's bytes around <sheetData> → dimension, protection, namespaces"
)
SHEET_HEADS = Cache("sheet heads", 2 * MB, "a sheet's bytes before <sheetData> → its dimension")
DIMENSIONS = Cache("dimensions", 4 * MB, "a whole sheet part read for its dimension → the dimension")
START_TAGS = Cache("start tags", 2 * MB, "(tag, attributes' bytes, namespaces) → the attributes")
SHEET_CONTEXTS = Cache(
    "sheet contexts", 1 * MB, "(sheet, cells kept, namespaces, date styles, epoch) → the context object"
)
CELLS = Cache("cells", 16 * MB, "(sheet context, a cell's bytes) → the cell as openpyxl reads it")
ROWS = Cache("rows", 16 * MB, "(sheet context, a row's bytes) → its cells, when the same in any file")
COORDINATES = Cache("coordinates", 2 * MB, "a cell reference (D6) → (row, column)")
MEMBER_PATHS = Cache("member paths", 1 * MB, "a part's name → the name of its relationships part")
# values and texts
VALUES = Cache(
    "values", 8 * MB, "(a plan's input cell, value, its type, formula) → the value read, its issue"
)
LABEL_TEXTS = Cache("label texts", 4 * MB, "(a cell's value, its type) → its text as labels are compared")
FORMULAS = Cache("formulas", 2 * MB, "a formula's text → its text as formulas are compared")
REFERENCES = Cache("references", 2 * MB, "a defined name's text → the cell it refers to")
DATES = Cache("dates", 1 * MB, "a date as typed on the cover → the date")
