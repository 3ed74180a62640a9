"""A real `tianbao serve` process killed (SIGKILL) while files are uploaded: after a restart every file whose
upload was acknowledged is there, checked, and the roll-call is what it was."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from web_helpers import SAMPLES, SUBMISSIONS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="kills a process group")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(workspace: Path, port: int) -> subprocess.Popen[bytes]:
    code = "from tianbao.cli.main import main; main()"
    args = ["serve", "--workspace", str(workspace), "--port", str(port), "--no-browser"]
    proc = subprocess.Popen([sys.executable, "-c", code, *args], start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/session", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_killed_server_loses_nothing_acknowledged(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(tmp_path, port)
    try:
        api = httpx.Client(base_url=base, timeout=120)
        first = api.post(
            "/api/seasons", json={"year": 2022, "unit_code": "150723", "unit_name": "鄂伦春自治旗"}
        )
        sid = first.json()["id"]
        api.put(
            f"/api/seasons/{sid}/roster", files={"file": ("名单.csv", (SAMPLES / "roster.csv").read_bytes())}
        )
        api.post(
            f"/api/seasons/{sid}/files", files=[("file", (p.name, p.read_bytes())) for p in SUBMISSIONS[:8]]
        )
        before = api.get(f"/api/seasons/{sid}/rollcall").json()

        # A second season, receiving files one by one from two "tabs" when the server is killed.
        second = api.post(
            "/api/seasons", json={"year": 2022, "unit_code": "150723", "unit_name": "鄂伦春自治旗"}
        )
        sid2 = second.json()["id"]
        acknowledged: list[int] = []
        lock = threading.Lock()

        def tab(files: list[Path]) -> None:
            with httpx.Client(base_url=base, timeout=30) as own:
                for p in files:
                    try:
                        r = own.post(
                            f"/api/seasons/{sid2}/files?wait=0", files={"file": (p.name, p.read_bytes())}
                        )
                    except httpx.HTTPError:
                        return
                    if r.status_code == 201:
                        with lock:
                            acknowledged.extend(f["id"] for f in r.json()["files"])

        tabs = [threading.Thread(target=tab, args=(SUBMISSIONS[i::2],)) for i in range(2)]
        for t in tabs:
            t.start()
        while len(acknowledged) < 5:
            time.sleep(0.01)
        kill(proc)
        for t in tabs:
            t.join()
    finally:
        if proc.poll() is None:
            kill(proc)

    proc = start(tmp_path, port)
    try:
        api = httpx.Client(base_url=base, timeout=120)
        assert api.get(f"/api/seasons/{sid}/rollcall").json() == before
        call = api.get(f"/api/seasons/{sid2}/rollcall").json()  # checks what the killed server left unchecked
        files = api.get(f"/api/seasons/{sid2}/files").json()["files"]
        assert set(acknowledged) <= {f["id"] for f in files}
        assert all(f["status"] != "pending" for f in files)
        assert call["pending"] == 0
        assert sum(len(u["file_ids"]) for u in call["rows"]) == len(files)
        for f in files:
            stored = (tmp_path / "blobs" / f["sha256"][:2] / f["sha256"]).read_bytes()
            assert stored == next(p for p in SUBMISSIONS if p.name == f["name"]).read_bytes()
        assert not list((tmp_path / "blobs").glob(".incoming.*"))
    finally:
        kill(proc)
