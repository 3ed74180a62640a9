"""Usage errors (a missing argument, an unknown option, a value of the wrong kind) in Chinese.

typer (through its copy of click) reports them in English; the command group here catches them and says
the same in Chinese, with the usage line and where to find help, exit code 2 as before.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from typer import Abort

from tianbao.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, err_console
from tianbao.cli.help import ChineseHelpGroup, usage_line
from tianbao.errors import speaks_chinese

try:  # typer's own copy of click: private, so without it the English messages stay
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - another typer
    click_errors = None  # type: ignore[assignment]

_NO_COMMAND = re.compile(r"No such command '(?P<name>.*?)'\.(?: Did you mean '(?P<guess>.*?)'\?)?")
_BOUNDS = (
    (re.compile(r"greater than or equal to (?P<n>\S+?)\.?$"), "应不小于 {n}"),
    (re.compile(r"less than or equal to (?P<n>\S+?)\.?$"), "应不大于 {n}"),
    (re.compile(r"greater than (?P<n>\S+?)\.?$"), "应大于 {n}"),
    (re.compile(r"less than (?P<n>\S+?)\.?$"), "应小于 {n}"),
    (re.compile(r"is not in the range (?P<n>.+?)\.?$"), "应在 {n} 的范围内"),
)
_TYPES = {
    "integer": "整数",
    "float": "数字",
    "boolean": "是或否",
}


def chinese(exc: Any) -> str:
    """The Chinese message of a click usage error."""
    e = click_errors
    if isinstance(exc, e.MissingParameter):
        kind = "选项" if (exc.param_type or getattr(exc.param, "param_type_name", "")) == "option" else "参数"
        what = getattr(exc.param, "help", None)
        return f"缺少{kind} {_hint(exc)}" + (f"（{what.rstrip('。')}）" if what else "")
    if isinstance(exc, e.NoSuchOption):
        guess = f"。是否想用 {'、'.join(sorted(exc.possibilities))}？" if exc.possibilities else ""
        return f"没有这个选项：{exc.option_name}{guess}"
    if isinstance(exc, e.BadOptionUsage) and "requires an argument" in exc.message:
        return f"选项 {exc.option_name} 后面要给出它的值"
    if isinstance(exc, e.BadParameter):
        return f"{_hint(exc)} 的值无效：{_value_reason(exc.message)}"
    m = _NO_COMMAND.match(exc.message)
    if m:
        guess = f"。是否想用 {m['guess']}？" if m["guess"] else ""
        return f"没有这个命令：{m['name']}{guess}"
    return f"用法有误：{exc.message}"


def _hint(exc: Any) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint()
    if hint is None:
        return ""
    if not isinstance(hint, str):
        hint = " / ".join(hint)
    return hint.replace("'", "")


def _value_reason(message: str) -> str:
    """Our own checks already speak Chinese; typer's common complaints are translated."""
    if speaks_chinese(message):
        return message
    for pattern, zh in _BOUNDS:
        m = pattern.search(message)
        if m:
            return zh.format(n=m["n"])
    for word, zh in _TYPES.items():
        if f"valid {word}" in message:  # also "not a valid …"
            return f"应为{zh}"
    if "is not one of" in message or "is not a valid choice" in message:
        return f"只能是所列的值之一（{message}）"
    return message


def show(exc: Any) -> None:
    try:
        message = chinese(exc)
    except Exception:  # a message this module does not know how to read: typer's own words
        message = exc.format_message()
    err_console.print(f"[bold red]错误：[/]{_escape(message)}", soft_wrap=True)
    ctx = exc.ctx
    if ctx is not None:
        err_console.print(f"用法：{_escape(usage_line(ctx.command, ctx))}", soft_wrap=True)
        err_console.print(
            f"[yellow]提示：[/]运行“{_escape(ctx.command_path)} --help”查看说明。", soft_wrap=True
        )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class ChineseGroup(ChineseHelpGroup):
    """The `tianbao` group: as typer's, but its help (tianbao.cli.help) and usage errors are in Chinese."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode or click_errors is None:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click_errors.NoArgsIsHelpError as exc:  # `tianbao` alone: the help, as before
            exc.show()
            sys.exit(exc.exit_code)
        except click_errors.UsageError as exc:
            show(exc)
            sys.exit(EXIT_USAGE)
        except click_errors.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except Abort:  # click's word for Ctrl+C outside a command's own handling
            err_console.print("已中断。")
            sys.exit(EXIT_INTERRUPTED)
        if code == EXIT_INTERRUPTED:  # typer's word for Ctrl+C before a command's own handling (no message)
            err_console.print("已中断。")
        sys.exit(code if isinstance(code, int) else 0)
