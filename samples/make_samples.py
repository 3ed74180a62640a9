"""Generate the bundled 2022 sample submissions of 鄂伦春自治旗 (samples/submissions/, expected.json, README.md).

    .venv/bin/python samples/make_samples.py            # rewrite samples/ in place
    .venv/bin/python samples/make_samples.py OUT_DIR    # write the same files under OUT_DIR (tests compare)

Every sample is a tianbao template (`write_template`) typed into with `fill_template`, the way a town fills
it in Excel: numbers, text such as “12件” or “—”, blanks, a total typed over its formula. The output is
byte-identical from run to run: openpyxl stamps the save time into docProps/core.xml and into the zip
entries, so each filled file is re-packed with the fill date as its time.

The list `SAMPLES` below is the single source of the files, of expected.json (the verdict and issue codes
`tianbao check --year 2022 --roster samples/roster.csv` should give) and of the table in README.md.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.filling import fill_template
from tianbao.roster import Roster, Unit, load_roster
from tianbao.spec import Spec, load_spec
from tianbao.template import TemplateOptions, write_template

HERE = Path(__file__).resolve().parent
ROSTER = HERE / "roster.csv"
YEAR = 2022
SUBMISSIONS = "submissions"
C6 = ("np", "ce", "ri", "spo", "lso", "oth")
STATUS_ZH = {"accepted": "通过", "accepted_with_warnings": "通过（有警告）", "rejected": "退回"}

Values = dict[str, Any]


# --- values ------------------------------------------------------------------------------------------------


def zeros(spec: Spec) -> Values:
    """Every input cell 0: what a unit with nothing to report types (诺敏镇 2022)."""
    return {cell_id: 0 for cell_id in spec.input_ids}


def t3(**rows: Mapping[str, Any]) -> Values:
    """表三 values by row: t3(new={"np": 5, "ce": 1}) → {"t3.new.np": 5, "t3.new.ce": 1}."""
    return {f"t3.{row}.{col}": v for row, cols in rows.items() for col, v in cols.items()}


def cover(filled_by: str, phone: str, filled_on: dt.date | str, reviewer: str) -> Values:
    return {
        "meta.filled_by": filled_by,
        "meta.phone": phone,
        "meta.filled_on": filled_on,
        "meta.reviewer": reviewer,
    }


def values_of(spec: Spec, *parts: Values) -> Values:
    out = zeros(spec)
    for part in parts:
        out.update(part)
    return out


# 诺敏镇's 正文, from its published 2022 report (shortened; the wording and the numbers are the report's).
NUOMIN_TEXT: Values = {
    "text.title.unit": "鄂伦春自治旗诺敏镇人民政府",
    "text.opening.download": "本报告电子版可在鄂伦春自治旗人民政府门户网站“政府信息公开”专栏查阅或下载。",
    "text.opening.contact": "如对本报告有任何疑问，请与诺敏镇人民政府党政综合办公室联系（地址：鄂伦春自治旗诺敏镇中央街1号，"
    "电话：0470-5946089，邮编：165474）。",
    "text.overview": "2022年以来，诺敏镇人民政府认真贯彻落实《中华人民共和国政府信息公开条例》等相关文件的规定精神，"
    "按照“公开为原则，不公开为例外”总体要求，凡属重大事项、涉及群众切身利益的重要事情，只要不涉及党和国家秘密的，"
    "都及时按要求对外公开。",
    "text.overview.active": "截止2022年12月31日，我镇主动公开政府信息345条。主要公开内容涉及概况信息、机构职能、领导信息、"
    "工作动态、统计数据和财务信息等。",
    "text.overview.request": "本年度未收到政府信息公开申请，未发生行政复议和行政诉讼。",
    "text.overview.management": "我镇建立了“主要领导亲自抓，分管领导具体抓，党政办统筹负责，各职能办公室分项落实”的工作制度，"
    "编制了政府信息公开目录和公开指南，确保公开信息不涉密，涉密信息不公开。",
    "text.overview.platform": "成立了诺敏镇政务服务体系建设工作领导小组。政务服务大厅配备了电脑等办公设施；"
    "全镇各村及社区分别设立帮办代办服务窗口，共17个。",
    "text.overview.oversight": "成立监督领导小组，办公室设在纪委办公室，对公开内容是否规范、社会承诺是否兑现、"
    "群众办事是否满意等进行重点监督。",
    "text.problems": "（一）存在的主要问题：对《条例》的学习不够、理解不深，信息的更新不及时，与公众的需求存在一定差距。\n"
    "（二）改进措施：进一步加强领导，规范信息公开工作，加大对政务信息的公开力度，确保政府信息公开准确、及时、规范。",
    "text.other": "2022年政务公开工作要点共57项工作，均已按时完成。",
    "text.other.fees": "2022年度，鄂伦春自治旗诺敏镇人民政府未产生收取信息处理费情况。",
    "text.closing.date": "2023年1月12日",
}


# --- the samples -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    path: str  # relative to submissions/
    who: str  # the unit as the README names it
    problem: str  # what is wrong with it (Chinese), or what makes it a good example
    status: str  # accepted | accepted_with_warnings | rejected
    codes: tuple[str, ...] = ()
    # An .xlsx sample: the template it was filled in and the values typed into it.
    unit: str | Unit | None = None  # roster code, a Unit made by hand, or None for the blank template
    fmt: str = "2021"
    year: int = YEAR
    values: Callable[[Spec], Values] | None = None
    overwrite_formulas: bool = False
    saved: dt.datetime | None = None  # when the town saved it (zip entry times, core.xml modified)
    text: str | None = None  # a non-spreadsheet file: its content
    merge: str = ""  # its status in the 报送情况 sheet of `tianbao merge`
    merge_note: str = ""  # why, when the status alone does not say (README only)


def d(day: int) -> dt.date:
    return dt.date(2023, 1, day)


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2023, 1, day, hour, minute)


SAMPLES: list[Sample] = [
    Sample(
        "诺敏镇2022年政务公开报表.xlsx",
        "诺敏镇人民政府（150723107）",
        "无问题。数值取自诺敏镇 2022 年度报告原文：本年度未收到政府信息公开申请，未发生行政复议、行政诉讼，"
        "表二、表三、表四全部为 0；封面填写齐全（填报日期 2023-01-12，与报告落款一致）；“正文”填写了报告的文字"
        "（取自同一份报告），`tianbao report` 用它生成完整的年度报告。",
        "accepted",
        unit="150723107",
        values=lambda spec: values_of(spec, cover("李红梅", "0470-5946089", d(12), "王建军"), NUOMIN_TEXT),
        saved=at(12, 16, 20),
        merge="已通过",
    ),
    Sample(
        "阿里河镇-报表（修改后）.xlsx",
        "阿里河镇人民政府（150723100）",
        "无问题。有依申请公开：新收 6 件（自然人 5、商业企业 1），上年结转 1 件，予以公开 4、部分公开 1、"
        "本机关不掌握 1，结转下年度 1 件；行政处罚 2 件。这是修改后重新发送的版本（填报日期 2023-01-16）。",
        "accepted",
        unit="150723100",
        values=lambda spec: values_of(
            spec,
            t3(
                new={"np": 5, "ce": 1},
                carry={"np": 1},
                r1={"np": 3, "ce": 1},
                r2={"np": 1},
                r4_1={"np": 1},
                fwd={"np": 1},
            ),
            {"t2.penalty.decisions": 2},
            cover("王海燕", "0470-5661234", d(16), "刘志刚"),
        ),
        saved=at(16, 9, 45),
        merge="已通过",
        merge_note="替代微信接收中的旧版本",
    ),
    Sample(
        "微信接收/阿里河镇-报表.xlsx",
        "阿里河镇人民政府（150723100）",
        "本身无问题，但与“阿里河镇-报表（修改后）.xlsx”是同一单位的两份报表：这是先从微信发来的旧版本"
        "（填报日期 2023-01-09，漏填了“本机关不掌握”的 1 件申请）。",
        "accepted",
        unit="150723100",
        values=lambda spec: values_of(
            spec,
            t3(
                new={"np": 4, "ce": 1},
                carry={"np": 1},
                r1={"np": 3, "ce": 1},
                r2={"np": 1},
                fwd={"np": 1},
            ),
            {"t2.penalty.decisions": 2},
            cover("王海燕", "0470-5661234", d(9), "刘志刚"),
        ),
        saved=at(9, 17, 5),
        merge="重复（不计入）",
        merge_note="被“修改后”的版本替代（`duplicate-superseded`）",
    ),
    Sample(
        "鄂伦春自治旗教育局 2022年度政府信息公开年报统计表.xlsx",
        "鄂伦春自治旗教育局（150723201）",
        "无问题。制发行政规范性文件 3 件、废止 1 件、现行有效 12 件；行政许可 8 件；收费 0.038 万元；"
        "依申请公开 4 件全部办结；行政复议 1 件（结果维持）。文件名中有空格。“正文”的依申请公开一节写的是"
        "“共收到政府信息公开申请5件”，与表三的 4 件不符（正文与统计表不符，警告）。",
        "accepted_with_warnings",
        ("text-number-mismatch",),
        unit="150723201",
        values=lambda spec: values_of(
            spec,
            {
                "t2.normative.issued": 3,
                "t2.normative.repealed": 1,
                "t2.normative.valid": 12,
                "t2.licensing.decisions": 8,
                "t2.fees.amount_wan": 0.038,
                "t4.review.maintain": 1,
            },
            t3(new={"np": 4}, r1={"np": 2}, r2={"np": 1}, r5_1={"np": 1}),
            cover("孙丽娟", "0470-5622317", d(10), "赵文博"),
            {
                "text.overview.request": "本年度共收到政府信息公开申请5件，其中予以公开2件，部分公开1件，不予处理1件，"
                "均已按期答复。",
                "text.problems": "依申请公开答复文书还不够规范。下一步将加强业务培训。",
            },
        ),
        saved=at(10, 15, 30),
        merge="有警告",
    ),
    Sample(
        "微信接收/政数局 政府信息公开统计表.xlsx",
        "鄂伦春自治旗政务服务与数据管理局（150723205）",
        "无问题。用的是空白模板（没有预填单位），单位名称和单位代码由填报人在封面填写；"
        "依申请公开 3 件（予以公开 2、本机关不掌握 1）。",
        "accepted",
        unit=None,
        values=lambda spec: values_of(
            spec,
            {"meta.unit_name": "鄂伦春自治旗政务服务与数据管理局", "meta.unit_code": "150723205"},
            t3(new={"np": 2, "ce": 1}, r1={"np": 1, "ce": 1}, r4_1={"np": 1}),
            cover("李晓东", "0470-5625107", "2023-01-11", "张建华"),
        ),
        saved=at(11, 11, 10),
        merge="已通过",
    ),
    Sample(
        "大杨树镇 政务公开统计表 2022.xlsx",
        "大杨树镇人民政府（150723101）",
        "表三“法人或其他组织”五列（商业企业、科研机构、社会公益组织、法律服务机构、其他）全部留空，没有填 0。"
        "空白不等于 0：按 0 计算，但提示核实。",
        "accepted_with_warnings",
        ("value-blank",),
        unit="150723101",
        values=lambda spec: {
            **values_of(
                spec,
                t3(new={"np": 2}, r1={"np": 1}, r6_3={"np": 1}),
                cover("陈淑华", "0470-5712208", "2023-01-10", "高永明"),
            ),
            **{
                f"t3.{row}.{col}": None
                for row in ("new", "carry", *_result_rows(spec), "fwd")
                for col in C6[1:]
            },
        },
        saved=at(10, 16, 40),
        merge="有警告",
    ),
    Sample(
        "乌鲁布铁镇2022年度报表.xlsx",
        "乌鲁布铁镇人民政府（150723102）",
        "表三勾稽关系不成立：新收 3 件（自然人），办理结果只填了予以公开 2 件，漏填 1 件，"
        "“自然人”列和“总计”列第一项加第二项（3）不等于第三项加第四项（2）。",
        "rejected",
        ("rule-H3",),
        unit="150723102",
        values=lambda spec: values_of(
            spec,
            t3(new={"np": 3}, r1={"np": 2}),
            cover("于春梅", "0470-5730116", "2023-01-13", "马国庆"),
        ),
        saved=at(13, 10, 5),
        merge="退回",
    ),
    Sample(
        "甘河镇_政府信息公开年度报表_终稿.xlsx",
        "甘河镇人民政府（150723103）",
        "表三“一、本年新收”的“总计”是公式，填报人把它改写成了手工输入的数字 3（数值碰巧正确，但公式已被破坏）。",
        "rejected",
        ("formula-overwritten",),
        unit="150723103",
        values=lambda spec: values_of(
            spec,
            t3(new={"np": 2, "ce": 1, "tot": 3}, r1={"np": 2, "ce": 1}),
            cover("周红霞", "0470-5740521", "2023-01-12", "吴海龙"),
        ),
        overwrite_formulas=True,
        saved=at(12, 14, 0),
        merge="退回",
    ),
    Sample(
        "吉文镇报表2022.xlsx",
        "吉文镇人民政府（150723104）",
        "用符号表示“没有”：表二规章一行填“—”，收费金额填“无”，表四行政诉讼“复议后起诉”一组填“/”。"
        "按 0 读取，提示今后直接填 0。",
        "accepted_with_warnings",
        ("value-dash",),
        unit="150723104",
        values=lambda spec: values_of(
            spec,
            {f"t2.rules.{c}": "—" for c in ("issued", "repealed", "valid")},
            {"t2.fees.amount_wan": "无"},
            {f"t4.lit_after.{c}": "/" for c in ("maintain", "correct", "other", "pending")},
            cover("郭玉兰", "0470-5751033", "2023-01-11", "杨振宇"),
        ),
        saved=at(11, 15, 15),
        merge="有警告",
    ),
    Sample(
        "克一河镇政务公开年报（2022）.xlsx",
        "克一河镇人民政府（150723105）",
        "数字写法不规范：行政许可填“5件”（带单位），行政规范性文件现行有效件数用全角数字“１２”。",
        "accepted_with_warnings",
        ("value-text-number", "value-unit-suffix"),
        unit="150723105",
        values=lambda spec: values_of(
            spec,
            {"t2.licensing.decisions": "5件", "t2.normative.valid": "１２"},
            cover("林雪", "0470-5760412", "2023-01-12", "韩东"),
        ),
        saved=at(12, 9, 20),
        merge="有警告",
    ),
    Sample(
        "市场监管局-2022政府信息公开.xlsx",
        "鄂伦春自治旗市场监督管理局（150723204）",
        "行政许可处理决定数量填成带千位分隔符的文本“1,234”。按 1234 读取，提示直接填阿拉伯数字。",
        "accepted_with_warnings",
        ("value-text-number",),
        unit="150723204",
        values=lambda spec: values_of(
            spec,
            {
                "t2.licensing.decisions": "1,234",
                "t2.penalty.decisions": 37,
                "t2.coercion.decisions": 4,
                "t2.normative.valid": 2,
            },
            t3(new={"np": 3, "ce": 1}, r1={"np": 2}, r2={"ce": 1}, r4_1={"np": 1}),
            cover("赵敏", "0470-5628315", "2023-01-13", "钱卫东"),
        ),
        saved=at(13, 16, 0),
        merge="有警告",
    ),
    Sample(
        "宜里镇 2022年报表.xlsx",
        "宜里镇人民政府（150723106）",
        "表二行政处罚填了“不详”，不是数字，无法汇总。",
        "rejected",
        ("value-not-a-number",),
        unit="150723106",
        values=lambda spec: values_of(
            spec,
            {"t2.penalty.decisions": "不详"},
            cover("黄丽", "0470-5770239", "2023-01-10", "徐海"),
        ),
        saved=at(10, 11, 30),
        merge="退回",
    ),
    Sample(
        "托扎敏乡2022年政府信息公开工作年度报告统计表.xlsx",
        "托扎敏乡人民政府（150723108）",
        "乡镇填报了规章：规章现行有效件数 6（乡镇无权制定规章，多半是把行政规范性文件填进了规章行）。",
        "accepted_with_warnings",
        ("rule-S5",),
        unit="150723108",
        values=lambda spec: values_of(
            spec,
            {"t2.rules.valid": 6},
            cover("白云峰", "0470-5780157", "2023-01-12", "何志强"),
        ),
        saved=at(12, 10, 50),
        merge="有警告",
    ),
    Sample(
        "自然资源局2022年报表(1).xlsx",
        "鄂伦春自治旗自然资源局（150723202）",
        "用了去年（2021 年度）下发的模板填写 2022 年的数字。",
        "rejected",
        ("year-mismatch",),
        unit="150723202",
        year=2021,
        values=lambda spec: values_of(
            spec,
            {"t2.licensing.decisions": 14, "t2.penalty.decisions": 6, "t2.normative.valid": 3},
            t3(new={"np": 2}, r1={"np": 1}, r3_4={"np": 1}),
            cover("冯建国", "0470-5631248", "2023-01-13", "邓丽华"),
        ),
        saved=at(13, 11, 40),
        merge="退回",
    ),
    Sample(
        "卫健委政务公开报表.xlsx",
        "鄂伦春自治旗卫生健康委员会（150723203）",
        "用了 2019 年试行格式（国办公开办函〔2019〕60号）的模板，表二栏目与现行格式不同。",
        "rejected",
        ("spec-unknown",),
        unit="150723203",
        fmt="2019",
        values=lambda spec: values_of(
            spec,
            {"t2.licensing.decisions": 21, "t2.penalty.decisions": 3},
            t3(new={"np": 1}, r1={"np": 1}),
            cover("曹静", "0470-5626630", "2023-01-11", "彭宇"),
        ),
        saved=at(11, 9, 0),
        merge="退回",
    ),
    Sample(
        "乡村振兴局报表.xlsx",
        "鄂伦春自治旗乡村振兴局（150723299，不在名单中）",
        "报表本身没有问题，但单位代码 150723299 不在单位名单中（新设单位，名单尚未加入）。",
        "rejected",
        ("unit-not-in-roster",),
        unit=Unit("150723299", "鄂伦春自治旗乡村振兴局", "部门", "150723", 0),
        values=lambda spec: values_of(
            spec,
            t3(new={"np": 1}, r1={"np": 1}),
            cover("石磊", "0470-5639902", "2023-01-12", "罗军"),
        ),
        saved=at(12, 15, 25),
        merge="名单外",
    ),
    Sample(
        "说明.txt",
        "（古里乡的说明，不是报表）",
        "不是 Excel 工作簿：古里乡发来的一段文字说明，夹在报表文件夹里。",
        "rejected",
        ("not-xlsx",),
        text="各位领导：\n古里乡2022年政务公开报表正在核对，下周一前补报。\n古里乡党政综合办公室 2023年1月13日\n",
        merge="退回",
        merge_note="不是报表；古里乡列为“未报送”",
    ),
]


def _result_rows(spec: Spec) -> list[str]:
    """The row keys of 表三's 办理结果 inputs (r1 … r6_3), in spec order."""
    rows: list[str] = []
    for cell in spec.table_cells("t3"):
        if cell.row_key.startswith("r") and cell.row_key != "r7" and cell.row_key not in rows:
            rows.append(cell.row_key)
    return rows


