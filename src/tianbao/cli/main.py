"""The `tianbao` command: a thin layer over the library."""

from __future__ import annotations

import typer

from tianbao import __version__
from tianbao.cli.check_cmd import check
from tianbao.cli.codes_cmd import codes
from tianbao.cli.fill_cmd import fill
from tianbao.cli.help import ChineseCommand
from tianbao.cli.import_cmd import import_
from tianbao.cli.merge_cmd import merge
from tianbao.cli.report_cmd import report
from tianbao.cli.serve_cmd import serve
from tianbao.cli.template_cmd import template
from tianbao.cli.usage import ChineseGroup

app = typer.Typer(
    name="tianbao",
    cls=ChineseGroup,
    help="tianbao（填报）：政府信息公开工作年度报告统计表的模板生成、回收校验与汇总。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
)
app.command("template", cls=ChineseCommand)(template)
app.command("fill", cls=ChineseCommand)(fill)
app.command("check", cls=ChineseCommand)(check)
app.command("merge", cls=ChineseCommand)(merge)
app.command("report", cls=ChineseCommand)(report)
app.command("import", cls=ChineseCommand)(import_)
app.command("codes", cls=ChineseCommand)(codes)
app.command("serve", cls=ChineseCommand)(serve)


def _version(value: bool) -> None:
    if value:
        print(f"tianbao {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本。"),
) -> None:
    """tianbao（填报）：政府信息公开工作年度报告统计表的模板生成、回收校验与汇总。"""


def main() -> None:
    app()
