"""The document properties as openpyxl reads them: docProps/core.xml (checked: its dates) and
docProps/custom.xml (read: the stamp's first place), natively in their plain form, else by openpyxl."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from tianbao import caches
from tianbao.reading.backend import property_text
from tianbao.reading.fast_backend.base import (
    LPWSTR,
    PROPERTY,
    _cached,
    _digits,
    _parser,
    _plain_attrs,
    _window_bytes,
)

_TEXT = re.compile(rb">[^<]+<")
DATE_FIELDS = frozenset(("created", "modified", "lastPrinted"))  # DocumentProperties' dates, by local name


def _core(data: bytes) -> None:
    """docProps/core.xml as openpyxl checks it (DocumentProperties): its texts are free (strings) except the
    dates, which must be ISO 8601 date-times. Checked by openpyxl once per distinct structure (the part
    without its texts: the modification time and the title differ in every file), and in every file by
    expat, which also gives the dates' texts to openpyxl's parser."""

    def compute(part: bytes) -> bool:
        from openpyxl.packaging.core import DocumentProperties
        from openpyxl.xml.functions import fromstring

        DocumentProperties.from_tree(fromstring(part))
        return True

    if b"&" in data or _window_bytes(data) is None:  # entities, DOCTYPE, comments …: openpyxl reads it all
        _cached("core", data, lambda: compute(data))
        return
    for text in _core_dates(data):
        if caches.CORE_DATES.get(text) is None:
            caches.CORE_DATES.put(text, _check_date(text))
    bare = _TEXT.sub(b"><", data)
    _cached("core", bare, lambda: compute(bare))


def _core_dates(data: bytes) -> list[str]:
    """The part checked by expat; the text of each child of the root that openpyxl reads as a date (it goes
    by the local name, whatever the namespace)."""
    dates: list[str] = []
    depth = 0
    text: list[str] | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, text
        depth += 1
        if text is not None:  # ElementTree's text is what comes before the first child
            dates.append("".join(text))
            text = None
        if depth == 2 and name.rpartition(" ")[2] in DATE_FIELDS:
            text = []

    def end(name: str) -> None:
        nonlocal depth, text
        depth -= 1
        if text is not None:
            dates.append("".join(text))
            text = None

    def chars(data: str) -> None:
        if text is not None:
            text.append(data)

    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    p.Parse(data, True)
    return [d for d in dates if d]


def _check_date(text: str) -> bool:
    """What openpyxl's DateTime descriptor does with a date's text: ISO 8601, and a date-time (a date or a
    time alone is refused)."""
    import datetime as dt

    from openpyxl.utils.datetime import from_ISO8601

    try:
        value = from_ISO8601(text)
    except ValueError:
        raise ValueError("Value must be ISO datetime format") from None
    if value is not None and not isinstance(value, dt.datetime):
        raise TypeError(f"expected a date-time, got {value!r}")
    return True


class _Plain:
    """Collects `root > item > leaf` text (custom properties) while the structure is the plain one (no
    attributes on the root); any deviation clears `plain` and the caller asks openpyxl."""

    def __init__(self, item: str, leaf: str, item_attrs: Callable[[dict[str, str]], bool]) -> None:
        self.item, self.leaf, self.item_attrs = item, leaf, item_attrs
        self.plain = True
        self.depth = 0
        self.items: list[tuple[dict[str, str], str | None]] = []
        self.attrs: dict[str, str] = {}
        self.leaves = 0
        self.text: list[str] | None = None
        self.value: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            if _plain_attrs(attrs):
                self.plain = False
        elif self.depth == 2:
            if name != self.item or not self.item_attrs(_plain_attrs(attrs)):
                self.plain = False
            self.attrs, self.leaves, self.value = attrs, 0, None
        elif self.depth == 3 and name == self.leaf:
            self.leaves += 1
            self.text = []
        else:
            self.plain = False

    def end(self, name: str) -> None:
        if self.depth == 3 and self.text is not None:
            self.value = "".join(self.text) or None
            self.text = None
        elif self.depth == 2:
            if self.leaves != 1:
                self.plain = False
            self.items.append((self.attrs, self.value))
        self.depth -= 1

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def parse(self, data: bytes) -> _Plain:
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.chars
        p.Parse(data, True)
        return self


def _custom_properties(data: bytes) -> dict[str, str]:
    """docProps/custom.xml → {name: value as text}; text properties natively, other types by openpyxl."""
    found = _properties_by_shape(data)
    if found is not None:
        return found
    plain = _plain_properties(data)
    if plain.plain and all(v is not None for _, v in plain.items):
        return {attrs["name"]: v for attrs, v in plain.items if v is not None}

    def compute() -> dict[str, str]:
        from openpyxl.packaging.custom import CustomPropertyList
        from openpyxl.xml.functions import fromstring

        props = CustomPropertyList.from_tree(fromstring(data))
        return {p.name: property_text(p.value) for p in props}

    return dict(_cached("custom", data, compute))


def _plain_properties(data: bytes) -> _Plain:
    def ok(attrs: dict[str, str]) -> bool:
        return (
            attrs.keys() <= {"name", "fmtid", "pid"}
            and "name" in attrs
            and "fmtid" in attrs
            and _digits(attrs.get("pid"))
        )

    return _Plain(PROPERTY, LPWSTR, ok).parse(data)


class _Shape:
    """Custom properties whose part, without its texts, is one read before (`_plain_properties`): where
    each property's value is among the part's texts, and which texts are only space between elements."""

    def __init__(self, names: tuple[str, ...], slots: tuple[int, ...], count: int) -> None:
        self.names, self.count = names, count  # the properties' names; the part's texts in all
        self.values = _picker(slots)  # texts → the properties' values
        spaces = tuple(i for i in range(count) if i not in slots)
        self.spaces = _picker(spaces) if spaces else None  # texts → the others


def _picker(indices: tuple[int, ...]) -> Callable[[list[bytes]], tuple[bytes, ...]]:
    pick = operator.itemgetter(*indices)
    if len(indices) == 1:
        return lambda items: (pick(items),)
    return pick  # type: ignore[no-any-return]


_GAP = re.compile(rb">([^<]*)<")  # the text between two tags
_NOT_CHAR_DATA = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # or what expat changes (\r)


def _properties_by_shape(data: bytes) -> dict[str, str] | None:
    """The text properties without a parse: the part without its texts is the same in every copy of a
    template (names, pids, types), only the values differ. The shape is read once by expat with handlers
    (`_plain_properties`); each file's values are then taken from the texts between tags, which must be
    character data expat takes as is (UTF-8, no reference, no control character, no “]]>”, no carriage
    return) and, between elements, only space. None when the part is not so."""
    if b"&" in data:
        return None
    pieces = _GAP.split(data)  # tags, text, tags, text … tags
    texts = pieces[1::2]
    bare = b"><".join(pieces[0::2])
    shape = caches.PROPERTY_SHAPES.get(bare, False)
    if shape is False:
        shape = caches.PROPERTY_SHAPES.put(bare, _learn_shape(data, bare, texts))
    return None if shape is None else _shape_values(shape, texts)


def _shape_values(shape: _Shape, texts: list[bytes]) -> dict[str, str] | None:
    """The values at the shape's places among the texts (joined by “<”, which no text holds, to be checked
    at once); None unless each is character data and the other texts are space."""
    if len(texts) != shape.count:
        return None
    if shape.spaces and b"".join(shape.spaces(texts)).strip(b" \t\r\n"):
        return None
    try:
        joined = b"<".join(shape.values(texts)).decode("utf-8")
    except UnicodeDecodeError:
        return None
    values = joined.split("<")
    if "" in values or "]]>" in joined or (not joined.isprintable() and _NOT_CHAR_DATA.search(joined)):
        return None
    return dict(zip(shape.names, values, strict=True))


def _learn_shape(data: bytes, bare: bytes, texts: list[bytes]) -> _Shape | None:
    """The shape of a part of plain text properties (its texts removed: `bare`), checked to give expat's
    reading of `data`; None when the part is not plain or the shape cannot be told for sure."""
    if _window_bytes(data) is None:  # (then neither is any part of the same shape without “&”)
        return None
    plain = _plain_properties(data)
    if not plain.plain or any(v is None for _, v in plain.items) or bare.count(b"<") != bare.count(b">"):
        return None  # (a “>” inside an attribute would make a text of part of a tag)
    leaves: list[int] = []  # where each value's element starts in `bare`
    p = _parser()
    depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 3:
            leaves.append(p.CurrentByteIndex)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    p.StartElementHandler, p.EndElementHandler = start, end
    p.Parse(bare, True)
    if not leaves or len(leaves) != len(plain.items):
        return None
    slots = tuple(bare.count(b">", 0, bare.index(b">", at)) for at in leaves)
    shape = _Shape(tuple(attrs["name"] for attrs, _ in plain.items), slots, len(texts))
    expected = {attrs["name"]: v for attrs, v in plain.items}
    return shape if _shape_values(shape, texts) == expected else None
