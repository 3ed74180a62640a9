"""The compiled spec: cells, computed cells and rule instances, ready for every backend."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tianbao.errors import SpecError
from tianbao.spec.model import UNHASHED, MetaField, Node, Rule, SpecDocument, Table, ValueType
from tianbao.spec.rules import Relation, expand_each, holds, parse_relation, side_value


@dataclass(frozen=True)
class Cell:
    """One data cell of a table. `id` is `table.row.col`; `name` is its defined name in a workbook."""

    id: str
    table: str
    sheet: str
    section: int
    row_key: str
    col_key: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    type: ValueType
    computed: bool

    @property
    def name(self) -> str:
        return cell_name(self.id)

    @property
    def label(self) -> str:
        """A readable label: the row label then the column label (e.g. “（一）予以公开 / 自然人”)."""
        parts = [self.row_labels[-1]] if self.row_labels else []
        parts.extend(self.col_labels[-2:] if not self.row_labels else self.col_labels[-1:])
        return " / ".join(parts)

    @property
    def full_label(self) -> str:
        """The label with its sheet, as messages name the cell (e.g. “表三 （一）予以公开 / 自然人”)."""
        return f"{self.sheet} {self.label}"


def cell_name(cell_id: str) -> str:
    """The workbook-level defined name of a cell id: `t3.new.np` → `t3_new_np`."""
    return cell_id.replace(".", "_")


@dataclass(frozen=True)
class RuleInstance:
    """A rule with its `each` variables bound, e.g. H3 for column np (`key` “H3[c=np]”)."""

    rule: Rule
    bindings: tuple[tuple[str, str], ...]
    relation: Relation
    labels: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        if not self.bindings:
            return self.rule.id
        return f"{self.rule.id}[{','.join(f'{k}={v}' for k, v in self.bindings)}]"

    @property
    def target(self) -> str:
        """The first cell of the left-hand side: the computed cell of a definition, the anchor of a check."""
        for t in self.relation.lhs:
            if t.cell is not None:
                return t.cell
        return self.relation.cells()[0]

    def applies_to(self, unit_type: str | None) -> bool:
        when = self.rule.when
        return when is None or (unit_type is not None and unit_type in when.unit_types)

    def values(self, get: Callable[[str, bool], Any]) -> tuple[Any, Any]:
        return side_value(self.relation.lhs, get), side_value(self.relation.rhs, get)

    def holds(self, get: Callable[[str, bool], Any]) -> Any:
        lhs, rhs = self.values(get)
        return holds(self.relation.op, lhs, rhs)

    def message(self, lhs: float, rhs: float) -> str:
        fields = {k: v for k, v in self.labels}
        fields.update(lhs=fmt_number(lhs), rhs=fmt_number(rhs), diff=fmt_number(lhs - rhs))
        return self.rule.message.format(**fields)


def fmt_number(value: float) -> str:
    """A number as a person writes it: 3, not 3.0; up to 4 decimals for amounts."""
    if value is None:
        return "空白"
    v = round(float(value), 6)
    if v == int(v):
        return str(int(v))
    return f"{v:.4f}".rstrip("0").rstrip(".")


@dataclass(eq=False)
class Spec:
    doc: SpecDocument
    cells: dict[str, Cell] = field(default_factory=dict)
    definitions: dict[str, RuleInstance] = field(default_factory=dict)
    checks: list[RuleInstance] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def version(self) -> str:
        return self.doc.version

    @property
    def tables(self) -> list[Table]:
        return self.doc.tables

    @property
    def meta(self) -> list[MetaField]:
        return self.doc.meta

    @cached_property
    def hash(self) -> str:
        """A stable hash of the structure (ids, labels, types, rules), independent of YAML formatting and of
        the fields in `UNHASHED`."""
        structure = self.doc.model_dump(mode="json", exclude=UNHASHED)
        canonical = json.dumps(structure, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    @cached_property
    def input_ids(self) -> list[str]:
        return [c.id for c in self.cells.values() if not c.computed]

    @cached_property
    def computed_ids(self) -> list[str]:
        return [c.id for c in self.cells.values() if c.computed]

    def table(self, table_id: str) -> Table:
        for t in self.doc.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def table_cells(self, table_id: str) -> list[Cell]:
        return [c for c in self.cells.values() if c.table == table_id]

    @cached_property
    def sums(self) -> tuple[tuple[str, tuple[tuple[float, str | None], ...]], ...]:
        """Each computed cell's definition as (coefficient, cell id or None for a constant) terms, in
        dependency order."""
        return tuple(
            (cell_id, tuple((t.coef, t.cell) for t in inst.relation.rhs))
            for cell_id, inst in self.definitions.items()
        )

    def compute(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Computed cells from input values (a missing or None input counts as 0): the one computation of
        the totals — for one submission's numbers, for pandas Series of a whole run, for sums of many units
        alike. Term by term, without a function call per term (it runs for every file read)."""
        values: dict[str, Any] = {}
        get = inputs.get
        for cell_id, terms in self.sums:
            total: Any = 0
            for coef, cell in terms:
                if cell is None:
                    total = total + coef
                else:
                    value = values[cell] if cell in values else get(cell)
                    total = total + coef * (0 if value is None else value)
            values[cell_id] = total
        return values

    @cached_property
    def inputs_of(self) -> dict[str, frozenset[str]]:
        """Each computed cell → the input cells it is a total of (directly or through other totals)."""
        out: dict[str, frozenset[str]] = {}
        for cell_id, inst in self.definitions.items():  # in dependency order: a total's parts come first
            deps: set[str] = set()
            for dep in inst.relation.cells():
                if dep != cell_id:
                    deps.update(out.get(dep, {dep}))
            out[cell_id] = frozenset(deps)
        return out

    def unusable(self, invalid: Collection[str]) -> frozenset[str]:
        """The cells that cannot be used when the input cells `invalid` cannot: those, and every total over
        one of them (its value would be a guess). The one statement of that rule: the reader (stored totals
        are not compared), the validation (rules on them are skipped) and last year's values (left out)."""
        bad = frozenset(invalid)
        if not bad:
            return bad
        return bad | {cell_id for cell_id, deps in self.inputs_of.items() if deps & bad}

    def iter_checks(self, unit_type: str | None = None, previous: bool = True) -> Iterator[RuleInstance]:
        for inst in self.checks:
            if inst.relation.needs_previous and not previous:
                continue
            if inst.applies_to(unit_type):
                yield inst