# --- writing -----------------------------------------------------------------------------------------------


def resolve_unit(sample: Sample, roster: Roster) -> Unit | None:
    if isinstance(sample.unit, str):
        unit = roster.get(sample.unit)
        if unit is None:
            raise SystemExit(f"{sample.path}: unit {sample.unit} is not in {ROSTER}")
        return unit
    return sample.unit


def write_sample(sample: Sample, roster: Roster, folder: Path, scratch: Path) -> None:
    target = folder / sample.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if sample.text is not None:
        target.write_bytes(sample.text.encode("utf-8"))
        return
    assert sample.values is not None and sample.saved is not None, sample.path
    spec = load_spec(sample.fmt)
    unit = resolve_unit(sample, roster)
    template = scratch / f"{len(list(scratch.iterdir()))}.xlsx"
    write_template(spec, template, TemplateOptions(year=sample.year, unit=unit))
    values = sample.values(spec)
    if sample.fmt == "2021" and "rule-H3" not in sample.codes:
        _assert_balanced(spec, values, sample.path)
    fill_template(template, values, target, overwrite_formulas=sample.overwrite_formulas, saved=sample.saved)


def _assert_balanced(spec: Spec, values: Values, where: str) -> None:
    """Catch a typo in SAMPLES: a sample meant to be balanced must satisfy H3 (text and blanks count as 0)."""
    numbers = {k: v for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    inputs = {k: v for k, v in numbers.items() if k in spec.cells and not spec.cells[k].computed}
    allv = {**inputs, **spec.compute(inputs)}
    for inst in spec.iter_checks(None, previous=False):
        if inst.rule.id == "H3" and not inst.holds(lambda cell_id, prev: allv.get(cell_id, 0)):
            raise SystemExit(f"{where}: {inst.key} does not hold")


def expected(roster: Roster) -> dict[str, Any]:
    return {
        "year": YEAR,
        "roster": "samples/roster.csv",
        "files": {
            s.path: {"unit": _unit_code(s), "status": s.status, "codes": sorted(s.codes), "merge": s.merge}
            for s in SAMPLES
        },
        "not_submitted": [u.code for u in not_submitted(roster)],
    }


def _unit_code(sample: Sample) -> str | None:
    if isinstance(sample.unit, Unit):
        return sample.unit.code
    if isinstance(sample.unit, str):
        return sample.unit
    if sample.values is not None:
        return str(sample.values(load_spec(sample.fmt)).get("meta.unit_code") or "") or None
    return None


def not_submitted(roster: Roster) -> list[Unit]:
    submitted = {_unit_code(s) for s in SAMPLES}
    return [u for u in roster if u.code not in submitted]


def readme(roster: Roster) -> str:
    missing = not_submitted(roster)
    rows = []
    for s in SAMPLES:
        codes = "、".join(f"`{c}`" for c in sorted(s.codes)) or "—"
        merge = f"{s.merge}：{s.merge_note}" if s.merge_note else s.merge
        rows.append(f"| `{s.path}` | {s.who} | {s.problem} | {STATUS_ZH[s.status]} | {codes} | {merge} |")
    missing_text = "、".join(f"{u.name}（{u.code}）" for u in missing)
    return "\n".join(
        [
            "# 样例（samples/）",
            "",
            "鄂伦春自治旗（150723）2022 年度政府信息公开工作年度报告统计表的回收样例：一份单位名单和",
            f"{len(SAMPLES)} 个“交回来的”文件，有填得好的，也有各乡镇、部门常犯的错误。`make demo` 就在这些文件上",
            "跑一遍生成模板、检查、生成发回单位的工作簿（退回修改、核实、新模板）和汇总；",
            "`tests/test_samples.py` 核对每个文件的检查结论。",
            "",
            "- `roster.csv`：单位名单，旗下 10 个乡镇和 5 个部门，上级单位代码都是 150723。",
            "- `submissions/`：交回的文件，文件名照各单位发来的样子（有空格、括号、“修改后”“(1)”，",
            "  有一部分放在子文件夹 `微信接收/` 里）。",
            "- `expected.json`：每个文件（相对于 `submissions/` 的路径）应得的检查结论（`accepted` 通过、",
            "  `accepted_with_warnings` 通过（有警告）、`rejected` 退回）、问题代码和汇总时在“报送情况”中的状态，",
            "  以及没有报送的单位。",
            "- `make_samples.py`：生成以上全部文件（包括本说明）的脚本。",
            "",
            "诺敏镇的报表用的是它公开发布的《2022 年政府信息公开工作年度报告》中的真实数字",
            "（本年度未收到政府信息公开申请，三张表全部为 0；联系电话 0470-5946089，落款 2023 年 1 月 12 日）。",
            "其他单位的数字是按乡镇、部门的实际规模编的小数目。所有填报人、审核人的姓名都是虚构的；电话除诺敏镇和",
            "政数局（取自公开的报告和旗政府网站）外也是虚构的。",
            "",
            "## 重新生成",
            "",
            "```",
            ".venv/bin/python samples/make_samples.py",
            "```",
            "",
            "每个样例都由 `tianbao.template.write_template` 生成模板、再用 `tianbao.filling.fill_template`",
            "像人在 Excel 里逐格输入那样填写（数字、“12件”“—”之类的文字、空白、把合计改成数字）。",
            "脚本的结果逐字节确定：运行两次得到完全相同的文件；测试会重新生成并与仓库中的文件比较，",
            "所以改动模板或样例后要重新运行脚本并提交。",
            "",
            "检查这些样例：",
            "",
            "```",
            "tianbao check samples/submissions --year 2022 --roster samples/roster.csv",
            "```",
            "",
            "## 样例一览",
            "",
            "| 文件 | 单位 | 情况 | 检查结论 | 问题代码 | 汇总的报送情况 |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"未报送：{missing_text}——名单中有、但文件夹里没有它的报表（只有一份说明），汇总的“报送情况”中列为“未报送”。",
            "",
            "阿里河镇交了两次：先从微信发来一份，后来又发来“修改后”的一份。两份内容不同，汇总时按封面的填报日期",
            "（相同时再按文件时间）取较新的一份，另一份在“报送情况”中列为“重复（不计入）”，并得到警告",
            "`duplicate-superseded`（这条警告只在汇总时出现，单独检查时两份都是“通过”）。",
            "",
        ]
    )


def build(out_dir: str | Path = HERE) -> list[Path]:
    """Write submissions/, expected.json and README.md under `out_dir`; return the files written."""
    out = Path(out_dir)
    roster = load_roster(ROSTER)
    folder = out / SUBMISSIONS
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="tianbao-samples-") as tmp:
        for sample in SAMPLES:
            write_sample(sample, roster, folder, Path(tmp))
    (out / "expected.json").write_text(
        json.dumps(expected(roster), ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )
    (out / "README.md").write_text(readme(roster), encoding="utf-8", newline="\n")
    return [folder / s.path for s in SAMPLES] + [out / "expected.json", out / "README.md"]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        raise SystemExit("usage: make_samples.py [OUT_DIR]")
    written = build(args[0] if args else HERE)
    print(f"wrote {len(written)} files under {Path(args[0]) if args else HERE}")


if __name__ == "__main__":
    main()
