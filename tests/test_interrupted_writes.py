"""Nothing left behind when writing a workbook fails: a full disk, Ctrl+C, any exception, at any point of the
write. xlsxwriter assembled a consolidated workbook in 10–16 temporary files in the system's temporary folder
and left them there; the garbage collector then flushed its open files onto the full disk (“Exception ignored”
on stderr). Now: no stray file anywhere (the output folder, the temporary folder), an existing output unchanged,
nothing on stderr but the command's Chinese message; and Ctrl+C sent to a real `tianbao merge` (the whole
process group, as a terminal does) ends it with exit code 130, a Chinese message and nothing left."""

from __future__ import annotations

import errno
import gc
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import make_fixtures as fx
import pytest
from typer.testing import CliRunner

import tianbao.template.book as book
from tianbao.cli.main import app
from tianbao.consolidation import Consolidation, merge_files, write_consolidated
from tianbao.consolidation.bulk import BulkSheet
from tianbao.options import CheckOptions

TIANBAO = Path(sys.executable).with_name("tianbao")


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Consolidation:
    folder = tmp_path_factory.mktemp("towns")
    towns = [fx.filled(folder / f"{u.code}.xlsx", unit=u) for u in (fx.UNIT, fx.OTHER, fx.THIRD)]
    return merge_files(
        towns, CheckOptions(year=fx.YEAR, jobs=1), unit_code="150723", unit_name="鄂伦春自治旗"
    )


@pytest.fixture
def system_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The system's temporary folder, for this test: empty, and checked empty afterwards by the tests."""
    folder = tmp_path / "系统临时文件夹"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What would be printed as “Exception ignored in …” (collected here instead)."""
    seen: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    return seen


class Full(io.FileIO):
    """A file on a disk with `budget[0]` bytes free (shared by every file opened so)."""

    budget: ClassVar[list[int]] = [0]

    def write(self, data: Any) -> int:
        if len(data) > self.budget[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.budget[0] -= len(data)
        return super().write(data)


def full_open(file: Any, mode: str = "r", *args: Any, encoding: str | None = None, **kwargs: Any) -> Any:
    raw = Full(file, mode.replace("b", "").replace("t", ""))
    buffered = io.BufferedWriter(raw)
    return buffered if "b" in mode else io.TextIOWrapper(buffered, encoding=encoding or "utf-8")


def interrupt_after(n: int) -> Any:
    """A `BulkSheet._render` that is interrupted (Ctrl+C) after `n` rows."""
    real = BulkSheet._render

    def render(self: BulkSheet) -> Iterator[str]:
        for i, text in enumerate(real(self)):
            if i == n:
                raise KeyboardInterrupt
            yield text

    return render


# where the write fails: (what is patched, how)
FAILURES = {
    "disk full in the first part": ("parts", 100),
    "disk full in 明细": ("parts", 60_000),
    "disk full in the last parts": ("parts", 150_000),
    "disk full in the zip": ("zip", 5_000),
    "disk full at the zip's end": ("zip", 30_000),
    "Ctrl+C in 明细": ("interrupt", 1),
    "an error in 明细": ("error", 1),
}


def inject(how: str, amount: int, monkeypatch: pytest.MonkeyPatch) -> type[BaseException]:
    if how == "parts":
        Full.budget[0] = amount
        monkeypatch.setattr(book, "open", full_open, raising=False)  # the parts xlsxwriter opens
        return OSError
    if how == "zip":
        Full.budget[0] = amount
        monkeypatch.setattr(zipfile.io, "open", full_open)  # the zip itself
        return OSError
    if how == "interrupt":
        monkeypatch.setattr(BulkSheet, "_render", interrupt_after(amount))
        return KeyboardInterrupt
    monkeypatch.setattr(BulkSheet, "_render", lambda self: iter([1 / 0]))
    return ZeroDivisionError


def assert_clean(folder: Path, system_tmp: Path, unraisable: list[Any], keep: set[str]) -> None:
    gc.collect()  # whatever the failure left, finalised now: nothing may be flushed, nothing printed
    assert sorted(p.name for p in folder.iterdir()) == sorted(keep)
    assert list(system_tmp.iterdir()) == []
    assert unraisable == [], [u.exc_value for u in unraisable]


@pytest.mark.parametrize("where", list(FAILURES))
def test_a_failed_write_leaves_nothing_behind(
    where: str,
    merged: Consolidation,
    tmp_path: Path,
    system_tmp: Path,
    unraisable: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "输出"
    out.mkdir()
    target = out / "汇总.xlsx"
    write_consolidated(merged, target)
    before = target.read_bytes()
    with monkeypatch.context() as m:
        raised = inject(*FAILURES[where], m)
        with pytest.raises(raised):
            write_consolidated(merged, target)
    assert target.read_bytes() == before  # the earlier output, whole
    assert_clean(out, system_tmp, unraisable, {"汇总.xlsx"})
    write_consolidated(merged, target)  # and the next write works
    assert target.read_bytes() == before


def test_the_budgets_do_fail_the_write_where_they_say(merged: Consolidation, tmp_path: Path) -> None:
    """Not vacuous: written whole, the parts and the zip are larger than every budget above."""
    target = tmp_path / "汇总.xlsx"
    write_consolidated(merged, target)
    with zipfile.ZipFile(target) as z:
        unzipped = sum(i.file_size for i in z.infolist())
    assert target.stat().st_size > 30_000 and unzipped > 150_000


@pytest.mark.parametrize("where", ["disk full in 明细", "Ctrl+C in 明细"])
def test_merge_says_so_in_chinese(
    where: str,
    merged: Consolidation,
    tmp_path: Path,
    system_tmp: Path,
    unraisable: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox = tmp_path / "回收"
    inbox.mkdir()
    for m in merged.members:
        (inbox / Path(m.submission.path).name).write_bytes(Path(m.submission.path).read_bytes())
    out = tmp_path / "输出"
    out.mkdir()
    inject(*FAILURES[where], monkeypatch)
    args = [
        "merge",
        str(inbox),
        "--year",
        str(fx.YEAR),
        "--unit",
        "150723",
        "--unit-name",
        "鄂伦春自治旗",
        "-o",
        str(out / "汇总.xlsx"),
        "-j",
        "1",
    ]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, SystemExit), result.output  # no traceback
    if where.startswith("Ctrl+C"):
        assert result.exit_code == 130 and "已中断" in result.output
    else:
        assert result.exit_code == 2 and "磁盘空间不足" in result.output
    assert_clean(out, system_tmp, unraisable, set())


# --- Ctrl+C to a real process ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 submissions of 400 units: a blank template filled once, its unit code changed in each copy."""
    folder = tmp_path_factory.mktemp("many")
    first = fx.filled(
        folder / "样本.xlsx", {"meta.unit_code": "190000000", "meta.unit_name": "某镇"}, unit=None
    )
    data = first.read_bytes()
    first.unlink()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        items = {i.filename: z.read(i) for i in z.infolist()}
    for i in range(400):
        code = f"19{i:07d}".encode()
        copy = dict(
            items,
            **{"xl/worksheets/sheet1.xml": items["xl/worksheets/sheet1.xml"].replace(b"190000000", code)},
        )
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, member in copy.items():
                z.writestr(name, member)
        (folder / f"{i:03d}.xlsx").write_bytes(buf.getvalue())
    return folder


