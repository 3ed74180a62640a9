"""How fast are `tianbao check` and `tianbao merge` on thousands of submissions, against the floor and the
loop a user would otherwise write? (`make bench`)

    .venv/bin/python benchmarks/run.py                  # N = 1,000 and 10,000
    .venv/bin/python benchmarks/run.py --n 1000         # one size
    .venv/bin/python benchmarks/run.py --quick          # N = 1,000, fewer files for the naive loop
    .venv/bin/python benchmarks/run.py --repeat 2       # each measurement twice, the faster kept

For each N the same generated files (`benchmarks/generate.py`: per-unit templates typed into, about 15 %
with warnings or errors) are read by

- `tianbao check DIR --json` and `tianbao merge DIR -o OUT.xlsx`, each with `--jobs 1` and the default
  (all cores), as subprocesses of this script;
- the naive loop: `pandas.read_excel(f, sheet_name=None)` of every file and the 表三 balance (H3) checked
  column by column in Python — on a subset (500 files), extrapolated to N, as the output says;
- the floor: every worksheet part of every file inflated by zipfile and parsed by expat with no handlers,
  in one process — what any reader of these files must at least do.

Real clients save the files otherwise (shared strings, rich-text runs, stored results): 200 of the
N = 1,000 files are saved again by LibreOffice (when installed; `--resaved 0` skips it) and checked with both
readers beside the floor on them, in a table of their own.

Time is wall time. Memory is the peak, over the run, of the summed PSS (proportional set size: pages
shared between the forked workers counted once) of the process and all its descendants, sampled every
second from /proc (the summed RSS, sampled every 0.25 s, is kept in the JSON as an upper bound). Template generation for a roster of 1,000 units (`tianbao template --roster`) is measured
too. The table is printed and written with the machine's description to benchmarks/out/ (latest.json,
latest.md); paste latest.md into README.md's “性能” section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
NAIVE_SUBSET = 500
TARGET_RATIO = 1.5  # merge of 10,000 within 1.5 × the single-process floor
TARGET_N = 10_000
TARGET_MB = 1024
BENCH_COUNTY = "基准汇总单位"  # the consolidating unit's name (its code is the roster's common parent)

sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (benchmarks/ is not a package)

# --- the machine ---------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        total = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        mem = f"{int(total.split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


# --- measuring a command -------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (from /proc/<pid>/task/<tid>/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo.extend(int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split())
        except OSError:
            continue
    return out


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Sampler(threading.Thread):
    """Peaks of the summed memory of a process tree: RSS every 0.25 s (cheap: statm), PSS every second
    (smaps_rollup walks the page tables: more often, it would slow the process measured)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_kb = self.peak_pss_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self.stop.wait(0.25):
            pids = _tree(self.pid)
            self.peak_rss_kb = max(self.peak_rss_kb, sum(_rss_kb(p) for p in pids))
            if tick % 4 == 0:
                self.peak_pss_kb = max(self.peak_pss_kb, sum(_pss_kb(p) for p in pids))
            tick += 1


REPEAT = 1  # runs of each measurement (--repeat): the fastest is kept, with the largest peak


def measure(cmd: list[str]) -> dict[str, Any]:
    runs = [_measure_once(cmd) for _ in range(REPEAT)]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_mb": max(r["peak_mb"] for r in runs), "runs": [r["seconds"] for r in runs]}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the children reaped so far, and theirs
    return usage.ru_utime + usage.ru_stime


def _measure_once(cmd: list[str], *, stdout: Any = subprocess.DEVNULL) -> dict[str, Any]:
    cpu, load_before = _cpu(), load()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=REPO)
    sampler = Sampler(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{err.decode(errors='replace')}")
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(_cpu() - cpu, 3),
        "peak_mb": round(max(sampler.peak_pss_kb, 1) / 1024, 1),
        "peak_rss_mb": round(sampler.peak_rss_kb / 1024, 1),
        "load": [round(load_before, 2), round(load(), 2)],
        "exit": proc.returncode,
    }


# --- the naive loop and the floor (run in a subprocess of their own: `run.py _naive DIR`) ---------------------


def _files(folder: Path, limit: int | None) -> list[Path]:
    files = sorted((folder / "submissions").glob("*.xlsx"))
    return files[:limit] if limit else files


