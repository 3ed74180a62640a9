"""本级正文: the county's own text goes into its report, as `tianbao report 汇总.xlsx --text` puts it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import make_fixtures as fx

from tianbao.options import CheckOptions
from tianbao.report.publish import Written, publish, text_of
from tianbao.validation import check_files
from tianbao.web.db import MIGRATIONS, SCHEMA_VERSION
from tianbao.web.workspace import DB_NAME, Workspace
from web_helpers import SAMPLES, client, season_with_roster

REPO = Path(__file__).resolve().parents[1]
COUNTY_TEXT = {"text.problems": "全旗的问题。", "text.overview.active": "全旗主动公开。"}


def test_the_countys_own_text_goes_into_its_report(tmp_path: Path) -> None:
    text = fx.filled(tmp_path / "本级正文.xlsx", COUNTY_TEXT, year=2022)
    with client(tmp_path / "ws") as c:
        sid = season_with_roster(c)
        good = sorted((SAMPLES / "submissions").glob("*阿里河镇*.xlsx"))[:1]
        c.post(f"/api/seasons/{sid}/files", files=[("file", (p.name, p.read_bytes())) for p in good])
        before = c.post(f"/api/seasons/{sid}/merge").json()
        assert "全旗的问题。" not in c.get(before["downloads"]["html"]).text
        assert "更换了本级正文" not in c.get(f"/s/{sid}/merge").text

        # refused, with the reason, and nothing changes: no 正文 sheet; another year's
        old = REPO / "tests" / "data" / "text" / "before-text-sheet.xlsx"
        r = c.put(f"/api/seasons/{sid}/text", files={"file": (old.name, old.read_bytes())})
        assert r.status_code == 400 and "before-text-sheet.xlsx 没有可用的“正文”工作表" in r.json()["error"]
        other = fx.filled(tmp_path / "2021.xlsx", COUNTY_TEXT, year=2021)
        r = c.put(f"/api/seasons/{sid}/text", files={"file": ("上年正文.xlsx", other.read_bytes())})
        assert r.status_code == 400 and "上年正文.xlsx 是 2021 年度的，本次是 2022 年度" in r.json()["error"]
        assert c.get(f"/api/seasons/{sid}/text").json() == {"name": None, "text": None}

        r = c.put(f"/api/seasons/{sid}/text", files={"file": (text.name, text.read_bytes())})
        assert r.status_code == 200 and r.json()["text"]["text.problems"] == "全旗的问题。"
        assert "此后更换了本级正文，请重新生成汇总表。" in c.get(f"/s/{sid}/merge").text
        built = c.post(f"/api/seasons/{sid}/merge").json()
        html = c.get(built["downloads"]["html"]).content
        assert "全旗的问题。" in html.decode() and "全旗主动公开。" in html.decode()
        problems = "五、存在的主要问题及改进情况"  # written now: no longer listed as missing
        assert problems in before["summary"]["report"]["missing"]
        assert problems not in built["summary"]["report"]["missing"]

        # the same bytes as `tianbao report 汇总.xlsx --text 本级正文.xlsx`
        workbook = tmp_path / "汇总.xlsx"
        workbook.write_bytes(c.get(built["downloads"]["workbook"]).content)
        done = publish(
            check_files([workbook], CheckOptions(year=2022)), tmp_path / "报告", text=text_of(text, year=2022)
        )
        assert isinstance(done[0], Written)
        assert html == next(p for p in done[0].paths if p.suffix == ".html").read_bytes()
        page = c.get(f"/s/{sid}/merge").text
        assert "正在使用：本级正文.xlsx" in page and "请重新生成汇总表" not in page

    with client(tmp_path / "ws") as c:  # after a restart
        assert c.get(f"/api/seasons/{sid}").json()["text"] == "本级正文.xlsx"
        r = c.delete(f"/api/seasons/{sid}/text")
        assert r.status_code == 200 and r.json() == {"name": None, "text": None}
        assert "此后更换了本级正文" in c.get(f"/s/{sid}/merge").text


def test_the_text_can_be_given_on_the_merge_page(tmp_path: Path) -> None:
    text = fx.filled(tmp_path / "正文.xlsx", COUNTY_TEXT, year=2022)
    with client(tmp_path / "ws") as c:
        sid = season_with_roster(c)
        form = {"action": "text"}
        page = c.post(f"/s/{sid}/merge", data=form, files={"file": ("", b"")})  # no file chosen: no merge
        assert (
            page.status_code == 400 and "没有选择文件" in page.text and "还没有收到任何报表" not in page.text
        )
        page = c.post(f"/s/{sid}/merge", data=form, files={"file": ("正文.xlsx", b"not a workbook")})
        assert page.status_code == 400 and "没有可用的“正文”工作表" in page.text
        page = c.post(f"/s/{sid}/merge", data=form, files={"file": ("正文.xlsx", text.read_bytes())})
        assert (
            page.status_code == 200 and "已使用本级正文" in page.text and "正在使用：正文.xlsx" in page.text
        )
        page = c.post(f"/s/{sid}/merge", data={"action": "text-remove"})
        assert "已不再使用本级正文" in page.text and "正在使用" not in page.text


def test_a_workspace_of_the_first_schema_is_migrated(tmp_path: Path) -> None:
    """A workspace made by the first release opens with its seasons (a season then has no 本级正文)."""
    con = sqlite3.connect(tmp_path / DB_NAME)
    con.executescript(MIGRATIONS[0])
    con.execute(
        "INSERT INTO seasons (year, fmt, unit_code, unit_name, deadline, created_at) "
        "VALUES (2025, '2021', '1', '甲县', '2026-01-31', '2025-12-01T00:00:00+08:00')"
    )
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    ws = Workspace(tmp_path)
    assert ws.db.version() == SCHEMA_VERSION == 2
    (season,) = ws.seasons()
    assert season.unit_name == "甲县" and season.text_name is None and ws.county_text(season) is None
