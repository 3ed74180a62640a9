"""How fast does `tianbao import` read published reports? (goal: 1,000 HTML or text reports a minute on 2 cores)

    .venv/bin/python benchmarks/import_bench.py              # 1,000 HTML, 1,000 text, 20 PDF reports
    .venv/bin/python benchmarks/import_bench.py --n 200 --pdf 0

The reports are the test corpus's (tests/import_corpus.py): random values in the national layout, both formats,
each page distorted as real pages are (0–3 distortions drawn from all of them: 繁体, spaces, split labels, page
footers, dropped cells …), as an HTML page and as the text copied from it. PDFs are the corpus's Word documents
printed by LibreOffice (not timed), measured separately: pdfplumber's layout analysis costs far more than
parsing a page.

Each set is imported by `tianbao import DIR -o OUT --json` as a subprocess, with `--jobs 1` and with the
default (every core): wall time, CPU time, peak memory (benchmarks/run.py's sampler). The import includes
writing one workbook per report. The table is printed and written to benchmarks/out/import.json and
import.md, with the machine and its load before and after each run (other work on a shared machine slows it).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests")]
import run as bench  # noqa: E402  (benchmarks/run.py: the machine, the measuring of a command)

import import_corpus as ic  # noqa: E402  (the corpus of the tests: one renderer of reports)
from tianbao.spec import load_spec  # noqa: E402

GOAL_PER_MINUTE = 1000


def pages(n: int, seed: int = 2024) -> list[tuple[str, ic.Page]]:
    out = []
    names = sorted(ic.DISTORTIONS)
    for k in range(n):
        rng = random.Random(seed + k)
        fmt = "2021" if rng.random() < 0.8 else "2019"
        report = ic.make_report(
            load_spec(fmt), rng, year=2024 if fmt == "2021" else 2020, unit=f"第{k}镇人民政府"
        )
        page = report.page
        for name in sorted(rng.sample(names, rng.randint(0, 3))):
            page = ic.DISTORTIONS[name](page, rng)
        out.append((f"{k:05d}", page))
    return out


def write_set(folder: Path, n: int, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in pages(n):
        if kind == "html":
            (folder / f"{name}.html").write_bytes(ic.to_html(page))
        else:
            (folder / f"{name}.txt").write_bytes(ic.to_text(page))
    return folder


def write_pdfs(folder: Path, n: int) -> Path | None:
    import lo

    if lo.soffice() is None:
        return None
    docs = folder / "docx"
    docs.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, page in pages(n, seed=7):
        path = docs / f"{name}.docx"
        ic.to_docx(page, path)
        paths.append(path)
    lo.print_to_pdf(paths, folder / "pdf")
    return folder / "pdf"


def run_import(folder: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(bench.BIN / "tianbao"), "import", str(folder), "-o", str(out), "--json"]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    result = bench.measure(cmd)
    files = len(list(folder.iterdir()))
    written = len(list(out.rglob("*.xlsx")))
    per_second = files / result["seconds"]
    return {**result, "files": files, "written": written, "per_second": round(per_second, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="HTML reports and text reports (each)")
    parser.add_argument("--pdf", type=int, default=20, help="PDF reports (0: none)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tianbao-import-bench-") as tmp:
        root = Path(tmp)
        sets = [
            ("HTML", write_set(root / "html", args.n, "html")),
            ("文本", write_set(root / "text", args.n, "text")),
        ]
        if args.pdf:
            pdf = write_pdfs(root, args.pdf)
            if pdf is not None:
                sets.append(("PDF", pdf))
        for label, folder in sets:
            for jobs in (1, None):
                r = run_import(folder, root / "out", jobs)
                r.update(kind=label, jobs=jobs or (bench.os.cpu_count() or 1))
                rows.append(r)
                print(
                    f"{label:4} jobs={r['jobs']}: {r['files']} reports in {r['seconds']:.1f} s = "
                    f"{r['per_second']:.1f}/s ({r['per_second'] * 60:.0f}/min), CPU {r['cpu_seconds']:.1f} s, "
                    f"peak {r['peak_mb']:.0f} MB, load {r['load']}",
                    flush=True,
                )
    machine = bench.machine()
    bench.OUT.mkdir(exist_ok=True)
    (bench.OUT / "import.json").write_text(
        json.dumps(
            {"machine": machine, "goal_per_minute": GOAL_PER_MINUTE, "runs": rows},
            ensure_ascii=False,
            indent=2,
        )
    )
    lines = [
        f"tianbao import on {machine['nproc']} cores ({machine['cpu']}), Python {machine['python']}:",
        "",
        "| 报告 | 份数 | 进程 | 用时 | 每分钟 | CPU | 内存峰值 | 负载（前/后） |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['files']} | {r['jobs']} | {r['seconds']:.1f} s | {r['per_second'] * 60:.0f} | "
            f"{r['cpu_seconds']:.1f} s | {r['peak_mb']:.0f} MB | {r['load'][0]} / {r['load'][1]} |"
        )
    (bench.OUT / "import.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
