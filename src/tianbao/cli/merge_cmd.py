"""tianbao merge: check every returned workbook and consolidate the accepted ones into one workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tianbao.cli.common import (
    PasswordOpt,
    check_options,
    console,
    output_file,
    output_folder,
    progress_bar,
    user_errors,
)
from tianbao.inputs import require_outside
from tianbao.options import CheckOptions

if TYPE_CHECKING:
    from tianbao.consolidation import Consolidation

# Totals shown in the summary: cell id → what it is called.
HEADLINE = {
    "t3.new.tot": "本年新收申请",
    "t3.carry.tot": "上年结转申请",
    "t3.r7.tot": "办理结果总计",
    "t3.fwd.tot": "结转下年度继续办理",
    "t4.review.total": "行政复议",
    "t4.lit_direct.total": "行政诉讼（未经复议直接起诉）",
    "t4.lit_after.total": "行政诉讼（复议后起诉）",
}


def print_summary(c: Consolidation, out: Path, exported: list[Path]) -> None:
    """What the merge did: the files checked (counted by file), the units in the totals and the roll-call
    (counted by unit), the 未报送 units by name, the files returned, the headline totals, the outputs."""
    from tianbao.cli.render import files_line, say, units_line
    from tianbao.spec import fmt_number

    say(
        console,
        f"{c.parent.name}（{c.parent.code}）{c.year} 年度汇总：计入 {len(c.members)} 个单位（按单位计）。",
        style="bold",
    )
    say(console, files_line(c.report))
    call = c.roll_call
    if call is not None and call.has_roster:
        say(console, units_line(call))
        missing = call.missing
        if missing:
            names = "、".join(f"{r.unit_name}（{r.unit_code}）" for r in missing)
            say(console, f"未报送（{len(missing)} 个单位）：{names}", style="red")
    for f in c.rejected:
        first = next((i.message for i in f.issues if i.is_error), "")
        say(console, f"✗ 退回 {f.name}：{first}", keep=[f.name], indent=2)
    shown = [f"{label} {fmt_number(c.totals[cid])}" for cid, label in HEADLINE.items() if cid in c.totals]
    if shown:
        say(console, "合计：" + "，".join(shown) + "。")
    say(console, f"已写入汇总表：{out}", keep=[str(out)])
    for p in exported:
        say(console, f"已导出：{p}", keep=[str(p)])


@check_options(year_required=True)
def merge(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="报表文件或文件夹（可给多个；可含下级的汇总表和 .zip 压缩包）。",
            metavar="文件或文件夹",
            show_default=False,
        ),
    ],
    options: CheckOptions,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="文件", help="输出的汇总工作簿（.xlsx）。")],
    unit: Annotated[
        str | None,
        typer.Option("--unit", metavar="代码", help="汇总单位的代码（默认：名单的最上级单位）。"),
    ] = None,
    unit_name: Annotated[
        str | None,
        typer.Option(
            "--unit-name",
            help="汇总单位的名称，写入汇总表封面（默认：名单中这个代码的单位名称）。",
            metavar="名称",
        ),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            metavar="文件夹",
            help="另外把计入汇总的数据导出为 CSV（带 BOM 的 UTF-8）和 Parquet，保存到此文件夹。",
        ),
    ] = None,
    password: PasswordOpt = None,
) -> None:
    """检查回收的报表（与 check 相同），把通过的报表汇总成一份与模板格式相同的汇总工作簿。

    汇总工作簿含：表二至表四（每格是对“明细”的求和公式，保存了计算结果）、明细、报送情况、问题清单、来源。
    同一单位有多份报表时，内容相同只计一次，否则以填报日期较新的为准；汇总表与其组成单位的报表同时给出时，
    组成单位的报表记为“重复计算”错误，不计入。

    退出码：0 已写入且没有文件被退回；1 已写入，但有文件被退回；2 用法错误。

    例：tianbao merge 回收/ --year 2025 --roster 名单.csv -o 汇总.xlsx --export 导出/
    """
    # Imported here so that `tianbao template` and `--help` do not pay for pandas and pandera.
    from tianbao.consolidation import export_tidy, merge_files, write_consolidated

    with user_errors():
        output_file(out)
        if export is not None:
            output_folder(export, option="--export")
            require_outside(export, paths, others=options.read_files, option="--export")
        with progress_bar() as progress:
            result = merge_files(
                paths, options, unit_code=unit, unit_name=unit_name, out=out, progress=progress
            )
        write_consolidated(result, out, password=password)
        exported = export_tidy(result, export) if export is not None else []
        print_summary(result, out, exported)
    raise typer.Exit(result.exit_code)
