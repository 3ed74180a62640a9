"""The written template, read back with openpyxl and as raw XML: sheets, protection, exactly the input cells
unlocked, validations with Chinese prompts, formulas without stored results, defined names, the stamp in its
three places, verbatim labels and merged ranges where the layout puts them."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils.protection import hash_password
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from conftest import PASSWORD, PREVIOUS_2021, UNIT, Made, read_stamps
from tianbao.spec import cell_name
from tianbao.spec.domain import DOMAINS
from tianbao.spec.layout import COVER_SHEET, Box, SheetLayout, a1, cover_boxes, sheet_layouts
from tianbao.spec.text_layout import text_layout
from tianbao.stamp import META_SHEET, Stamp
from tianbao.template.checks import describe

KINDS = ["generic", "unit", "generic2019"]
SHEETS = ["封面", "正文", "表二", "表三", "表四", "校验", "_meta"]
CJK = re.compile(r"[\u4e00-\u9fff]")
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


@pytest.fixture(scope="module", params=KINDS)
def made(request: pytest.FixtureRequest, templates: dict[str, Made]) -> Made:
    return templates[request.param]


@pytest.fixture(scope="module")
def wb(made: Made) -> Iterator[Workbook]:
    book = openpyxl.load_workbook(made.path)
    yield book
    book.close()


def layouts(made: Made) -> tuple[SheetLayout, ...]:
    return sheet_layouts(made.spec, made.with_previous)


def fixed_meta(made: Made) -> set[str]:
    """Cover fields the template fills in and locks: the year, and the unit for a per-unit template."""
    return {"year", "unit_name", "unit_code"} if made.options.unit else {"year"}


def positions(box: Box) -> set[tuple[int, int]]:
    """1-based (row, column) of every cell of a box, as openpyxl numbers them."""
    return {
        (r + 1, c + 1) for r in range(box.row, box.last_row + 1) for c in range(box.col, box.last_col + 1)
    }


def box_range(box: Box) -> str:
    first = a1(box.row, box.col)
    return first if not box.merged else f"{first}:{a1(box.last_row, box.last_col)}"


def input_positions(made: Made) -> dict[str, set[tuple[int, int]]]:
    """Sheet → every cell a person may type into: the spec's input cells and the editable cover fields."""
    out: dict[str, set[tuple[int, int]]] = {s: set() for s in SHEETS}
    for lay in layouts(made):
        for cell_id, box in lay.cells.items():
            if not made.spec.cells[cell_id].computed:
                out[lay.sheet] |= positions(box)
    for field_id, box in cover_boxes(made.spec).items():
        if field_id not in fixed_meta(made):
            out[COVER_SHEET] |= positions(box)
    text = text_layout(made.spec)
    assert text is not None
    for box in text.cells.values():
        out[text.sheet] |= positions(box)
    return out


def sheet_xml(path: Path) -> dict[str, ElementTree.Element]:
    """Sheet name → the parsed XML of its worksheet part."""
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
        out = {}
        for sheet in book.findall("m:sheets/m:sheet", NS):
            target = targets[sheet.get(f"{{{NS['r']}}}id")]
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            out[sheet.get("name")] = ElementTree.fromstring(z.read(part))
        return out


# --- Sheets and protection ----------------------------------------------------------------------------------


def test_sheets_in_order_and_meta_very_hidden(wb: Workbook) -> None:
    assert wb.sheetnames == SHEETS
    assert {ws.title: ws.sheet_state for ws in wb} == {
        **dict.fromkeys(SHEETS[:-1], "visible"),
        META_SHEET: "veryHidden",
    }
    assert wb.active.title == COVER_SHEET


def test_every_sheet_protected(made: Made, wb: Workbook) -> None:
    for ws in wb:
        assert ws.protection.sheet, ws.title
        if made.options.password:
            assert ws.protection.password == hash_password(PASSWORD), ws.title
        else:
            assert not ws.protection.password, ws.title


def test_exactly_the_input_cells_are_unlocked(made: Made, wb: Workbook) -> None:
    expected = input_positions(made)
    n_inputs = len(made.spec.input_ids)
    assert sum(len(v) for v in expected.values()) > n_inputs  # merged input boxes and the cover fields
    for ws in wb:
        unlocked = {
            (cell.row, cell.column)
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)
            for cell in row
            if cell.protection.locked is False
        }
        assert unlocked == expected[ws.title], ws.title
        for r, c in expected[ws.title]:  # inside the used range, so the scan above saw them
            assert r <= ws.max_row and c <= ws.max_column


