"""What goes back to a unit after `check --feedback`: always a workbook tianbao makes afresh (never the
unit's own file, re-saved), of one of three kinds, named for what it is.

- 退回修改 (a file with errors): the unit's template, prefilled with the submitted values, problem cells red
  (errors) or orange (warnings) with a comment holding the problem and its fix, 问题清单 right after the
  cover, and a cover saying it was returned, when, why and what to do.
- 核实 (accepted with warnings, with `--feedback-warnings` only): the same copy, as a notice to verify.
- 新模板 (rejected for the wrong template or year: spec-unknown, year-mismatch, not-a-template): a fresh
  template of the run's format and year for the unit (from the roster, else what the file says), whose cover
  says why the file could not be used. A file of another year than the one `check` assumed (no `--year`) is
  accepted with a year-mismatch warning: it gets a 核实 copy of its own year, as other warnings do.

The date on the cover is the day of the check unless given (`FeedbackOptions.date`): the same files, options
and date give byte-identical copies. Names are deterministic and never collide: two files of one unit get
two names (the source file's name tells them apart).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tianbao.fileio import legible_path, safe_filename
from tianbao.issues import SEVERITY_ZH
from tianbao.reading.model import Submission
from tianbao.roster import Roster
from tianbao.spec import Spec
from tianbao.template.context import Context, Mark, Notice, TemplateOptions, UnitLike
from tianbao.template.issue_sheet import IssueEntry, counts_text, issue_order, write_issue_sheet
from tianbao.template.writer import write_template

RETURN, VERIFY, FRESH = "退回修改", "核实", "新模板"
WRONG_TEMPLATE = frozenset({"spec-unknown", "year-mismatch", "not-a-template"})
BLANK_NOTE = "未填写（空白），汇总时按 0 计算。没有发生请填 0。"


@dataclass(frozen=True)
class FeedbackOptions:
    """`check --feedback FOLDER`: where the copies go and which files get one."""

    folder: Path
    warnings: bool = False  # --feedback-warnings: a 核实 copy for each file accepted with warnings
    date: dt.date | None = None  # the date on the covers; None: today
    password: str | None = None


@dataclass(frozen=True)
class Feedback:
    """A copy written: its kind (RETURN, VERIFY or FRESH), the submission it answers, its path."""

    kind: str
    source: str
    path: Path


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    type: str


def feedback_kind(sub: Submission, warnings: bool = False) -> str | None:
    """What goes back for a submission, or None (accepted; warnings only and not asked for; unreadable)."""
    if any(i.code in WRONG_TEMPLATE and i.is_error for i in sub.issues):
        return FRESH
    if not sub.readable or not sub.issues:
        return None
    if sub.has_errors:
        return RETURN
    return VERIFY if warnings else None


def marks_for(spec: Spec, sub: Submission) -> dict[str, Mark]:
    """The problem cells: each issue's message and fix in the comment; blank cells noted as warnings."""
    notes: dict[str, list[str]] = {}
    severity: dict[str, str] = {}
    for issue in sub.issues:
        if issue.cell_id is None:
            continue
        key = issue.cell_id
        note = f"【{SEVERITY_ZH[issue.severity]}】{issue.message}"
        notes.setdefault(key, []).append(note + (f"\n修改方法：{issue.hint}" if issue.hint else ""))
        if issue.is_error or key not in severity:
            severity[key] = issue.severity
    for cell_id in sub.blank:
        if cell_id not in notes:
            notes[cell_id] = [BLANK_NOTE]
            severity[cell_id] = "warning"
    return {
        k: Mark(severity[k], tuple(v))
        for k, v in notes.items()
        if k in spec.cells or k.startswith(("meta.", "text."))
    }


def _unit(sub: Submission, roster: Roster | None) -> UnitLike | None:
    unit = roster.get(sub.unit_code) if roster is not None and sub.unit_code else None
    if unit is None and sub.unit_code and sub.unit_name:
        return _Unit(sub.unit_code, sub.unit_name, sub.unit_type or "")
    return unit


def _who(sub: Submission) -> str:
    """The unit as the cover names it: “诺敏镇人民政府报送的“诺敏镇.xlsx””."""
    name = Path(legible_path(sub.path)).name
    return f"{sub.unit_name or '本单位'}报送的“{name}”"


def notice_for(kind: str, sub: Submission, spec: Spec, year: int, date: dt.date) -> Notice:
    """The cover's notice: what this workbook is, when, why and what to do."""
    when = f"{date.year} 年 {date.month} 月 {date.day} 日"
    if kind == FRESH:
        why = "；".join(i.message.rstrip("。") for i in sub.issues if i.is_error) + "。"
        return Notice(
            f"请用本模板重新填写（{when}）",
            (
                f"{_who(sub)}不能使用：{why}",
                f"这是本次收集使用的 {year} 年度模板（{spec.doc.basis}）。请在本模板中重新填写全部数字，"
                "填好封面后报送本文件；原来的文件不必再发。",
            ),
            "error",
        )
    counts = counts_text(sub.issues)
    if kind == RETURN:
        return Notice(
            f"退回修改（{when}）",
            (
                f"{_who(sub)}未通过检查，已退回：{counts}。",
                "请先看“问题清单”工作表，逐项改正：红色单元格是错误，必须改正；橙色单元格是警告，请核实"
                "（确实无误的可以不改）。选中单元格可以看到批注中的问题和修改方法。",
                "本文件是按本单位的模板重新生成的，已填入原来报送的数字。改正后填写封面的填报日期，保存后报送本文件。",
            ),
            "error",
        )
    return Notice(
        f"请核实（{when}）",
        (
            f"{_who(sub)}已通过检查，但有需要核实的地方：{counts}。",
            "请看“问题清单”工作表和橙色单元格（批注中有问题和修改方法）：确有错误的，改正后报送本文件；"
            "确实无误的，无需处理。",
        ),
        "warning",
    )


