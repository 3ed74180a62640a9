"""What the commands share: options, the console, and turning exceptions into Chinese errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from tianbao.cli.entry import EXIT_INTERRUPTED
from tianbao.errors import TianbaoError, os_reason
from tianbao.options import CheckOptions
from tianbao.pool import MAX_JOBS
from tianbao.reading.container import human_size
from tianbao.reading.model import Limits, parse_size
from tianbao.reading.previous import Previous, read_previous
from tianbao.spec import DEFAULT_FORMAT, FORMATS, YEARS, load_spec

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="格式",
        help=f"报表格式：{' 或 '.join(FORMATS)}（2021 为国办公开办函〔2021〕30号格式，2019 为试行格式）。",
    ),
]
YearOpt = Annotated[
    int,
    typer.Option("--year", help="报告年度，如 2025。", metavar="年度", min=YEARS.start, max=YEARS.stop - 1),
]
RosterOpt = Annotated[
    Path | None,
    typer.Option(
        "--roster",
        metavar="名单",
        help="单位名单（CSV 或 .xlsx，列：单位代码、单位名称、单位类型、上级单位代码）。",
    ),
]
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", metavar="密码", help="工作表保护密码（可选；保护只防误改，不是安全措施）。"),
]
PreviousOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--previous",
        metavar="文件",
        help="上年交回的报表或上年的汇总表（可给多个）：核对上年结转（S1）、现行有效件数（S2）。",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", metavar="个数", help="并行读取的进程数（默认：全部 CPU 核）。", min=1, max=MAX_JOBS
    ),
]


class Reader(StrEnum):
    """The readers of `--reader` (tianbao.reading.interpret.READERS)."""

    fast = "fast"
    openpyxl = "openpyxl"


ReaderOpt = Annotated[
    Reader,
    typer.Option(
        "--reader",
        help="读取工作簿的方式：fast（默认，快速读取器）或 openpyxl（参考实现，慢约 10 倍）；两者结果相同。",
    ),
]
DEFAULT = DEFAULT_FORMAT


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _date(text: str) -> dt.date:
    from tianbao.consolidation.dates import parse_fill_date  # only when the option is given: numpy

    found = parse_fill_date(text)
    if found is None:
        raise typer.BadParameter(f"无法识别的日期“{text}”，应写作如 2026-01-20")
    return found


FeedbackDateOpt = Annotated[
    dt.date | None,
    typer.Option(
        "--feedback-date",
        parser=_date,
        metavar="日期",
        help="反馈工作簿封面上写的检查日期，如 2026-01-20（默认今天）。",
        show_default=False,
    ),
]

_LIMITS = Limits()


def _size_option(flag: str, help: str) -> typer.models.OptionInfo:
    """A size limit option: a number of bytes with an optional unit (100MB, 2GB)."""
    return typer.Option(flag, parser=_size, metavar="大小", help=help, show_default=False)


MaxFileSizeOpt = Annotated[
    int | None,
    _size_option(
        "--max-file-size", f"读取的文件大小上限，如 100MB（默认 {human_size(_LIMITS.max_file_size)}）。"
    ),
]
MaxUncompressedOpt = Annotated[
    int | None,
    _size_option(
        "--max-uncompressed", f"工作簿解压后的大小上限（默认 {human_size(_LIMITS.max_uncompressed)}）。"
    ),
]
MaxSharedStringsOpt = Annotated[
    int | None,
    _size_option(
        "--max-shared-strings",
        f"共享字符串表解压后的大小上限（默认 {human_size(_LIMITS.max_shared_strings)}）。",
    ),
]
MaxCellsOpt = Annotated[
    int | None,
    typer.Option(
        "--max-cells",
        metavar="个数",
        min=1,
        help=f"一个工作表读取的单元格数上限（默认 {_LIMITS.max_cells:,}）。",
        show_default=False,
    ),
]


def limits_from(
    max_file_size: int | None,
    max_uncompressed: int | None,
    max_shared_strings: int | None,
    max_cells: int | None,
) -> Limits:
    """The reading limits, the defaults replaced by the options given."""
    given = {
        "max_file_size": max_file_size,
        "max_uncompressed": max_uncompressed,
        "max_shared_strings": max_shared_strings,
        "max_cells": max_cells,
    }
    return replace(_LIMITS, **{k: v for k, v in given.items() if v is not None})


CheckYearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        metavar="年度",
        help="本次收集的报告年度，如 2025；与文件不符时报错（不给出时按多数文件的年度检查）。",
        min=YEARS.start,
        max=YEARS.stop - 1,
    ),
]
# The options of every command that checks files, in the order --help shows them: name → (type, default).
CHECK_PARAMETERS: dict[str, tuple[Any, Any]] = {
    "roster": (RosterOpt, None),
    "previous": (PreviousOpt, None),
    "fmt": (FormatOpt, DEFAULT),
    "jobs": (JobsOpt, None),
    "reader": (ReaderOpt, Reader.fast),
    "max_file_size": (MaxFileSizeOpt, None),
    "max_uncompressed": (MaxUncompressedOpt, None),
    "max_shared_strings": (MaxSharedStringsOpt, None),
    "max_cells": (MaxCellsOpt, None),
}
Command = Callable[..., None]


def check_options(*, year_required: bool = False) -> Callable[[Command], Command]:
    """For a command that checks files (check, merge): the options every such command shares — --year
    (required or not), --roster, --previous, --format, --jobs, --reader and the reading limits — take the
    place of the command's parameter `options` in its signature, and the command is called with the
    `CheckOptions` they make, built once here (a problem with them is a Chinese usage error)."""
    year = (YearOpt, inspect.Parameter.empty) if year_required else (CheckYearOpt, None)
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, (kind, default) in {"year": year, **CHECK_PARAMETERS}.items()
    ]

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        params: list[inspect.Parameter] = []
        for p in signature.parameters.values():  # keyword-only: typer passes every value by name
            params.extend(shared if p.name == "options" else [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)])

        @functools.wraps(command)
        def run(**kwargs: Any) -> None:
            given = {p.name: kwargs.pop(p.name) for p in shared}
            with user_errors():
                options = build_check_options(**given)
            command(options=options, **kwargs)

        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        return run

    return decorate


def build_check_options(
    *,
    year: int | None,
    roster: Path | None,
    previous: list[Path] | None,
    fmt: str,
    jobs: int | None,
    reader: Reader,
    max_file_size: int | None,
    max_uncompressed: int | None,
    max_shared_strings: int | None,
    max_cells: int | None,
) -> CheckOptions:
    """The CheckOptions of the shared command-line options: the roster and last year's reports read."""
    from tianbao.roster import load_roster

    limits = limits_from(max_file_size, max_uncompressed, max_shared_strings, max_cells)
    return CheckOptions(
        year=year,
        fmt=fmt,
        roster=load_roster(roster) if roster is not None else None,
        previous=previous_of(previous, fmt, year, limits),
        limits=limits,
        jobs=jobs,
        reader=reader.value,
    )


