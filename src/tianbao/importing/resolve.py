"""From the printings of each row to the value of each cell — or to no value, with the reason.

A row printed with as many value cells as it has columns is read as printed. More cells than columns: the
empty cells at the end (then at the start) are padding. Fewer (empty cells dropped): every placement of the
printed values in order is a reading, and the spec's definitions of totals (H1, H2, H4: the parts add up to
the total, where the total is printed) keep the readings the published numbers allow; a cell is read only when
every reading kept gives it the same text. Never a guess: whatever is not certain is left blank, with a reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from tianbao.amounts import TOLERANCE
from tianbao.importing.assemble import Found, TableText, column_order
from tianbao.importing.labels import LabelIndex
from tianbao.importing.normalize import simplify
from tianbao.importing.rows import DASHES, value_like
from tianbao.reading.values import parse_text
from tianbao.spec import Spec

MAX_COMBINATIONS = 20_000  # readings of a table's uncertain rows tried together, at most

NOT_FOUND = "报告中没有找到这一行"
NO_VALUES = "表头下没有找到数字"
CONFLICT = "这一行在报告中出现多次，数字不同"
UNCERTAIN = "标签与数字之间有无法识别的文字"
TOO_MANY = "这一行的数字比栏目多"
ELSEWHERE = "这一行的标签后面没有数字，而表中有不在任何标签后面的数字"
AMBIGUOUS = "报告中这一行有空单元格被省略，无法确定各数字所在的栏目"
ALL_FAIL = "报告中这一行有空单元格被省略，各种读法都与公布的合计不符"

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


def by_layout(
    tokens: Sequence[str], order: Sequence[str], layouts: set[tuple[str | None, ...]]
) -> list[Cells]:
    """The one reading of a row printed cell for cell as its section's header (a single layout), when the
    cells under no column label are empty; none otherwise."""
    if len(layouts) != 1:
        return []
    (layout,) = layouts
    if len(tokens) != len(layout) or any(t for t, key in zip(tokens, layout, strict=True) if key is None):
        return []
    at = {key: t or None for t, key in zip(tokens, layout, strict=True) if key is not None}
    return [tuple(at[c] for c in order)]


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
    sections = [(si, info) for (tid, si), info in index.sections.items() if tid == table_id]
    orders = {si: column_order(index, table_id, si, text.headers.get(si, [])) for si, _ in sections}
    # Where the padding is, as the rows that show it show it (one renderer printed the whole table).
    sides = {
        padding_side(f.values, len(orders[si]))
        for si, info in sections
        for row in info.rows
        for f in text.found.get(row, [])
        if f.certain
    }
    sides.discard(None)
    side = next(iter(sides)) if len(sides) == 1 else None
    for si, info in sections:
        order = orders[si]
        for row in info.rows:
            row_cells = tuple(info.cell(row, c) for c in order)
            printings = text.found.get(row, [])
            reason: str | None = NOT_FOUND if not printings else None
            chosen = None
            if printings:
                chosen, reason = _best(printings, len(order))
            if chosen is not None and not any(chosen.values) and (row == "" or text.orphans):
                reason = NO_VALUES if row == "" else ELSEWHERE
            if reason is None and chosen is not None:
                options = by_layout(chosen.values, order, text.layouts.get(si, set())) or readings(
                    chosen.values, len(order), side
                )
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
    """Fix what one reading gives; for rows of several readings keep those the definitions of totals allow:
    first each row alone (its own total, H1/H4), then all such rows together (column totals, H2) when the
    readings left are few enough to try together. Trying fewer combinations only keeps more readings: a
    cell is still read only when every reading kept agrees on it."""
    open_: list[Group] = []
    for g in groups:
        if len(g.readings) == 1:
            out.values.update(zip(g.cells, g.readings[0], strict=True))
        else:
            open_.append(g)
    if not open_:
        return
    values = {c: v for c, v in out.values.items() if c not in out.unreadable}
    group_of = {c: i for i, g in enumerate(open_) for c in g.cells}
    checks: dict[int, list[tuple[str, list[tuple[float, str]]]]] = {}  # by the last open row they touch
    for target, inst in spec.definitions.items():
        parts = [(float(t.coef), t.cell) for t in inst.relation.rhs if t.cell is not None]
        involved = [target, *(c for _, c in parts)]
        touched = {group_of[c] for c in involved if c in group_of}
        if touched and all(c in values or c in group_of for c in involved):
            checks.setdefault(max(touched), []).append((target, parts))
    local = {
        i: [(t, p) for t, p in checks.get(i, []) if _rows_of(t, p, group_of) == {i}]
        for i in range(len(open_))
    }

    def holds(target: str, parts: list[tuple[float, str]]) -> bool | None:
        """True: the parts add up to the printed total; False: they do not; None: no total printed (or
        not a number), nothing to check."""
        total = number(spec, target, values[target]) if values[target] is not None else None
        if total is None:
            return None
        acc = 0.0
        for coef, cell in parts:
            v = number(spec, cell, values[cell])
            if v is None:
                return None
            acc += coef * v
        return abs(acc - total) <= TOLERANCE

    def verdict(checked: list[tuple[str, list[tuple[float, str]]]]) -> bool | None:
        results = [holds(t, p) for t, p in checked]
        return False if False in results else (None if None in results else True)

    # A reading ruled out by a printed total decides only if every reading kept was shown right by one:
    # a reading kept because it leaves the total blank proves nothing (the printed total may be wrong).
    kept: list[list[Cells]] = []
    for i, g in enumerate(open_):
        verdicts = []
        for reading in g.readings:
            values.update(zip(g.cells, reading, strict=True))
            verdicts.append(verdict(local[i]))
        ok = [r for r, v in zip(g.readings, verdicts, strict=True) if v is not False]
        if len(ok) < len(g.readings) and None in verdicts:
            ok = list(g.readings)
        kept.append(ok)
    combinations = 1
    for ok in kept:
        combinations *= max(len(ok), 1)
    if combinations <= MAX_COMBINATIONS and all(kept):
        seen: list[set[Cells]] = [set() for _ in open_]
        chosen: list[Cells] = []
        state = {"excluded": False, "vacuous": False}

        def search(i: int) -> None:
            if i == len(open_):
                for k, reading in enumerate(chosen):
                    seen[k].add(reading)
                return
            g = open_[i]
            joint = [(t, p) for t, p in checks.get(i, ()) if (t, p) not in local[i]]
            for reading in kept[i]:
                values.update(zip(g.cells, reading, strict=True))
                v = verdict(joint)
                if v is False:
                    state["excluded"] = True
                    continue
                if v is None and joint:
                    state["vacuous"] = True
                chosen.append(reading)
                search(i + 1)
                chosen.pop()

        search(0)
        if not (state["excluded"] and state["vacuous"]):
            kept = [list(s) for s in seen]
    for k, g in enumerate(open_):
        for j, c in enumerate(g.cells):
            texts = {r[j] for r in kept[k]}
            if len(texts) == 1:
                out.values[c] = next(iter(texts))
            else:
                out.values[c] = None
                out.unreadable[c] = AMBIGUOUS if kept[k] else ALL_FAIL


def _rows_of(target: str, parts: list[tuple[float, str]], group_of: dict[str, int]) -> set[int]:
    return {group_of[c] for c in (target, *(c for _, c in parts)) if c in group_of}
