"""`--help` in Chinese, laid out by display width (tianbao.cli.layout).

typer's copy of click writes its help in English ("Usage:", "Options", "Show this message and exit.",
"[default: …]", "[required]", "<int range>", "<list[Path]>" …) and measures Chinese as one column a character.
The command classes here write the whole help themselves from the parameters: 用法, the command's text, 参数,
选项 (each with its value's kind in Chinese unless the option names its own metavar) and 命令. The words of
typer's that remain are the option names and metavars tianbao chose.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Sequence
from typing import Any

from typer.core import TyperCommand, TyperGroup

from tianbao.cli.layout import pad, terminal_width, width, wrap

HELP_TEXT = "显示本说明并退出。"
OPTIONS_METAVAR = "[选项]"
COMMAND_METAVAR = "命令 [参数]..."
# The kinds of value typer names (display_type), in Chinese.
_KINDS = {
    "int": "整数",
    "int range": "整数",
    "float": "数字",
    "float range": "数字",
    "str": "文字",
    "path": "路径",
    "Path": "路径",
    "list[Path]": "路径",
    "list[str]": "文字",
    "bool": "是或否",
    "datetime": "日期",
}
MAX_LEFT = 30  # the option column never takes more of the line than this


def value_kind(param: Any, ctx: Any) -> str:
    """What the value of `param` is, for its help line: its own metavar, the choices (fast|openpyxl), or the
    kind in Chinese."""
    if param.metavar is not None:
        return str(param.metavar)
    label = param.display_type(ctx).strip("<>")
    if "|" in label:
        return label.removeprefix("list[").removesuffix("]")
    return _KINDS.get(label, label)


def _number_range(param: Any) -> str:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"不小于 {low}"
    if high is not None:
        return f"不大于 {high}"
    return ""


def _default(param: Any) -> str:
    if getattr(param, "show_default", True) is False or getattr(param, "is_flag", False):
        return ""
    value = param.default
    if value is None or value == () or value == [] or callable(value):
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    return f"默认：{value}"


def help_record(param: Any, ctx: Any) -> tuple[str, str] | None:
    """(left column, help) of one parameter, its notes in ［…］: 默认, the range, 必填."""
    if getattr(param, "hidden", False):
        return None
    if param.param_type_name == "argument":
        left = f"{param.metavar or param.name}{'...' if param.nargs != 1 else ''}"
    else:
        left = ", ".join(sorted(param.opts, key=len))
        if not getattr(param, "is_flag", False):
            left += f" {value_kind(param, ctx)}"
    help_text = HELP_TEXT if param.name == "help" else (getattr(param, "help", None) or "")
    notes = [n for n in (_default(param), _number_range(param), "必填" if param.required else "") if n]
    if notes:
        help_text += f"［{'；'.join(notes)}］"
    return left, help_text


def usage_line(command: Any, ctx: Any) -> str:
    """用法：tianbao check [选项] 文件或文件夹..."""
    pieces = [OPTIONS_METAVAR]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = f"{param.metavar or param.name}{'...' if param.nargs != 1 else ''}"
            pieces.append(name if param.required else f"[{name}]")
    if isinstance(command, TyperGroup):
        pieces.append(COMMAND_METAVAR)
    return f"{ctx.command_path} {' '.join(pieces)}"


def definitions(rows: Sequence[tuple[str, str]], total: int) -> list[str]:
    """Rows of (term, text): the text beside the term, wrapped; below it where the terminal is narrow."""
    left = min(max(width(t) for t, _ in rows), MAX_LEFT)
    at = 2 + left + 2
    out: list[str] = []
    for term, text in rows:
        if total - at >= 24:
            lines = wrap(text, total - at) if text else [""]
            first = f"  {pad(term, left)}  " if width(term) <= left else None
            if first is None:  # a long term: on its own line, the text below at the column
                out.append(f"  {term}")
                out.extend(" " * at + line for line in lines if line)
                continue
            out.append((first + lines[0]).rstrip())
            out.extend(" " * at + line for line in lines[1:])
        else:
            out.append(f"  {term}")
            out.extend("      " + line for line in wrap(text, total - 6) if line)
    return out


def help_text(command: Any, ctx: Any) -> str:
    """The whole help of a command or group."""
    total = terminal_width()
    lines = [f"用法：{usage_line(command, ctx)}", ""]
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    for paragraph in text.split("\n\n") if text else []:
        lines.extend("  " + line for line in wrap(" ".join(paragraph.split("\n")), total - 2))
        lines.append("")
    records = [(p.param_type_name, help_record(p, ctx)) for p in command.get_params(ctx)]
    for kind, title in (("argument", "参数"), ("option", "选项")):
        rows = [r for k, r in records if k == kind and r is not None]
        if rows:
            lines.append(f"{title}：")
            lines.extend(definitions(rows, total))
            lines.append("")
    if isinstance(command, TyperGroup):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, inspect.cleandoc(sub.help or "").split("\n\n")[0].replace("\n", "")))
        if rows:
            lines.append("命令：")
            lines.extend(definitions(rows, total))
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


class _Chinese:
    """The help, the usage line and the help option of a command, in Chinese."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        formatter.write(help_text(self, ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write(f"用法：{usage_line(self, ctx)}\n")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class ChineseCommand(_Chinese, TyperCommand):
    """A tianbao command: typer's, with the help in Chinese."""


class ChineseHelpGroup(_Chinese, TyperGroup):
    """The tianbao group's help in Chinese (the group in tianbao.cli.usage adds Chinese usage errors)."""
