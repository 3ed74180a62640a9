"""What the app writes, each by the library call the command line makes: the consolidated workbook and the
exports (`merge_files`, `write_consolidated`, `export_tidy`, over the season's files laid out under their
names as `tianbao merge` reads a folder), templates (`roster_jobs`, `write_templates`) and 退回修改 copies
(`write_feedback`). Results are kept in the store, so a download after a restart is the same file."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.fileio import safe_filename
from tianbao.spec import load_spec
from tianbao.template import TemplateOptions, template_filename, write_template
from tianbao.template.batch import roster_jobs, write_templates
from tianbao.web.intake import Receipt, receipts
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
        return {"workbook": self.workbook_sha256, "csv": self.csv_sha256, "parquet": self.parquet_sha256}.get(
            kind
        )

    def file_names(self, season: Season) -> dict[str, str]:
        return {
            "workbook": safe_filename(f"{season.unit_name}{season.year}年度汇总.xlsx"),
            "csv": f"{season.year}年度汇总数据.csv",
            "parquet": f"{season.year}年度汇总数据.parquet",
        }


def _lay_out(ws: Workspace, items: list[Receipt], folder: Path) -> None:
    names = display_names(items)
    for r in items:
        ws.store.link_into(r.sha256, folder / names[r.sha256])


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
        result = merge_files(
            [inputs],
            ws.options(season, jobs=None),
            unit_code=season.unit_code,
            unit_name=season.unit_name,
            explanations=explanations(ws, season),
        )
        workbook = out / "汇总.xlsx"
        write_consolidated(result, workbook)
        exported = export_tidy(result, out)
        shas = [ws.store.put(p.read_bytes()) for p in (workbook, *exported)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    summary = {
        "files": len(result.files),
        "units": len(result.members),
        "counts": result.counts(),
        "rejected": len(result.rejected),
        "totals": {label: result.totals[c] for c, label in HEADLINE.items() if c in result.totals},
    }
    with ws.db.write() as con:
        for sha in shas:
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


def templates_zip(ws: Workspace, season: Season) -> tuple[str, bytes]:
    """Every unit's template (with last year's values where there are some), as one zip: name and bytes."""
    roster = ws.roster(season)
    spec = load_spec(season.fmt)
    folder = ws.scratch()
    try:
        if roster is None:
            target = folder / template_filename(season.year)
            write_template(spec, target, TemplateOptions(year=season.year))
            paths = [target]
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
            target = folder / template_filename(season.year)
            write_template(spec, target, TemplateOptions(year=season.year))
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


def feedback_copy(ws: Workspace, season: Season, r: Receipt) -> tuple[str, bytes] | None:
    """The 退回修改 copy of a received file, as `tianbao check --feedback` writes it; None when the file
    has nothing to send back (no issues) or no values to prefill."""
    from tianbao.validation import check_files
    from tianbao.validation.feedback import write_feedback

    folder = ws.scratch()
    try:
        inputs, out = folder / "收件", folder / "退回修改"
        inputs.mkdir()
        _lay_out(ws, [r], inputs)
        options = ws.options(season)
        run = check_files([inputs], options)
        sub = run.report.files[0].submission
        if sub.spec is not run.spec:
            return None
        written = write_feedback(run.spec, sub, out, year=season.year, roster=options.roster)
        return (written.name, written.read_bytes()) if written is not None else None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
