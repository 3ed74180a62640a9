"""Safe by default, for every request before it reaches a page or the API:

- bound to the loopback address, only requests naming a loopback host are served (a page elsewhere cannot
  reach the app by rebinding its own name to 127.0.0.1);
- on any other address, a token: generated at start, given once as `?token=` in the URL printed (then kept
  in an HttpOnly cookie) or as `Authorization: Bearer`; any request without it gets 401;
- state-changing requests from a browser (one that sends Origin, Sec-Fetch-Site or cookies) must come from
  the app's own pages — same origin — and carry the CSRF token of the pages (header X-CSRF-Token, or the
  form field `csrf`, checked by the handler: tianbao.web.app.require_csrf); a script without cookies that
  talks to the API directly needs no CSRF token (no browser can send its credentials for it);
- request bodies are limited in size (413 beyond the limit, also when no length is declared).
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "tianbao_token"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def host_name(host: str) -> str:
    """The name of a Host header without its port ("[::1]:8765" → "[::1]", "localhost:80" → "localhost")."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_browser(headers: dict[str, str]) -> bool:
    return any(k in headers for k in ("origin", "sec-fetch-site", "cookie"))


class Guard:
    def __init__(self, app: ASGIApp, *, token: str | None, max_body: int) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if self.token is None and host_name(host) not in LOOPBACK:
            await _plain(send, 400, "请求的主机名不是本机（127.0.0.1 或 localhost）。")
            return
        if self.token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            given = query.get("token")
            if given is not None and hmac.compare_digest(given, self.token):
                rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
                await _login(send, quote(scope["path"]) + (f"?{rest}" if rest else ""), self.token)
                return
            if not self._has_token(headers):
                await _plain(send, 401, "需要访问令牌：请打开 tianbao serve 启动时显示的完整网址。")
                return
        if scope["method"] in UNSAFE and is_browser(headers) and not _same_origin(headers, host):
            await _plain(send, 403, "拒绝来自其他网站的请求。")
            return
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _too_large(send, self.max_body)
            return
        await self.app(scope, self._limited(receive, send), send)

    def _has_token(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip(), self.token):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            return False
        held = cookie.get(TOKEN_COOKIE)
        return held is not None and hmac.compare_digest(held.value, self.token)

    def _limited(self, receive: Receive, send: Send) -> Receive:
        seen = 0
        limit = self.max_body

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return limited


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _same_origin(headers: dict[str, str], host: str) -> bool:
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == host


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    from tianbao.reading.container import human_size

    await _plain(send, 413, f"上传的内容超过上限 {human_size(limit)}，未接收。")


async def _login(send: Send, location: str, token: str) -> None:
    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    headers: list[Any] = [
        (b"location", location.encode("latin-1")),
        (b"set-cookie", cookie.encode("latin-1")),
    ]
    await send(
        {"type": "http.response.start", "status": 303, "headers": [*headers, (b"content-length", b"0")]}
    )
    await send({"type": "http.response.body", "body": b""})
