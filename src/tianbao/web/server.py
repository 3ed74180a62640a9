"""Run the app with uvicorn: the address, the token for any host but loopback, the browser opened."""

from __future__ import annotations

import errno
import os
import secrets
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from tianbao.errors import UsageError
from tianbao.web.guard import LOOPBACK


def needs_token(host: str) -> bool:
    return host not in LOOPBACK


def url_of(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(
    workspace: Path, host: str, port: int, *, open_browser: bool = True, say: Callable[[str], object] = print
) -> None:
    import uvicorn

    from tianbao.web.app import create_app
    from tianbao.web.workspace import Workspace

    token = secrets.token_urlsafe(24) if needs_token(host) else None
    sock = bind(host, port)
    ws = Workspace(workspace)
    app = create_app(ws, token=token)
    everywhere = host in ("0.0.0.0", "::")
    url = url_of("127.0.0.1" if everywhere else host, port, token)
    say(f"tianbao 网页版：{url}")
    if everywhere and (address := lan_address()) is not None:
        say(f"其他电脑上请打开：{url_of(address, port, token)}")
    say(f"工作区：{ws.root}")
    if token:
        say("注意：本机以外也能访问，请只把带令牌的网址告诉需要的人。")
    say("按 Ctrl+C 停止。")
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


def lan_address() -> str | None:
    """This machine's address on its local network, as others reach it (None when there is none). A UDP
    socket "connected" to a private address sends nothing: the system only picks the interface."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything else is done: a port in use or an address that is not
    this machine's is a Chinese usage error, not uvicorn's English log line."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise UsageError(f"无法识别地址“{host}”", "请写作 127.0.0.1，或本机的 IP 地址") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    if os.name != "nt":  # Windows: SO_REUSEADDR would let a second server take the port in use
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise UsageError(
                f"端口 {port} 已被占用（可能 tianbao serve 已经在运行）",
                f"请在浏览器中打开 {url_of(host, port, None)}，或用 --port 换一个端口，如 --port {port + 1}",
            ) from None
        raise UsageError(
            f"无法在 {host}:{port} 上启动：{exc.strerror or exc}", "请检查 --host 和 --port"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
