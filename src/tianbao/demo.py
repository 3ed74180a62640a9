"""`make demo`: the whole loop on the bundled samples, written to demo-output/.

    python -m tianbao.demo [--out DIR]

1. templates for every unit of samples/roster.csv, for 2022 (demo-output/模板/);
2. check every file under samples/submissions/ as `tianbao check --year 2022 --roster samples/roster.csv`
   does, print the report, and write what goes back to the units as `--feedback --feedback-warnings` does
   (退回修改, 核实 and fresh templates: demo-output/反馈/);
3. the publishable report of every accepted submission, as `tianbao report` writes it (demo-output/年度报告/:
   诺敏镇's is whole, its 正文 taken from its published report; the others mark what their 正文 lacks);
4. merge the accepted submissions into demo-output/鄂伦春自治旗2022年汇总.xlsx (when tianbao.consolidation is
   installed);
5. a short Chinese summary with the output paths.

The repository root is the working directory when it holds samples/ (as under `make demo`), else the checkout
this module was installed from (an editable install).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from tianbao.options import CheckOptions
from tianbao.roster import Roster, load_roster
from tianbao.spec import load_spec
from tianbao.template import TemplateOptions, template_filename, write_template

YEAR = 2022
COUNTY = "鄂伦春自治旗"  # the unit the samples are collected for: the parent (150723) of every roster unit
SAMPLES = Path("samples")
ROSTER = SAMPLES / "roster.csv"
SUBMISSIONS = SAMPLES / "submissions"
OUTPUT = "demo-output"
TEMPLATES_DIR = "模板"
FEEDBACK_DIR = "反馈"
REPORTS_DIR = "年度报告"


def find_root() -> Path:
    """The repository root: the working directory or the checkout of this module, whichever holds samples/."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / ROSTER).is_file() and (candidate / SUBMISSIONS).is_dir():
            return candidate
    raise SystemExit(
        "找不到样例文件夹 samples/（应有 samples/roster.csv 和 samples/submissions/）。请在仓库目录中运行 make demo。"
    )


def shown(path: Path) -> str:
    """A path as the user can type it: relative to the working directory when it is inside it."""
    cwd = Path.cwd().resolve()
    try:
        return str(path.resolve().relative_to(cwd)) if cwd != Path(cwd.anchor) else str(path)
    except ValueError:
        return str(path)


def fresh_dir(path: Path) -> Path:
    """An empty folder for this run's output (the demo's own subfolders only are cleared)."""
    if path.is_dir():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def write_templates(roster: Roster, folder: Path) -> list[Path]:
    spec = load_spec()
    written = [folder / template_filename(YEAR)]
    write_template(spec, written[0], TemplateOptions(year=YEAR))
    for unit in roster:
        target = folder / template_filename(YEAR, unit.code, unit.name)
        write_template(spec, target, TemplateOptions(year=YEAR, unit=unit))
        written.append(target)
    return written


def consolidation_available() -> bool:
    """True when the merge stage (tianbao.consolidation) is installed as a regular package."""
    spec = importlib.util.find_spec("tianbao.consolidation")
    return spec is not None and spec.origin is not None