def naive(folder: Path, limit: int | None) -> None:
    """What a user would write: pandas reads every sheet of every file; 表三 balanced column by column."""
    import pandas as pd

    from tianbao.spec import load_spec
    from tianbao.spec.layout import cell_boxes

    boxes = cell_boxes(load_spec("2021"))  # the positions the user would hard-code

    def at(frame: Any, cell_id: str) -> float:
        _, box = boxes[cell_id]
        try:
            v = frame.iat[box.row, box.col]
        except IndexError:
            return 0.0
        try:
            return 0.0 if pd.isna(v) else float(v)
        except (TypeError, ValueError):
            return float("nan")

    results = ("np", "ce", "ri", "spo", "lso", "oth")
    rows = sorted({c.split(".")[1] for c in boxes if c.startswith("t3.")} - {"new", "carry", "fwd", "r7"})
    bad = 0
    for path in _files(folder, limit):
        try:
            sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None)
        except Exception:
            bad += 1
            continue
        t3 = sheets.get("表三")
        if t3 is None:
            bad += 1
            continue
        for col in results:
            left = at(t3, f"t3.new.{col}") + at(t3, f"t3.carry.{col}")
            right = sum(at(t3, f"t3.{r}.{col}") for r in rows) + at(t3, f"t3.fwd.{col}")
            if not abs(left - right) < 1e-9:
                bad += 1
                break
    print(json.dumps({"bad": bad}))


def floor(folder: Path, limit: int | None) -> None:
    """Every worksheet part of every file inflated (zipfile) and parsed by expat with no handlers."""
    import zipfile
    from xml.parsers import expat

    parts = 0
    for path in _files(folder, limit):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    expat.ParserCreate().Parse(zf.read(name), True)
                    parts += 1
    print(json.dumps({"parts": parts}))


# --- the runs ------------------------------------------------------------------------------------------------


def tianbao(*args: str) -> list[str]:
    return [str(BIN / "tianbao"), *args]


def bench_n(
    n: int, *, naive_subset: int, jobs_default: int, reference: bool, scratch: Path
) -> list[dict[str, Any]]:
    folder = generate.generate(n)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    common = [
        str(folder / "submissions"),
        "--year",
        str(manifest["year"]),
        "--roster",
        str(folder / "roster.csv"),
    ]
    rows: list[dict[str, Any]] = []
    merge = ("merge", *common, "--unit-name", BENCH_COUNTY)  # the roster does not name its parent

    def add(task: str, jobs: str, got: dict[str, Any], files: int, note: str = "") -> None:
        rate = files / got["seconds"] if got["seconds"] else 0.0
        row = {
            "n": n,
            "task": task,
            "jobs": jobs,
            "files": files,
            **got,
            "files_per_s": round(rate, 1),
            "note": note,
        }
        rows.append(row)
        print(
            f"  {task:<28} jobs={jobs:<3} {got['seconds']:>8.2f} s {rate:>8.1f} files/s {got['peak_mb']:>8.1f} MB {note}",
            flush=True,
        )

    print(f"N = {n} ({folder})", flush=True)
    got = measure([sys.executable, __file__, "_floor", str(folder)])
    add("floor (zipfile + expat)", "1", got, n)
    for jobs in ("1", str(jobs_default)):
        add("tianbao check --json", jobs, measure(tianbao("check", *common, "--json", "--jobs", jobs)), n)
        out = scratch / f"merge-{n}-{jobs}.xlsx"
        add("tianbao merge", jobs, measure(tianbao(*merge, "-o", str(out), "--jobs", jobs)), n)
        if reference and n <= 1000:
            extra = ["--reader", "openpyxl", "--jobs", jobs]
            add(
                "tianbao merge (openpyxl)",
                jobs,
                measure(tianbao(*merge, "-o", str(out), *extra)),
                n,
            )
    subset = min(n, naive_subset)
    got = measure([sys.executable, __file__, "_naive", str(folder), "--limit", str(subset)])
    note = ""
    if subset < n:
        note = f"measured on {subset} files, time extrapolated to {n}"
        scale = n / subset
        got = {
            **got,
            "seconds": round(got["seconds"] * scale, 3),
            "cpu_seconds": round(got["cpu_seconds"] * scale, 3),
            "measured_seconds": got["seconds"],
        }
    add("naive pandas loop", "1", got, n, note)
    return rows


