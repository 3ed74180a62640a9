"""Last year's values: the one reader behind every `--previous` (template, check, merge).

S1 and S2 compare this year's report with last year's, and templates show last year's 结转 under 表三. The
values come from last year's files, read by one rule:

- a unit's workbook gives that unit's inputs and the totals recomputed from them (a stored total is never
  used). A blank counts as 0, as in `tianbao check` (which warned about it then). A value that could not be
  used (text, a negative count, a changed sheet …) is left out, and so is every total over it
  (`Spec.unusable`): a check on it is skipped rather than run against a guess;
- a consolidated workbook gives the consolidated unit (its sums of 明细) and each unit of its 明细, by the
  same rule (totals recomputed from each row's inputs; a value that is not a finite number is left out);
- the values are named by the cell ids of the run's spec: an id means the same in every format (t3.fwd.np),
  so a 2019 workbook serves a 2021 run for the cells both have;
- last year is the year before the run's (`Previous.require_year`); a unit given twice with different
  values is an error, naming both files.

Sources: a file is read as a workbook (`read_submission`), unless `SOURCES` has a reader for its suffix (a
published report, read as `tianbao import` reads it: the reader returns a `Submission` as `read_submission`
does). The workbook's stamp kind then picks how its units are taken (`KINDS`). A new source is an entry in
each. A unit without a code (a published report names none, an imported one may not) is found by its name.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tianbao.amounts import TOLERANCE
from tianbao.errors import UsageError
from tianbao.importing.document import SUFFIXES as REPORT_SUFFIXES
from tianbao.reading.interpret import read_submission
from tianbao.reading.model import Limits, Submission
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


class PreviousError(UsageError):
    """Last year's data cannot be used."""


@dataclass(frozen=True)
class PreviousUnit:
    code: str  # "" when the workbook names no unit
    name: str
    type: str
    values: dict[str, float] = field(default_factory=dict)  # cell id (of the requested spec) → value
    source: str = ""  # the file it was read from, as given
    text: dict[str, str] = field(default_factory=dict)  # its 正文: text cell id → text (the unit's own only)


@dataclass(frozen=True)
class Previous:
    """Last year's values of the units of one or more files, all of one year."""

    year: int | None
    units: dict[str, PreviousUnit] = field(default_factory=dict)  # by unit code
    sources: tuple[str, ...] = ()  # the files read, as given

    def unit(self, unit_code: str | None, unit_name: str | None = None) -> PreviousUnit | None:
        """Last year's unit of this code; else the unit of no code with this name (spaces aside)."""
        unit = self.units.get(unit_code or "")
        if unit is None and unit_name:
            unit = self.units.get(name_key(unit_name))
        return unit

    def values(self, unit_code: str | None, unit_name: str | None = None) -> dict[str, float] | None:
        """Last year's values of a unit; None when there are none."""
        unit = self.unit(unit_code, unit_name)
        return unit.values if unit is not None else None

    def values_for(
        self, unit_code: str | None, year: int | None, unit_name: str | None = None
    ) -> dict[str, float] | None:
        """Last year's values for a unit's report of `year`: None when there are none, or when they are not
        of the year before (a run without --year may hold reports of several years)."""
        unit = self._unit_for(unit_code, year, unit_name)
        return unit.values if unit is not None else None

    def text_for(
        self, unit_code: str | None, year: int | None, unit_name: str | None = None
    ) -> dict[str, str] | None:
        """Last year's 正文 of a unit, for its report of `year` (`text-repeated`): None when there is none,
        or when it is not of the year before."""
        unit = self._unit_for(unit_code, year, unit_name)
        return unit.text or None if unit is not None else None

    def _unit_for(
        self, unit_code: str | None, year: int | None, unit_name: str | None
    ) -> PreviousUnit | None:
        if year is not None and self.year is not None and year != self.year + 1:
            return None
        return self.unit(unit_code, unit_name)

    def require_year(self, year: int | None) -> None:
        """Last year's values are of the year before `year` (a run of unknown year takes any)."""
        if year is None or self.year is None or self.year == year - 1:
            return
        where = "、".join(self.sources) or "上年数据"
        raise PreviousError(
            f"上年报表 {where} 是 {self.year} 年度的，本次是 {year} 年度，应给出 {year - 1} 年度的报表",
            f"--previous 请给出 {year - 1} 年度交回的报表或汇总表",
        )


def usable_values(spec: Spec, inputs: Mapping[str, Any], invalid: Iterable[str] = ()) -> dict[str, float]:
    """A unit's values by the rule of this module: its inputs (blank as 0) and the totals recomputed from
    them, without the inputs that cannot be used (`invalid`, and any value that is not a finite number) and
    without every total over one of them."""
    bad = set(invalid)
    numbers: dict[str, float] = {}
    for cell_id in spec.input_ids:
        value = inputs.get(cell_id)
        number = 0.0 if value is None else float(value)
        if cell_id in bad or not math.isfinite(number):
            bad.add(cell_id)
        else:
            numbers[cell_id] = number
    unusable = spec.unusable(bad)
    computed = spec.compute(numbers)
    return {c: float(v) for c, v in (*numbers.items(), *computed.items()) if c not in unusable}