def merge_samples(run: Any, roster: Roster, target: Path) -> Any:
    """Consolidate the accepted submissions of the check `run` into `target` for the county (the parent of
    the roster's units); returns the library's Consolidation."""
    consolidation: Any = importlib.import_module("tianbao.consolidation")
    result = consolidation.consolidate(
        run, year=YEAR, parent=consolidation.resolve_parent(roster, name=COUNTY), roster=roster
    )
    consolidation.write_consolidated(result, target)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tianbao.demo", description="在随附的样例（samples/）上跑一遍 tianbao 的主要流程。"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"输出文件夹（默认：仓库目录下的 {OUTPUT}/；其中的 {TEMPLATES_DIR}/、{FEEDBACK_DIR}/ 和 {REPORTS_DIR}/ 每次重新生成）。",
    )
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    started = time.perf_counter()

    root = find_root()
    out: Path = args.out if args.out is not None else root / OUTPUT
    out.mkdir(parents=True, exist_ok=True)
    roster_path, submissions = root / ROSTER, root / SUBMISSIONS
    roster = load_roster(roster_path)

    # 1. Templates for every unit of the roster.
    console.rule(f"[bold]1. 生成 {YEAR} 年度模板")
    templates = write_templates(roster, fresh_dir(out / TEMPLATES_DIR))
    console.print(f"已生成 1 份空白模板和 {len(templates) - 1} 份单位模板：{shown(out / TEMPLATES_DIR)}")

    # 2. Check the returned files; what goes back to the units (退回修改, 核实, fresh templates).
    # Imported here: pandas and pandera are slow to import, and step 1 does not need them.
    from tianbao.cli.render import print_report, units_line
    from tianbao.validation import check_files
    from tianbao.validation.feedback import FeedbackOptions, summary_line, write_feedback_copies

    console.rule(f"[bold]2. 检查回收的报表（{shown(submissions)}）")
    run = check_files([Path(shown(submissions))], CheckOptions(year=YEAR, roster=roster))
    print_report(console, run.report)
    feedback_dir = fresh_dir(out / FEEDBACK_DIR)
    subs = [f.submission for f in run.report.files]
    feedback = write_feedback_copies(
        run.spec, subs, FeedbackOptions(feedback_dir, warnings=True), year=YEAR, roster=roster
    )
    console.print(summary_line(feedback, Path(shown(feedback_dir))), soft_wrap=True)

    s = run.report.summary()  # before the merge, which marks superseded duplicates

    # 3. The publishable reports (before the merge, which records its rules' issues on the submissions).
    from tianbao.report.publish import Written, publish

    console.rule("[bold]3. 生成年度报告")
    reports_dir = fresh_dir(out / REPORTS_DIR)
    reports = [r for r in publish(run, reports_dir) if isinstance(r, Written)]
    console.print(
        f"已为 {len(reports)} 个通过检查的单位生成年度报告（网页和 Word 文档）：{shown(reports_dir)}"
    )

    # 4. Merge the accepted submissions.
    merged: Path | None = None
    if consolidation_available():
        console.rule("[bold]4. 汇总")
        merged = out / f"{COUNTY}{YEAR}年汇总.xlsx"
        result = merge_samples(run, roster, merged)
        console.print(f"汇总了 {len(result.members)} 个单位的报表（按单位计）。")
        if result.roll_call is not None:
            console.print(units_line(result.roll_call), soft_wrap=True)
        console.print(f"已生成汇总表：{shown(merged)}", soft_wrap=True)
    else:
        console.rule("[bold]4. 汇总（跳过）")
        console.print("本版本还没有汇总功能（tianbao.consolidation），跳过汇总。")

    # 5. Summary.
    console.rule("[bold]完成")
    lines = [
        f"样例：{shown(submissions)} 中 {s['files']} 个文件，名单 {shown(roster_path)}（{len(roster)} 个单位）。",
        f"检查结果（按文件计）：通过 {s['accepted']}，通过（有警告）{s['accepted_with_warnings']}，退回 {s['rejected']}。",
        f"模板：      {shown(out / TEMPLATES_DIR)}/（{len(templates)} 份）",
        f"反馈：      {shown(feedback_dir)}/（{len(feedback)} 份：退回修改、核实和新模板）",
        f"年度报告：  {shown(reports_dir)}/（{len(reports)} 个单位，各一份 .html 和 .docx）",
    ]
    if merged is not None:
        lines.append(f"汇总表：    {shown(merged)}")
    lines.append(f"用时 {time.perf_counter() - started:.1f} 秒。用 Excel 或 WPS 打开上面的文件查看。")
    for line in lines:
        console.print(line, soft_wrap=True)  # paths on one line, easy to copy
    return 0


if __name__ == "__main__":
    sys.exit(main())