def _prefill(spec: Spec, sub: Submission) -> dict[str, object]:
    """The submitted values, cover fields and 正文, to type into the copy (the unit does not write its text
    again)."""
    prefill: dict[str, object] = {k: v for k, v in sub.values.items() if v is not None and k in spec.cells}
    for key, value in sub.meta.items():
        if value not in (None, ""):
            prefill[f"meta.{key}"] = value
    prefill.update(sub.text or {})
    return prefill


def write_feedback(
    spec: Spec,
    sub: Submission,
    target: str | os.PathLike[str],
    kind: str,
    *,
    year: int,
    roster: Roster | None = None,
    date: dt.date,
    password: str | None = None,
) -> Path:
    """Write the copy of `kind` answering one submission to `target`."""
    fresh = kind == FRESH
    options = TemplateOptions(
        year=year,
        unit=_unit(sub, roster),
        password=password,
        prefill=None if fresh else _prefill(spec, sub),
        marks=None if fresh else marks_for(spec, sub),
        notice=notice_for(kind, sub, spec, year, date),
    )
    ordered = sorted(sub.issues, key=issue_order(spec))

    def issue_list(ctx: Context) -> None:
        intro = (
            f"{_who(sub)}的全部问题（{counts_text(ordered)}），错误在前。"
            "“单元格”是该工作表中的位置，如 D6 为 D 列第 6 行。"
        )
        write_issue_sheet(ctx, [IssueEntry(i) for i in ordered], intro, sources=False)

    write_template(spec, target, options, after_cover=None if fresh else issue_list)
    return Path(target)


def feedback_names(planned: Sequence[tuple[str, Submission, int]]) -> list[str]:
    """A file name for each (kind, submission, year), the same whatever their order: “150723107_诺敏镇
    人民政府_退回修改.xlsx”; when two would share a name, each gets its source file's name too, and, if they
    still would, a digest of its content and path."""

    def base(kind: str, sub: Submission, year: int) -> str:
        unit = "_".join(p for p in (sub.unit_code, sub.unit_name) if p)
        what = f"{year}年度新模板_请重新填写" if kind == FRESH else kind
        return f"{(unit or _stem(sub))[:60]}_{what}"

    names = [base(*p) for p in planned]
    for extra in (lambda s: f"（{_stem(s)[:40]}）", _digest):
        clash = _clashing(names)
        names = [n + extra(s) if n in clash else n for n, (_, s, _) in zip(names, planned, strict=True)]
    return [safe_filename(n + ".xlsx") for n in names]


def _stem(sub: Submission) -> str:
    """The source file's name without its extension, legible (a name that is not UTF-8 is no file name)."""
    return Path(legible_path(sub.path)).stem


def _clashing(names: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    twice: set[str] = set()
    for n in (safe_filename(n + ".xlsx") for n in names):
        (twice if n in seen else seen).add(n)
    return {n for n in names if safe_filename(n + ".xlsx") in twice}


def _digest(sub: Submission) -> str:
    return "_" + hashlib.sha256(f"{sub.sha256}\0{os.path.abspath(sub.path)}".encode()).hexdigest()[:8]


def write_feedback_copies(
    spec: Spec,
    submissions: Iterable[Submission],
    options: FeedbackOptions,
    *,
    year: int | None,
    roster: Roster | None = None,
) -> list[Feedback]:
    """Write every copy the submissions call for (see the module) into `options.folder`. `year`: the year
    of this collection (a fresh template is of this year; None: each file's own); a copy of a file is of
    the file's own year."""
    date = options.date or dt.date.today()
    planned = [
        (kind, sub, target)
        for sub in submissions
        if (kind := feedback_kind(sub, options.warnings)) is not None
        and (target := (year or sub.year) if kind == FRESH else (sub.year or year))
    ]
    written = []
    for (kind, sub, target), name in zip(planned, feedback_names(planned), strict=True):
        path = options.folder / name
        write_feedback(
            spec, sub, path, kind, year=target, roster=roster, date=date, password=options.password
        )
        written.append(Feedback(kind, sub.path, path))
    return written


def summary_line(written: Sequence[Feedback], folder: Path) -> str:
    """“已生成 3 份反馈工作簿（退回修改 2 份，新模板 1 份）：退回修改/”."""
    counts = [(k, sum(1 for f in written if f.kind == k)) for k in (RETURN, VERIFY, FRESH)]
    detail = "，".join(f"{k} {n} 份" for k, n in counts if n)
    return f"已生成 {len(written)} 份反馈工作簿" + (f"（{detail}）" if detail else "") + f"：{folder}"


__all__ = [
    "FRESH",
    "RETURN",
    "VERIFY",
    "Feedback",
    "FeedbackOptions",
    "feedback_kind",
    "feedback_names",
    "write_feedback",
    "write_feedback_copies",
]
