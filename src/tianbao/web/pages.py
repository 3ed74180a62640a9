"""The pages, in Chinese: 年度与名单, 模板, 收件, 报送情况 (and a unit's page), 汇总. Each is a form or a view
over the same calls as the API (tianbao.web.api); downloads are the API's."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tianbao.consolidation.model import COVERED, MISSING, PASSED, RETURNED, STATUSES, WARNED
from tianbao.errors import TianbaoError, UsageError
from tianbao.issues import SEVERITY_ZH
from tianbao.reading.previous import SOURCES
from tianbao.report import grid_html, table_grids
from tianbao.roster import write_roster
from tianbao.spec import FORMATS
from tianbao.validation.report import STATUS_ZH
from tianbao.web import intake, outputs, rollcall
from tianbao.web.api import season_of, ws_of
from tianbao.web.app import render, require_csrf


def _go(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def home(request: Request) -> Response:
    seasons = ws_of(request).seasons()
    return _go(f"/s/{seasons[0].id}/rollcall" if seasons else "/seasons")


async def seasons_page(request: Request) -> Response:
    ws = ws_of(request)
    error = None
    if request.method == "POST":
        form = await require_csrf(request)
        assert form is not None
        try:
            year = int(str(form.get("year", "")).strip() or 0)
            s = await run_in_threadpool(
                ws.create_season,
                year,
                str(form.get("format", "2021")),
                str(form.get("unit_code", "")),
                str(form.get("unit_name", "")),
                str(form.get("deadline", "")) or None,
            )
            return _go(f"/s/{s.id}")
        except ValueError as exc:
            error = str(exc) if isinstance(exc, TianbaoError) else "报告年度应为四位数字，如 2025"
    return render(
        request, "seasons.html", 400 if error else 200, seasons=ws.seasons(), formats=FORMATS, error=error
    )


async def season_page(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    error = notice = None
    if request.method == "POST":
        form = await require_csrf(request)
        assert form is not None
        action = form.get("action")
        try:
            if action == "roster" and isinstance(up := form.get("file"), UploadFile):
                units = await run_in_threadpool(ws.set_roster, s, await up.read(), up.filename or "")
                notice = f"名单已更新：{len(units)} 个单位。"
            elif action == "roster-text":
                data = str(form.get("text", "")).encode("utf-8-sig")
                # The text is CSV whatever the roster was (an .xlsx roster edited here becomes 名单.csv).
                name = f"{PurePath(s.roster_name).stem}.csv" if s.roster_name else "名单.csv"
                units = await run_in_threadpool(ws.set_roster, s, data, name)
                notice = f"名单已保存：{len(units)} 个单位。"
            elif action == "previous" and isinstance(up := form.get("file"), UploadFile):
                await run_in_threadpool(ws.add_previous, s, await up.read(), up.filename or "")
                notice = "已添加上年数据。"
            elif action == "previous-remove":
                ws.remove_previous(s, str(form.get("sha256", "")))
                notice = "已移除。"
        except TianbaoError as exc:
            error = str(exc)
        s = ws.season(s.id)
    roster = ws.roster(s)
    text = ""
    if roster is not None:
        buf = io.StringIO()
        write_roster_text(buf, roster)
        text = buf.getvalue()
    return render(
        request,
        "season.html",
        400 if error else 200,
        season=s,
        roster=roster,
        roster_text=text,
        previous=ws.previous_files(s),
        previous_kinds=[".xlsx", ".xlsm", *sorted(SOURCES)],
        error=error,
        notice=notice,
        page="season",
    )


def write_roster_text(buf: io.StringIO, roster: Any) -> None:
    """The roster as the CSV `write_roster` writes (without the BOM), for editing in the page."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = write_roster(Path(d) / "名单.csv", roster)
        buf.write(p.read_text(encoding="utf-8-sig"))