def test_blank_template_has_blank_inputs(made: Made, wb: Workbook) -> None:
    for lay in layouts(made):
        ws = wb[lay.sheet]
        for cell_id in made.spec.input_ids:
            box = lay.cells.get(cell_id)
            if box is not None:
                assert ws.cell(box.row + 1, box.col + 1).value is None, cell_id


# --- Data validation ---------------------------------------------------------------------------------------


def validations_at(ws: Worksheet, ref: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]


def assert_chinese_messages(dv, where: str) -> None:  # type: ignore[no-untyped-def]
    assert dv.showInputMessage and dv.showErrorMessage, where
    assert dv.errorStyle in (None, "stop"), where  # a wrong entry is refused, not merely warned about
    for text in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error):
        assert text and CJK.search(text), (where, text)


def test_every_input_cell_is_validated_by_its_type(made: Made, wb: Workbook) -> None:
    seen = 0
    for lay in layouts(made):
        ws = wb[lay.sheet]
        for cell_id, box in lay.cells.items():
            cell = made.spec.cells[cell_id]
            ref = a1(box.row, box.col)
            found = validations_at(ws, ref)
            if cell.computed:
                assert found == [], cell_id
                continue
            assert len(found) == 1, cell_id
            dv = found[0]
            assert_chinese_messages(dv, cell_id)
            domain = DOMAINS[cell.type]  # the reader's bounds (value-out-of-range)
            if cell.type in ("count", "int"):
                assert dv.type == "whole" and dv.operator in (None, "between"), cell_id  # default: between
                bounds = (int(dv.formula1), int(dv.formula2))
                assert bounds == (domain.minimum, domain.bound - 1), cell_id
            else:
                assert dv.type == "custom", cell_id
                assert ref in dv.formula1 and "ROUND" in dv.formula1 and ">=0" in dv.formula1, cell_id
                assert f"<{domain.bound}" in dv.formula1, cell_id
                assert "万元" in dv.promptTitle + dv.prompt or made.spec.version == "2019", cell_id
            seen += 1
    assert seen == len(made.spec.input_ids)


def test_validations_only_on_input_cells(made: Made, wb: Workbook) -> None:
    expected = input_positions(made)
    for ws in wb:
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in rng.rows:
                    for r, c in row:
                        assert (r, c) in expected[ws.title], (ws.title, str(dv.sqref))


def test_editable_cover_fields_are_validated(made: Made, wb: Workbook) -> None:
    ws = wb[COVER_SHEET]
    for field in made.spec.meta:
        box = cover_boxes(made.spec)[field.id]
        found = validations_at(ws, a1(box.row, box.col))
        if field.id in fixed_meta(made):
            assert found == [], field.id
        else:
            assert len(found) == 1, field.id
            assert_chinese_messages(found[0], field.id)


# --- Formulas -------------------------------------------------------------------------------------------------


def test_computed_cells_hold_formulas(made: Made, wb: Workbook) -> None:
    for lay in layouts(made):
        ws = wb[lay.sheet]
        for cell_id, box in lay.cells.items():
            if made.spec.cells[cell_id].computed:
                cell = ws.cell(box.row + 1, box.col + 1)
                assert cell.data_type == "f" and str(cell.value).startswith("="), cell_id
                assert cell.protection.locked, cell_id


def test_formulas_reference_the_layout(templates: dict[str, Made]) -> None:
    """A few formulas as a person reads them in the formula bar."""
    wb = openpyxl.load_workbook(templates["generic"].path)
    t3 = wb["表三"]
    assert t3["J6"].value == "=SUM(D6:I6)"  # 一、本年新收 总计
    assert t3["D29"].value == "=SUM(D8:D28)"  # （七）总计 自然人 = （一）…（六）
    # “未填写” until the column holds anything (its inputs: rows 一 to （六）and 四; （七）总计 is a formula)
    assert t3["D31"].value == (
        '=IF(COUNTA(D6:D28,D30)=0,"未填写",IF(ABS((D6+D7)-(D29+D30))<0.00001,"✓","✗"))'
    )
    assert t3["J31"].value.startswith('=IF(COUNTA(D6:I28,D30:I30)=0,"未填写",')
    assert wb["表四"]["E6"].value == "=SUM(A6:D6)"


