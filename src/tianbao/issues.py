"""The one catalogue of issue codes: every problem tianbao reports has a stable code, a severity, a Chinese
title, a message template and a fix hint. Rule violations get the code `rule-<id>` from the spec.

The README's table of codes is generated from this catalogue (`tianbao codes`), and every code has a fixture
in tests/data/ named for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from tianbao.spec.compiled import RuleInstance

Severity = Literal["error", "warning"]
SEVERITY_ZH = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: Severity
    title: str
    template: str
    hint: str


@dataclass(frozen=True)
class Issue:
    code: str
    severity: Severity
    message: str
    cell_id: str | None = None
    sheet: str | None = None
    cell: str | None = None
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def _t(code: str, severity: Severity, title: str, template: str, hint: str) -> IssueType:
    return IssueType(code, severity, title, template, hint)


CATALOGUE: dict[str, IssueType] = {
    t.code: t
    for t in [
        # --- the file itself --------------------------------------------------------------------------
        _t(
            "file-unreadable",
            "error",
            "文件无法读取",
            "文件无法读取：{reason}。",
            "请检查文件是否存在、是否有读取权限，或重新复制一份。",
        ),
        _t("file-empty", "error", "文件是空的", "文件是空的（0 字节）。", "请让填报单位重新发送文件。"),
        _t(
            "file-too-large",
            "error",
            "文件过大",
            "{detail}，未读取；可用 {option} 放宽上限。",
            "报表文件通常不到 1 MB，请确认发来的是填报模板；确需读取时再放宽上限。",
        ),
        _t(
            "not-xlsx",
            "error",
            "不是 Excel 工作簿",
            "这不是 Excel 工作簿（.xlsx）：{reason}。",
            "请让填报单位用 Excel 或 WPS 打开下发的模板，填写后直接保存为 .xlsx 再发送。",
        ),
        _t(
            "legacy-format",
            "error",
            "文件格式不受支持",
            "文件是 {kind} 格式，不能读取。",
            "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（*.xlsx），并确认使用的是下发的模板。",
        ),
        _t(
            "encrypted",
            "error",
            "文件已加密",
            "文件已加密（设置了打开密码），无法读取。",
            "请让填报单位取消“打开密码”（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新发送。",
        ),
        _t(
            "corrupt-workbook",
            "error",
            "工作簿已损坏",
            "工作簿已损坏，无法读取：{reason}。",
            "请让填报单位用 Excel 或 WPS 打开确认后重新保存发送；如打不开，请在原模板中重新填写。",
        ),
        _t(
            "unsafe-workbook",
            "error",
            "工作簿内容异常",
            "工作簿内容异常，为安全起见未读取：{reason}。",
            "正常的填报模板不会出现这种情况；请让填报单位在下发的模板中重新填写。",
        ),
        _t(
            "reader-crashed",
            "error",
            "读取时程序异常退出",
            "读取本文件的进程异常退出（{reason}），未能读取；其他文件不受影响。",
            "请让填报单位用 Excel 或 WPS 打开确认后重新保存发送；如仍如此，请把文件交给技术人员排查。",
        ),
        _t(
            "macros-present",
            "warning",
            "工作簿含有宏",
            "工作簿含有宏（{kind}），宏不会被执行，只读取数据。",
            "请让填报单位在下发的 .xlsx 模板中填写，不要另存为启用宏的工作簿。",
        ),
        # --- identity -----------------------------------------------------------------------------
        _t(
            "not-a-template",
            "error",
            "不是 tianbao 模板",
            "没有找到模板戳记，这不是县（旗）下发的填报模板。",
            "请使用下发的模板重新填写（tianbao template 生成）。",
        ),
        _t(
            "stamp-inconsistent",
            "error",
            "模板戳记不一致",
            "模板戳记前后不一致：{detail}。",
            "模板被改动过。请使用下发的模板重新填写。",
        ),
        _t(
            "spec-unknown",
            "error",
            "模板版本不对",
            "模板版本不对：{detail}。",
            "请使用本年度下发的模板（{expected}）重新填写。",
        ),
        _t(
            "year-mismatch",
            "error",
            "年度不对",
            "这是 {found} 年度的模板，本次收集的是 {expected} 年度。",
            "请使用 {expected} 年度的模板重新填写。",
        ),
        _t(
            "unit-missing",
            "error",
            "未填写单位",
            "封面未填写{what}，无法确定是哪个单位的报表。",
            "请在封面填写单位名称和单位代码。",
        ),
        _t(
            "unit-not-in-roster",
            "error",
            "单位不在名单中",
            "单位“{name}”（代码 {code}）不在名单中。",
            "请核对单位代码；如是新增单位，请先把它加入名单。",
        ),
        _t(
            "unit-name-mismatch",
            "warning",
            "单位名称与名单不同",
            "封面单位名称“{found}”与名单中的“{expected}”不同。",
            "请核对是否用了其他单位的模板。",
        ),
        _t(
            "meta-missing",
            "warning",
            "封面信息不全",
            "封面未填写：{fields}。",
            "请在封面补填{fields}。",
        ),
        # --- integrity ----------------------------------------------------------------------------
        _t(
            "sheet-missing",
            "error",
            "缺少工作表",
            "缺少工作表“{sheet}”。",
            "工作表被删除或改名了。请使用下发的模板重新填写，不要删除或重命名工作表。",
        ),
        _t(
            "layout-changed",
            "error",
            "表格结构被改动",
            "{sheet}的表格结构被改动：{detail}。",
            "请不要插入或删除行列。请使用下发的模板重新填写。",
        ),
        _t(
            "label-changed",
            "error",
            "标题文字被改动",
            "单元格文字应为“{expected}”，现为“{found}”。",
            "表格的标题和栏目文字不能修改。请使用下发的模板重新填写。",
        ),
        _t(
            "name-mismatch",
            "error",
            "单元格名称被改动",
            "名称 {name} 应指向 {expected}，现为 {found}。",
            "模板的定义名称被改动。请使用下发的模板重新填写。",
        ),
        _t(
            "formula-overwritten",
            "error",
            "公式被改写",
            "“{label}”是自动计算的合计，公式已被改写为 {found}（{detail}）。",
            "请恢复公式：使用下发的模板重新填写，合计和总计不要手工填写。",
        ),
        _t(
            "protection-removed",
            "warning",
            "工作表保护已取消",
            "{sheet}的工作表保护已被取消。",
            "保护只是防止误改。请核对标题、公式是否被改动；tianbao 已按模板重新计算全部合计。",
        ),
        _t(
            "cached-value-mismatch",
            "warning",
            "显示的合计与重新计算不符",
            "“{label}”文件中显示为 {found}，按填写的数字重新计算为 {expected}。",
            "可能是文件未重新计算或被改动过；汇总使用重新计算的值 {expected}。",
        ),
        # --- values -------------------------------------------------------------------------------
        _t(
            "value-text-number",
            "warning",
            "数字格式不规范",
            "“{label}”填写为“{raw}”，按 {value} 读取。",
            "请直接填写阿拉伯数字，不要用全角数字、千位分隔符、空格或文本格式。",
        ),
        _t(
            "value-dash",
            "warning",
            "用符号表示无",
            "“{label}”填写为“{raw}”，按 0 读取。",
            "没有发生请直接填 0，不要填写“—”“/”“无”。",
        ),
        _t(
            "value-unit-suffix",
            "warning",
            "数字带有单位",
            "“{label}”填写为“{raw}”，按 {value} 读取。",
            "只填写数字，不要带“件”“万元”等单位。",
        ),
        _t(
            "value-not-a-number",
            "error",
            "不是数字",
            "“{label}”填写为“{raw}”，不是数字。",
            "请填写大于或等于 0 的数字；没有发生请填 0。",
        ),
        _t(
            "value-negative",
            "error",
            "出现负数",
            "“{label}”填写为“{raw}”，不能为负数。",
            "请填写大于或等于 0 的数字。",
        ),
        _t(
            "value-not-integer",
            "error",
            "件数不是整数",
            "“{label}”填写为“{raw}”，件数应为整数。",
            "请填写整数件数。",
        ),
        _t(
            "value-out-of-range",
            "error",
            "数字超出范围",
            "“{label}”填写为“{raw}”，超出允许的范围：{bound}。",
            "请核对是否多输了数字或填错了单位（金额以万元为单位）；实际的数字不会这么大。",
        ),
        _t(
            "value-precision",
            "warning",
            "金额小数位过多",
            "“{label}”填写为“{raw}”，按 4 位小数 {value} 读取。",
            "金额以万元为单位，最多保留 4 位小数。",
        ),
        _t(
            "value-blank",
            "warning",
            "有空白单元格",
            "{sheet}有 {count} 个单元格未填写，按 0 计算：{cells}。",
            "空白不等于 0：没有发生的事项请填 0；如有数字漏填，请补填。",
        ),
        _t(
            "table-empty",
            "error",
            "未填报",
            "{sheet}全部空白，视为未填报。",
            "请填写{sheet}；没有发生的事项填 0。",
        ),
        _t(
            "value-formula",
            "error",
            "填写了公式",
            "“{label}”中是公式 {raw}，不是填写的数字。",
            "请直接填写数字，不要在填写的单元格中使用公式（可先算好再填入结果）。",
        ),
        # --- published reports (tianbao import) ---------------------------------------------------
        _t(
            "report-unreadable",
            "error",
            "报告无法读取",
            "报告无法读取：{reason}。",
            "请找到这份报告的网页（.html）、Word 文档（.docx）、有文字的 PDF 或文本（.txt）再导入。",
        ),
        _t(
            "import-year-unknown",
            "error",
            "无法确定报告年度",
            "报告的标题和正文中没有找到报告年度，未导入。",
            "请用 --year 指定报告年度。",
        ),
        _t(
            "import-unit-unknown",
            "warning",
            "无法确定单位",
            "报告的标题和落款中没有找到单位名称。",
            "请用 --unit-name 和 --unit-code 指定单位。",
        ),
        _t(
            "import-unit-not-in-roster",
            "warning",
            "名单中没有报告的单位",
            "名单中没有“{name}”（或有几个单位与它同名），导入的工作簿中没有单位代码。",
            "请核对名单中的单位名称，或用 --unit-code 指定这份报告的单位代码。",
        ),
        _t(
            "format-outdated",
            "warning",
            "使用了旧的报告格式",
            "这是 {year} 年度的报告，表二却是 2019 年试行格式（国办公开办函〔2019〕60号）的栏目，已按 2019 年格式导入。",
            "2021 年度起应使用国办公开办函〔2021〕30号的格式，请提醒该单位。",
        ),
        _t(
            "import-table-missing",
            "error",
            "报告中没有这张表",
            "报告中没有找到{sheet}（{title}），{sheet}留空。",
            "请核对报告是否缺少这张表（例如表格是图片）；可照原报告在导入的工作簿中填写。",
        ),
        _t(
            "import-unreadable",
            "warning",
            "无法确定的数字",
            "“{label}”无法确定：{reason}，已留空。",
            "请对照原报告核实，在导入的工作簿中填写这一单元格。",
        ),
        _t(
            "published-total-mismatch",
            "error",
            "公布的合计与分项不符",
            "“{label}”报告中公布为 {published}，按分项重新计算为 {recomputed}。",
            "请核对报告中这一合计和它的各分项；公布的数字有误时，应更正已公开的报告。",
        ),
        # --- consolidation ------------------------------------------------------------------------
        _t(
            "duplicate-identical",
            "warning",
            "重复报送（内容相同）",
            "与 {other} 内容相同，只计一次。",
            "无需处理。",
        ),
        _t(
            "duplicate-superseded",
            "warning",
            "重复报送（已被替代）",
            "同一单位另有更新的报表 {other}，本文件不计入汇总。",
            "如本文件才是最终版本，请删除另一份后重新汇总。",
        ),
        _t(
            "double-count",
            "error",
            "重复计算",
            "{detail}，会造成重复计算，本文件不计入汇总。",
            "汇总表已包含该单位的数据；请只保留汇总表或只保留其组成单位的报表。",
        ),
        # --- the report's text (正文), checked against the tables ---------------------------------
        _t(
            "text-number-mismatch",
            "warning",
            "正文的件数与统计表不符",
            "“{label}”中“{sentence}”与统计表不符：{detail}。",
            "请核对正文中的件数，使其与表三、表四一致（数字以核实后的为准，改正文或改统计表）。",
        ),
        _t(
            "text-fee-mismatch",
            "warning",
            "正文的收费情况与统计表不符",
            "“{label}”中“{sentence}”与统计表不符：{detail}。",
            "信息处理费（元）写在“六、其他需要报告的事项”中，行政事业性收费（万元）填在表二；请核对两者的说法和数字。",
        ),
        _t(
            "text-section-empty",
            "warning",
            "正文缺少必写部分",
            "正文已填写，但“{label}”是空白。",
            "年度报告不能缺少这一部分，请补写。",
        ),
        _t(
            "text-too-long",
            "warning",
            "正文篇幅过长",
            "“{label}”共 {count} 字，超过约 {limit} 字。",
            "这一部分宜简明扼要，请精简到约 {limit} 字以内。",
        ),
        _t(
            "text-repeated",
            "warning",
            "正文与上年报告重复",
            "“{label}”的 {total} 句中有 {same} 句与上年报告相同，如“{sentence}”。",
            "年度报告应写本年度的情况，请按本年的工作重写，不要照抄上年报告。",
        ),
        _t(
            "text-cell-too-long",
            "warning",
            "正文单元格超过 Excel 的上限",
            "“{label}”有 {count} 个字符，超过 Excel 一个单元格最多 32,767 个字符的上限。",
            "在 Excel 或 WPS 中打开时超出的部分会被截去（退回修改的工作簿也只保留前 32,767 个字符），请精简。",
        ),
    ]
}


def make(
    code: str,
    /,
    *,
    cell_id: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    **fields: Any,
) -> Issue:
    """An issue of a catalogued code, its message and hint filled from `fields` and the location (several
    templates name the sheet; a field may itself be called `code`, e.g. the unit code)."""
    t = CATALOGUE[code]
    values = {"sheet": sheet, "cell": cell, "cell_id": cell_id, **fields}
    return Issue(
        code=code,
        severity=t.severity,
        message=t.template.format(**values),
        cell_id=cell_id,
        sheet=sheet,
        cell=cell,
        hint=t.hint.format(**values),
    )


def rule_code(rule_id: str) -> str:
    return f"rule-{rule_id}"


def from_rule(inst: RuleInstance, lhs: float, rhs: float, sheet: str | None, cell: str | None) -> Issue:
    """An issue for a violated rule instance (H3, S1, S2, S5 …)."""
    return Issue(
        code=rule_code(inst.rule.id),
        severity=inst.rule.severity,
        message=inst.message(lhs, rhs),
        cell_id=inst.target,
        sheet=sheet,
        cell=cell,
        hint=inst.rule.fix,
    )


def catalogue_rows() -> list[tuple[str, str, str, str]]:
    """(code, 级别, title, hint) for every catalogued code and every rule of the bundled specs."""
    from tianbao.spec import known_specs

    rows = [(t.code, SEVERITY_ZH[t.severity], t.title, t.hint) for t in CATALOGUE.values()]
    seen: set[str] = set()
    for spec in known_specs().values():
        for r in spec.doc.rules:
            if r.role == "check" and r.id not in seen:
                seen.add(r.id)
                rows.append((rule_code(r.id), SEVERITY_ZH[r.severity], r.title, r.fix))
    return rows
