"""The declarative spec: both formats load, every cell of docs/format.md is there with its verbatim label, the hash is
stable, bad specs are refused with the path of the bad entry, and the computed cells are the sums of the format."""

from __future__ import annotations

import itertools
import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tianbao.errors import SpecError
from tianbao.spec import Spec, load_spec, parse_spec

C6 = ["np", "ce", "ri", "spo", "lso", "oth"]
T3_COLS = [*C6, "tot"]
R_2021 = [
    "r1", "r2",
    *(f"r3_{i}" for i in range(1, 9)),
    *(f"r4_{i}" for i in range(1, 4)),
    *(f"r5_{i}" for i in range(1, 6)),
    *(f"r6_{i}" for i in range(1, 4)),
]  # fmt: skip
R_2019 = [r for r in R_2021 if not r.startswith("r6_")] + ["r6"]
T4_GROUPS = ["review", "lit_direct", "lit_after"]
T4_COLS = ["maintain", "correct", "other", "pending", "total"]

# docs/format.md §2 (T2 of 2021), §3 (T3), §4 (T4), in template order.
T2_2021 = [
    "t2.rules.issued", "t2.rules.repealed", "t2.rules.valid",
    "t2.normative.issued", "t2.normative.repealed", "t2.normative.valid",
    "t2.licensing.decisions", "t2.penalty.decisions", "t2.coercion.decisions", "t2.fees.amount_wan",
]  # fmt: skip
# docs/format.md §8 (T2 of 2019): the ids are tianbao's own, pinned because readers and consolidations use them.
T2_2019 = [
    "t2.rules.made", "t2.rules.published", "t2.rules.total",
    "t2.normative.made", "t2.normative.published", "t2.normative.total",
    "t2.licensing.prev_items", "t2.licensing.delta", "t2.licensing.decisions",
    "t2.other_services.prev_items", "t2.other_services.delta", "t2.other_services.decisions",
    "t2.penalty.prev_items", "t2.penalty.delta", "t2.penalty.decisions",
    "t2.coercion.prev_items", "t2.coercion.delta", "t2.coercion.decisions",
    "t2.fees.prev_items", "t2.fees.delta",
    "t2.procurement.items", "t2.procurement.amount",
]  # fmt: skip


def t3_ids(results: list[str]) -> list[str]:
    rows = ["new", "carry", *results, "r7", "fwd"]
    return [f"t3.{r}.{c}" for r, c in itertools.product(rows, T3_COLS)]


T4_IDS = [f"t4.{g}.{c}" for g, c in itertools.product(T4_GROUPS, T4_COLS)]


def spec_text(fmt: str = "2021") -> str:
    name = {"2021": "gov-info-2021.yaml", "2019": "gov-info-2019.yaml"}[fmt]
    return resources.files("tianbao.spec").joinpath("formats", name).read_text(encoding="utf-8")


def spec_error(text: str) -> str:
    with pytest.raises(SpecError) as info:
        parse_spec(text, "bad.yaml")
    return str(info.value)


def replaced(old: str, new: str, fmt: str = "2021") -> str:
    text = spec_text(fmt)
    assert text.count(old) == 1, f"the test's anchor “{old}” is not unique in the spec"
    return text.replace(old, new)


# --- Loading and the cells --------------------------------------------------------------------------------


def test_both_formats_load(spec2021: Spec, spec2019: Spec) -> None:
    assert (spec2021.id, spec2021.version) == ("gov-info-annual-report", "2021")
    assert (spec2019.id, spec2019.version) == ("gov-info-annual-report", "2019")
    assert spec2021.doc.basis == "国办公开办函〔2021〕30号"
    assert spec2019.doc.basis == "国办公开办函〔2019〕60号"
    assert [t.sheet for t in spec2021.tables] == ["表二", "表三", "表四"]
    assert [t.sheet for t in spec2019.tables] == ["表二", "表三", "表四"]


def test_cell_counts(spec2021: Spec, spec2019: Spec) -> None:
    assert (len(spec2021.cells), len(spec2021.input_ids), len(spec2021.computed_ids)) == (200, 166, 34)
    assert (len(spec2019.cells), len(spec2019.input_ids), len(spec2019.computed_ids)) == (198, 166, 32)
    assert sorted(spec2021.input_ids + spec2021.computed_ids) == sorted(spec2021.cells)


def test_every_cell_of_the_format_in_template_order(spec2021: Spec, spec2019: Spec) -> None:
    assert list(spec2021.cells) == [*T2_2021, *t3_ids(R_2021), *T4_IDS]
    assert list(spec2019.cells) == [*T2_2019, *t3_ids(R_2019), *T4_IDS]


