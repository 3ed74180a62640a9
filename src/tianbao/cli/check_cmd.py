"""tianbao check: a verdict for every returned workbook, with every problem in Chinese and its cell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tianbao.cli.common import (
    FeedbackDateOpt,
    PasswordOpt,
    check_options,
    console,
    err_console,
    output_folder,
    progress_bar,
    user_errors,
)
from tianbao.inputs import require_outside
from tianbao.options import CheckOptions


@check_options()
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="报表文件或文件夹（可给多个；可含 .zip 压缩包）。",
            metavar="文件或文件夹",
            show_default=False,
        ),
    ],
    options: CheckOptions,
    as_json: Annotated[
        bool, typer.Option("--json", help="以 JSON 输出检查报告（与程序库的报告对象相同）。")
    ] = False,
    feedback: Annotated[
        Path | None,
        typer.Option(
            "--feedback",
            metavar="文件夹",
            help="把反馈工作簿保存到此文件夹：被退回的文件得到“退回修改”工作簿；用错模板或年度的文件得到本次的新模板。",
        ),
    ] = None,
    feedback_warnings: Annotated[
        bool,
        typer.Option(
            "--feedback-warnings",
            help="同时为“通过（有警告）”的文件生成“核实”工作簿（与 --feedback 一起用）。",
        ),
    ] = False,
    feedback_date: FeedbackDateOpt = None,
    password: PasswordOpt = None,
) -> None:
    """检查回收的报表：每个文件给出“通过”“通过（有警告）”或“退回”，并列出每个问题所在的单元格和修改方法。

    退出码：0 没有错误；1 有文件被退回；2 用法错误。

    例：tianbao check 回收/ --year 2025 --roster 名单.csv --feedback 反馈/ --feedback-warnings
    """
    # Imported here so that `tianbao template` and `--help` do not pay for pandas and pandera.
    from rich.markup import escape

    from tianbao.cli.render import print_report
    from tianbao.validation import check_files
    from tianbao.validation.feedback import FeedbackOptions, summary_line, write_feedback_copies

    with user_errors():
        if feedback is not None:
            output_folder(feedback, option="--feedback")
            require_outside(feedback, paths, others=options.read_files, option="--feedback")
        with progress_bar(enabled=not as_json) as progress:
            run = check_files(paths, options, progress=progress)
        report = run.report
        if as_json:
            print(report.to_json())
        else:
            print_report(console, report)
        if feedback is not None:
            # What goes back to the units is an output of this command, not an option of the run
            # (CheckOptions): the copies are written from the run's report, with the run's year and roster.
            asked = FeedbackOptions(feedback, feedback_warnings, feedback_date, password)
            subs = [f.submission for f in report.files]
            written = write_feedback_copies(run.spec, subs, asked, year=report.year, roster=options.roster)
            (err_console if as_json else console).print(escape(summary_line(written, feedback)))
    raise typer.Exit(report.exit_code)
