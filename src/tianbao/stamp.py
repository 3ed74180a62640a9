"""The stamp every tianbao workbook carries, in three places: custom document properties, workbook-level
defined names and the very hidden `_meta` sheet. The reader compares the three.

An empty value (the unit of a generic template) is stored as "" in the names and in `_meta`, and as "-" in the
custom properties, which some applications drop when empty; the reader maps "-" back to ""."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields

META_SHEET = "_meta"
PREFIX = "tianbao_"
# Excel keeps at most 255 characters in a custom property and in a text constant of a defined name.
SHORT_LIMIT = 250


def short_form(value: str) -> str:
    """A value as stored where text is limited (custom properties, defined names): a long list of members
    becomes its count and digest; the `_meta` sheet keeps it whole. Short values are unchanged."""
    if len(value) <= SHORT_LIMIT:
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
    return f"{value.count(',') + 1}个单位 sha256:{digest}"


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
    def from_mapping(cls, data: dict[str, str]) -> Stamp:
        return cls(**{f.name: str(data.get(PREFIX + f.name, "") or "") for f in fields(cls)})


def make_serial(*parts: str) -> str:
    """A short, deterministic serial of an issued template (same arguments, same serial)."""
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:12].upper()