def _leaves(nodes: list[Node], path: tuple[Node, ...] = ()) -> Iterator[tuple[Node, ...]]:
    for n in nodes:
        if n.children:
            yield from _leaves(n.children, (*path, n))
        else:
            yield (*path, n)


def node_key(path: tuple[Node, ...]) -> str:
    return ".".join(n.id for n in path if n.id)


def compile_spec(doc: SpecDocument) -> Spec:
    spec = Spec(doc)
    sheets: set[str] = set()
    for ti, table in enumerate(doc.tables):
        where = f"tables[{ti}]"
        if table.sheet in sheets:
            raise SpecError(f"{where}.sheet: sheet “{table.sheet}” is used twice")
        sheets.add(table.sheet)
        for si, section in enumerate(table.sections):
            for row_path in _leaves(section.rows):
                for col_path in _leaves(section.columns):
                    parts = [table.id, node_key(row_path), node_key(col_path)]
                    cell_id = ".".join(p for p in parts if p)
                    if cell_id.count(".") < 2:
                        raise SpecError(
                            f"{where}.sections[{si}]: cell “{cell_id}” needs a row id and a column id"
                        )
                    if cell_id in spec.cells:
                        raise SpecError(f"{where}.sections[{si}]: cell id “{cell_id}” is defined twice")
                    spec.cells[cell_id] = Cell(
                        id=cell_id,
                        table=table.id,
                        sheet=table.sheet,
                        section=si,
                        row_key=node_key(row_path),
                        col_key=node_key(col_path),
                        row_labels=tuple(n.label for n in row_path if n.label),
                        col_labels=tuple(n.label for n in col_path if n.label),
                        type=col_path[-1].type or "count",
                        computed=False,
                    )

    sets: dict[str, list[str]] = {}
    for table in doc.tables:
        rows: dict[str, None] = {}
        cols: dict[str, None] = {}
        for c in spec.cells.values():
            if c.table == table.id:
                rows.setdefault(c.row_key)
                cols.setdefault(c.col_key)
        sets[f"{table.id}.rows"] = [r for r in rows if r]
        sets[f"{table.id}.columns"] = list(cols)
    for name, members in doc.sets.items():
        if name in sets:
            raise SpecError(f"sets.{name}: the name is taken by a builtin set")
        sets[name] = members

    labels = _node_labels(doc)
    definitions: dict[str, RuleInstance] = {}
    ids: set[str] = set()
    for ri, rule in enumerate(doc.rules):
        where = f"rules[{ri}]"
        if rule.id in ids:
            raise SpecError(f"{where}.id: rule id “{rule.id}” is used twice")
        ids.add(rule.id)
        for bindings in expand_each(rule.each, sets, f"{where}.each"):
            relation = parse_relation(rule.relation, bindings, sets, f"{where}.relation")
            for prev in (False, True):
                for cell_id in relation.cells(prev):
                    if cell_id not in spec.cells:
                        raise SpecError(f"{where}.relation: unknown cell “{cell_id}” (bindings {bindings})")
            first = relation.cells()[0] if relation.cells() else None
            table_id = first.split(".")[0] if first else ""
            inst = RuleInstance(
                rule=rule,
                bindings=tuple(bindings.items()),
                relation=relation,
                labels=tuple((k, labels.get((table_id, v), v)) for k, v in bindings.items()),
            )
            try:
                inst.message(0, 0)
            except (KeyError, IndexError, ValueError) as exc:
                raise SpecError(f"{where}.message: unknown placeholder {exc}") from None
            if rule.role == "define":
                lhs = relation.lhs
                if (
                    len(lhs) != 1
                    or lhs[0].cell is None
                    or lhs[0].coef != 1
                    or lhs[0].prev
                    or relation.op != "="
                ):
                    raise SpecError(f"{where}.relation: a definition must read `cell = …`")
                if relation.needs_previous:
                    raise SpecError(f"{where}.relation: a definition cannot use last year's values")
                target = lhs[0].cell
                if target in definitions:
                    raise SpecError(
                        f"{where}.relation: cell “{target}” is already defined by {definitions[target].key}"
                    )
                definitions[target] = inst
            else:
                spec.checks.append(inst)

    spec.definitions = _topological(definitions)
    for cell_id in spec.definitions:
        c = spec.cells[cell_id]
        spec.cells[cell_id] = Cell(**{**c.__dict__, "computed": True})
    return spec


def _node_labels(doc: SpecDocument) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}

    def walk(table_id: str, nodes: list[Node]) -> None:
        for n in nodes:
            if n.id and n.label:
                out.setdefault((table_id, n.id), n.label)
            walk(table_id, n.children)

    for t in doc.tables:
        for s in t.sections:
            walk(t.id, s.rows)
            walk(t.id, s.columns)
    return out


def _topological(definitions: dict[str, RuleInstance]) -> dict[str, RuleInstance]:
    ordered: dict[str, RuleInstance] = {}
    visiting: set[str] = set()

    def visit(cell_id: str) -> None:
        if cell_id in ordered:
            return
        if cell_id in visiting:
            raise SpecError(f"rules: the definition of “{cell_id}” depends on itself")
        visiting.add(cell_id)
        inst = definitions[cell_id]
        for dep in (t.cell for t in inst.relation.rhs if t.cell is not None):
            if dep in definitions:
                visit(dep)
        visiting.discard(cell_id)
        ordered[cell_id] = inst

    for cell_id in definitions:
        visit(cell_id)
    return ordered
