"""The JSON API under /api/: the same actions as the pages, for an office that scripts them (README:
“网页版（tianbao serve）”). Errors are `{"error": 中文说明, "hint": 如何修改}` with status 400, 404 or 413."""

from __future__ import annotations

import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tianbao import __version__
from tianbao.errors import TianbaoError
from tianbao.web import intake, outputs, rollcall
from tianbao.web.app import XLSX, attachment, csrf_token, require_csrf
from tianbao.web.workspace import Season, Workspace, base_name

Handler = Callable[[Request], Awaitable[Response]]


def ws_of(request: Request) -> Workspace:
    return request.app.state.ws  # type: ignore[no-any-return]


def season_of(request: Request) -> Season:
    try:
        return ws_of(request).season(int(request.path_params["sid"]))
    except (KeyError, ValueError):
        raise HTTPException(404, "找不到这个年度") from None


def user_errors(handler: Handler) -> Handler:
    """A Chinese error (400) for what the library refuses (a bad roster, an impossible year …)."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except TianbaoError as exc:
            return JSONResponse({"error": exc.message, "hint": exc.hint}, status_code=400)

    return run


async def session(request: Request) -> Response:
    return JSONResponse({"csrf": csrf_token(ws_of(request)), "version": __version__})


@user_errors
async def seasons(request: Request) -> Response:
    ws = ws_of(request)
    if request.method == "POST":
        await require_csrf(request)
        body = await _json(request)
        season = await run_in_threadpool(
            ws.create_season,
            _int(body.get("year")),
            str(body.get("format", "2021")),
            str(body.get("unit_code", "")),
            str(body.get("unit_name", "")),
            body.get("deadline"),
        )
        return JSONResponse(season.to_dict(), status_code=201)
    return JSONResponse({"seasons": [s.to_dict() for s in ws.seasons()]})


async def season(request: Request) -> Response:
    return JSONResponse(season_of(request).to_dict())


async def uploads(request: Request) -> list[tuple[str, BinaryIO]]:
    """The files of a multipart request (fields `file`), or a raw body named by `?name=`: name and file."""
    form = await require_csrf(request)
    if form is None:
        return [(request.query_params.get("name", ""), io.BytesIO(await request.body()))]
    out = [(v.filename or "", v.file) for v in form.getlist("file") if isinstance(v, UploadFile)]
    if not out:
        raise HTTPException(400, "请求中没有文件（表单字段 file）")
    return out


@user_errors
async def roster(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    if request.method == "PUT":
        name, fh = (await uploads(request))[0]
        await run_in_threadpool(ws.set_roster, s, fh.read(), name or "名单.csv")
        s = ws.season(s.id)
    units = ws.roster(s)
    if units is None:
        return JSONResponse({"name": None, "units": []})
    return JSONResponse(
        {
            "name": s.roster_name,
            "units": [{"code": u.code, "name": u.name, "type": u.type, "parent": u.parent} for u in units],
        }
    )


@user_errors
async def previous(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    if request.method == "POST":
        for name, fh in await uploads(request):
            await run_in_threadpool(ws.add_previous, s, fh.read(), name)
    rows = ws.previous_files(s)
    return JSONResponse({"files": [{"name": r["name"], "sha256": r["sha256"]} for r in rows]})


@user_errors
async def county_text(request: Request) -> Response:
    """本级正文: GET the workbook whose “正文” goes into the county's report, and its texts; PUT one (a
    tianbao template or return of the year, as `tianbao report --text` takes it); DELETE it."""
    ws, s = ws_of(request), season_of(request)
    if request.method == "PUT":
        name, fh = (await uploads(request))[0]
        text = await run_in_threadpool(ws.set_county_text, s, fh.read(), name or "正文.xlsx")
    elif request.method == "DELETE":
        await require_csrf(request)
        await run_in_threadpool(ws.remove_county_text, s)
        text = None
    else:
        text = await run_in_threadpool(ws.county_text, s)
    return JSONResponse({"name": ws.season(s.id).text_name, "text": text})


@user_errors
async def files(request: Request) -> Response:
    """GET: every file received, and those ignored (not reports). POST (multipart, fields `file`): receive
    them; `?wait=0` answers as soon as they are kept (verdicts follow: GET the file until its status is no
    longer `pending`)."""
    ws, s = ws_of(request), season_of(request)
    if request.method == "POST":
        received = intake.Received()
        for name, fh in await uploads(request):
            received += await run_in_threadpool(intake.receive, ws, s, name, fh)
        got = received.files
        if request.query_params.get("wait", "1") != "0" or not request.app.state.background:
            await run_in_threadpool(intake.check_pending, ws, s)
            got = [
                r if r.again else replace(intake.receipt(ws, s, r.id), received_as=r.received_as) for r in got
            ]
        else:
            request.app.state.checker.notify()
        return JSONResponse(
            {"files": [r.to_dict() for r in got], "ignored": [i.to_dict() for i in received.ignored]},
            status_code=201,
        )
    return JSONResponse(
        {
            "files": [r.to_dict() for r in intake.receipts(ws, s)],
            "ignored": [{**i.to_dict(), "received_at": at} for i, at in intake.ignored(ws, s)],
        }
    )


def receipt_of(request: Request) -> tuple[Workspace, Season, intake.Receipt]:
    ws, s = ws_of(request), season_of(request)
    try:
        return ws, s, intake.receipt(ws, s, int(request.path_params["rid"]))
    except (KeyError, ValueError):
        raise HTTPException(404, "找不到这个文件") from None


async def file(request: Request) -> Response:
    """The file's report: the same dict as `tianbao check --json` gives for it (path: the name received)."""
    _, _, r = receipt_of(request)
    return JSONResponse(r.to_dict())