def test_t3_of_2019_has_one_row_for_other_handling(spec2019: Spec) -> None:
    assert "t3.r6.np" in spec2019.cells
    assert not any(c.startswith("t3.r6_") for c in spec2019.cells)
    assert spec2019.cells["t3.r6.np"].row_labels == ("三、本年度办理结果", "（六）其他处理")


def test_computed_cells_are_the_totals_of_the_format(spec2021: Spec, spec2019: Spec) -> None:
    for spec, results in ((spec2021, R_2021), (spec2019, R_2019)):
        rows = ["new", "carry", *results, "r7", "fwd"]
        expected = {f"t3.{r}.tot" for r in rows} | {f"t3.r7.{c}" for c in C6}
        expected |= {f"t4.{g}.total" for g in T4_GROUPS}
        assert set(spec.computed_ids) == expected
        assert set(spec.definitions) == expected
        assert all(spec.cells[c].computed for c in expected)


def test_value_types(spec2021: Spec, spec2019: Spec) -> None:
    assert {c.id for c in spec2021.cells.values() if c.type != "count"} == {"t2.fees.amount_wan"}
    assert spec2021.cells["t2.fees.amount_wan"].type == "amount"
    odd = {c.id: c.type for c in spec2019.cells.values() if c.type != "count"}
    assert odd == {
        "t2.licensing.delta": "int",
        "t2.other_services.delta": "int",
        "t2.penalty.delta": "int",
        "t2.coercion.delta": "int",
        "t2.fees.delta": "int",
        "t2.procurement.amount": "amount",
    }


def test_cells_know_their_sheet(spec2021: Spec) -> None:
    sheets = {c.table: c.sheet for c in spec2021.cells.values()}
    assert sheets == {"t2": "表二", "t3": "表三", "t4": "表四"}


# --- Labels, verbatim ---------------------------------------------------------------------------------------


def test_t3_labels_verbatim(spec2021: Spec) -> None:
    t3 = spec2021.table("t3")
    assert t3.title == "三、收到和处理政府信息公开申请情况"
    assert t3.sections[0].corner == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    cells = spec2021.cells
    assert cells["t3.new.np"].row_labels == ("一、本年新收政府信息公开申请数量",)
    assert cells["t3.r2.ce"].row_labels == (
        "三、本年度办理结果",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    )
    assert cells["t3.r3_3.np"].row_labels == ("三、本年度办理结果", "（三）不予公开", "3.危及“三安全一稳定”")
    assert cells["t3.r6_2.np"].row_labels[-1] == (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    )
    assert cells["t3.r7.tot"].row_labels == ("三、本年度办理结果", "（七）总计")
    assert cells["t3.fwd.tot"].row_labels == ("四、结转下年度继续办理",)
    assert cells["t3.r1.ce"].col_labels == ("申请人情况", "法人或其他组织", "商业企业")
    assert cells["t3.r1.lso"].label == "（一）予以公开 / 法律服务机构"


def test_t2_and_t4_labels_verbatim(spec2021: Spec, spec2019: Spec) -> None:
    cells = spec2021.cells
    assert spec2021.table("t2").title == "二、主动公开政府信息情况"
    assert [s.title for s in spec2021.table("t2").sections] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    assert cells["t2.fees.amount_wan"].col_labels == ("本年收费金额（单位：万元）",)
    assert cells["t2.fees.amount_wan"].row_labels == ("行政事业性收费",)
    assert cells["t2.normative.valid"].row_labels == ("行政规范性文件",)
    assert cells["t2.normative.valid"].col_labels == ("现行有效件数",)
    assert spec2021.table("t4").title == "四、政府信息公开行政复议、行政诉讼情况"
    assert cells["t4.lit_after.pending"].col_labels == ("行政诉讼", "复议后起诉", "尚未审结")
    assert cells["t4.review.total"].col_labels == ("行政复议", "总计")
    assert spec2019.cells["t2.normative.made"].row_labels == ("规范性文件",)
    assert spec2019.cells["t2.fees.delta"].col_labels == ("本年增/减",)
    assert spec2019.cells["t2.procurement.amount"].col_labels == ("采购总金额",)


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_no_half_width_punctuation_in_labels(fmt: str) -> None:
    """The documents use （ ） ： ， — a half-width one means a label was retyped from a normalised copy."""
    spec = load_spec(fmt)
    texts = [spec.doc.name, spec.doc.basis, *(f.label for f in spec.meta)]
    for t in spec.tables:
        texts.append(t.title)
        for s in t.sections:
            texts.extend(x for x in (s.title, s.corner) if x)
    for c in spec.cells.values():
        texts.extend(c.row_labels + c.col_labels)
    bad = [t for t in texts if re.search(r"[(),:;]", t)]
    assert bad == []
    assert any("（" in t for t in texts)


