"""`merge` as a library call: check every file as `check` does, choose what counts, add it up."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from tianbao.amounts import exact_sums
from tianbao.consolidation.dates import parse_fill_date
from tianbao.consolidation.model import Consolidation, ExplanationKey, Member, Parent
from tianbao.consolidation.rollcall import display_names, roll_call
from tianbao.consolidation.select import fill_date
from tianbao.errors import UsageError
from tianbao.gctools import paused_gc
from tianbao.inputs import expand_paths, inputs_at, require_not_input
from tianbao.intake import Ignored, ignored_reason
from tianbao.options import CheckOptions
from tianbao.roster import Roster, require_bounded
from tianbao.spec import Spec
from tianbao.validation.run import CheckRun, Progress, check_files, nothing_to_check
from tianbao.validation.validate import Validated


def resolve_parent(roster: Roster | None, code: str | None = None, name: str | None = None) -> Parent:
    """The unit of the consolidated workbook: `code` (--unit), else the roster's top parent. A code or name
    given is bound as a roster's are (`MAX_CODE`, `MAX_NAME`)."""
    require_bounded(code, name, whose="汇总单位", code_option="--unit", name_option="--unit-name")
    if not code and roster is not None:
        code = roster.top_parent()
    if not code:
        raise UsageError(
            "无法确定汇总单位",
            "请用 --unit 指定汇总单位的代码（或给出“上级单位代码”一致的单位名单 --roster）",
        )
    unit = roster.get(code) if roster is not None else None
    if not (name or (unit is not None and unit.name)):
        raise UsageError(
            f"无法确定汇总单位 {code} 的名称（名单中没有这个代码的单位）",
            "请用 --unit-name 给出汇总单位的名称，如 --unit-name 鄂伦春自治旗；它会写入汇总表封面的单位名称",
        )
    return Parent(code, name or unit.name, unit.type if unit else "")  # type: ignore[union-attr]


def own_output(
    out: str | os.PathLike[str],
    paths: Iterable[str | os.PathLike[str]],
    options: CheckOptions,
    parent: Parent,
) -> None:
    """The rule for the workbook a merge writes: it may be among the inputs (a folder given holds it) only as
    this merge's earlier output — a consolidated workbook of the same unit and year, which is then left out
    of the inputs and replaced, so that a merge can be run again into the folder it reads. Anything else
    there (a unit's report, another unit's consolidated workbook, any other file), the roster or a file of
    last year's is an input that writing would destroy: a UsageError, before any file is read."""
    from tianbao.reading import read_submission

    require_not_input(out, options.read_files)
    hint = "请把汇总表写到别的文件名，或写到报表所在文件夹以外"
    for path in inputs_at(out, paths):
        sub = read_submission(path, expected_year=options.year, limits=options.limits)
        if sub.kind == "consolidated" and sub.unit_code == parent.code and sub.year == options.year:
            continue  # this merge's own earlier output
        if sub.kind == "template" and sub.unit_code:
            what = f"{sub.unit_name or ''}（{sub.unit_code}）的报表"
        elif sub.kind == "consolidated":
            what = f"{sub.unit_name or ''}（{sub.unit_code or ''}）{sub.year or ''} 年度的汇总表"
        else:
            what = "不是本单位本年度的汇总表"
        raise UsageError(f"-o {out} 是要汇总的文件 {path}（{what}），写入会覆盖它", hint)


