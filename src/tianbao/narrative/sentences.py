"""Sentences and numbers of Chinese report text, as published reports write them.

Reports are written by hand in Word and copied around: full-width and half-width punctuation and digits
(mirror sites NFKC-normalise them), Chinese numerals (三件, 十二件, 两起), numbered headings inside the text.
Matching works on the NFKC form of a sentence; quotes show the sentence as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from tianbao.cells import shorten

_END = re.compile(r"[。！？!?；;\n]+")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇一二两三四五六七八九十百千万"
QUOTE_LIMIT = 80


@dataclass(frozen=True)
class Sentence:
    text: str  # as written
    norm: str  # NFKC: ASCII digits and punctuation

    @property
    def quoted(self) -> str:
        """The sentence for a message: whole when short, else its start and “…” (`cells.shorten`)."""
        return shorten(self.text, QUOTE_LIMIT)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def sentences(text: str) -> Iterator[Sentence]:
    """The sentences of a text: split at 。！？； and line ends (full or half width), blank ones left out."""
    for part in _END.split(text):
        part = part.strip()
        if part:
            yield Sentence(part, normalise(part))


def chinese_number(text: str) -> int | None:
    """十二 → 12, 一百零五 → 105, 两千 → 2000, 一万二千 → 12000, 三 → 3; None when it is not a numeral."""
    if not text or any(ch not in CN_NUMERAL for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                return None  # 三五: not a number but a range
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
    return total + section + (digit or 0)


def number(text: str) -> int | None:
    """A count as written: 12, 1,234 (ASCII after NFKC), 十二."""
    plain = text.replace(",", "")
    if plain.isascii() and plain.isdigit():
        return int(plain)
    return chinese_number(text)


def char_count(text: str) -> int:
    """字数 as a person counts them: every character but spaces and line breaks."""
    return sum(1 for ch in text if not ch.isspace())


def utf16_length(text: str) -> int:
    """A text's length as Excel counts it (UTF-16 code units: a character outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2
