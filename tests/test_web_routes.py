"""tianbao serve through the framework's test client: each page and API call gives what the command line
gives for the same files (verdicts, check's dict, roll-call, consolidated workbook, 退回修改 copy)."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
import zipfile
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from typer.testing import CliRunner

from consolidation_data import issue_list
from tianbao.cli.main import app as cli
from tianbao.consolidation import STATUS_KEYS, merge_files
from tianbao.options import CheckOptions
from tianbao.reading.model import Limits
from tianbao.roster import load_roster
from tianbao.validation import check_files
from tianbao.validation.feedback import FeedbackOptions, write_feedback_copies
from tianbao.web.app import create_app
from tianbao.web.workspace import Workspace
from web_helpers import SAMPLES, SUBMISSIONS, TestClient, client, season_with_roster, upload_samples

EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["files"]


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with client(tmp_path_factory.mktemp("ws")) as c:
        sid = season_with_roster(c)
        received = upload_samples(c, sid)
        yield c, sid, received


def test_every_sample_gets_the_verdict_check_gives(season) -> None:  # type: ignore[no-untyped-def]
    _, _, received = season
    by_name = {Path(k).name: v for k, v in EXPECTED.items()}
    assert len(received) == len(SUBMISSIONS)
    for name, f in received.items():
        assert f["status"] == by_name[name]["status"], name
        assert sorted({i["code"] for i in f["report"]["issues"]}) == sorted(by_name[name]["codes"]), name


def test_a_files_report_is_the_dict_of_check_json(season) -> None:  # type: ignore[no-untyped-def]
    c, sid, received = season
    path = next(p for p in SUBMISSIONS if p.name.startswith("吉文镇"))
    options = CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1)
    expected = check_files([path], options).report.files[0].to_dict()
    got = c.get(f"/api/seasons/{sid}/files/{received[path.name]['id']}").json()["report"]
    assert got == {**expected, "path": path.name}


def test_the_same_file_again_is_the_same_receipt(season) -> None:  # type: ignore[no-untyped-def]
    c, sid, received = season
    path = SUBMISSIONS[0]
    r = c.post(f"/api/seasons/{sid}/files", files={"file": ("另一个名字.xlsx", path.read_bytes())})
    (again,) = r.json()["files"]
    assert again["already_received"] and again["id"] == received[path.name]["id"]
    assert len(c.get(f"/api/seasons/{sid}/files").json()["files"]) == len(SUBMISSIONS)


def test_roll_call_is_merges_and_names_every_roster_unit(season) -> None:  # type: ignore[no-untyped-def]
    c, sid, _ = season
    call = c.get(f"/api/seasons/{sid}/rollcall").json()
    options = CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1)
    merged = merge_files([SAMPLES / "submissions"], options, unit_code="150723", unit_name="鄂伦春自治旗")
    assert call["counts"] == {STATUS_KEYS[s]: n for s, n in merged.counts().items()}
    assert {(u["unit_code"], u["status_zh"]) for u in call["rows"]} == {
        (r.unit_code, r.status) for r in merged.rows
    }
    assert ("150723109", "missing") in {(u["unit_code"], u["status"]) for u in call["rows"]}
    page = c.get(f"/s/{sid}/rollcall?status=未报送").text
    assert "古里乡人民政府" in page and "诺敏镇人民政府" not in page
    assert "截止日期 2023年1月31日" in page
    overdue = (dt.date(2023, 1, 31) - dt.date.today()).days  # the days left, negative when past
    assert (
        f"还有 <strong>{overdue}</strong> 天" if overdue > 0 else f"已过 <strong>{-overdue}</strong> 天"
    ) in page
    page = c.get(f"/s/{sid}/rollcall").text
    assert "名单中 15 个单位：<strong>9</strong> 个已计入汇总" in page
    jiwen = next(u for u in call["rows"] if u["unit_code"] == "150723104")
    assert f'<a href="/s/{sid}/files/{jiwen["file_ids"][0]}">吉文镇报表2022.xlsx</a>' in page


def test_unit_page_versions_diff_and_explanation_into_the_workbook(season) -> None:  # type: ignore[no-untyped-def]
    c, sid, received = season
    page = c.get(f"/s/{sid}/units/150723100").text
    assert "阿里河镇-报表.xlsx" in page and "阿里河镇-报表（修改后）.xlsx" in page
    assert "改动的单元格" in page  # the newer version differs from the older one in some cells
    warned = received["吉文镇报表2022.xlsx"]
    warning = next(i for i in warned["report"]["issues"] if i["severity"] == "warning")
    r = c.post(
        f"/api/seasons/{sid}/explanations",
        json={
            "unit_code": "150723104",
            "code": warning["code"],
            "cell_id": warning["cell_id"],
            "text": "已核实，本年无。",
        },
    )
    assert r.status_code == 200
    built = c.post(f"/api/seasons/{sid}/merge").json()
    data = c.get(built["downloads"]["workbook"]).content
    rows = issue_list(data)
    assert ("150723104", warning["code"], "已核实，本年无。") in {
        (r["单位代码"], r["代码"], r["说明"]) for r in rows
    }
    csv = c.get(built["downloads"]["csv"]).content
    assert csv.startswith("\ufeff单位代码".encode())
    # the exports are merge --export's: the same rows as CSV and as Parquet
    import pandas as pd

    tidy = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False)
    parquet = pd.read_parquet(io.BytesIO(c.get(built["downloads"]["parquet"]).content))
    assert len(tidy) == len(parquet) > 0
    assert list(tidy["单位代码"]) == list(
        parquet["unit_code"]
    )  # Chinese headers in the CSV, English in Parquet
    page = c.get(f"/s/{sid}/merge").text
    assert "鄂伦春自治旗" in page and "请重新生成汇总表" not in page
    c.post(
        f"/api/seasons/{sid}/explanations",
        json={"unit_code": "150723104", "code": warning["code"], "cell_id": warning["cell_id"], "text": "改"},
    )
    assert "此后修改了单位的说明，请重新生成汇总表。" in c.get(f"/s/{sid}/merge").text


def test_merge_builds_the_county_report_that_report_writes(season, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The 汇总 page's 年度报告 is `tianbao report` of the consolidated workbook it offers: the same HTML,
    a Word file, and the texts the county has not written listed on the page."""
    from tianbao.report.publish import Written, publish

    c, sid, _ = season
    built = c.post(f"/api/seasons/{sid}/merge").json()
    assert {"workbook", "csv", "html", "docx"} <= set(built["downloads"])
    workbook = tmp_path / "汇总.xlsx"
    workbook.write_bytes(c.get(built["downloads"]["workbook"]).content)
    done = publish(check_files([workbook], CheckOptions(year=2022)), tmp_path / "报告")
    assert isinstance(done[0], Written)
    written = {p.suffix: p for p in done[0].paths}
    html = c.get(built["downloads"]["html"])
    assert html.headers["content-type"].startswith("text/html")
    assert quote(written[".html"].name) in html.headers["content-disposition"]
    assert html.content == written[".html"].read_bytes()
    assert "鄂伦春自治旗" in html.text
    docx = c.get(built["downloads"]["docx"])
    assert docx.headers["content-type"].endswith("wordprocessingml.document")
    assert zipfile.ZipFile(io.BytesIO(docx.content)).namelist()  # a Word file, not an error page
    missing = built["summary"]["report"]["missing"]
    assert missing == list(done[0].document.missing) and missing  # a county's workbook has no 正文 yet
    page = c.get(f"/s/{sid}/merge").text
    assert written[".docx"].name in page and f"（{len(missing)} 处）" in page and missing[0] in page


