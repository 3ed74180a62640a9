"""tianbao report: the publishable 年度报告 of each checked workbook, as a web page and a Word document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tianbao.cli.common import (
    check_options,
    console,
    err_console,
    output_folder,
    progress_bar,
    user_errors,
)
from tianbao.errors import UsageError
from tianbao.options import CheckOptions

MAX_LISTED = 8


@check_options()
def report(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="交回、导入或汇总的工作簿，或其所在文件夹（可给多个；可含 .zip 压缩包）。",
            metavar="文件或文件夹",
            show_default=False,
        ),
    ],
    options: CheckOptions,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="文件夹", help="输出文件夹。")],
    html: Annotated[bool, typer.Option("--html", help="生成网页（.html）；两项都不给时两种都生成。")] = False,
    docx: Annotated[
        bool, typer.Option("--docx", help="生成 Word 文档（.docx）；两项都不给时两种都生成。")
    ] = False,
    text: Annotated[
        Path | None,
        typer.Option(
            "--text",
            metavar="工作簿",
            help="用另一个工作簿“正文”工作表的文字（如县本级填写的正文；只能给一个工作簿时使用）。",
        ),
    ] = None,
) -> None:
    """生成可以发布的政府信息公开工作年度报告：每个通过检查的工作簿一份网页（.html，可直接粘贴到网站）和一份
    Word 文档（.docx），文字取自“正文”工作表，表二至表四按检查后的数字生成。

    被退回（有错误）的工作簿不生成报告；“正文”中没有填写的部分在报告中用“【待填写】”标出，并在这里列出。
    汇总表生成本级（县、旗）的报告。退出码：0 全部生成；1 有工作簿未生成报告；2 用法错误。

    例：tianbao report 回收/ --year 2025 -o 年度报告/
    """
    from rich.markup import escape

    from tianbao.fileio import legible_path
    from tianbao.inputs import expand_paths
    from tianbao.report.publish import Refused, publish, text_of
    from tianbao.validation import check_files

    formats = tuple(f for f, on in (("html", html), ("docx", docx)) if on) or ("html", "docx")
    with user_errors():
        output_folder(out)
        earlier = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else []
        options = options.excluding(earlier)  # reports written before are no inputs
        given_text = None
        if text is not None:
            if len(expand_paths(paths, exclude=options.exclude)) != 1:
                raise UsageError("--text 只能用于一个工作簿", "请只给出要生成报告的那一个工作簿")
            given_text = text_of(text, limits=options.limits, year=options.year)
        with progress_bar() as progress:
            run = check_files(paths, options, progress=progress)
        results = publish(run, out, formats=formats, text=given_text)
    refused = 0
    for r in results:
        path = escape(legible_path(r.file.path))
        if isinstance(r, Refused):
            refused += 1
            err_console.print(
                f"[red]✗ 未生成[/]  {path}：{escape('；'.join(x.rstrip('。') for x in r.reasons))}。"
            )
            continue
        names = "、".join(escape(p.name) for p in r.paths)
        console.print(f"[green]✓ 已生成[/]  {path} → {names}")
        _notes(r)
    written = len(results) - refused
    console.print(
        f"共 {len(results)} 个文件：生成 {written} 份报告，未生成 {refused} 份。输出：{escape(str(out))}"
    )
    raise typer.Exit(1 if refused else 0)


def _notes(r: object) -> None:
    from rich.markup import escape

    doc = r.document  # type: ignore[attr-defined]
    issues = r.file.issues  # type: ignore[attr-defined]
    if not doc.has_text:
        err_console.print("  ! 工作簿没有“正文”工作表（本年以前的模板），报告的文字部分都是【待填写】。")
    elif doc.missing:
        listed = "、".join(doc.missing[:MAX_LISTED]) + (" 等" if len(doc.missing) > MAX_LISTED else "")
        err_console.print(f"  ! 未填写，报告中以【待填写】标出（{len(doc.missing)} 处）：{escape(listed)}")
    if doc.blank:
        cells = "、".join(doc.blank[:MAX_LISTED]) + (" 等" if len(doc.blank) > MAX_LISTED else "")
        err_console.print(f"  ! 统计表有 {len(doc.blank)} 个单元格未填写，报告中留空：{escape(cells)}")
    warnings = sum(1 for i in issues if not i.is_error)
    if warnings:
        err_console.print(f"  ! 检查有 {warnings} 条警告，请用 tianbao check 查看。")
