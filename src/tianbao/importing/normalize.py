"""Text as the label matcher compares it: width, spaces, punctuation, 繁体 and numbering made irrelevant.

`norm` keeps the numbering of a label (“（一）”, “1.”, “一、”) but drops everything else that varies between
pages: NFKC (full-width letters, digits and punctuation as ASCII), Traditional characters as Simplified (zhconv's
phrases and characters), whitespace and punctuation. `core` also drops the numbering, so that
“（一）予以公开”, “一、予以公开” and “予以公开” meet. `near` allows one wrong, missing or extra character
(an OCR slip, a truncated header) in texts long enough for that to stay unambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

_PUNCT = re.compile(
    r"[\s\u200b\ufeff\u3000()\[\]{}<>【】〔〕〈〉《》「」『』“”\"'‘’`:;,.!?·・、。，；：！？—–\-_/\\|~…*#+=]+"
)
_CN_NUM = "一二三四五六七八九十"
# Numbering at the start of a label: （一） (1) 一、 1. 1、 1） 第一 — after NFKC and before punctuation is dropped.
_NUMBERING = re.compile(rf"^\s*(?:\(\s*[{_CN_NUM}\d]+\s*\)|[{_CN_NUM}]+\s*[、.．]|\d+\s*[、.．)）](?!\d))\s*")
MIN_NEAR = 4  # texts shorter than this must match exactly


@cache
def _simplified() -> dict[int, str]:
    """Traditional → Simplified, one character for one (zhconv's zh2Hans table, its single characters)."""
    import zhconv.zhconv as zc

    zc.loaddict()
    table = zc.zhcdicts["zh2Hans"]
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}


@cache
def _traditional() -> frozenset[str]:
    return frozenset(chr(k) for k in _simplified())


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """NFKC, Traditional as Simplified: zhconv's phrases (反覆 → 反复) where the text has a Traditional
    character, then its characters one for one."""
    s = unicodedata.normalize("NFKC", text)
    if not _traditional().isdisjoint(s):
        import zhconv

        s = zhconv.convert(s, "zh-hans")
    return s.translate(_simplified())


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """The text for comparison, numbering kept: “（一）予以公开” → “一予以公开”."""
    return _PUNCT.sub("", simplify(text)).lower()


@lru_cache(maxsize=65536)
def core(text: str) -> str:
    """The text for comparison without its numbering: “（一）予以公开”, “1.予以公开” → “予以公开”."""
    s = simplify(text)
    m = _NUMBERING.match(s)
    if m:
        s = s[m.end() :]
    return _PUNCT.sub("", s).lower()


def near(a: str, b: str) -> bool:
    """At most one character replaced, inserted or deleted, in texts of at least MIN_NEAR characters."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if min(la, lb) < MIN_NEAR or abs(la - lb) > 1:
        return False
    if la == lb:
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
