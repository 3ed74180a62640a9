"""LibreOffice as a real spreadsheet engine for the tests: recalculate workbooks and save them as .xlsx, or
print them to PDF (read back with poppler's pdfinfo and pdftotext).

One `soffice` invocation converts a whole batch (starting LibreOffice takes seconds). It runs with a private
profile whose settings make Calc recalculate every formula on load, so the saved cached values are LibreOffice's
own results, never values stored by the writer.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
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
    return _convert(paths, outdir, FILTER, ".xlsx")


def print_to_pdf(paths: Sequence[str | os.PathLike[str]], outdir: str | os.PathLike[str]) -> list[Path]:
    """Print each workbook (every sheet, as its page setup says) or document (a .docx, in Writer) to a PDF in
    `outdir`, as `recalc_and_save`."""
    return _convert(paths, outdir, "pdf", ".pdf")


@dataclass(frozen=True)
class Page:
    """A page of a PDF: its size in points and its text (pdftotext, layout kept)."""

    width: float
    height: float
    text: str

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def header(self) -> str:
        """The first line: the page header (the workbook on the left, the sheet on the right), without the
        indent pdftotext's layout gives it where the page's body reaches further left (a sheet scaled to fit
        the page's width, as 问题清单 with its 说明 column)."""
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")


_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+) x ([\d.]+)", re.M)


def pdf_pages(pdf: str | os.PathLike[str]) -> list[Page]:
    """The pages of a PDF, by poppler's pdfinfo (sizes) and pdftotext (text, a form feed between pages)."""
    for tool in ("pdfinfo", "pdftotext"):
        if shutil.which(tool) is None:
            raise LibreOfficeError(f"{tool} (poppler-utils) is not on PATH")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    sizes = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(count), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    dims = [(float(w), float(h)) for _, w, h in _SIZE.findall(sizes)]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    texts = text.split("\f")[:count]
    if len(dims) != count or len(texts) != count:
        raise LibreOfficeError(f"{pdf}: {count} pages, {len(dims)} sizes, {len(texts)} texts")
    return [Page(w, h, t) for (w, h), t in zip(dims, texts, strict=True)]


def _convert(
    paths: Sequence[str | os.PathLike[str]], outdir: str | os.PathLike[str], filter_: str, ext: str
) -> list[Path]:
    exe = soffice()
    if exe is None:
        raise LibreOfficeError("soffice (LibreOffice) is not on PATH")
    sources = [Path(p).resolve() for p in paths]
    names = [p.name for p in sources]
    if len(set(names)) != len(names):
        raise LibreOfficeError(f"the outputs would overwrite each other (same file names): {names}")
    out = Path(outdir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / (p.stem + ext) for p in sources]
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
        filter_,
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
