"""The bundled samples (samples/): every file gets the verdict and issue codes samples/expected.json lists,
the committed files are what samples/make_samples.py generates today, and `python -m tianbao.demo` runs."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tianbao.demo import consolidation_available
from tianbao.options import CheckOptions
from tianbao.roster import load_roster
from tianbao.validation import CheckRun, check_files

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SUBMISSIONS = SAMPLES / "submissions"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
FILES: dict[str, dict] = EXPECTED["files"]


def relative(path: str | Path) -> str:
    return Path(path).resolve().relative_to(SUBMISSIONS.resolve()).as_posix()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path → bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def run() -> CheckRun:
    return check_files(
        [SUBMISSIONS],
        CheckOptions(year=EXPECTED["year"], roster=load_roster(REPO / EXPECTED["roster"]), jobs=1),
    )


@pytest.fixture(scope="module")
def by_file(run: CheckRun) -> dict[str, dict]:
    return {relative(f.path): f.to_dict() for f in run.report.files}


def test_expected_lists_every_sample() -> None:
    assert sorted(tree(SUBMISSIONS)) == sorted(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_sample_verdict(by_file: dict[str, dict], name: str) -> None:
    got = by_file[name]
    want = FILES[name]
    found = sorted({i["code"] for i in got["issues"]})
    messages = [f"{i['code']}: {i['message']}" for i in got["issues"]]
    assert (got["status"], found) == (want["status"], want["codes"]), messages
    assert (got["unit"] or {}).get("code") == want["unit"]


def test_every_verdict_is_represented() -> None:
    statuses = {f["status"] for f in FILES.values()}
    assert statuses == {"accepted", "accepted_with_warnings", "rejected"}


def load_make_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the module runs
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_samples_are_up_to_date(tmp_path: Path) -> None:
    """Regenerate the samples and compare bytes: after changing the templates or SAMPLES, rerun
    `.venv/bin/python samples/make_samples.py` and commit the result."""
    load_make_samples().build(tmp_path)
    fresh, committed = tree(tmp_path / "submissions"), tree(SUBMISSIONS)
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"samples/submissions is out of date (rerun samples/make_samples.py): {stale}"
    for name in ("expected.json", "README.md"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


@pytest.mark.slow
def test_demo_runs(tmp_path: Path) -> None:
    out = tmp_path / "demo-output"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "tianbao.demo", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    templates, feedback = out / "模板", out / "反馈"
    assert str(templates) in proc.stdout
    assert str(feedback) in proc.stdout
    roster = load_roster(SAMPLES / "roster.csv")
    assert len(list(templates.glob("*.xlsx"))) == len(roster) + 1  # one per unit and the blank one
    kinds = {
        "_退回修改": 4,
        "_核实": 6,
        "年度新模板_请重新填写": 2,
    }  # as check --feedback --feedback-warnings
    assert {k: len(list(feedback.glob(f"*{k}.xlsx"))) for k in kinds} == kinds
    assert "已生成 12 份反馈工作簿（退回修改 4 份，核实 6 份，新模板 2 份）" in proc.stdout
    reports = out / "年度报告"
    nuomin = reports / "鄂伦春自治旗诺敏镇人民政府2022年政府信息公开工作年度报告.html"
    assert nuomin.is_file() and "待填写" not in nuomin.read_text("utf-8")  # its 正文 is whole
    assert len(list(reports.glob("*.docx"))) == len(list(reports.glob("*.html"))) == 9  # one per unit passed
    if consolidation_available():
        merged = out / "鄂伦春自治旗2022年汇总.xlsx"
        assert merged.is_file()
        assert str(merged) in proc.stdout
        # Which count is of files and which of units, said where both are shown.
        assert "检查结果（按文件计）：通过 4，通过（有警告）6，退回 7。" in proc.stdout
        assert "汇总了 9 个单位的报表（按单位计）。" in proc.stdout
        assert "报送情况（按单位计，名单中 15 个单位）：已通过 3，有警告 6，退回 5，未报送 1。" in proc.stdout


@pytest.mark.skipif(not consolidation_available(), reason="tianbao.consolidation is not installed")
def test_merge_status_of_every_sample() -> None:
    """报送情况 of the merged samples: each file's status as expected.json says, and the unit that sent
    nothing is 未报送."""
    from tianbao.consolidation import merge_files

    roster = load_roster(REPO / EXPECTED["roster"])
    result = merge_files(
        [SUBMISSIONS], CheckOptions(year=EXPECTED["year"], roster=roster, jobs=1), unit_name="鄂伦春自治旗"
    )
    by_file = {row.files: row.status for row in result.rows if row.files}
    assert by_file == {name: f["merge"] for name, f in FILES.items()}
    missing = {row.unit_code: row.status for row in result.rows if not row.files}
    assert missing == dict.fromkeys(EXPECTED["not_submitted"], "未报送")
