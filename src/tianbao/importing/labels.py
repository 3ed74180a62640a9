"""What the labels of a spec name, for reading published reports: an index from normalised text to targets.

Every label comes from the spec (row and column labels, section titles, corners, table titles, and their
`aliases`); nothing here spells a label. A target is what a text can be: a data row of a table (a leaf of a row
tree), a row group (（三）不予公开), a column or column group of a section, a section title, a corner, a title.
A row label printed together with its groups in one cell (“三、本年度办理结果（一）予以公开”) is indexed too.

Matching scores: 3 the text is the label (width, spaces, punctuation, 繁体 aside); 2 the same without the
numbering (“1.”, “（一）”); 1 one character off (an OCR slip, a truncated header).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from tianbao.importing.normalize import MIN_NEAR, core, near, norm
from tianbao.spec import Spec
from tianbao.spec.compiled import node_key
from tianbao.spec.model import Node

ROW, GROUP, COL, COLGROUP, SECTION, CORNER, TITLE = (
    "row",
    "group",
    "col",
    "colgroup",
    "section",
    "corner",
    "title",
)
HEADER_ROLES = frozenset({COL, COLGROUP, CORNER})


@dataclass(frozen=True)
class Target:
    role: str
    table: str
    section: int | None = None
    key: str = ""  # a row key (role row), a column key (col), the node's path (group, colgroup)


@dataclass(frozen=True)
class ColumnNode:
    """A node of a section's column tree: its target, and its children (none for a leaf column)."""

    target: Target
    children: tuple[ColumnNode, ...] = ()


@dataclass
class SectionInfo:
    table: str
    index: int
    columns: tuple[ColumnNode, ...]
    leaves: tuple[str, ...]  # column keys, in the format's order
    rows: tuple[str, ...]  # row keys in the format's order ("" for a table's one unlabelled row)
    cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (row key, column key) → cell id

    def cell(self, row: str, col: str) -> str:
        return self.cells[row, col]


@dataclass
class LabelIndex:
    spec: Spec
    sections: dict[tuple[str, int], SectionInfo] = field(default_factory=dict)
    row_section: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, row key) → section
    by_norm: dict[str, set[Target]] = field(default_factory=lambda: defaultdict(set))
    by_core: dict[str, set[Target]] = field(default_factory=lambda: defaultdict(set))
    by_length: dict[int, list[tuple[str, Target]]] = field(default_factory=lambda: defaultdict(list))
    unlabelled: dict[str, int] = field(default_factory=dict)  # table → section of its unlabelled row
    # Texts already matched (the same labels come back in every report): the index is built once per spec.
    _matched: dict[str, tuple[int, frozenset[Target]]] = field(default_factory=dict, repr=False)

    def add(self, text: str | None, target: Target, aliases: list[str] | tuple[str, ...] = ()) -> None:
        for t in (text, *aliases):
            if not t:
                continue
            n, c = norm(t), core(t)
            self.by_norm[n].add(target)
            if c:
                self.by_core[c].add(target)
                self.by_length[len(c)].append((c, target))

    def match(self, text: str) -> tuple[int, frozenset[Target]]:
        """The best score (0: no match) and every target matched at that score."""
        found = self._matched.get(text)
        if found is None:
            if len(self._matched) > 100_000:
                self._matched.clear()
            found = self._matched[text] = self._match(text)
        return found

    def _match(self, text: str) -> tuple[int, frozenset[Target]]:
        n = norm(text)
        if not n:
            return 0, frozenset()
        found = self.by_norm.get(n)
        if found:
            return 3, frozenset(found)
        c = core(text)
        found = self.by_core.get(c)
        if found:
            return 2, frozenset(found)
        if len(c) < MIN_NEAR:
            return 0, frozenset()
        near_targets = {
            t
            for length in (len(c) - 1, len(c), len(c) + 1)
            for lc, t in self.by_length.get(length, ())
            if near(c, lc)
        }
        return (1, frozenset(near_targets)) if near_targets else (0, frozenset())

    def row_match(self, text: str) -> frozenset[Target]:
        """The data rows a text names exactly or without its numbering, whatever else it names (a row
        “总计” printed without its “（七）” is also the column 总计)."""
        found = self.by_norm.get(norm(text), set()) | self.by_core.get(core(text), set())
        return frozenset(t for t in found if t.role == ROW)

    def tables(self) -> list[str]:
        return [t.id for t in self.spec.tables]


def _leaf_paths(nodes: list[Node], path: tuple[Node, ...] = ()) -> Iterator[tuple[Node, ...]]:
    for n in nodes:
        if n.children:
            yield from _leaf_paths(n.children, (*path, n))
        else:
            yield (*path, n)


def _column_nodes(
    index: LabelIndex, table: str, si: int, nodes: list[Node], path: tuple[Node, ...]
) -> tuple[ColumnNode, ...]:
    out = []
    for n in nodes:
        here = (*path, n)
        if n.children:
            target = Target(COLGROUP, table, si, "/".join(x.label or x.id or "" for x in here))
            children = _column_nodes(index, table, si, n.children, here)
        else:
            target = Target(COL, table, si, node_key(here))
            children = ()
        index.add(n.label, target, n.aliases)
        out.append(ColumnNode(target, children))
    return tuple(out)


def _rows(index: LabelIndex, table: str, si: int, nodes: list[Node], path: tuple[Node, ...]) -> None:
    for n in nodes:
        here = (*path, n)
        if n.children:
            index.add(n.label, Target(GROUP, table, si, "/".join(x.label or "" for x in here)), n.aliases)
            _rows(index, table, si, n.children, here)
            continue
        key = node_key(here)
        target = Target(ROW, table, si, key)
        index.row_section[table, key] = si
        if not n.label:
            index.unlabelled[table] = si
            continue
        index.add(n.label, target, n.aliases)
        # The label printed after its groups in one cell: “（三）不予公开1.属于国家秘密”.
        groups = [x.label for x in path if x.label]
        for i in range(len(groups)):
            index.by_norm["".join(norm(g) for g in groups[i:]) + norm(n.label)].add(target)


@cache
def label_index(spec: Spec) -> LabelIndex:
    index = LabelIndex(spec)
    for table in spec.tables:
        index.add(table.title, Target(TITLE, table.id), table.aliases)
        for si, section in enumerate(table.sections):
            if section.title:
                index.add(section.title, Target(SECTION, table.id, si))
            if section.corner:
                index.add(section.corner, Target(CORNER, table.id, si))
            columns = _column_nodes(index, table.id, si, section.columns, ())
            _rows(index, table.id, si, section.rows, ())
            leaves = tuple(node_key(p) for p in _leaf_paths(section.columns))
            rows = tuple(node_key(p) for p in _leaf_paths(section.rows))
            info = SectionInfo(table.id, si, columns, leaves, rows)
            for r in rows:
                for c in leaves:
                    info.cells[r, c] = ".".join(p for p in (table.id, r, c) if p)
            index.sections[table.id, si] = info
    return index
