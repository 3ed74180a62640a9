"""Each row of a document as segments: labels (with what they may name), values, and unknown text.

A table row's cells are its segments; a label may be split over up to four cells (“商业 | 企业”), and a cell
of several numbers separated by spaces is several values. A plain line is split at spaces. A label split over
two lines (wrapped in a narrow column) is joined again when the joined text is a label and neither part is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tianbao.importing.document import Row
from tianbao.importing.labels import LabelIndex, Target
from tianbao.importing.normalize import simplify

LABEL, VALUE, UNKNOWN = "label", "value", "unknown"
MAX_PARTS = 4  # cells one label may be split over
_VALUE = re.compile(r"^[+\-]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:万元|万|元|件|个|项|次)?$")
DASHES = frozenset({"-", "--", "—", "——", "–", "―", "−", "/", "//", "\\", "无", "－", "／"})


@dataclass(frozen=True)
class Segment:
    kind: str  # label | value | unknown
    text: str  # as written ("" for an empty cell)
    score: int = 0
    targets: frozenset[Target] = frozenset()


@dataclass
class Record:
    index: int  # the row's position in the document
    grid: bool
    segments: list[Segment] = field(default_factory=list)


def value_like(text: str) -> bool:
    """A number (possibly with a unit), a dash meaning none, or nothing."""
    if not text:
        return True
    s = simplify(text).replace(" ", "")
    return s in DASHES or bool(_VALUE.match(s))


_NUMBERING_TAIL = tuple(".．、)）")


def _cells(row: Row) -> list[str]:
    if not row.grid:
        pieces: list[str] = []
        for piece in row.cells[0].split():
            if pieces and piece.startswith(_NUMBERING_TAIL) and pieces[-1].isdigit():
                pieces[-1] += piece  # “3 .其他”: a label's numbering, not a value
            else:
                pieces.append(piece)
        return pieces
    out: list[str] = []
    for cell in row.cells:
        parts = cell.split()
        if len(parts) > 1 and all(value_like(p) for p in parts):
            out.extend(parts)  # “0 0 0”: several values in one cell
        else:
            out.append(cell)
    return out


def segments(index: LabelIndex, row: Row) -> list[Segment]:
    cells = _cells(row)
    out: list[Segment] = []
    i = 0
    while i < len(cells):
        text = cells[i]
        if value_like(text):
            out.append(Segment(VALUE, text))
            i += 1
            continue
        best: tuple[int, int, frozenset[Target]] | None = None  # (score, end, targets)
        j = i
        joined = ""
        while j < len(cells) and j < i + MAX_PARTS and not value_like(cells[j]):
            joined += cells[j]
            score, targets = index.match(joined)
            # A longer text matched wins, also less well when what it adds names nothing itself (“2.其他
            # 法律行申法规禁止公开”, “其他　甲外管理服务事项”: a label with an OCR slip, not the column 其他).
            if score and (
                best is None or score >= best[0] or not any(index.match(c)[0] for c in cells[best[1] : j + 1])
            ):
                best = (score, j + 1, targets)
            j += 1
        if best is None:
            out.append(Segment(UNKNOWN, text))
            i += 1
        else:
            score, end, targets = best
            out.append(Segment(LABEL, " ".join(cells[i:end]), score, targets))
            i = end
    return out


def records(index: LabelIndex, rows: list[Row]) -> list[Record]:
    recs = [Record(i, r.grid, segments(index, r)) for i, r in enumerate(rows)]
    _join_wrapped(index, recs)
    return [r for r in recs if r.segments]


def _better(score: int, parts: Sequence[Segment]) -> bool:
    """Whether a text joined from `parts` (wrapped over lines) names a label better than its parts do: more
    exactly than each; or (“2.其他 申律” and “行政法規禁止公開”: the row with an OCR slip, not the column 其他)
    the one part that names something, not exactly, with text that names nothing; or an exact label of a
    part that names one exactly and text that names nothing (“其他  对外” and “管理服务事项”)."""
    scores = [s.score for s in parts]
    if not score:
        return False
    if score > max(scores):
        return True
    if max(scores) < 3:
        return sum(1 for x in scores if x) <= 1
    return score == 3 and any(s.kind == UNKNOWN for s in parts)


def _join_wrapped(index: LabelIndex, recs: list[Record]) -> None:
    """“（二）部分公开（区分处理的，只计这一情形，” on one line and “不计其他情形） | 0 | …” on the next (or the
    values on the first line): one label, the values of whichever line has them. Each part is the text of its
    line next to the other (a plain line split at a space is several pieces of it). A table row broken over
    two pages goes on in a row whose cells before the label's rest are empty (the label columns spanned)."""
    for a, b in itertools.pairwise(recs):
        text_a = [k for k, s in enumerate(a.segments) if s.kind != VALUE]
        if not text_a or not b.segments:
            continue
        ka = text_a[-1]
        lead = next((k for k, s in enumerate(b.segments) if s.kind != VALUE or s.text), 0) if b.grid else 0
        m = next((k for k, s in enumerate(b.segments[lead:]) if s.kind == VALUE), len(b.segments) - lead)
        if not 1 <= m <= MAX_PARTS:
            continue
        second = b.segments[lead : lead + m]
        values_a = a.segments[ka + 1 :]
        values_b = b.segments[lead + m :]
        if any(s.kind != VALUE for s in (*values_a, *values_b)):
            continue
        if any(s.text for s in values_a) and any(s.text for s in values_b):
            continue
        best: tuple[int, int, frozenset[Target]] | None = None  # (score, start of the first part, targets)
        start = ka
        while start >= 0 and ka - start < MAX_PARTS and a.segments[start].kind != VALUE:
            parts = [*a.segments[start : ka + 1], *second]
            score, targets = index.match("".join(s.text for s in parts))
            if _better(score, parts) and (best is None or score >= best[0]):
                best = (score, start, targets)
            start -= 1
        if best is None:
            continue
        score, start, targets = best
        text = " ".join(s.text for s in (*a.segments[start : ka + 1], *second))
        label = replace(a.segments[start], kind=LABEL, text=text, score=score, targets=targets)
        if any(s.text for s in values_b):
            a.segments[start:] = [label, *values_b]
            b.segments = []
        else:
            a.segments[start : ka + 1] = [label]
            b.segments = values_b