async def templates_page(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    roster, previous = ws.roster(s), await run_in_threadpool(ws.previous, s)
    with_previous = sum(1 for u in roster or () if previous is not None and u.code in previous.units)
    return render(
        request, "templates.html", season=s, roster=roster, with_previous=with_previous, page="templates"
    )


async def intake_page(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    items = list(reversed(intake.receipts(ws, s)))
    return render(
        request,
        "intake.html",
        season=s,
        receipts=items,
        ignored=intake.ignored(ws, s),
        status_zh=STATUS_ZH,
        page="intake",
    )


async def rollcall_page(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    call = await run_in_threadpool(rollcall.season_roll_call, ws, s)
    state = request.query_params.get("status", "")
    query = request.query_params.get("q", "").strip()
    rows = [
        r
        for r in call.rows
        if (not state or r.status == state) and (not query or query in r.unit_name or query in r.unit_code)
    ]
    return render(
        request,
        "rollcall.html",
        season=s,
        call=call,
        rows=rows,
        counts=call.counts(),
        units=_unit_counts(call.rows),
        states=STATUSES,
        state=state,
        query=query,
        page="rollcall",
    )


def _unit_counts(rows: Any) -> dict[str, int]:
    """The roster units by what the clerk does next: counted (nothing to do), returned, missing."""
    units = [r.status for r in rows if r.on_roster]
    return {
        "total": len(units),
        "counted": sum(1 for st in units if st in (PASSED, WARNED, COVERED)),
        "returned": units.count(RETURNED),
        "missing": units.count(MISSING),
    }


async def unit_page(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    code = request.path_params["code"]
    if request.method == "POST":
        form = await require_csrf(request)
        assert form is not None
        rollcall.explain(
            ws, s, code, str(form.get("code", "")), str(form.get("cell_id", "")), str(form.get("text", ""))
        )
    call = await run_in_threadpool(rollcall.season_roll_call, ws, s)
    versions = call.unit_files(code)
    row = next((r for r in call.rows if r.unit_code == code), None)
    roster = ws.roster(s)
    unit = roster.get(code) if roster is not None else None
    if not versions and row is None:
        raise HTTPException(404, "找不到这个单位")
    shown = _pick(request, call, versions, "v", -1)
    before = _pick(request, call, versions, "a", -2)
    spec = call.spec
    tables: list[str] = []
    changes: list[rollcall.Change] = []
    marks: dict[str, str] = {}
    if shown is not None:
        values = rollcall.cell_values(ws, s, shown.submission.path)
        tables = [grid_html(g, values, cell_ids=True) for g in table_grids(spec)]
        for i in shown.issues:
            if i.cell_id and i.cell_id in spec.cells:
                marks[i.cell_id] = "error" if i.is_error or marks.get(i.cell_id) == "error" else "warning"
        if before is not None and before is not shown:
            changes = rollcall.diff(spec, rollcall.cell_values(ws, s, before.submission.path), values)
            for c in changes:
                marks.setdefault(c.cell_id, "changed")
    return render(
        request,
        "unit.html",
        season=s,
        code=code,
        unit=unit,
        row=row,
        call=call,
        versions=versions,
        shown=shown,
        before=before,
        tables=tables,
        marks=marks,
        changes=changes,
        explanations=rollcall.explanations(ws, s),
        feedback_kind=outputs.feedback_kind_of,
        severity=SEVERITY_ZH,
        status_zh=STATUS_ZH,
        page="rollcall",
    )


def _pick(
    request: Request, call: rollcall.SeasonRollCall, versions: list[Any], param: str, default: int
) -> Any:
    """The version named by the query parameter (a receipt id), else the one at `default` (-1: latest)."""
    wanted = request.query_params.get(param)
    if wanted is not None:
        return next((f for f in versions if str(call.receipts[f.submission.path].id) == wanted), None)
    return versions[default] if len(versions) >= -default else None


async def file_page(request: Request) -> Response:
    from tianbao.web.api import receipt_of

    ws, s, r = receipt_of(request)
    kind = outputs.feedback_kind_of(intake.submission_of(ws, s, r))
    return render(
        request,
        "file.html",
        season=s,
        r=r,
        feedback=kind,
        status_zh=STATUS_ZH,
        severity=SEVERITY_ZH,
        page="intake",
    )


async def merge_page(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    error = notice = None
    if request.method == "POST":
        form = await require_csrf(request)
        action = form.get("action") if form is not None else None
        try:
            if action == "text":
                up = form.get("file") if form is not None else None
                if not isinstance(up, UploadFile) or not up.filename:
                    raise UsageError("没有选择文件", "请选择填写了“正文”的本级模板（.xlsx）")
                await run_in_threadpool(ws.set_county_text, s, await up.read(), up.filename)
                notice = "已使用本级正文；请重新生成汇总表，报告才会用上它。"
            elif action == "text-remove":
                ws.remove_county_text(s)
                notice = "已不再使用本级正文。"
            else:
                await run_in_threadpool(outputs.build_merge, ws, s)
                return _go(f"/s/{s.id}/merge")
        except TianbaoError as exc:
            error = str(exc)
        s = ws.season(s.id)
    built = outputs.latest_merge(ws, s)
    names = built.file_names(s) if built else {}
    warning = outputs.stale(ws, s, built) if built else None
    return render(
        request,
        "merge.html",
        400 if error else 200,
        season=s,
        built=built,
        names=names,
        error=error,
        notice=notice,
        warning=warning,
        page="merge",
    )


S = "/s/{sid:int}"
routes = [
    Route("/", home),
    Route("/seasons", seasons_page, methods=["GET", "POST"]),
    Route(S, season_page, methods=["GET", "POST"]),
    Route(S + "/templates", templates_page),
    Route(S + "/intake", intake_page),
    Route(S + "/rollcall", rollcall_page),
    Route(S + "/units/{code}", unit_page, methods=["GET", "POST"]),
    Route(S + "/files/{rid:int}", file_page),
    Route(S + "/merge", merge_page, methods=["GET", "POST"]),
]
