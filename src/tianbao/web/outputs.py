"""What the app writes, each by the library call the command line makes: the consolidated workbook and the
exports (`merge_files`, `write_consolidated`, `export_tidy`, over the season's files laid out under their
names as `tianbao merge` reads a folder), templates (`roster_jobs`, `write_templates`) and the copies that go
back to a unit — 退回修改, 核实, 新模板 (`write_feedback_copies`, from a file's values and issues as its check
recorded them). A consolidation's files are kept in the store, so a download after a restart is the same file;
templates and copies are written when asked for (the same bytes each time; a copy's cover has the day)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tianbao.fileio import safe_filename
from tianbao.reading.model import Submission
from tianbao.spec import Spec, load_spec
from tianbao.template import TemplateOptions, template_filename, write_template
from tianbao.template.batch import roster_jobs, write_templates
from tianbao.validation.feedback import FeedbackOptions, feedback_kind, write_feedback_copies
from tianbao.web.intake import Receipt, receipts, submission_of
from tianbao.web.rollcall import display_names, explanations
from tianbao.web.workspace import Season, Workspace, now


@dataclass(frozen=True)
class Built:
    id: int
    created_at: str
    workbook_sha256: str
    csv_sha256: str
    parquet_sha256: str | None
    summary: dict[str, Any]

    def sha256(self, kind: str) -> str | None:
        files = {"workbook": self.workbook_sha256, "csv": self.csv_sha256, "parquet": self.parquet_sha256}
        report = self.summary.get("report") or {}
        return files.get(kind) if kind in files else report.get("files", {}).get(kind, {}).get("sha256")

    def file_names(self, season: Season) -> dict[str, str]:
        report = self.summary.get("report") or {}
        return {
            "workbook": safe_filename(f"{season.unit_name}{season.year}年度汇总.xlsx"),
            "csv": f"{season.year}年度汇总数据.csv",
            "parquet": f"{season.year}年度汇总数据.parquet",
            **{kind: f["name"] for kind, f in report.get("files", {}).items()},
        }


def _lay_out(ws: Workspace, items: list[Receipt], folder: Path) -> None:
    """The files received, under the names the season shows (a member refused at intake has no file)."""
    names = display_names(items)
    for r in items:
        if not r.refused:
            ws.store.link_into(r.sha256, folder / names[r.key])


def build_merge(ws: Workspace, season: Season) -> Built:
    """Consolidate the season's files (every file received, as `tianbao merge` takes a folder), with the
    units' explanations of warnings; keep the workbook, the CSV and the Parquet file; return the record."""
    from tianbao.cli.merge_cmd import HEADLINE
    from tianbao.consolidation import export_tidy, merge_files, write_consolidated
    from tianbao.errors import UsageError

    items = receipts(ws, season)
    if not items:
        raise UsageError("还没有收到任何报表", "请先在“收件”页上传报表")
    folder = ws.scratch()
    try:
        inputs, out = folder / "收件", folder / "汇总"
        inputs.mkdir()
        _lay_out(ws, items, inputs)
        explained = explanations(ws, season)
        result = merge_files(
            [inputs],
            ws.options(season, jobs=None),
            unit_code=season.unit_code,
            unit_name=season.unit_name,
            explanations=explained,
        )
        workbook = out / "汇总.xlsx"
        write_consolidated(result, workbook)
        exported = export_tidy(result, out)
        shas = [ws.store.put(p.read_bytes()) for p in (workbook, *exported)]
        report = _county_report(ws, season, workbook, out / "报告")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    summary = {
        "files": len(result.files),
        "units": len(result.members),
        "counts": result.counts(),
        "rejected": len(result.rejected),
        "totals": {label: result.totals[c] for c, label in HEADLINE.items() if c in result.totals},
        "last_receipt": max(r.id for r in items),
        "explanations": _digest(explained),
        "text": season.text_sha256,
        "report": report,
    }
    with ws.db.write() as con:
        for sha in [*shas, *(f["sha256"] for f in report.get("files", {}).values())]:
            ws.keep(con, sha)
        cur = con.execute(
            "INSERT INTO merges (season_id, created_at, workbook_sha256, csv_sha256, parquet_sha256, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (season.id, now(), *shas[:3], json.dumps(summary, ensure_ascii=False)),
        )
        merge_id = int(cur.lastrowid or 0)
    built = latest_merge(ws, season)
    assert built is not None and built.id == merge_id
    return built


def _county_report(ws: Workspace, season: Season, workbook: Path, folder: Path) -> dict[str, Any]:
    """The publishable report of the consolidated workbook (`tianbao report 汇总.xlsx`, with `--text` the
    本级正文 when one was given: its tables, the texts not written as placeholders), kept in the store: its
    files (html, docx) by kind with name and SHA-256, and the texts missing; or why there is none."""
    from tianbao.report.publish import Refused, Written, publish
    from tianbao.validation.run import check_files

    # the consolidating unit is not on its own roster: its workbook is checked as `tianbao report` checks it
    run = check_files([workbook], replace(ws.options(season, jobs=1), roster=None))
    done = publish(run, folder, text=ws.county_text(season))
    if not done or not isinstance(done[0], Written):
        reasons = list(done[0].reasons) if done and isinstance(done[0], Refused) else ["汇总表未能检查"]
        return {"files": {}, "missing": [], "refused": reasons}
    files = {
        p.suffix.lstrip("."): {"name": p.name, "sha256": ws.store.put(p.read_bytes())} for p in done[0].paths
    }
    return {"files": files, "missing": list(done[0].document.missing), "refused": []}


