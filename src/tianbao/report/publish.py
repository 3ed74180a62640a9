"""`tianbao report` as a library call: the report of each checked workbook, written as HTML and Word.

Only checked data is published: a workbook that `check` sends back (退回, it has errors) gets no report —
its numbers are known to be wrong or unreadable — and the reason instead (`Refused`). A workbook that passed
(with or without warnings) gets its report, with the values tianbao read and recomputed, never the totals
stored in the file. A consolidated workbook is the county's report: its sums, and the 正文 the county wrote
in it (or `text`, the 正文 of another workbook).

Of several accepted workbooks of one unit (a draft and the final version sent again), only one is published,
by merge's duplicate rule (`tianbao.consolidation.select`: the newest by 填报日期, then file time, then name);
the others are refused, naming the one published. A town's own workbook and a consolidated workbook holding
it are both published: they are two units' reports (merge's double-count rule is about totals, not reports).

The files are named by the report's title (`诺敏镇人民政府2025年政府信息公开工作年度报告.html`), written
atomically; two workbooks whose reports would still have the same name (two unit codes of one name) are not
both written: the second is refused, naming the first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.consolidation.rollcall import display_names
from tianbao.consolidation.select import IDENTICAL, SUPERSEDED, Selection, select
from tianbao.fileio import safe_filename, write_bytes_atomic
from tianbao.reading.model import Limits, Submission
from tianbao.report.document import ReportDocument, build_report
from tianbao.report.html_page import report_html
from tianbao.report.word import report_docx
from tianbao.spec.compiled import Spec
from tianbao.spec.layout import a1, cell_boxes
from tianbao.validation.report import FileReport
from tianbao.validation.run import CheckRun

FORMATS = {"html": ".html", "docx": ".docx"}
MAX_REASONS = 3
FAILED = "生成报告时出错（tianbao 未能处理这个工作簿的内容），请把这个文件发给技术人员"


@dataclass
class Written:
    file: FileReport
    document: ReportDocument
    paths: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Refused:
    file: FileReport
    reasons: tuple[str, ...]


def report_values(spec: Spec, sub: Submission, values: Mapping[str, float]) -> dict[str, float | None]:
    """The values a report prints: inputs as read (a blank stays None), totals as recomputed."""
    out: dict[str, float | None] = {c: sub.values.get(c) for c in spec.input_ids}
    out.update({c: values[c] for c in spec.computed_ids})
    return out


def blank_cells(spec: Spec, sub: Submission) -> tuple[str, ...]:
    boxes = cell_boxes(spec)
    return tuple(f"{boxes[c][0]}!{a1(boxes[c][1].row, boxes[c][1].col)}" for c in sub.blank if c in boxes)


def document_for(
    spec: Spec, sub: Submission, values: Mapping[str, float], text: Mapping[str, str] | None = None
) -> ReportDocument:
    """The report of one accepted submission; `text` replaces its own 正文."""
    return build_report(
        spec,
        unit=sub.unit_name or sub.unit_code or "",
        year=sub.year or 0,
        text=text if text is not None else sub.text,
        values=report_values(spec, sub, values),
        blank=blank_cells(spec, sub),
    )


def report_name(doc: ReportDocument, fmt: str) -> str:
    return safe_filename(doc.title_text + FORMATS[fmt])


def duplicate_reason(chosen: Selection, sub: Submission, names: Mapping[str, str]) -> str | None:
    """Why `sub` gets no report as a duplicate of another workbook of its unit; None when it is published."""
    rule = chosen.reason(sub)
    if rule not in (IDENTICAL, SUPERSEDED):
        return None
    other = names[chosen.kept_instead[sub.path]]
    if rule == IDENTICAL:
        return f"与 {other} 内容相同（同一单位重复报送），只按 {other} 生成一份报告"
    return f"同一单位另有更新的报表 {other}（按填报日期），只按它生成报告；如本文件才是最终版本，请删除另一份"


def render(doc: ReportDocument, fmt: str) -> bytes:
    """The bytes of the report in `fmt` (html or docx)."""
    return report_html(doc).encode("utf-8") if fmt == "html" else report_docx(doc)


def publish(
    run: CheckRun,
    out_dir: str | os.PathLike[str],
    *,
    formats: tuple[str, ...] = ("html", "docx"),
    text: Mapping[str, str] | None = None,
) -> list[Written | Refused]:
    """Write the report of every accepted workbook of a check run; one entry per file, in the run's order."""
    out = Path(out_dir)
    index = {id(s): i for i, s in enumerate(run.validated.submissions)}
    accepted = [f.submission for f in run.report.files if _accepted(f, index)]
    shown = display_names([f.submission.path for f in run.report.files])
    chosen = select(accepted, run.spec.input_ids, shown)
    names: dict[str, FileReport] = {}
    results: list[Written | Refused] = []
    for f in run.report.files:
        sub = f.submission
        if not _accepted(f, index):
            errors = [i.message for i in f.issues if i.is_error] or ["文件不是本次格式的报表"]
            results.append(Refused(f, tuple(errors[:MAX_REASONS])))
            continue
        duplicate = duplicate_reason(chosen, sub, shown)
        if duplicate is not None:
            results.append(Refused(f, (duplicate,)))
            continue
        try:
            doc = document_for(run.spec, sub, run.validated.values(index[id(sub)]), text)
            rendered = {fmt: render(doc, fmt) for fmt in formats}
        except Exception:  # a verdict for this file, never a traceback; the other files go on
            results.append(Refused(f, (FAILED,)))
            continue
        name = report_name(doc, "html")
        if name in names:
            first = shown[names[name].submission.path]
            reason = f"与 {first} 的报告同名（单位名称相同），只生成一份；请核对两份报表的单位"
            results.append(Refused(f, (reason,)))
            continue
        names[name] = f
        written = Written(f, doc)
        for fmt, data in rendered.items():
            target = out / report_name(doc, fmt)
            write_bytes_atomic(target, data)
            written.paths.append(target)
        results.append(written)
    return results


def _accepted(f: FileReport, index: Mapping[int, int]) -> bool:
    """Passed the check (with or without warnings), in the run's format."""
    return f.status != "rejected" and id(f.submission) in index


def text_of(
    path: Path, *, limits: Limits | None = None, year: int | None = None, name: str | None = None
) -> dict[str, str]:
    """The 正文 of another workbook (`tianbao report --text`, the web's 本级正文): a tianbao template or
    return whose “正文” sheet can be read, of `year` when given. `name`: how messages name the file."""
    from tianbao.errors import UsageError
    from tianbao.reading import read_submission

    shown = name or str(path)
    sub = read_submission(path, limits=limits or Limits())
    if sub.text is None:
        reasons = "；".join(i.message.rstrip("。") for i in sub.issues if i.is_error)[:200]
        detail = f"（{reasons}）" if reasons else ""
        raise UsageError(f"{shown} 没有可用的“正文”工作表{detail}", "请给出填写了“正文”的 tianbao 模板或报表")
    if year is not None and sub.year is not None and sub.year != year:
        raise UsageError(f"{shown} 是 {sub.year} 年度的，本次是 {year} 年度", "请给出本年度的正文")
    return sub.text
