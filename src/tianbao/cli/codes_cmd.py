"""tianbao codes: the catalogue of issue codes (the README's table is this output)."""

from __future__ import annotations

from typing import Annotated

import typer

from tianbao.cli.common import console
from tianbao.cli.layout import hanging, pad, terminal_width, width, wrap
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
    from rich.markup import escape

    for line in catalogue_lines(terminal_width()):
        console.print(escape(line), soft_wrap=True)


def catalogue_lines(total: int) -> list[str]:
    """The catalogue laid out for `total` columns: the code, then its level and title, the fix below (→);
    stacked under the code where the terminal is narrow. Nothing is cut."""
    rows = catalogue_rows()
    left = max(width(code) for code, *_ in rows)
    at = 2 + left + 2
    lines = ["代码、级别、问题，→ 如何修改：", ""]
    for code, severity, title, hint in rows:
        if total - at >= 30:
            text = wrap(f"{severity}  {title}", total - at)
            lines.append(f"  {pad(code, left)}  {text[0]}")
            lines.extend(" " * at + t for t in text[1:])
            lines.extend(" " * at + t for t in hanging("→ ", hint, total - at))
        else:
            lines.append(f"  {code}  {severity}")
            lines.extend("    " + t for t in wrap(title, total - 4))
            lines.extend("    " + t for t in hanging("→ ", hint, total - 4))
    return lines
