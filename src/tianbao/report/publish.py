"""`tianbao report` as a library call: the report of each checked workbook, written as HTML and Word.

Only checked data is published: a workbook that `check` sends back (退回, it has errors) gets no report —
its numbers are known to be wrong or unreadable — and the reason instead (`Refused`). A workbook that passed
(with or without warnings) gets its report, with the values tianbao read and recomputed, never the totals
stored in the file. A consolidated workbook is the county's report: its sums, and the 正文 the county wrote
in it (or `text`, the 正文 of another workbook).

The files are named by the report's title (`诺敏镇人民政府2025年政府信息公开工作年度报告.html`), written
atomically; two workbooks whose reports would have the same name (two copies of one unit's report) are not
both written: the second is refused, naming the first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.fileio import safe_filename, write_bytes_atomic
from tianbao.reading.model import Submission
from tianbao.report.document import ReportDocument, build_report
from tianbao.report.html_page import report_html
from tianbao.report.word import report_docx
from tianbao.spec.compiled import Spec
from tianbao.spec.layout import a1, cell_boxes
from tianbao.validation.report import FileReport
from tianbao.validation.run import CheckRun

FORMATS = {"html": ".html", "docx": ".docx"}
MAX_REASONS = 3


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
    names: dict[str, FileReport] = {}
    results: list[Written | Refused] = []
    for f in run.report.files:
        sub = f.submission
        if f.status == "rejected" or id(sub) not in index:
            errors = [i.message for i in f.issues if i.is_error] or ["文件不是本次格式的报表"]
            results.append(Refused(f, tuple(errors[:MAX_REASONS])))
            continue
        doc = document_for(run.spec, sub, run.validated.values(index[id(sub)]), text)
        name = report_name(doc, "html")
        if name in names:
            reason = f"与 {names[name].path} 的报告同名（同一单位的两份报表），只生成一份；请删除多余的一份"
            results.append(Refused(f, (reason,)))
            continue
        names[name] = f
        written = Written(f, doc)
        for fmt in formats:
            target = out / report_name(doc, fmt)
            data = report_html(doc).encode("utf-8") if fmt == "html" else report_docx(doc)
            write_bytes_atomic(target, data)
            written.paths.append(target)
        results.append(written)
    return results
