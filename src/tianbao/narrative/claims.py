"""Counts stated in a sentence: “共受理政府信息公开申请12件”, “予以公开三件”, “未发生行政复议和行政诉讼”.

The spec lists the claims (`report.checks.numbers`): the words that name a count (受理, 予以公开, 行政复议 …)
and what the count may mean in the tables. Here is only the language:

- a *stated count* is a claim word, then only connecting words (政府信息公开, 申请, 共计, 的 … — `_GAP`), then a
  number (Arabic or Chinese) and 件/起/宗. The claim word nearest before the number is the one meant
  (“收到行政复议申请1件” is a 行政复议 count); a claim word right after 不/未/非 is not a claim (不予以公开);
- a *negated claim* is 未/没有/无 …, then verbs and connecting words, then claim words (joined by 和、及 …):
  the last claim word of each joined group is stated to be 0 (“未收到行政复议申请”: 行政复议, not 收到);
- a clause about another year (上年、去年、同比、较…, or a year that is not the report's) states nothing
  about this year's tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tianbao.narrative.sentences import CN_NUMERAL, Sentence, number
from tianbao.spec.text import Claim

# Words that may stand between a claim word and its number, or between a negation and the claim word.
_GAP_WORDS = (
    "政府信息公开",
    "政府信息",
    "信息公开",
    "依申请",
    "申请人",
    "申请",
    "事项",
    "案件",
    "件数",
    "数量",
    "总数",
    "总量",
    "共计",
    "合计",
    "累计",
    "总计",
    "总共",
    "一共",
    "工作",
    "继续办理",
    "本机关",
    "本单位",
    "全年",
    "本年度",
    "本年",
    "今年",
    "年度",
    "各类",
    "被提起",
    "提起",
    "发生",
    "出现",
    "产生",
    "涉及",
    "办理",
    "相关",
    "其他组织",
    "群众",
    "公众",
    "公民",
    "法人",
    "企业",
    "个人",
    "情况",
    "共",
    "计",
    "为",
    "了",
    "有",
    "达",
    "是",
    "的",
    "被",
    "因",
    "各",
    "类",
    "总",
    "起",
    ":",
    " ",
)
_GAP = re.compile("(?:" + "|".join(map(re.escape, _GAP_WORDS)) + ")*")
_JOIN = re.compile(r"和|及|以及|与|或|、|,")
_NEGATION = re.compile(r"未|没有|尚无|暂无|并无|均无|无")
_NOT_BEFORE = "不未非"
_COUNT = re.compile(rf"(?<![\d.第])(\d{{1,3}}(?:,\d{{3}})+|\d+|[{CN_NUMERAL}]+)\s*(件|起|宗)")
_CLAUSE = re.compile(r"[,，、;；:：()（）]")
_OTHER_TIME = re.compile(r"上年|去年|上一年|往年|同比|较|比上|前年|上年度")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Stated:
    """A claim found in a sentence: the claim (its index in the spec's list) and the count stated."""

    claim: int
    value: int
    sentence: Sentence
    negated: bool = False


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    claim: int


def _words(s: str, claims: tuple[Claim, ...]) -> list[_Word]:
    """Every occurrence of every claim word, longest first where they overlap at the same end."""
    found: dict[tuple[int, int], _Word] = {}
    for i, c in enumerate(claims):
        for w in c.words:
            for m in re.finditer(re.escape(w), s):
                key = (m.start(), m.end())
                found.setdefault(key, _Word(m.start(), m.end(), i))
    return sorted(found.values(), key=lambda w: (w.end, -(w.end - w.start)))


def _clause_start(s: str, pos: int) -> int:
    starts = [m.end() for m in _CLAUSE.finditer(s, 0, pos)]
    return starts[-1] if starts else 0


def _other_time(s: str, start: int, end: int, word: _Word, year: int | None) -> bool:
    """Whether the text from `start` to `end`, the claim word left out, speaks of another year."""
    outside = s[start : word.start] + " " + s[word.end : end]
    if _OTHER_TIME.search(outside):
        return True
    return year is not None and any(int(y) != year for y in _YEAR.findall(outside))


def _context(sentence: Sentence, claim: Claim) -> bool:
    return claim.context is None or claim.context in sentence.norm


def stated_counts(sentence: Sentence, claims: tuple[Claim, ...], year: int | None = None) -> Iterator[Stated]:
    """The counts a sentence states, positive and negated, in the order they appear."""
    s = sentence.norm
    words = _words(s, claims)
    if not words:
        return
    yield from _positive(sentence, s, words, claims, year)
    yield from _negated(sentence, s, words, claims, year)


def _positive(
    sentence: Sentence, s: str, words: list[_Word], claims: tuple[Claim, ...], year: int | None
) -> Iterator[Stated]:
    for m in _COUNT.finditer(s):
        value = number(m.group(1))
        if value is None:
            continue
        before = [w for w in words if w.end <= m.start() and _GAP.fullmatch(s, w.end, m.start())]
        if not before:
            continue
        word = max(before, key=lambda w: (w.end, w.end - w.start))
        claim = claims[word.claim]
        if word.start > 0 and s[word.start - 1] in _NOT_BEFORE:
            continue
        if not _context(sentence, claim):
            continue
        if _other_time(s, _clause_start(s, word.start), m.start(), word, year):
            continue
        yield Stated(word.claim, value, sentence)


def _negated(
    sentence: Sentence, s: str, words: list[_Word], claims: tuple[Claim, ...], year: int | None
) -> Iterator[Stated]:
    by_start = {w.start: w for w in sorted(words, key=lambda w: w.start - w.end)}  # longest at each start
    for m in _NEGATION.finditer(s):
        pos, group, chosen = m.end(), [], []
        while pos < len(s):
            word = by_start.get(pos)
            if word is not None:
                group.append(word)
                pos = word.end
                continue
            join = _JOIN.match(s, pos)
            if join is not None and group:
                chosen.append(group[-1])
                group = []
                pos = join.end()
                continue
            gap = _GAP.match(s, pos)
            if gap is None or gap.end() == pos:
                break
            pos = gap.end()
        if group:
            chosen.append(group[-1])
        for word in chosen:
            claim = claims[word.claim]
            if not claim.negatable or not _context(sentence, claim):
                continue
            if _other_time(s, _clause_start(s, m.start()), word.end, word, year):
                continue
            yield Stated(word.claim, 0, sentence, negated=True)