def interrupted_merge(
    many: Path, tmp_path: Path, when: str
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """Run `tianbao merge` in its own process group and press Ctrl+C: `when` "reading" (half a second in) or
    "writing" (as soon as the workbook's private temporary folder appears)."""
    system_tmp, out = tmp_path / "tmp", tmp_path / "输出"
    system_tmp.mkdir(parents=True)
    out.mkdir()
    env = {**os.environ, "TMPDIR": str(system_tmp), "COLUMNS": "200"}
    args = [
        str(TIANBAO),
        "merge",
        str(many),
        "--year",
        str(fx.YEAR),
        "--unit",
        "19",
        "--unit-name",
        "某市",
        "-o",
        str(out / "汇总.xlsx"),
        "-j",
        "2",
    ]
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 120
    if when == "reading":
        time.sleep(0.5)
    else:
        while proc.poll() is None and time.monotonic() < deadline and not any(system_tmp.glob("tianbao-*")):
            time.sleep(0.0005)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl+C does: to the whole process group
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr), out, system_tmp


@pytest.mark.slow
@pytest.mark.parametrize("when", ["reading", "writing"])
def test_ctrl_c_ends_merge_cleanly(when: str, many: Path, tmp_path: Path) -> None:
    for _attempt in range(3):  # “writing”: caught only if Ctrl+C lands before the write ends
        result, out, system_tmp = interrupted_merge(many, tmp_path / f"{when}{_attempt}", when)
        if result.returncode == 130:
            break
    assert result.returncode == 130, result.stdout + result.stderr
    assert "已中断" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    assert list(out.iterdir()) == [] and list(system_tmp.iterdir()) == []


def test_ctrl_c_while_typer_still_parses_says_so(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """Ctrl+C before a command's own handling (typer turns it into exit code 130 without a word) still
    ends with “已中断。”: the moment the real-process tests above hit only by chance."""
    from tianbao.cli import main as cli_main
    from tianbao.cli.usage import ChineseGroup

    def interrupted(self: object, ctx: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ChineseGroup, "invoke", interrupted)
    monkeypatch.setattr(sys, "argv", ["tianbao", "codes"])
    with pytest.raises(SystemExit) as exited:
        cli_main.main()
    assert exited.value.code == 130
    assert "已中断" in capsys.readouterr().err