async def content(request: Request) -> Response:
    """The file as received (a member refused at intake has no file of its own: its archive)."""
    ws, _, r = receipt_of(request)
    from tianbao.fileio import safe_filename

    name = r.archive if r.refused and r.archive else r.name
    return attachment(safe_filename(base_name(name)), ws.store.read(r.sha256))


async def feedback(request: Request) -> Response:
    ws, s, r = receipt_of(request)
    copy = await run_in_threadpool(outputs.feedback_copy, ws, s, r)
    if copy is None:
        raise HTTPException(404, "这个文件没有需要反馈的问题（通过且没有警告），或无法读出")
    return attachment(*copy, media=XLSX)


async def roll_call(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    call = await run_in_threadpool(rollcall.season_roll_call, ws, s)
    return JSONResponse(call.to_dict())


@user_errors
async def explanations(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    if request.method == "POST":
        await require_csrf(request)
        body = await _json(request)
        rollcall.explain(
            ws,
            s,
            str(body.get("unit_code", "")),
            str(body.get("code", "")),
            str(body.get("cell_id") or ""),
            str(body.get("text", "")),
        )
    items = rollcall.explanations(ws, s)
    return JSONResponse(
        {
            "explanations": [
                {"unit_code": u, "code": c, "cell_id": cell, "text": t} for (u, c, cell), t in items.items()
            ]
        }
    )


@user_errors
async def merge(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    if request.method == "POST":
        await require_csrf(request)
        built = await run_in_threadpool(outputs.build_merge, ws, s)
    else:
        found = outputs.latest_merge(ws, s)
        if found is None:
            raise HTTPException(404, "还没有生成汇总表")
        built = found
    base = f"/api/seasons/{s.id}/merge/{built.id}"
    return JSONResponse(
        {
            "id": built.id,
            "created_at": built.created_at,
            "summary": built.summary,
            "downloads": {k: f"{base}/{k}" for k in built.file_names(s) if built.sha256(k) is not None},
        },
        status_code=201 if request.method == "POST" else 200,
    )


async def merge_download(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    built = outputs.latest_merge(ws, s, _int(request.path_params["mid"]))
    kind = request.path_params["kind"]
    sha = built.sha256(kind) if built is not None else None
    if built is None or sha is None:
        raise HTTPException(404, "找不到这个文件")
    media = {
        "workbook": XLSX,
        "csv": "text/csv; charset=utf-8",
        "html": "text/html; charset=utf-8",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }.get(kind, "application/octet-stream")
    return attachment(built.file_names(s)[kind], ws.store.read(sha), media=media)


@user_errors
async def templates(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    name, data = await run_in_threadpool(outputs.templates_zip, ws, s)
    return attachment(name, data, media="application/zip")


@user_errors
async def template(request: Request) -> Response:
    ws, s = ws_of(request), season_of(request)
    code = request.path_params["code"]
    try:
        name, data = await run_in_threadpool(outputs.unit_template, ws, s, None if code == "blank" else code)
    except KeyError:
        raise HTTPException(404, "名单中没有这个单位") from None
    return attachment(name, data, media=XLSX)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "请求内容不是有效的 JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "请求内容应为 JSON 对象")
    return body


def _int(value: Any) -> int:
    """An integer as JSON gives it (2025) or as text ("2025"); 2025.5, true and text of more than a few
    digits are refused, never rounded or taken as 1."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 9:
        return int(value.strip())
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 20 else shown[:20] + "…"
    raise HTTPException(400, f"{shown} 不是整数")


S = "/api/seasons/{sid:int}"
routes = [
    Route("/api/session", session),
    Route("/api/seasons", seasons, methods=["GET", "POST"]),
    Route(S, season),
    Route(S + "/roster", roster, methods=["GET", "PUT"]),
    Route(S + "/previous", previous, methods=["GET", "POST"]),
    Route(S + "/text", county_text, methods=["GET", "PUT", "DELETE"]),
    Route(S + "/files", files, methods=["GET", "POST"]),
    Route(S + "/files/{rid:int}", file),
    Route(S + "/files/{rid:int}/content", content),
    Route(S + "/files/{rid:int}/feedback", feedback),
    Route(S + "/rollcall", roll_call),
    Route(S + "/explanations", explanations, methods=["GET", "POST"]),
    Route(S + "/merge", merge, methods=["GET", "POST"]),
    Route(S + "/merge/{mid:int}/{kind}", merge_download),
    Route(S + "/templates.zip", templates),
    Route(S + "/templates/{code}", template),
]
