"""Run the app with uvicorn: the address, the token for any host but loopback, the browser opened."""

from __future__ import annotations

import secrets
import threading
import webbrowser
from pathlib import Path

from tianbao.web.guard import LOOPBACK


def needs_token(host: str) -> bool:
    return host not in LOOPBACK


def url_of(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(workspace: Path, host: str, port: int, *, open_browser: bool = True, say=print) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from tianbao.web.app import create_app
    from tianbao.web.workspace import Workspace

    token = secrets.token_urlsafe(24) if needs_token(host) else None
    ws = Workspace(workspace)
    app = create_app(ws, token=token)
    url = url_of("127.0.0.1" if host in ("0.0.0.0", "::") else host, port, token)
    say(f"tianbao 网页版：{url}")
    say(f"工作区：{ws.root}")
    if token:
        say("注意：本机以外也能访问，请只把上面带令牌的网址告诉需要的人。")
    say("按 Ctrl+C 停止。")
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
