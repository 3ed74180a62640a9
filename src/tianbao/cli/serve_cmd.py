"""tianbao serve: the local web app (tianbao.web)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tianbao.cli.common import console, output_folder, user_errors


def serve(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", help="工作区文件夹：数据库和收到的全部文件（默认：“文档”中的 tianbao 文件夹）。"
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="监听的地址；127.0.0.1 以外的地址需要启动时显示的访问令牌。")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。", min=1, max=65535)] = 8765,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="不自动打开浏览器。")] = False,
) -> None:
    """启动网页版：在浏览器中管理年度与名单、下发模板、收件检查、查看报送情况和汇总。

    例：tianbao serve --workspace D:\\填报
    """
    from tianbao.web.server import serve as run
    from tianbao.web.workspace import default_workspace

    with user_errors():
        folder = (
            output_folder(workspace, option="--workspace") if workspace is not None else default_workspace()
        )
        run(folder, host, port, open_browser=not no_browser, say=console.print)
