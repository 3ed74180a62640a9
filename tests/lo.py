"""LibreOffice as a real spreadsheet engine for the tests: recalculate workbooks and save them as .xlsx.

One `soffice` invocation converts a whole batch (starting LibreOffice takes seconds). It runs with a private
profile whose settings make Calc recalculate every formula on load, so the saved cached values are LibreOffice's
own results, never values stored by the writer.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

TIMEOUT = 180  # seconds for one batch
FILTER = "xlsx:Calc MS Excel 2007 XML"  # one argument; no shell, so no quotes

# /org.openoffice.Office.Calc/Formula/Load: 0 = always recalculate, 1 = never, 2 = ask (prompt).
RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_profiles: dict[int, Path] = {}


class LibreOfficeError(RuntimeError):
    """LibreOffice failed, timed out or did not write every output."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def profile_dir() -> Path:
    """A private LibreOffice profile for this process (pytest-xdist workers must not share one)."""
    pid = os.getpid()
    if pid not in _profiles:
        root = Path(tempfile.mkdtemp(prefix="tianbao-lo-profile-"))
        user = root / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _profiles[pid] = root
    return _profiles[pid]


def recalc_and_save(paths: Sequence[str | os.PathLike[str]], outdir: str | os.PathLike[str]) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate it and save it as .xlsx in `outdir`.

    Returns the output paths in the order of `paths`. Raises LibreOfficeError with LibreOffice's output
    when it fails, hangs longer than TIMEOUT or leaves an output missing.
    """
    return convert(paths, outdir, FILTER, ".xlsx")


def convert(
    paths: Sequence[str | os.PathLike[str]], outdir: str | os.PathLike[str], filter: str, suffix: str
) -> list[Path]:
    """Convert each file with LibreOffice's `filter` (e.g. "pdf") into `outdir`, in one batch."""
    exe = soffice()
    if exe is None:
        raise LibreOfficeError("soffice (LibreOffice) is not on PATH")
    sources = [Path(p).resolve() for p in paths]
    names = [p.name for p in sources]
    if len(set(names)) != len(names):
        raise LibreOfficeError(f"the outputs would overwrite each other (same file names): {names}")
    out = Path(outdir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / (p.stem + suffix) for p in sources]
    if any(t in sources for t in targets):
        raise LibreOfficeError("outdir must differ from the folder of the inputs")
    for t in targets:
        t.unlink(missing_ok=True)
    cmd = [
        exe,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile_dir().as_uri()}",
        "--convert-to",
        filter,
        "--outdir",
        str(out),
        *map(str, sources),
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # soffice starts soffice.bin: kill the whole group on timeout
    )
    try:
        output, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise LibreOfficeError(f"LibreOffice did not finish {len(sources)} files in {TIMEOUT} s") from None
    text = output.decode("utf-8", "replace")
    missing = [t.name for t in targets if not t.is_file()]
    if proc.returncode != 0 or missing:
        raise LibreOfficeError(
            f"LibreOffice exit code {proc.returncode}; missing outputs {missing}\n$ {' '.join(cmd)}\n{text}"
        )
    return targets