def _own(sub: Submission, source: str, limits: Limits) -> list[PreviousUnit]:
    """A unit's workbook: its own values."""
    assert sub.spec is not None
    values = usable_values(sub.spec, sub.values, sub.invalid)
    return [
        PreviousUnit(
            sub.unit_code or "", sub.unit_name or "", sub.unit_type or "", values, source, sub.text or {}
        )
    ]


def _consolidated(sub: Submission, source: str, limits: Limits) -> list[PreviousUnit]:
    """A consolidated workbook: the consolidated unit itself, then each unit of its 明细."""
    from tianbao.reading.consolidated import read_detail

    assert sub.spec is not None
    detail = read_detail(sub.spec, source, limits.max_cells)
    errors = [i for i in detail.issues if i.is_error]
    if errors:
        raise PreviousError(f"上年汇总表 {source} 不能使用：{errors[0].message.rstrip('。')}", HINT)
    rows = [
        PreviousUnit(r.unit_code, r.unit_name, r.unit_type, usable_values(sub.spec, r.values), source)
        for r in detail.rows
    ]
    return [*_own(sub, source, limits), *rows]


def _report(path: Path, limits: Limits) -> Submission:
    """A published report, read as `tianbao import` reads it."""
    from tianbao.importing.previous import report_submission

    return report_submission(path, limits)


# How a workbook of each stamp kind gives last year's units.
KINDS: dict[str, Callable[[Submission, str, Limits], list[PreviousUnit]]] = {
    "template": _own,
    "consolidated": _consolidated,
    "imported": _own,  # a published report (imported by tianbao import, or read directly): the unit's own
}
# Readers of files that are not workbooks, by suffix (lower case): the file as a Submission.
SOURCES: dict[str, Callable[[Path, Limits], Submission]] = dict.fromkeys(REPORT_SUFFIXES, _report)


def read_previous(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    spec: Spec,
    *,
    year: int | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen
) -> Previous:
    """Last year's values of the files at `paths`, under the cell ids of `spec`, for a run of `year` (the
    files must be of the year before). Raises PreviousError (a UsageError) with a Chinese message."""
    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not given:
        raise PreviousError("没有给出上年报表", HINT)
    units: dict[str, PreviousUnit] = {}
    years: dict[int | None, str] = {}
    for path in given:
        source = os.fspath(path)
        sub = _read(Path(path), limits)
        _require_usable(sub, source)
        years.setdefault(sub.year, source)
        reader = KINDS.get(sub.kind)
        if reader is None:
            raise PreviousError(f"上年报表 {source} 的模板类型“{sub.kind}”不能作为上年数据", HINT)
        try:
            found = reader(sub, source, limits)
        except PreviousError:
            raise
        except Exception:  # a report, never a traceback
            raise PreviousError(f"上年报表 {source} 无法读取", HINT) from None
        for unit in found:
            _add(units, replace(unit, values=_same_ids(unit.values, spec), source=source))
    if len(years) > 1:
        shown = "；".join(f"{source} 是 {y} 年度的" for y, source in sorted(years.items(), key=str))
        raise PreviousError(f"上年报表的年度不一致：{shown}", "请只给出同一年度的报表")
    previous = Previous(next(iter(years)), units, tuple(os.fspath(p) for p in given))
    previous.require_year(year)
    return previous


def _read(path: Path, limits: Limits) -> Submission:
    reader = SOURCES.get(path.suffix.lower())
    return reader(path, limits) if reader is not None else read_submission(path, limits=limits)


def _require_usable(sub: Submission, source: str) -> None:
    blocking = [i for i in sub.issues if i.is_error and (i.code in BLOCKING or not sub.readable)]
    if blocking or not sub.readable or sub.spec is None:
        reasons = "；".join(i.message.rstrip("。") for i in (blocking or sub.issues)[:3]) or "无法读取"
        raise PreviousError(f"上年报表 {source} 不能使用：{reasons}", HINT)
    if sub.year is None:
        raise PreviousError(f"上年报表 {source} 不能使用：无法确定报告年度", HINT)


def name_key(name: str) -> str:
    """The key of a unit without a code among `Previous.units`: its name, spaces aside."""
    return "名称:" + "".join(name.split())


def _add(units: dict[str, PreviousUnit], unit: PreviousUnit) -> None:
    """A unit once: given again (last year's consolidated workbook and the unit's own file), its values
    must be the same; its 正文 is the one a file has (a row of 明细 has none). A unit without a code is known
    by its name."""
    key = unit.code or (name_key(unit.name) if unit.name else "")
    seen = units.get(key)
    if seen is None:
        units[key] = unit
        return
    differ = sorted(
        c
        for c in seen.values.keys() | unit.values.keys()
        if c not in seen.values or c not in unit.values or abs(seen.values[c] - unit.values[c]) > TOLERANCE
    )
    if differ:
        raise PreviousError(
            f"单位 {unit.name or unit.code}（{unit.code}）的上年数据在 {seen.source} 和 {unit.source} 中不同"
            f"（如 {differ[0]}）",
            "请只给出其中正确的一份",
        )
    if unit.text and not seen.text:
        units[key] = replace(seen, text=unit.text)


def _same_ids(values: dict[str, float], spec: Spec) -> dict[str, float]:
    """Values under the cell ids `spec` also has: an id means the same in every format (t3.fwd.np)."""
    return {k: v for k, v in values.items() if k in spec.cells}
