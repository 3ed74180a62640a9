"""The small language of linear relations used by the spec's rules.

    relation := side OP side          OP is =, >= or <=
    side     := ["-"] term (("+" | "-") term)*
    term     := NUMBER ["*" atom] | atom
    atom     := "sum(" REF ")" | REF
    REF      := a cell id, optionally prefixed by `prev.` (last year's report), with `{name}` placeholders

`{v}` placeholders bound by the rule's `each` are substituted first; inside sum(), the remaining placeholders
must name sets and expand over their members (a cartesian product when several). A parsed relation is a pair of
term lists, ready to evaluate against any mapping of values (scalars or pandas Series alike).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tianbao.amounts import TOLERANCE
from tianbao.errors import SpecError

Op = Literal["=", ">=", "<="]
_TOKEN = re.compile(r"\s*(>=|<=|=|\+|-|\*|sum\(|\)|\d+(?:\.\d+)?|[A-Za-z_{][A-Za-z0-9_.{}]*)")
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")


@dataclass(frozen=True)
class Term:
    """coef × cell (or a constant when `cell` is None). `prev` marks a value from last year's report."""

    coef: float
    cell: str | None = None
    prev: bool = False


@dataclass(frozen=True)
class Relation:
    lhs: tuple[Term, ...]
    op: Op
    rhs: tuple[Term, ...]

    def cells(self, prev: bool = False) -> tuple[str, ...]:
        """The cell ids of this year's (or, with prev=True, last year's) values, in order of appearance."""
        seen: dict[str, None] = {}
        for t in (*self.lhs, *self.rhs):
            if t.cell is not None and t.prev == prev:
                seen.setdefault(t.cell)
        return tuple(seen)

    @property
    def needs_previous(self) -> bool:
        return any(t.prev for t in (*self.lhs, *self.rhs))


def side_value(terms: Sequence[Term], get: Callable[[str, bool], Any]) -> Any:
    """Sum of the terms; `get(cell_id, prev)` supplies values (numbers or array-likes)."""
    total: Any = 0
    for t in terms:
        total = total + (t.coef if t.cell is None else t.coef * get(t.cell, t.prev))
    return total


def holds(op: Op, lhs: Any, rhs: Any, tolerance: float = TOLERANCE) -> Any:
    diff = lhs - rhs
    if op == "=":
        return abs(diff) <= tolerance
    if op == ">=":
        return diff >= -tolerance
    return diff <= tolerance


def _tokens(text: str, where: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SpecError(f"{where}: cannot parse “{text[pos:]}”")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse_relation(
    text: str,
    bindings: Mapping[str, str],
    sets: Mapping[str, Sequence[str]],
    where: str,
) -> Relation:
    """Parse one relation with its `each` variables bound; set placeholders expand inside sum()."""
    toks = _tokens(text, where)
    ops = [i for i, t in enumerate(toks) if t in ("=", ">=", "<=")]
    if len(ops) != 1:
        raise SpecError(f"{where}: a relation needs exactly one of =, >=, <=")
    i = ops[0]
    lhs = _parse_side(toks[:i], bindings, sets, where)
    rhs = _parse_side(toks[i + 1 :], bindings, sets, where)
    return Relation(tuple(lhs), toks[i], tuple(rhs))  # type: ignore[arg-type]


def parse_side(text: str, sets: Mapping[str, Sequence[str]], where: str) -> tuple[Term, ...]:
    """One side of a relation on its own (`t3.new.tot + t3.carry.tot`, `sum(t3.{R3}.tot)`): an expression
    over cell ids, with set placeholders expanded inside sum()."""
    return tuple(_parse_side(_tokens(text, where), {}, sets, where))


def _parse_side(
    toks: list[str], bindings: Mapping[str, str], sets: Mapping[str, Sequence[str]], where: str
) -> list[Term]:
    if not toks:
        raise SpecError(f"{where}: an empty side of the relation")
    terms: list[Term] = []
    pos = 0
    sign = 1.0
    expect_term = True
    while pos < len(toks):
        tok = toks[pos]
        if tok in ("+", "-"):
            if expect_term and terms:
                raise SpecError(f"{where}: two operators in a row")
            sign = -1.0 if tok == "-" else 1.0
            expect_term = True
            pos += 1
            continue
        if not expect_term:
            raise SpecError(f"{where}: missing + or - before “{tok}”")
        coef = sign
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            number = float(tok)
            if pos + 1 < len(toks) and toks[pos + 1] == "*":
                coef = sign * number
                pos += 2
                tok = toks[pos] if pos < len(toks) else ""
            else:
                terms.append(Term(sign * number))
                pos += 1
                expect_term = False
                continue
        if tok == "sum(":
            if pos + 2 >= len(toks) or toks[pos + 2] != ")":
                raise SpecError(f"{where}: sum( must hold one cell pattern and end with )")
            for ref in _expand(toks[pos + 1], bindings, sets, where):
                terms.append(_ref_term(coef, ref))
            pos += 3
        elif tok and (tok[0].isalpha() or tok[0] in "_{"):
            refs = _expand(tok, bindings, {}, where)
            terms.append(_ref_term(coef, refs[0]))
            pos += 1
        else:
            raise SpecError(f"{where}: unexpected “{tok}”")
        sign = 1.0
        expect_term = False
    if expect_term:
        raise SpecError(f"{where}: the relation ends with an operator")
    return terms


def _ref_term(coef: float, ref: str) -> Term:
    if ref.startswith("prev."):
        return Term(coef, ref[5:], True)
    return Term(coef, ref)


def _expand(
    pattern: str, bindings: Mapping[str, str], sets: Mapping[str, Sequence[str]], where: str
) -> list[str]:
    names = _PLACEHOLDER.findall(pattern)
    free = [n for n in dict.fromkeys(names) if n not in bindings]
    for n in free:
        if n not in sets:
            what = "a variable of `each` or a set used inside sum()" if sets else "a variable of `each`"
            raise SpecError(f"{where}: “{{{n}}}” is not {what}")
    out = []
    for combo in itertools.product(*(sets[n] for n in free)):
        out.append(_substitute(pattern, {**bindings, **dict(zip(free, combo, strict=True))}))
    return out


def _substitute(pattern: str, values: Mapping[str, str]) -> str:
    """The pattern with each `{name}` replaced by its value."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)


def expand_each(
    each: Mapping[str, str | Sequence[str]], sets: Mapping[str, Sequence[str]], where: str
) -> list[dict[str, str]]:
    """All bindings of a rule's `each` variables (cartesian product, in declaration order)."""
    axes: list[Sequence[str]] = []
    for var, source in each.items():
        if isinstance(source, str):
            if source not in sets:
                raise SpecError(f"{where}.{var}: unknown set “{source}”")
            axes.append(sets[source])
        else:
            axes.append(source)
    return [dict(zip(each, combo, strict=True)) for combo in itertools.product(*axes)]