def totals_of(spec: Spec, rows: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Every cell's consolidated value of `rows` (input values by cell id; a missing one is 0)."""
    table = [[r.get(c, 0.0) for c in spec.input_ids] for r in rows]
    return _totals(spec, np.array(table, dtype=float).reshape(len(table), len(spec.input_ids)))


def _totals(spec: Spec, inputs_matrix: np.ndarray) -> dict[str, float]:
    """Every cell's consolidated value: exact decimal sums of the inputs (a column per input id of the
    matrix, a row per member), computed cells from those."""
    inputs = dict(zip(spec.input_ids, exact_sums(inputs_matrix), strict=True))
    computed = spec.compute(inputs)
    values = {**inputs, **{c: round(float(v), 4) for c, v in computed.items()}}
    return {c: values[c] for c in spec.cells}


def _rounded_rows(validated: Validated, chosen: list[int]) -> tuple[list[str], list[list[float]], np.ndarray]:
    """The values of the chosen submissions, each `round(v, 4)`, as rows and as a matrix. A value that is
    already a whole number of ten-thousandths (nearly all: counts, 万元 amounts as read) is its own rounding,
    so Python's `round` runs only on the others (sums with float error): the same floats, without two
    million calls."""
    columns, matrix = validated.table()
    block = matrix[chosen] if chosen else np.zeros((0, len(columns)))
    with np.errstate(invalid="ignore"):
        own = (np.abs(block) < 1e11) & (np.rint(block * 10_000) / 10_000 == block)
    rows = block.tolist()
    rounded = block.copy()
    for i, j in zip(*np.nonzero(~own), strict=True):
        rows[i][j] = rounded[i, j] = round(rows[i][j], 4)
    return columns, rows, rounded


def _columns(matrix: np.ndarray, columns: Sequence[str], wanted: Sequence[str]) -> np.ndarray:
    """The columns of `matrix` named `wanted`, in that order (`columns` names them all)."""
    position = {c: i for i, c in enumerate(columns)}
    return matrix[:, [position[c] for c in wanted]]


def consolidate(
    run: CheckRun,
    *,
    year: int,
    parent: Parent,
    roster: Roster | None = None,
    previous: Mapping[str, float] | None = None,
    explanations: Mapping[ExplanationKey, str] | None = None,
) -> Consolidation:
    """Apply the duplicate and double-count rules to the accepted submissions of `run` and add them up.
    `explanations`: the units' 说明 of their warnings (tianbao.consolidation.model.explanation_key), written
    beside those warnings in 问题清单."""
    spec, validated = run.spec, run.validated
    call = run.report.roll_call
    if call is None or call.parent_code != parent.code or call.has_roster != (roster is not None):
        call = roll_call(run.report.files, spec=spec, roster=roster, parent_code=parent.code)
    call.selection.apply()  # the duplicate and double-count issues go into the report and 问题清单
    chosen = call.selection
    names = {f.submission.path: f.name for f in call.files}
    index = {id(s): i for i, s in enumerate(validated.submissions)}
    columns, rows, matrix = _rounded_rows(validated, [index[id(s)] for s in chosen.included])
    members = [
        Member(
            unit_code=s.unit_code or "",
            unit_name=s.unit_name or "",
            unit_type=s.unit_type or "",
            file=names[s.path],
            values=dict(zip(columns, row, strict=False)),  # rows of the table: as wide (strict costs 40%)
            submission=s,
        )
        for s, row in zip(chosen.included, rows, strict=True)
    ]
    covered = {m.unit_code for m in members if m.unit_code} | {
        code for s in chosen.included if s.kind == "consolidated" for code in s.members
    }
    dates = [d for s in chosen.included if (d := fill_date(s)) is not None]
    return Consolidation(
        spec=spec,
        year=year,
        parent=parent,
        members=members,
        totals=_totals(spec, _columns(matrix, columns, spec.input_ids)),
        files=list(call.files),
        rows=list(call.rows),
        covered=tuple(sorted(covered)),
        report=run.report,
        previous=previous,
        filled_on=max(dates).isoformat() if dates else "",
        names=names,
        roll_call=call,
        explanations=dict(explanations or {}),
    )


def merge_files(
    paths: Iterable[str | os.PathLike[str]],
    options: CheckOptions,
    *,
    unit_code: str | None = None,
    unit_name: str | None = None,
    explanations: Mapping[ExplanationKey, str] | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> Consolidation:
    """Check every file (as `check_files` does, with the same `options`) and consolidate the accepted ones
    for the parent unit: `unit_code` (--unit), else the roster's top unit; `unit_name`, else the roster's
    name; `explanations` as for `consolidate`. `options.year` is required. `out`: where the consolidated
    workbook will be written, checked before any file is read (`own_output`): never read as an input, and
    never an input's place."""
    year = options.year
    if year is None:
        raise UsageError("汇总需要给出报告年度", "请用 --year 指定报告年度，如 --year 2025")
    paths = list(paths)
    found = expand_paths(paths, exclude=options.exclude)  # nothing to check: said before the unit is asked
    if all(ignored_reason(p.name) for p in found):
        raise nothing_to_check([Ignored(str(p), ignored_reason(p.name) or "") for p in found])
    parent = resolve_parent(options.roster, unit_code, unit_name)
    if out is not None:
        own_output(out, paths, options, parent)
        options = options.excluding([out])
        found = expand_paths(paths, exclude=options.exclude)
    run = check_files(found, options, progress=progress)
    prev = (
        options.previous.values_for(parent.code, year, parent.name) if options.previous is not None else None
    )
    with paused_gc():
        return consolidate(
            run,
            year=year,
            parent=parent,
            roster=options.roster,
            previous=dict(prev) if prev else None,
            explanations=explanations,
        )


__all__ = [
    "consolidate",
    "display_names",
    "merge_files",
    "own_output",
    "parse_fill_date",
    "resolve_parent",
    "totals_of",
]
