"""tianbao codes: the catalogue of issue codes (the README's table is this output)."""

from __future__ import annotations

from typing import Annotated

import typer

from tianbao.cli.common import console
from tianbao.issues import catalogue_rows


def codes_markdown() -> str:
    lines = ["| 代码 | 级别 | 问题 | 如何修改 |", "|---|---|---|---|"]
    for code, severity, title, hint in catalogue_rows():
        lines.append(f"| `{code}` | {severity} | {title} | {hint} |")
    return "\n".join(lines)


def codes(
    markdown: Annotated[bool, typer.Option("--markdown", help="输出 Markdown 表格（README 用）。")] = False,
) -> None:
    """列出全部问题代码：代码、级别、问题和修改方法。

    例：tianbao codes
    """
    if markdown:
        print(codes_markdown())
        return
    from rich.table import Table

    table = Table("代码", "级别", "问题", "如何修改", header_style="bold")
    for row in catalogue_rows():
        table.add_row(*row)
    console.print(table)
