"""End to end in a real browser: Playwright driving Debian's chromium (/usr/bin/chromium; Playwright's own
browser download is not used) against a real `tianbao serve`. A clerk creates a season, uploads the roster
and the samples by the file picker, reads the roll-call, opens a unit, downloads a return copy and the
consolidated workbook. Screenshots are saved in the test's temporary folder."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import make_fixtures as fx
import openpyxl
import pytest

from consolidation_data import issue_list
from test_web_durability import free_port, kill, start
from tianbao.validation.report import STATUS_ZH
from web_helpers import SAMPLES, SUBMISSIONS

EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="needs Debian's chromium (.ci/run installs it)",
    ),
]


def test_a_season_in_the_browser(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    workspace, shots = tmp_path / "ws", tmp_path / "screenshots"
    shots.mkdir()
    port = free_port()
    server = start(workspace, port)
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"),
                executable_path=str(CHROMIUM),
                args=ARGS,
                headless=True,
                viewport={"width": 1366, "height": 768},
                accept_downloads=True,
                locale="zh-CN",
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_label("报告年度").fill("2022")
            page.get_by_label("汇总单位代码").fill("150723")
            page.get_by_label("汇总单位名称").fill("鄂伦春自治旗")
            page.screenshot(path=str(shots / "01-新建年度.png"), full_page=True)
            page.get_by_role("button", name="新建", exact=True).click()
            page.wait_for_url("**/s/1")
            page.locator("form:has(input[value=roster]) input[type=file]").set_input_files(
                SAMPLES / "roster.csv"
            )
            page.get_by_role("button", name="上传名单", exact=True).click()
            page.get_by_text("名单已更新：15 个单位。").wait_for()
            page.screenshot(path=str(shots / "02-年度与名单.png"), full_page=True)

            page.get_by_role("link", name="模板").click()
            page.get_by_role("link", name="下载全部模板（zip）").wait_for()
            page.screenshot(path=str(shots / "02b-模板.png"), full_page=True)

            page.get_by_role("link", name="收件").click()
            page.locator("#pick").set_input_files([str(p) for p in SUBMISSIONS])
            rows = page.locator("#progress-rows tr")
            page.wait_for_function(
                "n => document.querySelectorAll('#progress-rows tr').length === n && "
                "![...document.querySelectorAll('#progress-rows tr td:nth-child(3)')]"
                ".some(td => /等待|上传中|检查中/.test(td.textContent))",
                arg=len(SUBMISSIONS),
                timeout=120_000,
            )
            assert rows.count() == len(SUBMISSIONS)
            verdicts = page.locator("#progress-rows tr td:nth-child(3)").all_inner_texts()
            assert sorted(verdicts) == sorted(STATUS_ZH[f["status"]] for f in EXPECTED["files"].values())
            page.get_by_role("heading", name=f"已收到（{len(SUBMISSIONS)} 个文件）").wait_for()

            # a zip from a chat app: a file already received and the lock file Excel left beside it
            archive = tmp_path / "微信文件.zip"
            with zipfile.ZipFile(archive, "w") as z:
                z.write(SUBMISSIONS[0], f"收件/{SUBMISSIONS[0].name}")
                z.writestr(f"收件/~${SUBMISSIONS[0].name}", b"lock")
            page.locator("#pick").set_input_files(str(archive))
            page.get_by_role("heading", name="已忽略（1 个不是报表的文件，不检查、不计入）").wait_for()
            texts = page.locator("#progress-rows").inner_text()
            assert "压缩包：2 个文件" in texts and "（已收到过）" in texts and "已忽略" in texts, texts[-600:]
            page.screenshot(path=str(shots / "03-收件.png"), full_page=True)

            page.get_by_role("link", name="报送情况").click()
            page.get_by_text("截止日期 2023年1月31日").wait_for()
            assert (
                "名单中 15 个单位：9 个已计入汇总，5 个退回待修改，1 个未报送"
                in page.locator(".summary").inner_text()
            )
            passed = {f["unit"] for f in EXPECTED["files"].values() if f["merge"] == "已通过"}
            assert page.locator(".counts").inner_text().split()[:2] == [str(len(passed)), "已通过"]
            missing = page.locator("table.rollcall tr", has_text="未报送")
            assert missing.count() == 1 and "古里乡人民政府" in missing.inner_text()
            page.screenshot(path=str(shots / "04-报送情况.png"), full_page=True)

            page.get_by_role("link", name="吉文镇人民政府").click()
            page.get_by_role("heading", name="报表数值").wait_for()
            explain = page.locator("form.explain").first
            explain.locator("input[name=text]").fill("本年确无此类事项，已核实。")
            explain.get_by_role("button", name="保存").click()  # sent by htmx, the page's main part replaced
            page.wait_for_function(
                "() => [...document.querySelectorAll('form.explain input[name=text]')]"
                ".some(i => i.defaultValue === '本年确无此类事项，已核实。')"
            )
            assert explain.locator(".saved").inner_text() == "已保存"
            page.screenshot(path=str(shots / "05-单位.png"), full_page=True)
            page.get_by_role("link", name="← 报送情况").click()
            page.get_by_role("link", name="乌鲁布铁镇人民政府").click()
            page.get_by_role("heading", name="报表数值").wait_for()
            page.screenshot(path=str(shots / "06-退回的单位.png"), full_page=True)
            with page.expect_download() as got:
                page.locator("table.list a", has_text="下载").first.click()
            returned = got.value
            assert returned.suggested_filename == "150723102_乌鲁布铁镇人民政府_退回修改.xlsx"
            returned.save_as(tmp_path / returned.suggested_filename)
            assert "问题清单" in openpyxl.load_workbook(tmp_path / returned.suggested_filename).sheetnames

            page.get_by_role("link", name="汇总").click()
            page.get_by_role("button", name="生成汇总表").click()
            page.get_by_text("最近一次汇总").wait_for(timeout=120_000)
            page.screenshot(path=str(shots / "07-汇总.png"), full_page=True)
            with page.expect_download() as got:
                page.get_by_role("link", name="下载汇总表").click()
            merged = got.value
            assert merged.suggested_filename == "鄂伦春自治旗2022年度汇总.xlsx"
            merged.save_as(tmp_path / merged.suggested_filename)
            wb = openpyxl.load_workbook(tmp_path / merged.suggested_filename, read_only=True)
            assert {"明细", "报送情况", "问题清单", "来源"} <= set(wb.sheetnames)
            notes = [
                r["说明"]
                for r in issue_list(tmp_path / merged.suggested_filename)
                if r["单位代码"] == "150723104"
            ]
            assert "本年确无此类事项，已核实。" in notes
            with page.expect_download() as got:
                page.locator("a[href$='/html']").click()
            report = got.value
            assert report.suggested_filename.endswith(".html") and "鄂伦春自治旗" in report.suggested_filename
            report.save_as(tmp_path / report.suggested_filename)
            html = (tmp_path / report.suggested_filename).read_text(encoding="utf-8")
            assert "主动公开政府信息情况" in html and "【待填写" in html
            assert page.locator("p.warning", has_text="正文未填写").count() == 1

            # the county's own text (本级正文), then the report again: it has the text
            text = fx.filled(tmp_path / "旗本级正文.xlsx", {"text.problems": "全旗的问题及改进。"}, year=2022)
            page.locator("form:has(input[value=text]) input[type=file]").set_input_files(text)
            page.get_by_role("button", name="上传", exact=True).click()
            page.get_by_text("已使用本级正文").wait_for()
            assert "更换了本级正文" in page.locator("p.warning").first.inner_text()
            with page.expect_navigation(timeout=120_000):
                page.get_by_role("button", name="生成汇总表").click()
            assert page.locator("p.warning", has_text="更换了本级正文").count() == 0
            page.screenshot(path=str(shots / "08-本级正文.png"), full_page=True)
            with page.expect_download() as got:
                page.locator("a[href$='/html']").click()
            got.value.save_as(tmp_path / "报告2.html")
            assert "全旗的问题及改进。" in (tmp_path / "报告2.html").read_text(encoding="utf-8")
            browser.close()
    finally:
        kill(server)
    print(f"screenshots: {shots}")