# --- The hash ------------------------------------------------------------------------------------------------


def test_hash_is_stable_for_the_same_text(spec2021: Spec) -> None:
    assert parse_spec(spec_text()).hash == spec2021.hash
    assert parse_spec(spec_text()).hash == parse_spec(spec_text()).hash
    assert re.fullmatch(r"[0-9a-f]{16}", spec2021.hash)


def test_hash_ignores_comments_and_formatting(spec2021: Spec) -> None:
    text = spec_text()
    no_comments = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert no_comments != text
    assert parse_spec(no_comments).hash == spec2021.hash
    # The same document written by another YAML writer: block style, other key order and quoting.
    redumped = yaml.safe_dump(yaml.safe_load(text), allow_unicode=True, sort_keys=True, width=60)
    assert parse_spec(redumped).hash == spec2021.hash
    assert parse_spec(text.replace("\n", "\n\n")).hash == spec2021.hash


def test_hash_changes_with_the_structure(spec2021: Spec, spec2019: Spec) -> None:
    assert spec2019.hash != spec2021.hash
    label = replaced("{id: r3_3, label: 3.危及“三安全一稳定”}", "{id: r3_3, label: 3.危及“三安全 一稳定”}")
    assert parse_spec(label).hash != spec2021.hash
    message = replaced("相差 {diff}。\n    fix: 请核对本列", "相差{diff}。\n    fix: 请核对本列")
    assert parse_spec(message).hash != spec2021.hash
    kind = replaced("type: amount}", "type: count}")
    assert parse_spec(kind).hash != spec2021.hash


