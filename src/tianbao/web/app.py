"""The web app (Starlette): the pages (tianbao.web.pages) and the JSON API (tianbao.web.api) over one
workspace, behind the guard (tianbao.web.guard). Templates are Jinja2 with autoescaping on: nothing a file
or a user sent is rendered as markup."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from tianbao.errors import speaks_chinese
from tianbao.web.checker import Checker
from tianbao.web.guard import BodyTooLarge, Guard, is_browser
from tianbao.web.workspace import Workspace

HERE = Path(__file__).parent
MB = 1024 * 1024
MAX_FILES = 1000  # files in one upload request


def csrf_token(ws: Workspace) -> str:
    return hmac.new(ws.secret.encode(), b"csrf", hashlib.sha256).hexdigest()


async def require_csrf(request: Request) -> FormData | None:
    """For a state-changing request: the CSRF token checked (header, or the form's field `csrf`); the form
    returned when the request is one. A request from outside a browser needs no token (see guard)."""
    ws: Workspace = request.app.state.ws
    expected = csrf_token(ws)
    given = request.headers.get("x-csrf-token")
    form = None
    content = request.headers.get("content-type", "")
    if content.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form(max_files=MAX_FILES, max_fields=10_000)
        if given is None:
            field = form.get("csrf")
            given = field if isinstance(field, str) else None
    headers = {k.lower(): v for k, v in request.headers.items()}
    if is_browser(headers) and not (given and hmac.compare_digest(given, expected)):
        raise HTTPException(403, "页面已过期或请求来源不明，请刷新页面后重试。")
    return form


def attachment(name: str, data: bytes, media: str = "application/octet-stream") -> Response:
    """A download; the name (made safe before) given in the header as RFC 5987 asks for non-ASCII."""
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media, headers={"content-disposition": disposition})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from tianbao.spec import fmt_number

    env.filters["num"] = lambda v: "" if v is None else fmt_number(float(v))
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    ws: Workspace = request.app.state.ws
    env: Environment = request.app.state.env
    html = env.get_template(template).render(request=request, csrf=csrf_token(ws), **context)
    return HTMLResponse(html, status_code=status)


# What the framework says in English (its defaults and its form parser's messages), said in Chinese.
FRAMEWORK_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"Too many files\. Maximum number of files is (\d+)\."),
        "一次上传的文件超过 {0} 个，请分批上传",
    ),
    (re.compile(r"Too many fields\. Maximum number of fields is (\d+)\."), "表单的字段超过 {0} 个，未接收"),
    (re.compile(r"(?:Field|Part) exceeded maximum size of (\d+)KB\."), "表单中的一项超过 {0} KB，未接收"),
    (
        re.compile(r"Missing boundary in multipart\.|Invalid multipart data\.|.*Content-Disposition.*"),
        "请求的表单无法读出（不是有效的 multipart/form-data），未接收",
    ),
)
STATUS_ERRORS = {
    400: "请求无法读出，未接收",
    401: "需要访问令牌：请用启动时给出的网址打开",
    403: "没有权限",
    404: "找不到这个页面或文件",
    405: "不支持这种请求方法",
    413: "上传的内容太大，未接收",
}


def error_message(status: int, detail: str) -> str:
    """`detail` when it is ours (Chinese), else the framework's message said in Chinese."""
    if speaks_chinese(detail):
        return detail
    for pattern, message in FRAMEWORK_ERRORS:
        if m := pattern.fullmatch(detail):
            return message.format(*m.groups())
    return STATUS_ERRORS.get(status, f"请求未能完成（HTTP {status}）")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = error_message(exc.status_code, str(exc.detail))
    headers = dict(exc.headers or {})  # 405 says which methods are allowed
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=headers)
    return render(request, "error.html", exc.status_code, message=message)


async def _too_large(request: Request, exc: Exception) -> Response:
    from tianbao.reading.container import human_size

    assert isinstance(exc, BodyTooLarge)
    message = f"上传的内容超过上限 {human_size(exc.limit)}，未接收。"
    return PlainTextResponse(message, status_code=413)


async def _not_found(request: Request, exc: Exception) -> Response:
    return await _http_error(request, HTTPException(404))


def create_app(
    workspace: Workspace | str | Path,
    *,
    token: str | None = None,
    max_request: int | None = None,
    background: bool = True,
) -> Starlette:
    """The app over `workspace`. `token`: required of every request (for a host other than loopback).
    `max_request`: the largest request body (default: the reader's file size limit and 1 MB for the form).
    `background`: check received files in a background thread (else when a page needs them)."""
    from tianbao.web import api, pages

    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    checker = Checker(ws)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if background:
            checker.start()
        yield
        checker.stop()

    app = Starlette(
        routes=[*pages.routes, *api.routes, Mount("/static", StaticFiles(directory=HERE / "static"))],
        exception_handlers={HTTPException: _http_error, BodyTooLarge: _too_large, KeyError: _not_found},
        lifespan=lifespan,
    )
    app.state.ws = ws
    app.state.env = environment()
    app.state.checker = checker
    app.state.background = background
    limit = max_request or ws.limits.max_file_size + MB
    app.add_middleware(Guard, token=token, max_body=limit)  # type: ignore[arg-type]
    return app
