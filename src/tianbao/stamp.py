"""The stamp every tianbao workbook carries, in three places: custom document properties, workbook-level
defined names and the very hidden `_meta` sheet. The reader compares the three.

An empty value (the unit of a generic template) is stored as "" in the names and in `_meta`, and as "-" in the
custom properties, which some applications drop when empty; the reader maps "-" back to "".

The serial is not chosen: it is computed from the other values (`Stamp.expected_serial`), and the reader computes
it again. The members of a consolidated workbook are its 明细 rows, each with the units it holds in turn when it
is itself a consolidated workbook (`member_item`, `member_rows`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields, replace

META_SHEET = "_meta"
PREFIX = "tianbao_"
# Excel keeps at most 255 characters in a custom property and in a text constant of a defined name.
SHORT_LIMIT = 250
# A cell holds at most 32,767 characters: a longer value (the members of a consolidation of more than about
# 3,000 units) goes over several rows of `_meta`, keyed `tianbao_members`, `tianbao_members~2`, `~3` …
META_CHUNK = 16_000  # characters (at most 32,000 UTF-16 units, whatever the characters)
CONTINUED = "~"
# The members: rows separated by “,”; a row that is a consolidated workbook lists the units it holds after its
# own code, separated by “/”: “150723107,150724/150724101/150724102”.
ROW_SEP, HELD_SEP = ",", "/"
_SHORT = re.compile(r"\d+个单位 sha256:[0-9a-f]{16}")


def short_form(value: str) -> str:
    """A value as stored where text is limited (custom properties, defined names): a long list of members
    becomes its count and digest; the `_meta` sheet keeps it whole. Short values are unchanged."""
    if len(value) <= SHORT_LIMIT:
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
    return f"{value.count(ROW_SEP) + 1}个单位 sha256:{digest}"


def is_short_form(value: str) -> bool:
    """Whether `value` is only the short form of a long value (its count and digest)."""
    return _SHORT.fullmatch(value) is not None


@dataclass(frozen=True)
class Stamp:
    spec_id: str
    spec_version: str
    spec_hash: str
    year: str
    unit_code: str = ""
    unit_name: str = ""
    unit_type: str = ""
    kind: str = "template"  # template | consolidated | imported (from a published report: tianbao import)
    serial: str = ""
    members: str = ""  # consolidated: the constituent unit codes, comma separated

    def items(self, short: bool = False) -> list[tuple[str, str]]:
        """(key, value) pairs; `short=True` for the places limited to 255 characters."""
        return [(PREFIX + k, short_form(v) if short else v) for k, v in asdict(self).items()]

    @classmethod
    def keys(cls) -> list[str]:
        return [PREFIX + f.name for f in fields(cls)]

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> Stamp:
        return cls(**{f.name: str(data.get(PREFIX + f.name, "") or "") for f in fields(cls)})

    def expected_serial(self) -> str:
        """The serial this stamp must carry: from the spec (id, version, hash), the year and the unit code; for
        a consolidated workbook also its kind and members."""
        parts = [self.spec_id, self.spec_version, self.spec_hash, self.year, self.unit_code]
        if self.kind != "template":
            parts += [self.kind, self.members]
        return make_serial(*parts)

    def with_serial(self) -> Stamp:
        return replace(self, serial=self.expected_serial())

    def meta_rows(self) -> Iterator[tuple[str, str]]:
        """The (key, text) rows of the `_meta` sheet: every value whole, a long one over several rows."""
        for key, value in self.items():
            chunks = [value[i : i + META_CHUNK] for i in range(0, len(value), META_CHUNK)] or [""]
            yield key, chunks[0]
            for n, chunk in enumerate(chunks[1:], start=2):
                yield f"{key}{CONTINUED}{n}", chunk


def join_meta(rows: Mapping[str, str]) -> dict[str, str]:
    """The values of `_meta` rows (key → text), continuation rows joined to their value (`Stamp.meta_rows`)."""
    out: dict[str, str] = {}
    for key, text in rows.items():
        if CONTINUED not in key:
            n, parts = 2, [text]
            while (more := rows.get(f"{key}{CONTINUED}{n}")) is not None:
                parts.append(more)
                n += 1
            out[key] = "".join(parts)
    return out


def make_serial(*parts: str) -> str:
    """A short, deterministic serial of an issued template (same arguments, same serial)."""
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:12].upper()


def member_item(code: str, held: Iterable[str] = ()) -> str:
    """One row of the stamp's members: its unit code, then the units it holds besides itself (sorted). The
    members are these items joined by `ROW_SEP`."""
    return HELD_SEP.join([code, *sorted(set(held) - {code})])


def member_rows(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The stamp's members read back: (row unit code, the units it holds besides itself), in order."""
    out = []
    for item in text.split(ROW_SEP):
        if item:
            code, *held = item.split(HELD_SEP)
            out.append((code, tuple(h for h in held if h)))
    return out


def member_codes(text: str) -> list[str]:
    """Every unit whose data the members hold: each row's unit and the units it holds, in order."""
    return [code for row, held in member_rows(text) for code in (row, *held)]
