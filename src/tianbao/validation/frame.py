"""The run's frame: a row per submission, a column per cell id, plus the rule residual columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tianbao.cells import picker
from tianbao.reading.model import Submission
from tianbao.spec import Spec


def input_frame(spec: Spec, submissions: Sequence[Submission]) -> pd.DataFrame:
    """Input values as floats; NaN where blank or unusable. One array for the run (numpy turns None into
    NaN), not a Python list per cell."""
    ids = list(spec.input_ids)
    pick = picker(ids, default=None)
    matrix = np.array([pick(s.values) for s in submissions], dtype=float).reshape(len(submissions), len(ids))
    return pd.DataFrame(matrix, columns=ids, index=pd.RangeIndex(len(submissions)))


def computed_frame(spec: Spec, inputs: pd.DataFrame) -> pd.DataFrame:
    """Computed cells recomputed from the inputs (blank counts as 0), vectorised over all submissions."""
    filled = {c: inputs[c].fillna(0.0) for c in spec.input_ids}
    computed = spec.compute(filled)
    return pd.DataFrame({c: computed[c] for c in spec.computed_ids}, index=inputs.index)


def residual_frame(
    spec: Spec,
    submissions: Sequence[Submission],
    values: pd.DataFrame,
    previous: Sequence[Mapping[str, float] | None],
) -> pd.DataFrame:
    """lhs − rhs of every check instance; NaN where the rule does not apply to that submission."""
    n = len(submissions)
    unit_types = [s.unit_type for s in submissions]
    unusable = {c: np.zeros(n, dtype=bool) for c in spec.cells}  # a total over an unusable cell is too
    for i, s in enumerate(submissions):
        for c in spec.unusable(s.invalid):
            unusable[c][i] = True
    prev_cols: dict[str, np.ndarray] = {}
    for inst in spec.checks:
        for c in inst.relation.cells(prev=True):
            if c not in prev_cols:
                prev_cols[c] = np.array(
                    [np.nan if p is None or p.get(c) is None else float(p[c]) for p in previous], dtype=float
                )
    filled = {c: values[c].fillna(0.0).to_numpy() for c in values.columns}

    def get(cell_id: str, prev: bool) -> np.ndarray:
        return prev_cols[cell_id] if prev else filled[cell_id]

    out: dict[str, np.ndarray] = {}
    for inst in spec.checks:
        lhs, rhs = inst.values(get)
        residual = np.asarray(lhs - rhs, dtype=float) * np.ones(n)
        mask = np.zeros(n, dtype=bool)
        for c in inst.relation.cells():
            mask |= unusable[c]
        if inst.rule.when is not None:
            mask |= np.array([not inst.applies_to(t) for t in unit_types], dtype=bool)
        residual[mask] = np.nan
        out[inst.key] = residual
    return pd.DataFrame(out, index=values.index)