def latest_merge(ws: Workspace, season: Season, merge_id: int | None = None) -> Built | None:
    """The latest consolidation of the season (or the one of `merge_id`); None when there is none."""
    with ws.db.read() as con:
        row = con.execute(
            "SELECT * FROM merges WHERE season_id = ? AND (? IS NULL OR id = ?) ORDER BY id DESC LIMIT 1",
            (season.id, merge_id, merge_id),
        ).fetchone()
    if row is None:
        return None
    return Built(
        row["id"],
        row["created_at"],
        row["workbook_sha256"],
        row["csv_sha256"],
        row["parquet_sha256"],
        json.loads(row["summary"]),
    )


def stale(ws: Workspace, season: Season, built: Built) -> str | None:
    """Why the consolidation `built` is out of date (files received, 说明 or 本级正文 changed since); None
    if it is not."""
    with ws.db.read() as con:
        newer = con.execute(
            "SELECT COUNT(*) FROM receipts WHERE season_id = ? AND id > ?",
            (season.id, built.summary.get("last_receipt", 0)),
        ).fetchone()[0]
    reasons = [f"又收到 {newer} 个文件"] if newer else []
    if _digest(explanations(ws, season)) != built.summary.get("explanations"):
        reasons.append("修改了单位的说明")
    if season.text_sha256 != built.summary.get("text"):
        reasons.append("更换了本级正文")
    return "此后" + "、".join(reasons) + "，请重新生成汇总表。" if reasons else None


def _digest(explained: dict[tuple[str, str, str], str]) -> str:
    text = json.dumps(sorted(explained.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def templates_zip(ws: Workspace, season: Season) -> tuple[str, bytes]:
    """Every unit's template (with last year's values where there are some), as one zip: name and bytes."""
    roster = ws.roster(season)
    spec = load_spec(season.fmt)
    folder = ws.scratch()
    try:
        if roster is None:
            paths = [_blank(spec, season, folder)]
        else:
            jobs, _ = roster_jobs(spec, season.year, roster, folder, previous=ws.previous(season))
            write_templates(spec, jobs)
            paths = [target for target, _ in jobs]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(paths):
                info = zipfile.ZipInfo(p.name, date_time=(season.year, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.flag_bits |= 0x800  # UTF-8 names: Chinese file names open right on Windows
                zf.writestr(info, p.read_bytes())
        return safe_filename(f"{season.unit_name}{season.year}年度模板.zip"), buf.getvalue()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def unit_template(ws: Workspace, season: Season, unit_code: str | None) -> tuple[str, bytes]:
    """One unit's template (None: the blank template): name and bytes."""
    roster = ws.roster(season)
    spec = load_spec(season.fmt)
    folder = ws.scratch()
    try:
        if unit_code is None:
            target = _blank(spec, season, folder)
        else:
            unit = roster.get(unit_code) if roster is not None else None
            if unit is None:
                raise KeyError(unit_code)
            previous = ws.previous(season)
            if previous is not None and unit_code not in previous.units:
                previous = None
            jobs, _ = roster_jobs(spec, season.year, [unit], folder, previous=previous)
            target, options = jobs[0]
            write_template(spec, target, options)
        return target.name, target.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _blank(spec: Spec, season: Season, folder: Path) -> Path:
    """The blank template of the season (no unit) in `folder`."""
    target = folder / template_filename(season.year)
    write_template(spec, target, TemplateOptions(year=season.year))
    return target


def feedback_kind_of(sub: Submission | None) -> str | None:
    """What goes back for the file, by the rule of `tianbao check --feedback --feedback-warnings`
    (validation.feedback.feedback_kind): 退回修改, 核实 or 新模板; None when nothing does (accepted without
    issues, or unreadable)."""
    return feedback_kind(sub, warnings=True) if sub is not None else None


def feedback_copy(ws: Workspace, season: Season, r: Receipt) -> tuple[str, bytes] | None:
    """The copy that goes back for a received file (退回修改, 核实 or 新模板), written as `tianbao check
    --feedback --feedback-warnings` writes it (write_feedback_copies, from the file's values and issues as
    its check recorded them, the season's year and roster, today's date on the cover); None when there is
    nothing to send back."""
    sub = submission_of(ws, season, r)
    if feedback_kind_of(sub) is None or sub is None:
        return None
    sub.path = r.name  # named after the file where it names no unit
    folder = ws.scratch()
    try:
        options = FeedbackOptions(folder, warnings=True)
        written = write_feedback_copies(
            load_spec(season.fmt), [sub], options, year=season.year, roster=ws.roster(season)
        )
        return (written[0].path.name, written[0].path.read_bytes()) if written else None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
