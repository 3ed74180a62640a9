"""From segmented rows to what each table of the spec says: for every data row, the values printed after its
label; for every section, the order of its columns as its header prints them.

Rows are read in order, keeping the table being read (its title, a section title, a header or a data row seen
last): a label that several tables use (总计, 其他) is taken for that table. A data row's values are the value
cells after its label up to the next label; a label with no cell after it takes the values-only lines below it
(“a value row printed under its label”), and so does the header of a table whose one row has no label (表四).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from tianbao.importing.labels import (
    COL,
    CORNER,
    HEADER_ROLES,
    ROW,
    SECTION,
    TITLE,
    ColumnNode,
    LabelIndex,
    Target,
)
from tianbao.importing.rows import LABEL, UNKNOWN, VALUE, Record, Segment


@dataclass
class Found:
    """One printing of a data row: the values after its label, as written."""

    table: str
    row: str
    section: int
    index: int  # the record it starts in
    score: int  # how well its label matched (3 exact … 1 one character off)
    values: list[str] = field(default_factory=list)
    bare: bool = False  # no cell at all after the label (its values may be on the lines below)
    certain: bool = True  # False: unknown text stands between the label and the values


@dataclass
class TableText:
    """What the document says of one table."""

    anchors: int = 0  # titles, section titles, corners and headers seen
    headers: dict[int, list[Target]] = field(default_factory=lambda: defaultdict(list))  # section → columns
    found: dict[str, list[Found]] = field(default_factory=lambda: defaultdict(list))  # row key → printings
    orphans: int = 0  # values-only lines that no label took
    # section → the header rows that name each of its columns once, cell by cell: a column key, or None for
    # an empty cell (the rest of a column's span); a data row printed with as many cells is read by them
    layouts: dict[int, set[tuple[str | None, ...]]] = field(default_factory=lambda: defaultdict(set))
    titled: int | None = None  # the section whose title was printed last


def _table_of(segs: list[Segment], current: str | None) -> str | None:
    tables = [t.table for s in segs for t in s.targets]
    if not tables:
        return None
    if current in tables:
        return current
    return max(dict.fromkeys(tables), key=tables.count)


def _in(seg: Segment, table: str) -> frozenset[Target]:
    return _of_table(seg.targets, table)


@lru_cache(maxsize=16384)
def _of_table(targets: frozenset[Target], table: str) -> frozenset[Target]:
    return frozenset(t for t in targets if t.table == table)


def assemble(index: LabelIndex, recs: list[Record]) -> dict[str, TableText]:
    out: dict[str, TableText] = {t: TableText() for t in index.tables()}
    current: str | None = None
    pending: Found | None = None  # a label waiting for its values on the next lines
    for rec in recs:
        labels = [s for s in rec.segments if s.kind == LABEL]
        table = _table_of(labels, current)
        if table is None:
            values = [s.text for s in rec.segments if s.kind == VALUE]
            if values and len(values) == len(rec.segments) and (any(values) or rec.grid):
                if pending is not None and (
                    not any(pending.values) or len(pending.values) < _width(index, pending)
                ):
                    pending.values.extend(values)
                    if not any(pending.values[: -len(values)]):  # the label's line held only padding
                        pending.values = values
                    printings = out[pending.table].found[pending.row]
                    if all(f is not pending for f in printings):  # the unlabelled row, under its header
                        printings.append(pending)
                    continue
                if current is not None:
                    out[current].orphans += 1
            pending = None
            continue
        current = table
        text = out[table]
        pending = _record(index, rec, table, text)
    return out


def _width(index: LabelIndex, found: Found) -> int:
    return len(index.sections[found.table, found.section].leaves)


def _record(index: LabelIndex, rec: Record, table: str, text: TableText) -> Found | None:
    """Take one row of the table being read; the printing that waits for values below, if any."""
    segs = rec.segments
    rows: list[tuple[int, Target]] = []
    header: list[tuple[int, frozenset[Target]]] = []
    for k, seg in enumerate(segs):
        if seg.kind != LABEL:
            continue
        targets = _in(seg, table)
        roles = {t.role for t in targets}
        if roles & {TITLE, SECTION} or (roles and roles <= HEADER_ROLES):
            text.anchors += 1
        sections = {t.section for t in targets if t.role == SECTION}
        if len(sections) == 1:
            text.titled = next(iter(sections))
        row_targets = {t for t in targets if t.role == ROW}
        if not row_targets and roles and roles <= HEADER_ROLES and _has_values_after(segs, k):
            # “总计 | 3 | …”: a row label printed without its numbering is also a column label
            row_targets = {t for t in index.row_match(seg.text) if t.table == table}
            if len(row_targets) == 1 and not header:
                rows.append((k, next(iter(row_targets))))
                continue
        if len(row_targets) == 1:
            rows.append((k, next(iter(row_targets))))
        elif roles and roles <= HEADER_ROLES:
            header.append((k, targets))
    if header and not rows:
        # The order of the columns, from a header row of several of them: a label that several columns
        # share tells no place (表四's 结果维持 …), and a label alone on its line tells no order (it may be
        # the piece of another label: “其他  对外”).
        placed = [cols[0] for _, targets in header if len(cols := [t for t in targets if t.role != ROW]) == 1]
        if sum(1 for t in placed if t.role != CORNER) > 1:
            for t in placed:
                text.headers[t.section].append(t)  # type: ignore[index]
        if rec.grid:
            _layout(index, table, segs, text)
        si = index.unlabelled.get(table)
        if si is None:
            return None
        found = Found(table, "", si, rec.index, 3, bare=True)
        after = segs[header[-1][0] + 1 :]
        if rec.grid and after and all(s.kind == VALUE for s in after) and any(s.text for s in after):
            # 表四's header and its one row in one line (a flattened table): the values after the header
            found.values, found.bare = [s.text for s in after], False
            text.found[""].append(found)
            return None
        return found
    last: Found | None = None
    for n, (k, target) in enumerate(rows):
        end = rows[n + 1][0] if n + 1 < len(rows) else len(segs)
        after = segs[k + 1 : end]
        found = Found(table, target.key, target.section or 0, rec.index, segs[k].score)
        if rec.grid:
            found.values = [s.text for s in after]
            found.certain = all(s.kind != LABEL for s in after)
        else:
            found.values = [s.text for s in after if s.kind == VALUE]
            found.certain = not any(s.kind in (UNKNOWN, LABEL) for s in after)
        found.bare = not after
        text.found[target.key].append(found)
        last = found
    # A label with nothing printed after it (or only empty cells) may have its values on the next lines.
    return last if last is not None and not any(last.values) else None


def _layout(index: LabelIndex, table: str, segs: list[Segment], text: TableText) -> None:
    """A one-row header from its first column label on: the layout of its section, when it names every column
    of the section once and has nothing else than empty cells between and after them. Sections whose columns
    bear the same labels (表二's （五）and（六）) are told apart by the section title printed last."""
    start = next((k for k, s in enumerate(segs) if any(t.role == COL for t in _in(s, table))), None)
    if start is None:
        return
    cells: list[frozenset[Target] | None] = []
    for seg in segs[start:]:
        if seg.kind == VALUE and not seg.text:
            cells.append(None)
            continue
        cols = frozenset(t for t in _in(seg, table) if t.role == COL) if seg.kind == LABEL else frozenset()
        if not cols:
            return
        cells.append(cols)
    named = [c for c in cells if c is not None]
    sections = [
        si
        for (tid, si), info in index.sections.items()
        if tid == table
        and len(named) == len(info.leaves)
        and all(any(t.section == si for t in c) for c in named)
    ]
    si = sections[0] if len(sections) == 1 else (text.titled if text.titled in sections else None)
    if si is None:
        return
    layout = tuple(None if c is None else next(t.key for t in c if t.section == si) for c in cells)
    keys = [k for k in layout if k is not None]
    if sorted(keys) == sorted(index.sections[table, si].leaves):
        text.layouts[si].add(layout)


def _has_values_after(segs: list[Segment], k: int) -> bool:
    return any(s.kind == VALUE and s.text for s in segs[k + 1 :])


def column_order(index: LabelIndex, table: str, section: int, header: list[Target]) -> tuple[str, ...]:
    """The section's column keys in the order its header prints them; the format's order for any group
    whose members are not all printed, or printed with labels that other columns share."""
    info = index.sections[table, section]
    first: dict[Target, int] = {}
    for i, t in enumerate(header):
        first.setdefault(t, i)

    def seen(node: ColumnNode) -> int | None:
        if node.target in first:
            return first[node.target]
        inner = [p for c in node.children if (p := seen(c)) is not None]
        return min(inner) if inner else None

    def leaves(nodes: tuple[ColumnNode, ...]) -> list[str]:
        places = [seen(n) for n in nodes]
        if all(p is not None for p in places) and len(set(places)) == len(places):
            nodes = tuple(n for _, n in sorted(zip(places, nodes, strict=True), key=lambda x: x[0]))  # type: ignore[arg-type, return-value]
        out: list[str] = []
        for n in nodes:
            out.extend(leaves(n.children) if n.children else [n.target.key])
        return out

    order = tuple(leaves(info.columns))
    return order if sorted(order) == sorted(info.leaves) else info.leaves


__all__ = ["COL", "Found", "TableText", "assemble", "column_order"]