def test_formulas_carry_no_stored_result(made: Made) -> None:
    """A result stored by the writer would show as 0 in a client that does not recalculate."""
    xml = sheet_xml(made.path)
    formulas = 0
    for name, root in xml.items():
        for c in root.iter(f"{{{NS['m']}}}c"):
            if c.find("m:f", NS) is not None:
                formulas += 1
                v = c.find("m:v", NS)
                assert v is None or not (v.text or "").strip(), (name, c.get("r"), v.text)
    table_sheets = {lay.sheet: lay for lay in layouts(made)}
    for lay in table_sheets.values():
        root = xml[lay.sheet]
        for cell_id, box in lay.cells.items():
            if made.spec.cells[cell_id].computed:
                c = root.find(f".//m:c[@r='{a1(box.row, box.col)}']", NS)
                assert c is not None and c.find("m:f", NS) is not None, cell_id
    assert formulas >= len(made.spec.computed_ids)


def test_workbook_asks_for_recalculation_on_load(made: Made) -> None:
    with zipfile.ZipFile(made.path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    calc = book.find("m:calcPr", NS)
    assert calc is not None and calc.get("fullCalcOnLoad") == "1"


def test_check_cells_under_table_three(made: Made, wb: Workbook) -> None:
    t3 = next(lay for lay in layouts(made) if lay.sheet == "表三")
    ws = wb["表三"]
    rules = {cc.instance.rule.id for cc in t3.check_cells}
    assert rules == ({"H3", "S1"} if made.with_previous else {"H3"})
    for cc in t3.check_cells:
        value = ws.cell(cc.box.row + 1, cc.box.col + 1).value
        assert str(value).startswith("=IF(COUNTA(") and '"未填写"' in value, cc.instance.key
        assert '"✓","✗"' in value, cc.instance.key
    labels = {lab.text for lab in t3.labels if lab.kind in ("check_label", "prev_label")}
    expected = {"勾稽关系校验"}
    if made.with_previous:
        expected |= {"与上年报告核对", "上年报告：四、结转下年度继续办理"}
    assert labels == expected


def test_last_years_values_shown_for_reference(templates: dict[str, Made]) -> None:
    made = templates["unit"]
    ws = openpyxl.load_workbook(made.path)["表三"]
    t3 = next(lay for lay in layouts(made) if lay.sheet == "表三")
    assert set(t3.prev_cells) == {k for k in PREVIOUS_2021 if k.startswith("t3.")}
    for cell_id, box in t3.prev_cells.items():
        cell = ws.cell(box.row + 1, box.col + 1)
        assert cell.value == PREVIOUS_2021[cell_id] and cell.protection.locked, cell_id


def test_check_sheet_lists_the_active_checks(made: Made, wb: Workbook) -> None:
    ws = wb["校验"]
    # The description leads (the rule id and the cell reference, which mean nothing to a clerk, come last).
    assert [ws.cell(9, c).value for c in range(1, 10)] == [
        "序号",
        "检查内容",
        "级别",
        "左边",
        "右边",
        "差额",
        "结果",
        "位置",
        "规则",
    ]
    rows = list(ws.iter_rows(min_row=10, max_col=9, values_only=True))
    expected = [
        inst
        for inst in made.spec.iter_checks(made.unit_type, previous=made.with_previous)
        if all(c in (made.options.previous or {}) for c in inst.relation.cells(prev=True))
    ]
    assert [r[0] for r in rows] == list(range(1, len(expected) + 1))
    assert [r[1] for r in rows] == [describe(inst) for inst in expected]
    assert [r[8] for r in rows] == [inst.rule.id for inst in expected]
    assert [r[2] for r in rows] == ["错误" if inst.rule.severity == "error" else "警告" for inst in expected]
    if made.key == "unit":  # 乡镇 with last year's report: every check of the 2021 spec
        assert len(rows) == len(made.spec.checks) == 19
    else:
        assert [r[8] for r in rows] == ["H3"] * 7
        assert rows[0][1] == "勾稽关系：第一项加第二项之和等于第三项加第四项之和（自然人）"
    for r in rows:
        assert all(str(v).startswith("=") for v in r[3:7])
        assert '"未填写"' in r[6]
    assert [ws.cell(r, 1).value for r in range(4, 8)] == [
        "不通过的错误检查（项）",
        "不通过的警告检查（项）",
        "未填写（空白）的数据单元格（个）",
        "结论",
    ]


# --- Names and the stamp ----------------------------------------------------------------------------------


def test_defined_names_point_at_the_layout(made: Made, wb: Workbook) -> None:
    names = wb.defined_names
    expected: dict[str, str] = {}
    for lay in layouts(made):
        for cell_id, box in lay.cells.items():
            expected[cell_name(cell_id)] = f"'{lay.sheet}'!{a1(box.row, box.col, absolute=True)}"
    for field_id, box in cover_boxes(made.spec).items():
        expected[f"meta_{field_id}"] = f"'{COVER_SHEET}'!{a1(box.row, box.col, absolute=True)}"
    text = text_layout(made.spec)
    assert text is not None
    for cell_id, box in text.cells.items():
        expected[cell_name(cell_id)] = f"'{text.sheet}'!{a1(box.row, box.col, absolute=True)}"
    assert len(expected) == len(made.spec.cells) + len(made.spec.meta) + len(text.cells)
    assert {k: names[k].attr_text for k in expected if k in names} == expected
    assert set(names) == set(expected) | set(Stamp.keys())
    assert all(dn.localSheetId is None for dn in names.values())  # workbook-level, not sheet-level


def test_well_known_names(wb: Workbook, made: Made) -> None:
    names = wb.defined_names
    assert names["t3_new_np"].attr_text == "'表三'!$D$6"
    assert names["t3_fwd_tot"].attr_text == (
        "'表三'!$J$30" if made.spec.version == "2021" else "'表三'!$J$28"
    )
    assert names["t4_review_maintain"].attr_text == "'表四'!$A$6"
    assert names["t4_lit_after_total"].attr_text == "'表四'!$O$6"
    assert (
        names["t2_rules_issued" if made.spec.version == "2021" else "t2_rules_made"].attr_text
        == "'表二'!$B$5"
    )
    assert names["meta_unit_name"].attr_text == "'封面'!$B$4"
    assert names["meta_year"].attr_text == "'封面'!$B$6"


def test_stamp_in_three_places(made: Made) -> None:
    places = read_stamps(made.path)
    expected = dict(made.stamp.items())
    assert places["properties"] == expected
    assert places["names"] == expected
    assert places["meta"] == expected
    stamp = made.stamp
    assert (stamp.spec_id, stamp.spec_version, stamp.spec_hash) == (
        made.spec.id,
        made.spec.version,
        made.spec.hash,
    )
    assert stamp.year == str(made.options.year) and stamp.kind == "template"
    assert re.fullmatch(r"[0-9A-F]{12}", stamp.serial)
    if made.options.unit:
        assert (stamp.unit_code, stamp.unit_name, stamp.unit_type) == (UNIT.code, UNIT.name, UNIT.type)
    else:
        assert (stamp.unit_code, stamp.unit_name, stamp.unit_type) == ("", "", "")


def test_serials_tell_templates_apart(templates: dict[str, Made]) -> None:
    serials = {m.stamp.serial for m in templates.values()}
    assert len(serials) == len(templates)


# --- The cover ---------------------------------------------------------------------------------------------


def test_cover_fields(made: Made, wb: Workbook) -> None:
    ws = wb[COVER_SHEET]
    boxes = cover_boxes(made.spec)
    for field in made.spec.meta:
        box = boxes[field.id]
        assert ws.cell(box.row + 1, 1).value == field.label
        value = ws.cell(box.row + 1, box.col + 1)
        assert value.protection.locked is (field.id in fixed_meta(made)), field.id
    assert [f.label for f in made.spec.meta] == [
        "单位名称",
        "单位代码",
        "报告年度",
        "填报人",
        "联系电话",
        "填报日期",
        "审核人",
    ]
    year = ws.cell(boxes["year"].row + 1, boxes["year"].col + 1).value
    assert year == made.options.year
    name = ws.cell(boxes["unit_name"].row + 1, boxes["unit_name"].col + 1).value
    code = ws.cell(boxes["unit_code"].row + 1, boxes["unit_code"].col + 1).value
    if made.options.unit:
        assert (name, code) == (UNIT.name, UNIT.code)
    else:
        assert (name, code) == (None, None)
    assert ws["A1"].value == f"{made.options.year}年度政府信息公开工作年度报告统计表"
    assert made.spec.doc.basis in ws["A2"].value
    texts = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "填报说明" in texts
    assert any(
        t and "“勾稽关系校验”一行逐列检查“勾稽关系：第一项加第二项之和等于第三项加第四项之和”" in t
        for t in texts
    )


def test_filling_instructions_are_those_of_the_format(templates: dict[str, Made]) -> None:
    """填报说明 names the columns of the template's own format: 2019's 表二 has no 本年收费金额 (it has 本年增/减
    and 采购总金额), 2021's has no 本年增/减."""

    def notes(made: Made) -> list[str]:
        wb = openpyxl.load_workbook(made.path)
        try:
            return [str(r[0]) for r in wb[COVER_SHEET].iter_rows(values_only=True) if r[0]]
        finally:
            wb.close()

    tail = "不要填写“件”“元”等单位，也不要填写“—”“/”“无”。"
    new, old = notes(templates["generic"]), notes(templates["generic2019"])
    assert (
        "3. 件数和数量填写大于或等于 0 的整数；表二“本年收费金额（单位：万元）”以万元为单位，最多 4 位小数"
        f"（如 380 元填 0.038）。{tail}"
    ) in new
    assert (
        "3. 件数和数量填写大于或等于 0 的整数；表二“本年增/减”填写整数，增加填正数，减少填负数（如减少 4 项填 -4）；"
        f"表二“采购总金额”以万元为单位，最多 4 位小数（如 380 元填 0.038）。{tail}"
    ) in old
    assert not any("收费金额" in t for t in old) and not any("增/减" in t for t in new)
    assert any(
        t.startswith(
            "1. 本表依据《中华人民共和国政府信息公开工作年度报告格式（试行）》（国办公开办函〔2019〕60号）"
        )
        for t in old
    )


# --- Labels and merged ranges -------------------------------------------------------------------------------


def test_labels_verbatim_at_their_boxes(made: Made, wb: Workbook) -> None:
    count = 0
    for lay in layouts(made):
        ws = wb[lay.sheet]
        for label in lay.labels:
            assert ws.cell(label.box.row + 1, label.box.col + 1).value == label.text, (lay.sheet, label)
            count += 1
    assert count > 60


def test_well_known_labels(made: Made, wb: Workbook) -> None:
    t2, t3, t4 = wb["表二"], wb["表三"], wb["表四"]
    assert t3["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert t3["A3"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert t3["D3"].value == "申请人情况"
    assert [t3.cell(4, c).value for c in (4, 5, 10)] == ["自然人", "法人或其他组织", "总计"]
    assert [t3.cell(5, c).value for c in range(5, 10)] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert t3["A8"].value == "三、本年度办理结果"
    assert t3["B9"].value == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert t3["C12"].value == "3.危及“三安全一稳定”"
    assert t4["A3"].value == "行政复议" and t4["F3"].value == "行政诉讼"
    assert t4["F4"].value == "未经复议直接起诉" and t4["K4"].value == "复议后起诉"
    if made.spec.version == "2021":
        assert t3["A8:A29"][0][0].value == "三、本年度办理结果"
        assert t2["A15"].value == "信息内容" and t2["B15"].value == "本年收费金额（单位：万元）"
        assert t2["A16"].value == "行政事业性收费"
    else:
        assert t3["B26"].value == "（六）其他处理"
        assert t2["C4"].value == "本年新公开数量"


def test_merged_ranges_are_the_layouts(made: Made, wb: Workbook) -> None:
    for lay in layouts(made):
        ws = wb[lay.sheet]
        expected = {box_range(lab.box) for lab in lay.labels if lab.box.merged}
        expected |= {box_range(b) for b in lay.cells.values() if b.merged}
        expected.add(f"A2:{a1(1, lay.width - 1)}")  # the line with the unit and the year
        assert {str(r) for r in ws.merged_cells.ranges} == expected, lay.sheet
    if made.spec.version == "2021":
        merged = {str(r) for r in wb["表三"].merged_cells.ranges}
        assert {"A3:C5", "A8:A29", "B10:B17", "B26:B28", "D3:J3", "E4:I4", "D4:D5"} <= merged
    else:
        assert "A8:A27" in {str(r) for r in wb["表三"].merged_cells.ranges}  # rowspan 20 in 2019


def test_cover_value_boxes_merged(made: Made, wb: Workbook) -> None:
    merged = {str(r) for r in wb[COVER_SHEET].merged_cells.ranges}
    assert {box_range(b) for b in cover_boxes(made.spec).values()} <= merged