def previous_of(
    paths: list[Path] | None, fmt: str, year: int | None, limits: Limits = _LIMITS
) -> Previous | None:
    """Last year's values of the files of --previous (`read_previous`), for a run of `year` in `fmt`."""
    return read_previous(paths, load_spec(fmt), year=year, limits=limits) if paths else None


@contextlib.contextmanager
def progress_bar(enabled: bool = True, label: str = "读取") -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long runs (only on a terminal)."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("read", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


WORKBOOK_SUFFIX = ".xlsx"


def output_file(path: Path, *, option: str = "-o", example: str = "汇总") -> Path:
    """The workbook an option names (merge -o, fill -o …), checked before any work: not a folder, with the
    extension .xlsx (not none, not the old .xls, not another kind of file). A usage error otherwise."""
    from tianbao.errors import UsageError

    ext = path.suffix.lower()
    if path.is_dir():
        raise UsageError(
            f"{option} {path} 是一个文件夹，这里要给出写入的工作簿文件",
            f"请写出文件名，如 {option} {path / (example + WORKBOOK_SUFFIX)}",
        )
    if not ext:
        raise UsageError(f"{option} {path} 没有扩展名", f"请写作 {option} {path}{WORKBOOK_SUFFIX}")
    if ext == ".xls":
        raise UsageError(
            f"{option} {path}：tianbao 写出的是 .xlsx 工作簿，不能写成旧版 Excel 的 .xls",
            f"请写作 {option} {path.with_suffix(WORKBOOK_SUFFIX)}",
        )
    if ext != WORKBOOK_SUFFIX:
        raise UsageError(
            f"{option} {path} 的扩展名是 {path.suffix}，tianbao 写出的是 .xlsx 工作簿",
            f"请写作 {option} {path.with_suffix(WORKBOOK_SUFFIX)}",
        )
    return path


def output_folder(path: Path, *, option: str = "-o") -> Path:
    """The folder an option names (template -o, check --feedback, merge --export), checked before any work:
    not an existing file, and not a name that looks like a workbook."""
    from tianbao.errors import UsageError

    if path.exists() and not path.is_dir():
        raise UsageError(
            f"{option} {path} 是一个文件，这里要给出保存输出的文件夹",
            f"请给出文件夹，如 {option} {path.parent / '输出'}",
        )
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".csv"):
        raise UsageError(
            f"{option} {path} 像是一个文件名，这里要给出保存输出的文件夹",
            f"请给出文件夹，如 {option} {path.with_suffix('')}",
        )
    return path


def fail(message: str, hint: str | None = None, code: int = EXIT_USAGE) -> typer.Exit:
    err_console.print(f"[bold red]错误：[/]{escape(message)}")
    if hint:
        err_console.print(f"[yellow]提示：[/]{escape(hint)}")
    return typer.Exit(code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn tianbao's exceptions into a Chinese message and exit code 2, never a traceback."""
    try:
        yield
    except TianbaoError as exc:
        raise fail(exc.message, exc.hint) from None
    except OSError as exc:  # an output that cannot be written: the disk is full, no permission …
        where = f"“{exc.filename}”" if exc.filename else ""
        raise fail(f"无法读写{where}：{os_reason(exc)}", "请检查路径、权限和磁盘空间") from None
    except KeyboardInterrupt:
        err_console.print("已中断。")
        sys.exit(EXIT_INTERRUPTED)
