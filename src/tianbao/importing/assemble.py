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

from tianbao.importing.labels import COL, HEADER_ROLES, ROW, SECTION, TITLE, ColumnNode, LabelIndex, Target
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


def _table_of(segs: list[Segment], current: str | None) -> str | None:
    tables = [t.table for s in segs for t in s.targets]
    if not tables:
        return None
    if current in tables:
        return current
    return max(dict.fromkeys(tables), key=tables.count)


def _in(seg: Segment, table: str) -> frozenset[Target]:
    return frozenset(t for t in seg.targets if t.table == table)


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
                if pending is not None and len(pending.values) < _width(index, pending):
                    pending.values.extend(values)
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
        for _, targets in header:
            cols = [t for t in targets if t.role != ROW]
            if len(cols) == 1:  # a label that several columns share tells no place (表四's 结果维持 …)
                text.headers[cols[0].section].append(cols[0])  # type: ignore[index]
        si = index.unlabelled.get(table)
        if si is not None:
            return Found(table, "", si, rec.index, 3, bare=True)
        return None
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
    return last if last is not None and last.bare else None


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
