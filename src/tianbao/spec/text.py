"""The text part of a report compiled: the text cells of the 正文 sheet with their ids, and the checks of the
text against the tables with their expressions parsed and checked against the spec's cells.

Ids: `text.<group>.<field>` (title, opening, 落款), `text.<part>` (a part's own text, its lead) and
`text.<part>.<section>`. The same id names the cell in the workbook (defined name `text_overview_active`), in
`tianbao fill`, in the reader's `Submission.text`, in issues and in the report.

The text part is not in the spec's structure hash (`Spec.hash`): a workbook without the 正文 sheet — made before
it existed — is the same template, read and checked as before, and its report has every text part marked as
missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from tianbao.errors import SpecError
from tianbao.spec.compiled import Spec
from tianbao.spec.rules import Term, parse_side
from tianbao.spec.text_model import Default, ReportSpec, Size, TextField, TextGroup, TextPart

PREFIX = "text"
Role = Literal["field", "lead", "section"]


@dataclass(frozen=True)
class TextCell:
    id: str  # text.overview.active
    key: str  # overview.active: the id within the text part
    label: str  # （一）主动公开
    heading: str  # the group's or the part's label: 开头, 一、总体情况
    role: Role  # a field of a group, a part's lead, a part's section
    part: str | None  # the part's id (lead and section)
    size: Size
    required: bool
    default: Default | None
    hint: str


@dataclass(frozen=True)
class Claim:
    """A count the text may state, compiled: each meaning is the terms of an expression over cell ids."""

    words: tuple[str, ...]
    context: str | None
    negatable: bool
    means: tuple[tuple[Term, ...], ...]


@dataclass(frozen=True)
class FeeTerms:
    text: tuple[str, ...]  # text cell ids
    requests: tuple[Term, ...]
    amount: tuple[Term, ...] | None


@dataclass(frozen=True)
class Part:
    """A part of the report in order: a table (`table`) or a text part with its lead and section cells."""

    index: int
    table: str | None
    spec: TextPart
    lead: TextCell | None
    sections: tuple[TextCell, ...]

    @property
    def cells(self) -> tuple[TextCell, ...]:
        return ((self.lead,) if self.lead else ()) + self.sections


@dataclass(frozen=True)
class TextSpec:
    doc: ReportSpec
    cells: dict[str, TextCell]  # in the order of the sheet
    front: tuple[tuple[TextGroup, tuple[TextCell, ...]], ...]
    parts: tuple[Part, ...]
    back: tuple[tuple[TextGroup, tuple[TextCell, ...]], ...]
    claims: tuple[Claim, ...]
    fees: FeeTerms | None

    @property
    def sheet(self) -> str:
        return self.doc.sheet

    def cell(self, key: str) -> TextCell:
        """A text cell by its key within the text part (`opening.contact`)."""
        return self.cells[f"{PREFIX}.{key}"]


def _field(f: TextField, key: str, heading: str, role: Role, part: str | None) -> TextCell:
    return TextCell(
        id=f"{PREFIX}.{key}",
        key=key,
        label=f.label,
        heading=heading,
        role=role,
        part=part,
        size=f.size,
        required=f.required,
        default=f.default,
        hint=f.hint,
    )


def _groups(groups: list[TextGroup]) -> tuple[tuple[TextGroup, tuple[TextCell, ...]], ...]:
    return tuple(
        (g, tuple(_field(f, f"{g.id}.{f.id}", g.label, "field", None) for f in g.fields)) for g in groups
    )


def _part(spec: Spec, index: int, p: TextPart) -> Part:
    if p.table is not None:
        try:
            spec.table(p.table)
        except KeyError:
            raise SpecError(f"report.parts[{index}].table: unknown table “{p.table}”") from None
        return Part(index, p.table, p, None, ())
    assert p.id is not None and p.label is not None
    lead = TextCell(
        id=f"{PREFIX}.{p.id}",
        key=p.id,
        label=p.label,
        heading=p.label,
        role="lead",
        part=p.id,
        size="long",
        required=p.required,
        default=None,
        hint=p.hint,
    )
    sections = tuple(_field(s, f"{p.id}.{s.id}", p.label, "section", p.id) for s in p.sections)
    return Part(index, None, p, lead, sections)


def _expression(spec: Spec, text: str, sets: dict[str, list[str]], where: str) -> tuple[Term, ...]:
    terms = parse_side(text, sets, where)
    for t in terms:
        if t.prev or (t.cell is not None and t.cell not in spec.cells):
            raise SpecError(f"{where}: unknown cell “{t.cell}”")
    return terms


def _sets(spec: Spec, doc: ReportSpec) -> dict[str, list[str]]:
    sets = {k: list(v) for k, v in spec.doc.sets.items()}
    for name, members in doc.checks.sets.items():
        if name in sets:
            raise SpecError(f"report.checks.sets.{name}: the spec already has a set of that name")
        sets[name] = members
    return sets


@cache
def text_spec(spec: Spec) -> TextSpec | None:
    """The compiled text part of a spec; None when the spec has none (its templates have no 正文 sheet)."""
    doc = spec.doc.report
    if doc is None:
        return None
    if doc.sheet in {t.sheet for t in spec.tables}:
        raise SpecError(f"report.sheet: sheet “{doc.sheet}” is a table's")
    front, back = _groups(doc.front), _groups(doc.back)
    parts = tuple(_part(spec, i, p) for i, p in enumerate(doc.parts))
    cells: dict[str, TextCell] = {}
    for c in [
        *(c for _, cs in front for c in cs),
        *(c for p in parts for c in p.cells),
        *(c for _, cs in back for c in cs),
    ]:
        if c.id in cells:
            raise SpecError(f"report: text cell “{c.id}” is defined twice")
        cells[c.id] = c
    sets = _sets(spec, doc)
    claims = tuple(
        Claim(
            tuple(n.words),
            n.context,
            n.negatable,
            tuple(_expression(spec, m, sets, f"report.checks.numbers[{i}].means") for m in n.means),
        )
        for i, n in enumerate(doc.checks.numbers)
    )
    fees = None
    if doc.checks.fees is not None:
        f = doc.checks.fees
        ids = tuple(f"{PREFIX}.{k}" for k in f.text)
        unknown = [i for i in ids if i not in cells]
        if unknown:
            raise SpecError(f"report.checks.fees.text: unknown text cell “{unknown[0]}”")
        fees = FeeTerms(
            ids,
            _expression(spec, f.requests, sets, "report.checks.fees.requests"),
            _expression(spec, f.amount, sets, "report.checks.fees.amount") if f.amount else None,
        )
    return TextSpec(doc, cells, front, parts, back, claims, fees)