def test_feedback_copies_are_checks_byte_for_byte(season, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each file's download is the copy `check --feedback --feedback-warnings` writes for it (退回修改, 核实,
    新模板: validation.feedback), same name and bytes; a file with nothing to send back has none."""
    c, sid, received = season
    folder = tmp_path / "反馈"
    options = CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1)
    run = check_files([SAMPLES / "submissions"], options)
    written = write_feedback_copies(
        run.spec,
        [f.submission for f in run.report.files],
        FeedbackOptions(folder, warnings=True),
        year=2022,
        roster=options.roster,
    )
    by_file = {Path(f.source).name: f for f in written}
    assert {f.kind for f in written} >= {"退回修改", "核实"}
    for name, f in received.items():
        r = c.get(f"/api/seasons/{sid}/files/{f['id']}/feedback")
        if name not in by_file:
            assert r.status_code == 404, name
            continue
        assert r.status_code == 200, name
        expected = by_file[name].path
        assert f"filename*=UTF-8''{quote(expected.name)}" in r.headers["content-disposition"], name
        assert r.content == expected.read_bytes(), name
    rejected = received["乌鲁布铁镇2022年度报表.xlsx"]
    page = c.get(f"/s/{sid}/files/{rejected['id']}").text
    assert "下载反馈工作簿（退回修改）" in page
    assert (
        "问题清单"
        in openpyxl.load_workbook(
            io.BytesIO(c.get(f"/api/seasons/{sid}/files/{rejected['id']}/feedback").content)
        ).sheetnames
    )
    assert (
        c.get(
            f"/api/seasons/{sid}/files/{received['诺敏镇2022年政务公开报表.xlsx']['id']}/feedback"
        ).status_code
        == 404
    )


def test_template_and_zip_downloads(season) -> None:  # type: ignore[no-untyped-def]
    c, sid, _ = season
    z = zipfile.ZipFile(io.BytesIO(c.get(f"/api/seasons/{sid}/templates.zip").content))
    assert len(z.namelist()) == 15 and all(n.endswith(".xlsx") for n in z.namelist())
    one = c.get(f"/api/seasons/{sid}/templates/150723107")
    assert "150723107" in one.headers["content-disposition"]
    assert c.get(f"/api/seasons/{sid}/templates/999").status_code == 404


def test_last_years_workbook_as_template_previous_takes_it(season, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """年度与名单's 上年数据: last year's consolidated workbook (built here for 2022) given to the 2023 season
    gives the templates `tianbao template --previous` writes, byte for byte; a workbook of the season's own
    year is refused with the reader's Chinese error, and nothing is recorded."""
    c, sid, _ = season
    built = c.post(f"/api/seasons/{sid}/merge").json()
    last_year = tmp_path / "鄂伦春自治旗2022年度汇总.xlsx"
    last_year.write_bytes(c.get(built["downloads"]["workbook"]).content)
    r = c.post(f"/api/seasons/{sid}/previous", files={"file": (last_year.name, last_year.read_bytes())})
    assert r.status_code == 400 and "2022" in r.json()["error"], r.text
    assert c.get(f"/api/seasons/{sid}/previous").json()["files"] == []

    out = tmp_path / "模板"
    args = [
        "template",
        "--year",
        "2023",
        "--roster",
        str(SAMPLES / "roster.csv"),
        "--previous",
        str(last_year),
    ]
    result = CliRunner().invoke(cli, [*args, "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    with client(tmp_path / "ws") as c2:
        r = c2.post("/api/seasons", json={"year": 2023, "unit_code": "150723", "unit_name": "鄂伦春自治旗"})
        sid2 = r.json()["id"]
        c2.put(
            f"/api/seasons/{sid2}/roster", files={"file": ("名单.csv", (SAMPLES / "roster.csv").read_bytes())}
        )
        r = c2.post(f"/api/seasons/{sid2}/previous", files={"file": (last_year.name, last_year.read_bytes())})
        assert r.status_code == 200, r.text
        assert [f["name"] for f in r.json()["files"]] == [last_year.name]
        z = zipfile.ZipFile(io.BytesIO(c2.get(f"/api/seasons/{sid2}/templates.zip").content))
        assert sorted(z.namelist()) == sorted(p.name for p in out.iterdir())
        for name in z.namelist():
            assert z.read(name) == (out / name).read_bytes(), name


def test_pages_render(season) -> None:  # type: ignore[no-untyped-def]
    c, sid, received = season
    for url in ("/seasons", f"/s/{sid}", f"/s/{sid}/templates", f"/s/{sid}/intake", f"/s/{sid}/merge"):
        r = c.get(url)
        assert r.status_code == 200 and '<html lang="zh-CN">' in r.text, url
    assert c.get("/").status_code == 200  # redirected to the season's roll-call
    assert c.get(f"/s/{sid}/files/{received['说明.txt']['id']}").text.count("不是 Excel 工作簿") == 1
    assert c.get("/s/99/rollcall").status_code == 404


def test_bad_season_and_roster_are_chinese_errors(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post("/api/seasons", json={"year": 25, "unit_code": "1", "unit_name": "甲"})
        assert r.status_code == 400 and "报告年度 25 不在 2000–2100 之间" in r.json()["error"]
        r = c.post("/api/seasons", json={"year": 2025, "unit_code": "", "unit_name": ""})
        assert r.status_code == 400 and "汇总单位" in r.json()["error"]
        # a year is an integer, never rounded (2025.5) nor taken from true (1); a code or name is bounded
        for year in (2025.5, "2025.5", True, "9" * 500, None, [2025]):
            r = c.post("/api/seasons", json={"year": year, "unit_code": "1", "unit_name": "甲"})
            assert r.status_code == 400 and "不是整数" in r.json()["error"], year
        r = c.post("/api/seasons", json={"year": "2025", "unit_code": "1" * 500, "unit_name": "甲"})
        assert r.status_code == 400 and "汇总单位代码有 500 个字符" in r.json()["error"]
        r = c.post("/api/seasons", json={"year": 2025, "unit_code": "1", "unit_name": "甲" * 5000})
        assert r.status_code == 400 and "汇总单位名称有 5,000 个字" in r.json()["error"]
        page = c.post("/seasons", data={"year": "2025", "unit_code": "1", "unit_name": "甲" * 5000}).text
        assert "汇总单位名称有 5,000 个字，超过 200 个（请用“单位名称”只给出单位的名称）" in page
        assert c.get("/api/seasons").json()["seasons"] == []
        sid = c.post("/api/seasons", json={"year": 2025, "unit_code": "1", "unit_name": "甲县"}).json()["id"]
        bad = "单位代码,单位名称,单位类型,上级单位代码\n11,乙镇,村,1\n".encode()
        r = c.put(f"/api/seasons/{sid}/roster", files={"file": ("名单.csv", bad)})
        assert r.status_code == 400
        assert r.json()["error"] == "名单文件 名单.csv 第 2 行：单位类型“村”不在允许范围内"
        assert c.get(f"/api/seasons/{sid}/roster").json()["units"] == []
        page = c.get(f"/s/{sid}").text
        assert "直接编辑名单" in page

        # an .xlsx roster, then edited as text on the page: the same rules, the text read as CSV
        book = openpyxl.Workbook()
        for row in (("单位代码", "单位名称", "单位类型", "上级单位代码"), ("11", "乙镇", "乡镇", "1")):
            book.active.append(row)
        buf = io.BytesIO()
        book.save(buf)
        r = c.put(f"/api/seasons/{sid}/roster", files={"file": ("名单.xlsx", buf.getvalue())})
        assert r.status_code == 200, r.text
        text = "单位代码,单位名称,单位类型,上级单位代码\n11,乙镇,乡镇,1\n12,丙镇,乡镇,1\n"
        page = c.post(f"/s/{sid}", data={"action": "roster-text", "text": text}).text
        assert "名单已保存：2 个单位。" in page
        assert [u["name"] for u in c.get(f"/api/seasons/{sid}/roster").json()["units"]] == ["乙镇", "丙镇"]
        page = c.post(f"/s/{sid}", data={"action": "roster-text", "text": text + "13,丁村,村,1\n"}).text
        assert "名单.csv 第 4 行：单位类型“村”不在允许范围内" in page
        assert len(c.get(f"/api/seasons/{sid}/roster").json()["units"]) == 2


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_archives_and_files_that_are_not_reports_as_check_takes_them(tmp_path: Path) -> None:
    a, b, c = SUBMISSIONS[:3]
    inner = _zip({c.name: c.read_bytes()})
    archive = _zip(
        {
            f"收件/{a.name}": a.read_bytes(),
            f"收件/{b.name}": b.read_bytes(),
            "收件/~$锁定.xlsx": b"lock",
            f"__MACOSX/收件/._{a.name}": b"mac",
            "../外面.xlsx": a.read_bytes(),  # a name that points outside the archive: refused, not read
            "再套一层.zip": inner,
        }
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "微信.zip").write_bytes(archive)
    options = CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), jobs=1)
    expected = check_files([tmp_path / "in"], options).report.to_dict()
    prefix = str(tmp_path / "in") + "/"
    with client(tmp_path / "ws") as c_:
        sid = season_with_roster(c_)
        r = c_.post(f"/api/seasons/{sid}/files", files={"file": ("微信.zip", archive)})
        got = r.json()
        assert {f["report"]["path"]: f["status"] for f in got["files"]} == {
            f["path"].removeprefix(prefix): f["status"] for f in expected["files"]
        }
        assert {(i["path"], i["reason"]) for i in got["ignored"]} == {
            (i["path"].removeprefix(prefix), i["reason"]) for i in expected["ignored"]
        }
        by_member = {f["member"]: f for f in got["files"]}
        assert by_member[f"收件/{a.name}"]["name"] == a.name
        assert by_member[f"再套一层.zip!{c.name}"]["status"] != "pending"
        refused = by_member["../外面.xlsx"]
        assert refused["status"] == "rejected"
        assert [i["code"] for i in refused["report"]["issues"]] == ["unsafe-workbook"]

        # kept: the same archive again is the same files; the plain files that are not reports are ignored
        again = c_.post(f"/api/seasons/{sid}/files", files={"file": ("微信.zip", archive)}).json()
        assert all(f["already_received"] for f in again["files"])
        for name in ("Thumbs.db", "~$阿里河镇.xlsx"):
            one = c_.post(f"/api/seasons/{sid}/files", files={"file": (name, b"x")}).json()
            assert one["files"] == [] and one["ignored"][0]["path"] == name
        listed = c_.get(f"/api/seasons/{sid}/files").json()
        assert len(listed["files"]) == len(got["files"])
        assert {i["path"] for i in listed["ignored"]} >= {"Thumbs.db", "微信.zip!收件/~$锁定.xlsx"}
        page = c_.get(f"/s/{sid}/intake").text
        assert "已忽略（4 个不是报表的文件" in page and "Windows 的缩略图缓存" in page

        # the refused member is a file of no unit in the roll-call (退回), as check's roll-call has it
        call = c_.get(f"/api/seasons/{sid}/rollcall").json()
        row = next(u for u in call["rows"] if refused["id"] in u["file_ids"])
        assert row["status_zh"] == "退回" and not row["on_roster"]
        page = c_.get(f"/s/{sid}/files/{refused['id']}").text
        assert "下载压缩包" in page and "下载反馈工作簿" not in page
        content = c_.get(f"/api/seasons/{sid}/files/{refused['id']}/content")
        assert content.content == archive


def test_hostile_names_are_text_never_paths_or_markup(tmp_path: Path) -> None:
    data = SUBMISSIONS[0].read_bytes()
    with client(tmp_path) as c:
        sid = season_with_roster(c)
        for name in ("<script>alert(1)</script>.xlsx", "../../x.xlsx", "..\\..\\y.xlsx", "CON.xlsx"):
            c.post(f"/api/seasons/{sid}/files", files={"file": (name, data + name.encode())})
        page = c.get(f"/s/{sid}/intake").text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert not (tmp_path.parent / "x.xlsx").exists() and not (tmp_path / "x.xlsx").exists()
        stored = {p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()}
        assert all(len(n) == 64 for n in stored)
        roll = c.get(f"/s/{sid}/rollcall").text
        assert "<script>alert" not in roll
        r = c.get(f"/api/seasons/{sid}/files/1/content")
        assert "%3Cscript%3E" not in r.headers["content-disposition"]  # a safe file name


def test_request_limit(tmp_path: Path) -> None:
    with client(tmp_path, max_request=200_000) as c:
        sid = season_with_roster(c)
        r = c.post(f"/api/seasons/{sid}/files", files={"file": ("大.xlsx", b"x" * 300_000)})
        assert r.status_code == 413 and "超过上限" in r.text
        assert c.get(f"/api/seasons/{sid}/files").json()["files"] == []


def test_the_readers_limits_apply_to_each_file_as_check_applies_them(tmp_path: Path) -> None:
    """A file over the workspace's limits is refused at its check with the reader's file-too-large, the
    entry `check` gives with the same limits; the request itself is within the request limit."""
    limits = Limits(max_file_size=10_000)
    path = next(p for p in SUBMISSIONS if p.name.startswith("吉文镇"))
    with TestClient(
        create_app(Workspace(tmp_path, limits=limits), background=False), base_url="http://127.0.0.1:8765"
    ) as c:
        sid = season_with_roster(c)
        (got,) = c.post(f"/api/seasons/{sid}/files", files={"file": (path.name, path.read_bytes())}).json()[
            "files"
        ]
    options = CheckOptions(year=2022, roster=load_roster(SAMPLES / "roster.csv"), limits=limits, jobs=1)
    expected = check_files([path], options).report.files[0].to_dict()
    assert got["status"] == "rejected" and [i["code"] for i in got["report"]["issues"]] == ["file-too-large"]
    assert got["report"] == {**expected, "path": path.name}


def test_browser_forms_need_the_csrf_token(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        origin = {"origin": "http://127.0.0.1:8765"}
        form = {"year": "2025", "unit_code": "1", "unit_name": "甲县"}
        assert c.post("/seasons", data=form, headers=origin).status_code == 403
        token = c.get("/api/session").json()["csrf"]
        assert f'value="{token}"' in c.get("/seasons").text
        r = c.post("/seasons", data={**form, "csrf": token}, headers=origin, follow_redirects=False)
        assert r.status_code == 303
        evil = {"origin": "http://evil.example", "x-csrf-token": token}
        assert c.post("/api/seasons", json={"year": 2025}, headers=evil).status_code == 403


def test_a_page_of_another_host_name_is_refused(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        assert c.get("/seasons", headers={"host": "evil.example:8765"}).status_code == 400
        assert c.get("/seasons", headers={"host": "localhost:8765"}).status_code == 200


def test_token_rule(tmp_path: Path) -> None:
    app_client = client(tmp_path, token="s3cret-token")
    with TestClient(app_client.app, base_url="http://192.168.1.5:8765") as c:
        assert c.get("/seasons").status_code == 401
        assert c.get("/api/seasons").status_code == 401
        assert c.get("/api/seasons", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/seasons", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
        r = c.get("/seasons?token=s3cret-token", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/seasons"
        assert "HttpOnly" in r.headers["set-cookie"]
        assert c.get("/seasons").status_code == 200  # the cookie set by the first visit


def test_serve_in_chinese_a_port_in_use_and_a_workspace_that_is_a_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tianbao.cli.main import app

    runner = CliRunner()
    shown = runner.invoke(app, ["serve", "--help"]).output
    assert "用法：tianbao serve [选项]" in shown and "Usage" not in shown and "默认：8765" in shown
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = runner.invoke(app, ["serve", "--workspace", str(tmp_path), "--port", str(port), "--no-browser"])
    assert r.exit_code == 2 and f"端口 {port} 已被占用" in r.output and "Traceback" not in r.output
    (tmp_path / "工作区.txt").write_text("x")
    r = runner.invoke(app, ["serve", "--workspace", str(tmp_path / "工作区.txt"), "--no-browser"])
    assert r.exit_code == 2 and "是一个文件" in r.output


def test_the_frameworks_own_errors_are_said_in_chinese(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.delete("/api/seasons")
        assert r.status_code == 405 and r.json()["error"] == "不支持这种请求方法"
        assert "GET" in r.headers["allow"]
        r = c.get("/api/no-such-thing")
        assert r.status_code == 404 and r.json()["error"] == "找不到这个页面或文件"
        page = c.get("/no/such/page")
        assert (
            page.status_code == 404 and "找不到这个页面或文件" in page.text and "Not Found" not in page.text
        )
        sid = c.post("/api/seasons", json={"year": 2025, "unit_code": "1", "unit_name": "甲县"}).json()["id"]
        many = [("file", (f"{i}.txt", b"x")) for i in range(1001)]
        r = c.post(f"/api/seasons/{sid}/files", files=many)
        assert r.status_code == 400 and r.json()["error"] == "一次上传的文件超过 1000 个，请分批上传"
        broken = {"content-type": "multipart/form-data"}  # no boundary
        r = c.post(f"/api/seasons/{sid}/files", content=b"--x\r\n", headers=broken)
        assert r.status_code == 400 and "请求的表单无法读出" in r.json()["error"]
        assert c.get(f"/api/seasons/{sid}/files").json()["files"] == []
        # our own messages are kept as they are
        assert c.get("/api/seasons/99/rollcall").json()["error"] == "找不到这个年度"
