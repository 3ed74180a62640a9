"""What the web tests share: an app over a fresh workspace, and the samples as uploads."""

from __future__ import annotations

import warnings
from pathlib import Path

with warnings.catch_warnings():  # Starlette 1.x would rather have httpx2 under its test client; httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tianbao.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SUBMISSIONS = sorted(p for p in (SAMPLES / "submissions").rglob("*") if p.is_file())


def client(workspace: Path, **kwargs: object) -> TestClient:
    """A client of the app as a script sees it (no browser headers: no CSRF token needed)."""
    app = create_app(workspace, background=False, **kwargs)  # type: ignore[arg-type]
    return TestClient(app, base_url="http://127.0.0.1:8765")


def season_with_roster(c: TestClient) -> int:
    r = c.post("/api/seasons", json={"year": 2022, "unit_code": "150723", "unit_name": "鄂伦春自治旗"})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    roster = (SAMPLES / "roster.csv").read_bytes()
    r = c.put(f"/api/seasons/{sid}/roster", files={"file": ("名单.csv", roster)})
    assert r.status_code == 200, r.text
    return sid


def upload_samples(c: TestClient, sid: int) -> dict[str, dict]:
    files = [("file", (p.name, p.read_bytes())) for p in SUBMISSIONS]
    r = c.post(f"/api/seasons/{sid}/files", files=files)
    assert r.status_code == 201, r.text
    return {f["name"]: f for f in r.json()["files"]}
