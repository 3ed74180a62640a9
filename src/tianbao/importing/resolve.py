"""From the printings of each row to the value of each cell — or to no value, with the reason.

A row printed with as many value cells as it has columns is read as printed. More cells than columns: the
empty cells at the end (then at the start) are padding. Fewer (empty cells dropped): every placement of the
printed values in order is a reading, and the spec's definitions of totals (H1, H2, H4: the parts add up to
the total, where the total is printed) keep the readings the published numbers allow; a cell is read only when
every reading kept gives it the same text. Never a guess: whatever is not certain is left blank, with a reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from tianbao.importing.assemble import Found, TableText, column_order
from tianbao.importing.labels import LabelIndex
from tianbao.importing.normalize import simplify
from tianbao.importing.rows import DASHES, value_like
from tianbao.reading.values import parse_text
from tianbao.spec import Spec

MAX_NODES = 200_000  # readings tried per table before giving up on its uncertain rows
TOLERANCE = 1e-9

NOT_FOUND = "报告中没有找到这一行"
NO_VALUES = "表头下没有找到数字"
CONFLICT = "这一行在报告中出现多次，数字不同"
UNCERTAIN = "标签与数字之间有无法识别的文字"
TOO_MANY = "这一行的数字比栏目多"
ELSEWHERE = "这一行的标签后面没有数字，而表中有不在任何标签后面的数字"
AMBIGUOUS = "报告中这一行有空单元格被省略，无法确定各数字所在的栏目"
ALL_FAIL = "报告中这一行有空单元格被省略，各种读法都与公布的合计不符"
TOO_HARD = "报告中多行有空单元格被省略，无法逐一确定"

Cells = tuple[str | None, ...]


@dataclass
class Group:
    """One printed row: its cells in printed order and the readings of its values."""

    cells: tuple[str, ...]
    readings: list[Cells]


@dataclass
class TableReading:
    values: dict[str, str | None] = field(default_factory=dict)  # cell id → text as printed; None: blank
    unreadable: dict[str, str] = field(default_factory=dict)  # cell id → why it is left blank
    missing: bool = False  # the table is not in the report


def padding_side(tokens: Sequence[str], width: int) -> str | None:
    """Where a row printed with more cells than columns has its padding, when only padding is empty:
    "end" (a copied page pads each line to the table's width), "start" (a span written as empty cells after
    the label); None when the row does not show it."""
    extra = len(tokens) - width
    empty = [i for i, t in enumerate(tokens) if not t]
    if extra <= 0 or len(empty) != extra or extra == len(tokens):
        return None
    if empty == list(range(len(tokens) - extra, len(tokens))):
        return "end"
    if empty == list(range(extra)):
        return "start"
    return None


def readings(tokens: Sequence[str], width: int, side: str | None = None) -> list[Cells]:
    """The readings of a row's printed value cells over `width` columns. Extra cells: the empty ones are
    padding, on the `side` the table's other rows show; anywhere when it is not known. Missing cells:
    every placement of the printed ones, in order."""
    values = list(tokens)
    extra = len(values) - width
    if extra > 0:
        if side == "end" and not any(values[width:]):
            return [tuple(v or None for v in values[:width])]
        if side == "start" and not any(values[:extra]):
            return [tuple(v or None for v in values[extra:])]
        empty = [i for i, v in enumerate(values) if not v]
        if len(empty) < extra:
            return []
        out = []
        for dropped in itertools.combinations(empty, extra):
            gone = set(dropped)
            out.append(tuple(v or None for i, v in enumerate(values) if i not in gone))
        return list(dict.fromkeys(out))
    if extra == 0:
        return [tuple(v or None for v in values)]
    out = []
    for places in itertools.combinations(range(width), len(values)):
        row: list[str | None] = [None] * width
        for p, v in zip(places, values, strict=True):
            row[p] = v or None
        out.append(tuple(row))
    return list(dict.fromkeys(out))


def _best(printings: list[Found], width: int) -> tuple[Found | None, str | None]:
    def rank(f: Found) -> tuple[bool, bool, bool, bool]:
        return (f.certain, f.score >= 2, len(f.values) == width, bool(f.values))

    top = max(rank(f) for f in printings)
    best = [f for f in printings if rank(f) == top]
    if len({tuple(v.strip() for v in f.values) for f in best}) > 1:
        return None, CONFLICT
    chosen = best[0]
    if not chosen.certain:
        return None, UNCERTAIN
    return chosen, None


def read_table(spec: Spec, index: LabelIndex, table_id: str, text: TableText) -> TableReading:
    out = TableReading()
    cells = [c.id for c in spec.table_cells(table_id)]
    if not text.anchors and not any(text.found.values()):
        out.missing = True
        out.values = dict.fromkeys(cells)
        return out
    groups: list[Group] = []
    for (tid, si), info in index.sections.items():
        if tid != table_id:
            continue
        order = column_order(index, tid, si, text.headers.get(si, []))
        sides = {
            padding_side(f.values, len(order))
            for row in info.rows
            for f in text.found.get(row, [])
            if f.certain
        }
        sides.discard(None)
        side = next(iter(sides)) if len(sides) == 1 else None
        for row in info.rows:
            row_cells = tuple(info.cell(row, c) for c in order)
            printings = text.found.get(row, [])
            reason: str | None = NOT_FOUND if not printings else None
            chosen = None
            if printings:
                chosen, reason = _best(printings, len(order))
            if chosen is not None and not chosen.values and (row == "" or text.orphans):
                reason = NO_VALUES if row == "" else ELSEWHERE
            if reason is None and chosen is not None:
                options = readings(chosen.values, len(order), side)
                if not options:
                    reason = TOO_MANY
                else:
                    groups.append(Group(row_cells, options))
                    continue
            for c in row_cells:
                out.values[c] = None
                out.unreadable[c] = reason or NOT_FOUND
    _resolve(spec, groups, out)
    return out


def number(spec: Spec, cell_id: str, text: str | None) -> float | None:
    """A printed value as a number for the sums: blank and dashes are 0; None when it is no number."""
    if text is None:
        return 0.0
    s = simplify(text).replace(" ", "")
    if s in DASHES:
        return 0.0
    if not value_like(s):
        return None
    parsed = parse_text(s, spec.cells[cell_id].type)
    return parsed[0] if parsed is not None else None


def _resolve(spec: Spec, groups: list[Group], out: TableReading) -> None:
    fixed = [g for g in groups if len(g.readings) == 1]
    open_ = [g for g in groups if len(g.readings) > 1]
    for g in fixed:
        out.values.update(zip(g.cells, g.readings[0], strict=True))
    if not open_:
        return
    known = {c: v for c, v in out.values.items() if c not in out.unreadable}
    group_of = {c: i for i, g in enumerate(open_) for c in g.cells}
    # The definitions that touch an open row, each checked once its last open row is placed.
    checks: dict[int, list[tuple[str, list[tuple[float, str]]]]] = {}
    for target, inst in spec.definitions.items():
        parts = [(float(t.coef), t.cell) for t in inst.relation.rhs if t.cell is not None]
        touched = {group_of[c] for c in (target, *(c for _, c in parts)) if c in group_of}
        involved = [target, *(c for _, c in parts)]
        if touched and all(c in known or c in group_of for c in involved):
            checks.setdefault(max(touched), []).append((target, parts))
    seen: list[set[Cells]] = [set() for _ in open_]
    chosen: list[Cells] = []
    values: dict[str, str | None] = dict(known)
    nodes = 0

    def holds(target: str, parts: list[tuple[float, str]]) -> bool:
        total = number(spec, target, values[target]) if values[target] is not None else None
        if total is None:
            return True  # no total printed (or not a number): nothing to add up to
        acc = 0.0
        for coef, cell in parts:
            v = number(spec, cell, values[cell])
            if v is None:
                return True
            acc += coef * v
        return abs(acc - total) <= TOLERANCE

    def search(i: int) -> Iterator[None]:
        nonlocal nodes
        if i == len(open_):
            yield None
            return
        g = open_[i]
        for reading in g.readings:
            nodes += 1
            if nodes > MAX_NODES:
                raise _TooHard
            values.update(zip(g.cells, reading, strict=True))
            if all(holds(t, p) for t, p in checks.get(i, ())):
                chosen.append(reading)
                yield from search(i + 1)
                chosen.pop()

    try:
        for _ in search(0):
            for k, reading in enumerate(chosen):
                seen[k].add(reading)
    except _TooHard:
        for g in open_:
            for c in g.cells:
                out.values[c] = None
                out.unreadable[c] = TOO_HARD
        return
    for k, g in enumerate(open_):
        kept = seen[k]
        for j, c in enumerate(g.cells):
            texts = {r[j] for r in kept}
            if len(texts) == 1:
                out.values[c] = next(iter(texts))
            else:
                out.values[c] = None
                out.unreadable[c] = AMBIGUOUS if kept else ALL_FAIL


class _TooHard(Exception):
    pass