def test_the_covers_hints_and_required_fields_come_from_the_spec(
    spec2021: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which cover fields must be filled (`meta-missing`) and what each cell's input message says are the
    spec's `required` and `hint`; changing them leaves the hash alone, so the templates already sent out stay
    valid."""
    import openpyxl

    from tianbao.filling import fill_template
    from tianbao.reading import identity, read_submission
    from tianbao.template import TemplateOptions, write_template

    text = replaced(
        "{id: phone, label: 联系电话, kind: text, required: true,", "{id: phone, label: 联系电话, kind: text,"
    )
    text = text.replace(
        "审核人, kind: text, hint: 填写审核人（分管负责人）姓名。}",
        "审核人, kind: text, required: true, hint: 请审核人签名。}",
    )
    custom = parse_spec(text)
    assert custom.hash == spec2021.hash
    assert [f.id for f in custom.meta if f.required] == ["filled_by", "reviewer"]
    assert [f.id for f in spec2021.meta if f.required] == ["filled_by", "phone"]
    monkeypatch.setattr(identity, "known_specs", lambda: {(custom.id, custom.version): custom})
    template = tmp_path / "模板.xlsx"
    write_template(custom, template, TemplateOptions(year=2025))

    def prompts(path: Path) -> set[str]:
        return {dv.prompt for dv in openpyxl.load_workbook(path)["封面"].data_validations.dataValidation}

    shown = prompts(template)
    assert {"请审核人签名。", "填写填报人联系电话。", "填写单位全称，如“诺敏镇人民政府”。"} <= shown
    assert "填写填报日期，如 2026-01-15。" in shown  # {next_year}: a report is filled in the year after
    later = tmp_path / "2030.xlsx"
    write_template(custom, later, TemplateOptions(year=2030))
    assert "填写填报日期，如 2031-01-15。" in prompts(later)
    filled = tmp_path / "已填.xlsx"
    fill_template(template, {c: 0 for c in custom.input_ids}, filled)
    sub = read_submission(filled, expected_spec=custom)
    [issue] = [i for i in sub.issues if i.code == "meta-missing"]
    assert issue.message == "封面未填写：填报人、审核人。"
    assert issue.hint == "请在封面补填填报人、审核人。"


# --- Bad specs ----------------------------------------------------------------------------------------------


def test_bad_row_id_names_its_path() -> None:
    msg = spec_error(replaced("- {id: new, label:", "- {id: New, label:"))
    assert msg.startswith("bad.yaml: tables[1].sections[0].rows[0].id: ")
    assert "“New”" in msg


def test_bad_column_type_names_its_path() -> None:
    msg = spec_error(replaced("type: amount}", "type: money}"))
    assert msg.startswith("bad.yaml: tables[0].sections[3].columns[0].type: ")


def test_a_hint_naming_an_unknown_field_is_refused() -> None:
    msg = spec_error(replaced("如 {next_year}-01-15。", "如 {next}-01-15。"))
    assert msg.startswith("bad.yaml: meta[5].hint: ")
    assert "may only name {year} and {next_year}" in msg


def test_misspelt_key_is_refused() -> None:
    msg = spec_error(
        replaced("    title: 二、主动公开政府信息情况", "    title: 二、主动公开政府信息情况\n    titel: x")
    )
    assert msg.startswith("bad.yaml: tables[0].titel: ")


def test_unknown_cell_in_a_rule() -> None:
    msg = spec_error(
        replaced(
            "relation: t3.{x}.tot = sum(t3.{x}.{C6})", "relation: t3.{x}.tot = sum(t3.{x}.{C6}) + t3.{x}.zzz"
        )
    )
    assert msg.startswith("bad.yaml: rules[0].relation: unknown cell “t3.new.zzz”")


def test_cell_defined_by_two_rules() -> None:
    msg = spec_error(replaced("relation: t4.{g}.total = sum", "relation: t3.r7.np = sum"))
    assert msg == "bad.yaml: rules[3].relation: cell “t3.r7.np” is already defined by H2[c=np]"


def test_definition_depending_on_itself() -> None:
    """A total that counts itself would be a circular reference in Excel."""
    msg = spec_error(replaced("sum(t4.{g}.{T4R})", "sum(t4.{g}.{T4R}) + t4.{g}.total"))
    assert msg == "bad.yaml: rules: the definition of “t4.review.total” depends on itself"
    # Through another computed cell: r7.np sums into r7.tot, which would sum into r7.np.
    msg = spec_error(replaced("sum(t3.{R}.{c})", "sum(t3.{R}.{c}) + t3.r7.tot"))
    assert msg.startswith("bad.yaml: rules: the definition of “t3.r7.") and msg.endswith("depends on itself")


def test_unknown_set() -> None:
    assert (
        spec_error(replaced("each: {g: T4G}", "each: {g: T4X}"))
        == "bad.yaml: rules[3].each.g: unknown set “T4X”"
    )
    msg = spec_error(replaced("sum(t4.{g}.{T4R})", "sum(t4.{g}.{T4Q})"))
    assert msg.startswith("bad.yaml: rules[3].relation: “{T4Q}” is not")


def test_duplicate_cell_id() -> None:
    msg = spec_error(replaced("- {id: penalty, label: 行政处罚}", "- {id: licensing, label: 行政处罚}"))
    assert msg == "bad.yaml: tables[0].sections[2]: cell id “t2.licensing.decisions” is defined twice"


def test_sheet_used_twice() -> None:
    assert (
        spec_error(replaced("sheet: 表四", "sheet: 表三"))
        == "bad.yaml: tables[2].sheet: sheet “表三” is used twice"
    )


def test_not_yaml_and_not_a_mapping() -> None:
    assert spec_error(spec_text() + "\n  - [").startswith("bad.yaml: not valid YAML")
    assert spec_error("- just\n- a list\n") == "bad.yaml: the spec must be a mapping"


def test_unknown_format_is_a_chinese_error() -> None:
    with pytest.raises(SpecError) as info:
        load_spec("2018")
    assert "未知的报表格式“2018”" in str(info.value)
    assert "2021" in str(info.value) and "2019" in str(info.value)


# --- Computing and checking in Python ---------------------------------------------------------------------


def test_compute_matches_hand_sums(spec2021: Spec) -> None:
    inputs = {
        "t3.new.np": 3,
        "t3.new.ce": 2,
        "t3.new.oth": None,  # blank counts as 0
        "t3.r1.np": 1,
        "t3.r3_2.np": 4,
        "t3.r6_3.np": 5,
        "t3.r1.oth": 7,
        "t3.r5_5.lso": 1_000_000_000,
        "t3.fwd.ri": 6,
        "t4.review.maintain": 1,
        "t4.review.pending": 2,
        "t4.lit_after.correct": 3,
        "t4.lit_after.other": 4,
        "t2.fees.amount_wan": 0.038,
    }
    expected = dict.fromkeys(spec2021.computed_ids, 0)
    expected.update(
        {
            "t3.new.tot": 5,
            "t3.r1.tot": 8,
            "t3.r3_2.tot": 4,
            "t3.r5_5.tot": 1_000_000_000,
            "t3.r6_3.tot": 5,
            "t3.r7.np": 10,
            "t3.r7.oth": 7,
            "t3.r7.lso": 1_000_000_000,
            "t3.r7.tot": 1_000_000_017,
            "t3.fwd.tot": 6,
            "t4.review.total": 3,
            "t4.lit_after.total": 7,
        }
    )
    assert spec2021.compute(inputs) == expected
    assert spec2021.compute({}) == dict.fromkeys(spec2021.computed_ids, 0)


def test_compute_2019_counts_the_single_other_row(spec2019: Spec) -> None:
    out = spec2019.compute({"t3.r6.np": 2, "t3.r6.ce": 5, "t3.r5_1.np": 1})
    assert (out["t3.r7.np"], out["t3.r7.ce"], out["t3.r6.tot"], out["t3.r7.tot"]) == (3, 5, 7, 8)


def test_compute_on_series(spec2021: Spec) -> None:
    """The consolidation computes a whole column of units at once."""
    inputs = {"t3.r1.np": pd.Series([1, 2]), "t3.r2.np": pd.Series([10, 20]), "t3.r1.ce": pd.Series([0, 5])}
    out = spec2021.compute(inputs)
    assert out["t3.r7.np"].tolist() == [11, 22]
    assert out["t3.r7.tot"].tolist() == [11, 27]


def test_h3_holds_and_fails(spec2021: Spec) -> None:
    h3 = [i for i in spec2021.checks if i.rule.id == "H3"]
    assert [i.key for i in h3] == [f"H3[c={c}]" for c in T3_COLS]
    balanced = {"t3.new.np": 5, "t3.carry.np": 2, "t3.r1.np": 4, "t3.r4_1.np": 1, "t3.fwd.np": 2}
    values = {**balanced, **spec2021.compute(balanced)}

    def get(cell_id: str, prev: bool) -> float:
        assert not prev
        return values.get(cell_id) or 0

    assert all(i.holds(get) for i in h3)
    values["t3.fwd.np"] = 3
    values.update(spec2021.compute(values))
    assert [i.key for i in h3 if not i.holds(get)] == ["H3[c=np]", "H3[c=tot]"]
    np_check = h3[0]
    assert np_check.values(get) == (7, 8)
    assert np_check.message(7, 8) == (
        "表三“自然人”列勾稽关系不成立：第一项加第二项之和为 7，第三项（七）总计加第四项之和为 8，相差 -1。"
    )


def test_checks_that_need_last_year_or_a_unit_type(spec2021: Spec, spec2019: Spec) -> None:
    keys = [i.key for i in spec2021.checks]
    assert keys[:7] == [f"H3[c={c}]" for c in T3_COLS]
    assert {i.rule.id for i in spec2021.checks} == {"H3", "S1", "S2", "S5"}
    assert {i.rule.id for i in spec2019.checks} == {"H3", "S1", "S5"}  # 2019 has no 现行有效件数
    without_previous = {i.rule.id for i in spec2021.iter_checks("乡镇", previous=False)}
    assert without_previous == {"H3", "S5"}
    assert {i.rule.id for i in spec2021.iter_checks(None)} == {"H3", "S1", "S2"}
    assert {i.rule.id for i in spec2021.iter_checks("市级政府")} == {"H3", "S1", "S2"}
    for unit_type in ("乡镇", "街道", "部门", "县级政府"):
        assert "S5" in {i.rule.id for i in spec2021.iter_checks(unit_type)}
    s1 = next(i for i in spec2021.checks if i.key == "S1[c=np]")
    assert s1.relation.needs_previous and s1.relation.cells(prev=True) == ("t3.fwd.np",)
    assert s1.rule.severity == "warning"


def test_a_spec_file_is_its_content_whenever_it_is_loaded(tmp_path: Path) -> None:
    """A spec given by path is read each time it is loaded: edited in between (in a process that outlives
    the edit, such as a server), it is the new content; unchanged, it is the same object (what its plan,
    schema and layouts keep is kept per object)."""
    path = tmp_path / "自定义.yaml"
    path.write_text(spec_text(), encoding="utf-8")
    first = load_spec(str(path))
    assert load_spec(str(path)) is first
    path.write_text(
        replaced("name: 中华人民共和国政府信息公开工作年度报告格式", "name: 本地格式"), encoding="utf-8"
    )
    edited = load_spec(str(path))
    assert (first.doc.name, edited.doc.name) == ("中华人民共和国政府信息公开工作年度报告格式", "本地格式")
    assert load_spec("2021") is load_spec("2021")
