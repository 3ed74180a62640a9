"""Last year's values from last year's returned workbook, for `tianbao template --previous` (the reference
row under 表三 and the S1/S2 checks).

A unit's workbook gives that unit's values: its inputs and the recomputed totals. Blanks count as 0, as they do
in `tianbao check` (the reader has already warned about them); a value that could not be used is left out, and
so is a total over one, so that a check on it is skipped rather than run against a guess. Readers are chosen by
the stamp's kind: a consolidated workbook gives every unit of its 明细 sheet.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from tianbao.errors import TianbaoError
from tianbao.reading.interpret import read_submission
from tianbao.reading.model import Submission
from tianbao.reading.plan import plan_for
from tianbao.spec import Spec

# Issues that make a workbook unusable as last year's data (value problems only drop the cells concerned).
BLOCKING = {
    "not-a-template",
    "stamp-inconsistent",
    "spec-unknown",
    "year-mismatch",
    "sheet-missing",
    "layout-changed",
    "name-mismatch",
    "label-changed",
    "unsafe-workbook",
}
HINT = "请给出上年交回并通过检查的报表或上年的汇总表（.xlsx）"


class PreviousError(TianbaoError, ValueError):
    """Last year's workbook cannot be used."""


@dataclass(frozen=True)
class PreviousUnit:
    code: str  # "" when the workbook names no unit
    name: str
    type: str
    values: dict[str, float] = field(default_factory=dict)  # cell id (of the requested spec) → value


@dataclass(frozen=True)
class Previous:
    year: int | None
    units: dict[str, PreviousUnit] = field(default_factory=dict)  # by unit code
    sources: tuple[str, ...] = ()  # the files read, as given

    def values(self, unit_code: str | None) -> dict[str, float] | None:
        """Last year's values of a unit; None when there are none."""
        unit = self.units.get(unit_code or "")
        return unit.values if unit is not None else None

    def require_year(self, year: int | None) -> None:
        """Last year's values are of the year before `year` (a run of unknown year takes any)."""
        if year is None or self.year is None or self.year == year - 1:
            return
        where = "、".join(self.sources) or "上年数据"
        raise PreviousError(
            f"上年报表 {where} 是 {self.year} 年度的，本次是 {year} 年度，应给出 {year - 1} 年度的报表",
            f"--previous 请给出 {year - 1} 年度交回的报表或汇总表",
        )


def _unit(sub: Submission, spec: Spec, path: str | os.PathLike[str]) -> Previous:
    file_spec = sub.spec
    assert file_spec is not None
    invalid = set(sub.invalid)
    values = {k: float(v or 0) for k, v in sub.values.items() if k not in invalid}
    for cell_id, total in file_spec.compute(sub.values).items():
        if not plan_for(file_spec).depends[cell_id] & invalid:
            values[cell_id] = float(total)
    unit = PreviousUnit(
        sub.unit_code or "", sub.unit_name or "", sub.unit_type or "", _same_ids(values, spec)
    )
    return Previous(sub.year, {unit.code: unit})


def _consolidated(sub: Submission, spec: Spec, path: str | os.PathLike[str]) -> Previous:
    from tianbao.reading.consolidated import read_detail

    assert sub.spec is not None
    detail = read_detail(sub.spec, path)
    errors = [i for i in detail.issues if i.is_error]
    if errors:
        raise PreviousError(f"上年汇总表 {path} 不能使用：{errors[0].message.rstrip('。')}", HINT)
    units = {
        r.unit_code: PreviousUnit(r.unit_code, r.unit_name, r.unit_type, _same_ids(r.values, spec))
        for r in detail.rows
    }
    return Previous(sub.year, units)


def _same_ids(values: dict[str, float], spec: Spec) -> dict[str, float]:
    """Values under the cell ids `spec` also has: an id means the same in every format (t3.fwd.np)."""
    return {k: v for k, v in values.items() if k in spec.cells}


READERS: dict[str, Callable[[Submission, Spec, str | os.PathLike[str]], Previous]] = {
    "template": _unit,
    "consolidated": _consolidated,
}


def read_previous(path: str | os.PathLike[str], spec: Spec, *, expected_year: int | None = None) -> Previous:
    """Last year's values of the workbook at `path`, under the cell ids of `spec`. Raises PreviousError."""
    sub = read_submission(path)
    if expected_year is not None and sub.year is not None and sub.year != expected_year:
        raise PreviousError(
            f"上年报表 {path} 是 {sub.year} 年度的，应为 {expected_year} 年度",
            f"请给出 {expected_year} 年度的报表",
        )
    blocking = [i for i in sub.issues if i.is_error and (i.code in BLOCKING or not sub.readable)]
    if blocking or not sub.readable or sub.spec is None:
        reasons = "；".join(i.message.rstrip("。") for i in (blocking or sub.issues)[:3]) or "无法读取"
        raise PreviousError(f"上年报表 {path} 不能使用：{reasons}", HINT)
    reader = READERS.get(sub.kind)
    if reader is None:
        raise PreviousError(f"上年报表 {path} 的模板类型“{sub.kind}”不能作为上年数据", HINT)
    try:
        return reader(sub, spec, path)
    except PreviousError:
        raise
    except Exception:  # a report, never a traceback
        raise PreviousError(f"上年报表 {path} 无法读取", HINT) from None


def previous_values(path: str | os.PathLike[str], spec: Spec) -> dict[str, float]:
    """Last year's values of one unit's workbook: inputs and recomputed totals, by cell id of `spec`."""
    prev = read_previous(path, spec)
    if len(prev.units) != 1:
        raise PreviousError(
            f"上年报表 {path} 含有 {len(prev.units)} 个单位的数据", "请给出一个单位的上年报表"
        )
    return next(iter(prev.units.values())).values
