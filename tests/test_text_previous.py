"""Last year's 正文 through `--previous` (the one reader, reading.previous.read_previous): `check` warns about a
section copied from last year's report, whichever of last year's files holds it — the unit's own workbook, or
the consolidated workbook together with it — and only for a report of the year after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import make_fixtures as fx
from typer.testing import CliRunner

from tianbao.cli.main import app
from tianbao.consolidation import merge_files, write_consolidated
from tianbao.options import CheckOptions
from tianbao.reading.previous import read_previous
from tianbao.spec import load_spec
from tianbao.validation import check_files

SPEC = load_spec("2021")
YEAR = fx.YEAR  # 2025
PROBLEMS = "信息更新不够及时。公开内容还不够全面。工作人员业务水平有待提高。{year}年将加强业务培训工作。"
runner = CliRunner()


def written(path: Path, year: int, **kwargs: Any) -> Path:
    return fx.filled(path, {"text.problems": PROBLEMS.format(year=year + 1)}, year=year, **kwargs)


def repeated(run: Any) -> list[str]:
    return [i.cell_id for f in run.report.files for i in f.submission.issues if i.code == "text-repeated"]


def test_a_section_copied_from_last_year_s_workbook(tmp_path: Path) -> None:
    last = written(tmp_path / "2024.xlsx", 2024)
    this = written(tmp_path / "2025" / "诺敏镇.xlsx", YEAR)
    result = runner.invoke(
        app,
        ["check", str(this), "--year", str(YEAR), "--previous", str(last), "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (issue,) = json.loads(result.stdout)["files"][0]["issues"]
    assert (issue["code"], issue["severity"], issue["cell_id"]) == (
        "text-repeated",
        "warning",
        "text.problems",
    )
    assert issue["sheet"] == "正文" and "4 句中有 4 句与上年报告相同" in issue["message"]


def test_rewritten_this_year_is_no_warning(tmp_path: Path) -> None:
    last = written(tmp_path / "2024.xlsx", 2024)
    this = fx.filled(tmp_path / "诺敏镇.xlsx", {"text.problems": "今年新设了查阅点。群众意见箱已启用。"})
    run = check_files([this], CheckOptions(year=YEAR, previous=read_previous(last, SPEC, year=YEAR)))
    assert repeated(run) == []


def test_last_year_s_text_from_the_unit_s_file_beside_the_consolidated_one(tmp_path: Path) -> None:
    """明细 holds no text: the unit's text is the one its own file has, in either order."""
    towns = [
        written(tmp_path / "last" / "诺敏镇.xlsx", 2024),
        fx.filled(tmp_path / "last" / "阿里河镇.xlsx", unit=fx.OTHER, year=2024),
    ]
    merged = merge_files(towns, CheckOptions(year=2024, jobs=1), unit_code="150723", unit_name="鄂伦春自治旗")
    county = tmp_path / "汇总.xlsx"
    write_consolidated(merged, county)
    this = written(tmp_path / "诺敏镇.xlsx", YEAR)
    for given in ([county, towns[0]], [towns[0], county]):
        previous = read_previous(given, SPEC, year=YEAR)
        assert previous.text_for(fx.UNIT.code, YEAR) == {"text.problems": PROBLEMS.format(year=2025)}
        assert previous.text_for(fx.OTHER.code, YEAR) is None  # wrote none
        run = check_files([this], CheckOptions(year=YEAR, previous=previous))
        assert repeated(run) == ["text.problems"]
    alone = read_previous([county], SPEC, year=YEAR)
    assert alone.text_for(fx.UNIT.code, YEAR) is None  # a row of 明细: values, no text


def test_only_for_the_year_after(tmp_path: Path) -> None:
    """A run without --year may hold reports of several years: last year's text is not compared with a
    report of another year."""
    previous = read_previous(written(tmp_path / "2024.xlsx", 2024), SPEC)
    assert previous.text_for(fx.UNIT.code, 2025) is not None
    assert previous.text_for(fx.UNIT.code, 2026) is None
