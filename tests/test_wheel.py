"""The package as a Windows clerk installs it: a wheel built from the checkout, installed into a fresh virtual
environment outside it, gives a working `tianbao` — template, fill, check and merge — run from a folder outside
the checkout, on paths with spaces and Chinese characters, with a GBK roster with CRLF line ends (as Excel
saves “CSV（逗号分隔）” on a Chinese Windows).

The fresh environment gets tianbao only from the wheel; its dependencies (pandas, openpyxl …) it borrows from
the test's own environment through a path entry (installing them again from the network would take minutes and
test pip, not tianbao). The test checks that tianbao itself is imported from the fresh environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from consolidation_data import balanced

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["COLUMNS"] = "100"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `tianbao` executable of a fresh environment with the wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO),
        ],
        cwd=root,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("tianbao-*.whl")
    env_dir = root / "干净的 环境"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    scripts = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root
        ).stdout.strip()
    )
    # Dependencies from this environment, after the fresh one's own site-packages (a plain path entry: the
    # editable install of the checkout, a .pth file there, is not processed).
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        cwd=root,
    )
    assert pip.returncode == 0, pip.stderr
    where = _run([str(python), "-c", "import tianbao; print(tianbao.__file__)"], cwd=root)
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where
    return scripts / ("tianbao.exe" if os.name == "nt" else "tianbao")


def test_the_installed_wheel_runs_the_season_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "县 政务公开 2025"  # spaces and Chinese characters in every path
    work.mkdir()
    roster = work / "名单.csv"
    roster.write_bytes(
        "单位代码,单位名称,单位类型,上级单位代码\r\n150723100,阿里河镇人民政府,乡镇,150723\r\n"
        "150723101,大杨树镇人民政府,乡镇,150723\r\n".encode("gbk")
    )
    tianbao = str(installed)
    made = _run([tianbao, "template", "--year", "2025", "--roster", "名单.csv", "-o", "模板 文件"], cwd=work)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "已为 2 个单位生成模板，保存在 模板 文件"
    templates = sorted((work / "模板 文件").glob("*.xlsx"))
    assert [t.name for t in templates] == [
        "150723100_阿里河镇人民政府_2025年度政府信息公开报表.xlsx",
        "150723101_大杨树镇人民政府_2025年度政府信息公开报表.xlsx",
    ]
    values = work / "数值.json"
    values.write_text(json.dumps({**balanced(1), "meta.filled_by": "张三", "meta.phone": "123"}), "utf-8")
    inbox = work / "回收 文件"
    filled = _run(
        [tianbao, "fill", str(templates[0]), "--values", "数值.json", "-o", "回收 文件/阿里河镇.xlsx"],
        cwd=work,
    )
    assert filled.returncode == 0, filled.stderr
    checked = _run(
        [tianbao, "check", "回收 文件", "--year", "2025", "--roster", "名单.csv", "--json"], cwd=work
    )
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert [(Path(f["path"]).name, f["status"]) for f in report["files"]] == [("阿里河镇.xlsx", "accepted")]
    assert [(r["unit_code"], r["status_zh"]) for r in report["roll_call"]["rows"]] == [
        ("150723100", "已通过"),
        ("150723101", "未报送"),
    ]
    merged = _run(
        [
            tianbao,
            "merge",
            str(inbox),
            "--year",
            "2025",
            "--roster",
            "名单.csv",
            "--unit-name",
            "鄂伦春自治旗",
            "-o",
            "汇总 表.xlsx",
        ],
        cwd=work,
    )
    assert merged.returncode == 0, merged.stderr
    assert (work / "汇总 表.xlsx").stat().st_size > 0
    python = installed.parent / ("python.exe" if os.name == "nt" else "python")
    module = _run([str(python), "-m", "tianbao", "codes"], cwd=work)  # `py -m tianbao` where PATH lacks it
    assert module.returncode == 0 and "file-unreadable" in module.stdout
    assert "未报送（1 个单位）：大杨树镇人民政府（150723101）" in merged.stdout
    assert sorted(p.name for p in inbox.iterdir()) == ["阿里河镇.xlsx"]
