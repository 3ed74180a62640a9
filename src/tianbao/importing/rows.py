"""Each row of a document as segments: labels (with what they may name), values, and unknown text.

A table row's cells are its segments; a label may be split over up to four cells (“商业 | 企业”), and a cell
of several numbers separated by spaces is several values. A plain line is split at spaces. A label split over
two lines (wrapped in a narrow column) is joined again when the joined text is a label and neither part is.
"""

from __future__ import annotations

import itertools
import re
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
            # A longer text matched wins, also less well when what it adds names nothing itself and the
            # shorter is no exact label (“2.其他 法律行申法规禁止公开”: an OCR slip, not the column 其他).
            if score and (
                best is None
                or score >= best[0]
                or (best[0] < 3 and not any(index.match(c)[0] for c in cells[best[1] : j + 1]))
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


def _weak(seg: Segment) -> bool:
    """Text that may be part of a label wrapped over lines: unknown, or a label matched short of exactly
    (“2.其他” of “2.其他法律行政法规禁止公开” is the column 其他 without its numbering)."""
    return seg.kind == UNKNOWN or (seg.kind == LABEL and seg.score <= 2)


def _join_wrapped(index: LabelIndex, recs: list[Record]) -> None:
    """“（二）部分公开（区分处理的，只计这一情形，” on one line and “不计其他情形） | 0 | …” on the next (or the
    values on the first line): one label, the values of whichever line has them. Each part is the text of its
    line next to the other (a plain line split at a space is several pieces of it)."""
    for a, b in itertools.pairwise(recs):
        text_a = [k for k, s in enumerate(a.segments) if s.kind != VALUE]
        if not text_a or not b.segments:
            continue
        ka = text_a[-1]
        m = next((k for k, s in enumerate(b.segments) if s.kind == VALUE), len(b.segments))
        if not 1 <= m <= MAX_PARTS:
            continue
        second = b.segments[:m]
        values_a = a.segments[ka + 1 :]
        values_b = b.segments[m:]
        if not all(_weak(s) for s in second) or any(s.kind != VALUE for s in (*values_a, *values_b)):
            continue
        if any(s.text for s in values_a) and any(s.text for s in values_b):
            continue
        best: tuple[int, int, frozenset[Target]] | None = None  # (score, start of the first part, targets)
        start = ka
        while start >= 0 and ka - start < MAX_PARTS and _weak(a.segments[start]):
            first = a.segments[start : ka + 1]
            score, targets = index.match("".join(s.text for s in (*first, *second)))
            scores = [s.score for s in (*first, *second)]
            # Better than its parts, or the one part that names something (not exactly) with text that
            # names nothing (“2.其他 申律” and “行政法規禁止公開”: the row with an OCR slip, not the column 其他).
            better = score > max(scores) or (score and max(scores) < 3 and sum(1 for x in scores if x) <= 1)
            if better and (best is None or score >= best[0]):
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