def bench_templates(units: int, scratch: Path, jobs: str) -> dict[str, Any]:
    folder = scratch / f"roster-{units}"
    folder.mkdir(parents=True, exist_ok=True)
    generate.write_roster(folder / "roster.csv", generate.units(units))
    out = folder / f"t{jobs}"
    roster = str(folder / "roster.csv")
    got = measure(tianbao("template", "--year", "2025", "--roster", roster, "-o", str(out), "--jobs", jobs))
    made = len(list(out.glob("*.xlsx")))
    row = {
        "n": units,
        "task": "tianbao template --roster",
        "jobs": jobs,
        "files": made,
        **got,
        "files_per_s": round(made / got["seconds"], 1),
        "note": "",
    }
    print(
        f"  {row['task']:<28} {got['seconds']:>8.2f} s {row['files_per_s']:>8.1f} files/s {got['peak_mb']:>8.1f} MB"
    )
    return row


def bench_resaved(count: int, scratch: Path, jobs_default: int) -> list[dict[str, Any]]:
    """The same kind of files as a spreadsheet client saves them: `count` of the N = 1,000 submissions
    opened and saved again by LibreOffice (shared strings, rich-text runs, stored formula results), checked
    by tianbao (both readers) beside the floor on those files. Skipped without LibreOffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("LibreOffice (soffice) not found: the resaved files are skipped")
        return []
    source = generate.generate(1000)
    staged, folder = scratch / "resaved-in", scratch / "resaved"
    staged.mkdir(parents=True, exist_ok=True)
    (folder / "submissions").mkdir(parents=True, exist_ok=True)
    for path in sorted((source / "submissions").glob("*.xlsx"))[:count]:
        shutil.copy2(path, staged / path.name)
    convert = [soffice, "--headless", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML"]
    subprocess.run(
        [*convert, "--outdir", str(folder / "submissions"), *sorted(map(str, staged.glob("*.xlsx")))],
        check=True,
        capture_output=True,
        timeout=3600,
    )
    files = len(list((folder / "submissions").glob("*.xlsx")))
    common = [str(folder / "submissions"), "--year", "2025", "--roster", str(source / "roster.csv"), "--json"]
    runs = [("floor (zipfile + expat)", "1", [sys.executable, __file__, "_floor", str(folder)])]
    for jobs in ("1", str(jobs_default)):
        runs.append(("tianbao check --json", jobs, tianbao("check", *common, "--jobs", jobs)))
    runs.append(
        (
            "tianbao check --json (openpyxl)",
            "1",
            tianbao("check", *common, "--reader", "openpyxl", "--jobs", "1"),
        )
    )
    rows: list[dict[str, Any]] = []
    print(f"{files} files saved again by LibreOffice ({folder})", flush=True)
    for task, jobs, cmd in runs:
        got = measure(cmd)
        row = {"n": files, "task": task, "jobs": jobs, "files": files, **got, "note": "LibreOffice"}
        row["files_per_s"] = round(files / got["seconds"], 1) if got["seconds"] else 0.0
        row["ms_per_file"] = round(got["cpu_seconds"] / files * 1000, 1)
        rows.append(row)
        print(
            f"  {task:<32} jobs={jobs:<3} {got['seconds']:>8.2f} s {row['ms_per_file']:>6.1f} ms CPU/file",
            flush=True,
        )
    floor_s = rows[0]["seconds"]
    for row in rows[1:]:
        row["vs_floor"] = round(row["seconds"] / floor_s, 2)
    return rows


def markdown_resaved(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| 文件 | 任务 | 进程数 | 秒 | CPU 秒 | 每份 CPU 毫秒 | 峰值内存 (MB) | 相对下限 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        vs = f"{r['vs_floor']:.2f}×" if "vs_floor" in r else "1×"
        task = TASK_ZH.get(r["task"], r["task"])
        lines.append(
            f"| {r['files']:,} | {task} | {r['jobs']} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
            f"{r['ms_per_file']:.1f} | {r['peak_mb']:.0f} | {vs} |"
        )
    return "\n".join(lines) + "\n"


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in sorted({r["n"] for r in rows if r["task"].startswith("floor")}):
        by = {(r["task"], r["jobs"]): r for r in rows if r["n"] == n}
        fl = by[("floor (zipfile + expat)", "1")]["seconds"]
        naive_s = by[("naive pandas loop", "1")]["seconds"]
        for (task, jobs), r in sorted(by.items()):
            if task.startswith("tianbao"):
                out.append(
                    {
                        "n": n,
                        "task": task,
                        "jobs": jobs,
                        "vs_floor": round(r["seconds"] / fl, 2),
                        "naive_vs": round(naive_s / r["seconds"], 1),
                    }
                )
    return out


TASK_ZH = {  # the table is pasted into README.md, whose readers read Chinese
    "floor (zipfile + expat)": "下限（zipfile + expat）",
    "naive pandas loop": "朴素循环",
    "tianbao merge (openpyxl)": "tianbao merge --reader openpyxl",
    "tianbao check --json (openpyxl)": "tianbao check --json --reader openpyxl",
}


def _task_zh(r: dict[str, Any]) -> str:
    task = TASK_ZH.get(r["task"], r["task"])
    if r.get("measured_seconds") is not None:
        subset = round(r["files"] * r["measured_seconds"] / r["seconds"])
        task += f"（测 {subset:,} 份，推算到 {r['n']:,}）"
    return task


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"测量环境：{m['nproc']} 核 {m['cpu']}，内存 {m['memory']}，Python {m['python']}，"
        f"{result['date']}（运行前后 1 分钟平均负载 {result['load_before']:.1f} / {result['load_after']:.1f}；"
        f"每项运行 {result.get('repeat', 1)} 次取最快）。",
        "",
        "| N | 任务 | 进程数 | 秒 | CPU 秒 | 文件/秒 | 峰值内存 (MB) | 相对下限 | 朴素循环/本行 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratio = {(r["n"], r["task"], r["jobs"]): r for r in result["ratios"]}
    for r in result["rows"]:
        q = ratio.get((r["n"], r["task"], r["jobs"]))
        vs = f"{q['vs_floor']:.2f}×" if q else ("1×" if r["task"].startswith("floor") else "")
        naive = f"{q['naive_vs']:.1f}×" if q else ""
        lines.append(
            f"| {r['n']:,} | {_task_zh(r)} | {r['jobs']} | {r['seconds']:.1f} | {r.get('cpu_seconds', 0):.1f} | "
            f"{r['files_per_s']:.0f} | "
            f"{r['peak_mb']:.0f} | {vs} | {naive} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("_naive", "_floor"):
        limit = int(argv[argv.index("--limit") + 1]) if "--limit" in argv else None
        (naive if argv[0] == "_naive" else floor)(Path(argv[1]), limit)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="1000,10000", help="comma-separated sizes (default 1000,10000)")
    parser.add_argument("--quick", action="store_true", help="N = 1,000 and a naive subset of 100 files")
    parser.add_argument(
        "--reference", action="store_true", help="also merge with --reader openpyxl (N ≤ 1,000)"
    )
    parser.add_argument(
        "--templates", type=int, default=1000, help="roster size for template generation (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the fastest is kept")
    parser.add_argument(
        "--resaved",
        type=int,
        default=200,
        help="files saved again by LibreOffice and checked (0: skip; skipped without LibreOffice)",
    )
    args = parser.parse_args(argv)
    global REPEAT
    REPEAT = max(1, args.repeat)
    sizes = [1000] if args.quick else [int(x) for x in args.n.split(",") if x.strip()]
    subset = 100 if args.quick else NAIVE_SUBSET
    OUT.mkdir(parents=True, exist_ok=True)
    scratch = OUT / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    result: dict[str, Any] = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "load_before": load(),
        "repeat": REPEAT,
        "rows": [],
    }
    print(f"machine: {result['machine']}")
    for n in sizes:
        result["rows"] += bench_n(
            n,
            naive_subset=subset,
            jobs_default=os.cpu_count() or 1,
            reference=args.reference,
            scratch=scratch,
        )
    if args.resaved:
        result["resaved"] = bench_resaved(args.resaved, scratch, os.cpu_count() or 1)
    if args.templates:
        print(f"template generation ({args.templates} units)")
        result["templates"] = [
            bench_templates(args.templates, scratch, jobs) for jobs in ("1", str(os.cpu_count() or 1))
        ]
    result["load_after"] = load()
    result["ratios"] = ratios(result["rows"])
    rows = result["rows"] + result.get("templates", [])
    text = markdown({**result, "rows": rows})
    if result.get("resaved"):
        text += "\n" + markdown_resaved(result["resaved"])
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (OUT / name).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (OUT / "latest.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    for q in result["ratios"]:
        if q["task"] == "tianbao merge" and q["jobs"] != "1":
            ok = "met" if q["vs_floor"] <= TARGET_RATIO else "NOT met"
            target = (
                f"target ≤ {TARGET_RATIO}×: {ok}"
                if q["n"] >= TARGET_N
                else f"the target is for N = {TARGET_N:,}"
            )
            print(f"N={q['n']}: merge / floor = {q['vs_floor']}× ({target})")
    for r in result["rows"]:
        if r["task"] == "tianbao merge" and r["peak_mb"] > TARGET_MB:
            print(f"N={r['n']} jobs={r['jobs']}: merge peak {r['peak_mb']} MB > {TARGET_MB} MB")
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
