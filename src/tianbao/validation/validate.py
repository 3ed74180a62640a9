"""Validate all submissions of a run together: one lazy pandera call over one frame.

pandas and pandera (about a second to import) are imported on the first validation, not with this module:
the reading processes, forked before, never need them and stay smaller, and commands that do not validate
do not pay for them. (Importing them in a thread while the workers read was tried: the thread holds the GIL
that the pool's threads need to pass files and results, and the reading slowed down by more than the import
took.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tianbao import issues as catalogue
from tianbao.issues import Issue
from tianbao.reading.model import Submission
from tianbao.spec import Spec
from tianbao.spec.compiled import fmt_number
from tianbao.spec.layout import a1 as to_a1
from tianbao.spec.layout import cell_boxes

if TYPE_CHECKING:
    import pandas as pd

DOMAIN_CODES = {
    "count>=0": "value-negative",
    "amount>=0": "value-negative",
    "count-integer": "value-not-integer",
    "int-integer": "value-not-integer",
    "amount-decimals": "value-precision",
}


@dataclass
class Validated:
    """The run's values: inputs (NaN = blank/unusable) and recomputed totals, a row per submission."""

    spec: Spec
    submissions: list[Submission]
    inputs: pd.DataFrame
    computed: pd.DataFrame

    _table: tuple[list[str], np.ndarray] | None = field(default=None, init=False, repr=False, compare=False)

    def table(self) -> tuple[list[str], np.ndarray]:
        """Every cell value of every submission as one array (a row per submission, blanks as 0) and the
        cell ids of its columns: inputs, then computed cells. Converted once for the run."""
        if self._table is None:
            matrix = np.hstack([self.inputs.fillna(0.0).to_numpy(float), self.computed.to_numpy(float)])
            columns = [*map(str, self.inputs.columns), *map(str, self.computed.columns)]
            self._table = columns, matrix.reshape(len(self.inputs), len(columns))
        return self._table

    def values(self, i: int) -> dict[str, float]:
        """All cell values of submission i, blanks as 0 (what the totals count)."""
        columns, matrix = self.table()
        return dict(zip(columns, matrix[i].tolist(), strict=True))


def validate(
    spec: Spec,
    submissions: Sequence[Submission],
    previous: Sequence[Mapping[str, float] | None] | None = None,
) -> Validated:
    """Check the rules of `spec` on every readable submission; issues are appended to each submission."""
    import pandas as pd
    import pandera.pandas as pa

    from tianbao.validation.frame import computed_frame, input_frame, residual_frame
    from tianbao.validation.schema import submission_schema

    subs = list(submissions)
    prev: list[Mapping[str, float] | None] = list(previous) if previous is not None else [None] * len(subs)
    inputs = input_frame(spec, subs)
    computed = computed_frame(spec, inputs)
    residuals = residual_frame(spec, subs, pd.concat([inputs, computed], axis=1), prev)
    frame = pd.concat([inputs, residuals], axis=1)
    try:
        submission_schema(spec).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        _report(spec, subs, exc.failure_cases, pd.concat([inputs, computed], axis=1), prev)
    return Validated(spec, subs, inputs, computed)


def _report(
    spec: Spec,
    subs: list[Submission],
    failures: pd.DataFrame,
    values: pd.DataFrame,
    prev: list[Mapping[str, float] | None],
) -> None:
    import pandas as pd

    boxes = cell_boxes(spec)
    by_key = {inst.key: inst for inst in spec.checks}
    seen: set[tuple[int, str, str]] = set()
    for row in failures.itertuples(index=False):
        index, column, check = row.index, row.column, row.check
        if index is None or pd.isna(index):
            continue
        i = int(index)
        key = (i, str(column), str(check))
        if key in seen:
            continue
        seen.add(key)
        sub = subs[i]
        if column in by_key:
            inst = by_key[column]
            p = prev[i] or {}

            def get(cell_id: str, is_prev: bool, i: int = i, p: Mapping[str, float] = p) -> float:
                if is_prev:
                    return float(p[cell_id])
                v = values.at[i, cell_id]
                return 0.0 if pd.isna(v) else float(v)

            lhs, rhs = inst.values(get)
            sheet, box = boxes[inst.target]
            sub.issues.append(catalogue.from_rule(inst, lhs, rhs, sheet, to_a1(box.row, box.col)))
        elif column in spec.cells and str(check) in DOMAIN_CODES:
            code = DOMAIN_CODES[str(check)]
            if any(x.cell_id == column and x.code.startswith("value-") for x in sub.issues):
                continue  # the reader has already said what is wrong with this cell
            sheet, box = boxes[str(column)]
            raw = fmt_number(float(row.failure_case))
            label = spec.cells[str(column)].full_label
            sub.issues.append(
                catalogue.make(
                    code,
                    cell_id=str(column),
                    sheet=sheet,
                    cell=to_a1(box.row, box.col),
                    label=label,
                    raw=raw,
                    value=raw,
                )
            )


__all__ = ["Issue", "Validated", "validate"]
