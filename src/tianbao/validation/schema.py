"""pandera schemas generated from the spec: a column per input cell (domain checks) and a column per rule
instance holding its residual (lhs − rhs), checked against the rule's operator.

Residual columns keep failures one per (submission, rule instance): a DataFrame-wide check would report every
column of every failing row. The residual is NaN where the rule does not apply (unit type, no previous year's
value, a cell already reported as unusable), and NaN passes.
"""

from __future__ import annotations

from functools import cache

import pandera.pandas as pa

from tianbao.amounts import TOLERANCE
from tianbao.spec import Spec
from tianbao.spec.compiled import RuleInstance


def _integral(s):  # type: ignore[no-untyped-def]
    return (s - s.round()).abs() <= TOLERANCE


def _max_decimals_4(s):  # type: ignore[no-untyped-def]
    return (s * 10_000 - (s * 10_000).round()).abs() <= 1e-4


def _non_negative(s):  # type: ignore[no-untyped-def]
    return s >= 0


# Custom checks keep their names in pandera's failure cases (built-in ones report their own names).
DOMAIN_CHECKS = {
    "count": lambda: [pa.Check(_non_negative, name="count>=0"), pa.Check(_integral, name="count-integer")],
    "int": lambda: [pa.Check(_integral, name="int-integer")],
    "amount": lambda: [
        pa.Check(_non_negative, name="amount>=0"),
        pa.Check(_max_decimals_4, name="amount-decimals"),
    ],
}


def residual_check(inst: RuleInstance) -> pa.Check:
    op = inst.relation.op
    if op == "=":
        return pa.Check.in_range(-TOLERANCE, TOLERANCE, name=inst.key)
    if op == ">=":
        return pa.Check.ge(-TOLERANCE, name=inst.key)
    return pa.Check.le(TOLERANCE, name=inst.key)


@cache
def submission_schema(spec: Spec) -> pa.DataFrameSchema:
    """The schema of a run's frame: one row per submission."""
    columns: dict[str, pa.Column] = {}
    for cell_id in spec.input_ids:
        cell = spec.cells[cell_id]
        columns[cell_id] = pa.Column(float, checks=DOMAIN_CHECKS[cell.type](), nullable=True, required=True)
    for inst in spec.checks:
        columns[inst.key] = pa.Column(float, checks=[residual_check(inst)], nullable=True, required=True)
    return pa.DataFrameSchema(columns, strict=False, coerce=False, name=f"{spec.id}-{spec.version}")
