"""Benchmarks of `tianbao serve` (README 性能):

1. 60 files uploaded to a real server, three at a time as the 收件 page sends them, until every verdict is
   in (the wall time from the first upload to the last verdict; the server's imports done before).
2. The roll-call of 5,000 units: the files received and checked once, then GET /s/1/rollcall — first after
   a restart of the app (computed from the recorded verdicts), then again (cached).

    .venv/bin/python benchmarks/web.py            # both
    .venv/bin/python benchmarks/web.py --units 1000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from generate import generate  # noqa: E402


def uploads(n: int) -> float:
    from test_web_durability import free_port, kill, start

    data = generate(n, seed=3, quiet=True)
    files = sorted((data / "submissions").glob("*.xlsx"))[:n]
    root = Path(tempfile.mkdtemp())
    port = free_port()
    server = start(root, port)
    try:
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        sid = api.post(
            "/api/seasons", json={"year": 2025, "unit_code": "990000", "unit_name": "基准县"}
        ).json()["id"]
        api.put(
            f"/api/seasons/{sid}/roster", files={"file": ("名单.csv", (data / "roster.csv").read_bytes())}
        )
        api.post(
            f"/api/seasons/{sid}/files", files={"file": ("预热.xlsx", files[-1].read_bytes())}
        )  # imports
        todo = list(files[:-1])
        ids: list[int] = []
        lock = threading.Lock()

        def tab() -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as own:
                while True:
                    with lock:
                        if not todo:
                            return
                        p = todo.pop()
                    r = own.post(f"/api/seasons/{sid}/files?wait=0", files={"file": (p.name, p.read_bytes())})
                    with lock:
                        ids.extend(f["id"] for f in r.json()["files"])

        start_time = time.perf_counter()
        tabs = [threading.Thread(target=tab) for _ in range(3)]
        for t in tabs:
            t.start()
        for t in tabs:
            t.join()
        while any(f["status"] == "pending" for f in api.get(f"/api/seasons/{sid}/files").json()["files"]):
            time.sleep(0.05)
        elapsed = time.perf_counter() - start_time
        assert len(ids) == len(files) - 1
        return elapsed
    finally:
        kill(server)
        shutil.rmtree(root, ignore_errors=True)


def roll_call(n: int) -> tuple[float, float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from tianbao.web import intake
    from tianbao.web.app import create_app
    from tianbao.web.workspace import Workspace

    data = generate(n, seed=4, quiet=True)
    root = Path(tempfile.mkdtemp())
    try:
        ws = Workspace(root)
        season = ws.create_season(2025, "2021", "990000", "基准县")
        ws.set_roster(season, (data / "roster.csv").read_bytes(), "名单.csv")
        season = ws.season(season.id)
        for p in sorted((data / "submissions").glob("*.xlsx")):
            with open(p, "rb") as fh:
                intake.receive(ws, season, p.name, fh)
        t = time.perf_counter()
        intake.check_pending(ws, season)
        checking = time.perf_counter() - t
        with TestClient(create_app(root, background=False), base_url="http://127.0.0.1") as c:
            t = time.perf_counter()
            page = c.get(f"/s/{season.id}/rollcall")
            first = time.perf_counter() - t
            t = time.perf_counter()
            c.get(f"/s/{season.id}/rollcall")
            again = time.perf_counter() - t
        assert page.status_code == 200 and page.text.count("<tr>") >= n
        return checking, first, again
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--units", type=int, default=5000)
    args = parser.parse_args()
    print(f"{args.files} 个文件上传并检查完：{uploads(args.files + 1):.1f} 秒", flush=True)
    checking, first, again = roll_call(args.units)
    print(
        f"{args.units} 个单位：检查 {checking:.1f} 秒；报送情况页面 {first:.2f} 秒（重启后首次），{again:.2f} 秒（再次）",
        flush=True,
    )


if __name__ == "__main__":
    main()
