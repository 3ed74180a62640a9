"""tianbao fill: type values into a template by cell id (for samples, tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tianbao.cli.common import console, output_file, user_errors
from tianbao.inputs import require_not_input


def fill(
    template: Annotated[Path, typer.Argument(help="要填写的模板（.xlsx）。", metavar="模板")],
    values: Annotated[
        Path,
        typer.Option("--values", metavar="文件", help="JSON 文件：单元格编号 → 数值、文字或 null（留空）。"),
    ],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="文件", help="输出文件（.xlsx）。")],
    overwrite_formulas: Annotated[
        bool, typer.Option("--overwrite-formulas", help="允许把公式单元格改写为数字（用于制作错误样例）。")
    ] = False,
) -> None:
    """按单元格编号把数值写入模板，如同有人在 Excel 中逐格输入。

    例：tianbao fill 模板.xlsx --values values.json -o 已填写.xlsx
    """
    from tianbao.filling import fill_template, load_values  # openpyxl: only this command needs it

    with user_errors():
        output_file(out, example="已填写")
        require_not_input(out, [template, values])
        fill_template(template, load_values(values), out, overwrite_formulas=overwrite_formulas)
        console.print(f"已写入：{escape(str(out))}", soft_wrap=True)
