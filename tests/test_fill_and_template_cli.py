"""Filling a template by cell id, and the `template` and `fill` commands as a user runs them."""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import typer
import typer.core
from typer.testing import CliRunner

from conftest import REPO, UNIT, YEAR, read_stamps
from tianbao.cli.main import app
from tianbao.errors import FillError
from tianbao.filling import fill_template, load_values
from tianbao.spec import load_spec
from tianbao.spec.layout import cell_boxes

SAMPLE_ROSTER = REPO / "samples" / "roster.csv"
CJK = re.compile(r"[\u4e00-\u9fff]")
WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
runner = CliRunner()


def cell(path: Path, cell_id: str) -> openpyxl.cell.cell.Cell:
    sheet, box = cell_boxes(load_spec("2021"))[cell_id]
    return openpyxl.load_workbook(path)[sheet].cell(box.row + 1, box.col + 1)


def flat(text: str) -> str:
    """Output without whitespace: rich and click wrap long lines (even inside paths) when not on a terminal."""
    return "".join(text.split())


def custom_properties(path: Path) -> dict[str, str]:
    """The custom document properties, read straight from docProps/custom.xml (quicker than openpyxl)."""
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("docProps/custom.xml"))
    return {p.get("name"): "".join(p.itertext()) for p in root}


def fill_error(template: Path, values: dict, out: Path, **kwargs: bool) -> str:
    with pytest.raises(FillError) as info:
        fill_template(template, values, out, **kwargs)
    assert not out.exists()  # nothing half-written
    return str(info.value)


# --- fill_template ----------------------------------------------------------------------------------------


def test_fill_writes_values_as_given(blank_template: Path, tmp_path: Path) -> None:
    out = tmp_path / "filled.xlsx"
    values = {
        "t3.new.np": 3,
        "t3.new.ce": "12件",  # text stays text: the reader must report it, not guess
        "t3.carry.np": None,
        "t2.fees.amount_wan": 0.038,
        "t4.review.maintain": 0,
        "meta.phone": "0470-5712345",
        "meta.unit_name": UNIT.name,
    }
    fill_template(blank_template, values, out)
    wb = openpyxl.load_workbook(out)
    boxes = cell_boxes(load_spec("2021"))
    for cell_id, value in values.items():
        if cell_id.startswith("meta."):
            continue
        sheet, box = boxes[cell_id]
        got = wb[sheet].cell(box.row + 1, box.col + 1)
        assert got.value == value and type(got.value) is type(value), cell_id
    assert wb["表三"]["D6"].data_type == "n" and wb["表三"]["E6"].data_type == "s"
    assert wb["封面"]["B8"].value == "0470-5712345"
    assert wb["封面"]["B4"].value == UNIT.name
    assert wb["表三"]["J6"].value == "=SUM(D6:I6)"  # the formulas are untouched


def test_fill_keeps_the_template_intact(blank_template: Path, tmp_path: Path) -> None:
    out = tmp_path / "filled.xlsx"
    fill_template(blank_template, {"t3.new.np": 3}, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["封面", "正文", "表二", "表三", "表四", "校验", "_meta"]
    assert wb["_meta"].sheet_state == "veryHidden"
    assert all(ws.protection.sheet for ws in wb)
    t3_inputs = [c for c in load_spec("2021").input_ids if c.startswith("t3.")]
    assert len(wb["表三"].data_validations.dataValidation) == len(t3_inputs) == 144
    assert read_stamps(out) == read_stamps(blank_template)


def test_fill_is_deterministic(blank_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same template and values give the same bytes, whenever they are filled: the file records the
    template's time (or the `saved` given), not the clock, in core.xml and in the zip entries."""
    first, second, third = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "3.xlsx"
    fill_template(blank_template, {"t3.new.np": 3}, first)
    later = dt.datetime(2031, 5, 6, 7, 8, 9)

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            return later.replace(tzinfo=tz)

    import openpyxl.writer.excel

    clock = types.SimpleNamespace(datetime=Clock, timezone=dt.timezone)
    monkeypatch.setattr(openpyxl.writer.excel, "datetime", clock)  # what openpyxl records as saved
    monkeypatch.setattr("time.localtime", lambda *a: later.timetuple())  # what zipfile records
    fill_template(blank_template, {"t3.new.np": 3}, second)
    assert first.read_bytes() == second.read_bytes()
    template_time = openpyxl.load_workbook(blank_template).properties.modified
    assert openpyxl.load_workbook(first).properties.modified == template_time
    saved = dt.datetime(2026, 1, 20, 16, 30)
    fill_template(blank_template, {"t3.new.np": 3}, third, saved=saved)
    assert openpyxl.load_workbook(third).properties.modified == saved
    with zipfile.ZipFile(third) as zf:
        assert {info.date_time for info in zf.infolist()} == {(2026, 1, 20, 16, 30, 0)}


def test_none_blanks_a_cell(blank_template: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    fill_template(blank_template, {"t3.new.np": 5, "t3.fwd.np": 1}, first)
    fill_template(first, {"t3.new.np": None}, second)
    assert cell(second, "t3.new.np").value is None
    assert cell(second, "t3.fwd.np").value == 1


def test_formula_typed_by_a_person(blank_template: Path, tmp_path: Path) -> None:
    out = tmp_path / "filled.xlsx"
    fill_template(blank_template, {"t3.new.np": "=2+3"}, out)
    got = cell(out, "t3.new.np")
    assert got.data_type == "f" and got.value == "=2+3"


def test_computed_cells_refused_unless_overwriting(blank_template: Path, tmp_path: Path) -> None:
    out = tmp_path / "filled.xlsx"
    msg = fill_error(blank_template, {"t3.new.np": 1, "t3.new.tot": 99}, out)
    assert msg == "单元格“t3.new.tot”是公式（合计或总计），不能填写"
    fill_template(blank_template, {"t3.new.tot": 99}, out, overwrite_formulas=True)
    got = cell(out, "t3.new.tot")
    assert got.value == 99 and got.data_type == "n"


def test_unknown_cell_id(blank_template: Path, tmp_path: Path) -> None:
    msg = fill_error(blank_template, {"t3.new.xx": 1}, tmp_path / "out.xlsx")
    assert msg.startswith("未知的单元格编号“t3.new.xx”（编号形如 t3.new.np")
    msg = fill_error(blank_template, {"meta.fax": "1"}, tmp_path / "out.xlsx")
    assert msg.startswith("未知的封面项“meta.fax”（可用：meta.unit_name、")
    # A 2021 cell id in a 2019 template: the ids of the template's own format apply.
    template2019 = tmp_path / "2019.xlsx"
    assert (
        runner.invoke(
            app, ["template", "--year", "2020", "--format", "2019", "-o", str(tmp_path / "t")]
        ).exit_code
        == 0
    )
    (made,) = (tmp_path / "t").glob("*.xlsx")
    made.rename(template2019)
    msg = fill_error(template2019, {"t2.fees.amount_wan": 1}, tmp_path / "out.xlsx")
    assert "未知的单元格编号“t2.fees.amount_wan”" in msg


def test_not_a_template(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    msg = fill_error(plain, {"t3.new.np": 1}, tmp_path / "out.xlsx")
    assert msg.startswith(f"{plain} 不是 tianbao 生成的模板")
    missing = tmp_path / "missing.xlsx"
    assert fill_error(missing, {}, tmp_path / "out.xlsx").startswith(f"模板 {missing} 无法打开")


def test_load_values(tmp_path: Path) -> None:
    path = tmp_path / "values.json"
    path.write_text(
        '{"t3.new.np": 3, "t3.new.ce": "—", "t3.fwd.np": null, "t2.fees.amount_wan": 0.5}', "utf-8"
    )
    assert load_values(path) == {
        "t3.new.np": 3,
        "t3.new.ce": "—",
        "t3.fwd.np": None,
        "t2.fees.amount_wan": 0.5,
    }
    path.write_bytes(b'\xef\xbb\xbf{"t3.new.np": 1}')  # saved by Notepad with a BOM
    assert load_values(path) == {"t3.new.np": 1}
    for bad, expected in [
        ("[1, 2]", "应为 JSON 对象"),
        ('{"t3.new.np": true}', "“t3.new.np”的值应为数字、文字或 null"),
        ('{"t3.new.np": [1]}', "“t3.new.np”的值应为数字、文字或 null"),
        ("{t3.new.np: 1}", "不是有效的 JSON：第 1 行第 2 列，单元格编号要用英文双引号括起来"),
    ]:
        path.write_text(bad, "utf-8")
        with pytest.raises(FillError) as info:
            load_values(path)
        assert expected in str(info.value), bad


# --- tianbao template ----------------------------------------------------------------------------------------


def test_template_command_writes_the_blank_template(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "--year", str(YEAR), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.iterdir()
    assert path.name == f"{YEAR}年度政府信息公开工作年度报告统计表_空白模板.xlsx"
    stamp = read_stamps(path)["meta"]
    assert stamp["tianbao_year"] == str(YEAR) and stamp["tianbao_unit_code"] == ""
    assert "已生成空白模板" in flat(result.output) and stamp["tianbao_serial"] in flat(result.output)


def test_template_command_with_password_and_2019_format(tmp_path: Path) -> None:
    args = ["template", "--year", "2020", "--format", "2019", "--password", "abc", "-o", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.iterdir()
    assert read_stamps(path)["names"]["tianbao_spec_version"] == "2019"
    wb = openpyxl.load_workbook(path)
    assert all(ws.protection.sheet and ws.protection.password for ws in wb)
    assert "t3_r6_np" in wb.defined_names and "t3_r6_1_np" not in wb.defined_names


def test_template_command_with_the_sample_roster(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["template", "--year", str(YEAR), "--roster", str(SAMPLE_ROSTER), "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.iterdir())
    assert len(files) == 15
    assert "已为15个单位生成模板" in flat(result.output)
    codes = set()
    for path in files:
        stamp = custom_properties(path)
        assert (
            path.name
            == f"{stamp['tianbao_unit_code']}_{stamp['tianbao_unit_name']}_{YEAR}年度政府信息公开报表.xlsx"
        )
        codes.add(stamp["tianbao_unit_code"])
    assert "150723107" in codes and len(codes) == 15
    nuomin = tmp_path / f"150723107_诺敏镇人民政府_{YEAR}年度政府信息公开报表.xlsx"
    cover = openpyxl.load_workbook(nuomin)["封面"]
    assert (cover["B4"].value, cover["B5"].value) == ("诺敏镇人民政府", "150723107")
    assert cover["B4"].protection.locked and cover["B5"].protection.locked
    stamp = read_stamps(nuomin)
    assert stamp["properties"] == stamp["names"] == stamp["meta"]
    assert stamp["meta"]["tianbao_unit_type"] == "乡镇"


def test_template_file_names_are_windows_safe(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "单位代码,单位名称,单位类型,上级单位代码\n"
        "150723301,旗林业和草原局/旗森林公安:分局,部门,150723\n"
        '150723302,"诺敏镇人民政府 <试点>",乡镇,150723\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["template", "--year", str(YEAR), "--roster", str(roster), "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        f"150723301_旗林业和草原局_旗森林公安_分局_{YEAR}年度政府信息公开报表.xlsx",
        f"150723302_诺敏镇人民政府 _试点__{YEAR}年度政府信息公开报表.xlsx",
    ]
    assert not any(WINDOWS_BAD.search(n) for n in names)
    # The file name is made safe; the unit's name inside the template is not changed.
    wb = openpyxl.load_workbook(out / names[0])
    assert wb["封面"]["B4"].value == "旗林业和草原局/旗森林公安:分局"
    assert read_stamps(out / names[0])["meta"]["tianbao_unit_name"] == "旗林业和草原局/旗森林公安:分局"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("单位代码,单位名称,上级单位代码\n1,甲镇,\n", "缺少列：单位类型"),
        ("单位代码,单位名称,单位类型,上级单位代码\n1,甲镇,村,\n", "第 2 行：单位类型“村”不在允许范围内"),
        (
            "单位代码,单位名称,单位类型,上级单位代码\n1,甲镇,乡镇,\n1,乙镇,乡镇,\n",
            "第 3 行：单位代码“1”与第 2 行重复",
        ),
    ],
)
def test_bad_roster_is_a_usage_error_in_chinese(tmp_path: Path, content: str, expected: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["template", "--year", str(YEAR), "--roster", str(roster), "-o", str(out)])
    assert result.exit_code == 2
    text = flat(result.output)
    assert flat(f"错误：名单文件 {roster}") in text and flat(expected) in text
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())  # no template written for a bad roster


def test_missing_roster_and_unknown_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["template", "--year", str(YEAR), "--roster", str(tmp_path / "无.csv"), "-o", str(tmp_path)]
    )
    assert result.exit_code == 2 and "文件或文件夹不存在" in flat(result.output)
    result = runner.invoke(app, ["template", "--year", str(YEAR), "--format", "2018", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "未知的报表格式“2018”" in flat(result.output)


# --- tianbao fill ----------------------------------------------------------------------------------------------


def test_fill_command(blank_template: Path, tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"t3.new.np": 7, "t3.new.ce": None, "meta.filled_by": "张三"}), "utf-8")
    out = tmp_path / "已填写.xlsx"
    result = runner.invoke(app, ["fill", str(blank_template), "--values", str(values), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已写入" in flat(result.output)
    wb = openpyxl.load_workbook(out)
    assert (wb["表三"]["D6"].value, wb["表三"]["E6"].value, wb["封面"]["B7"].value) == (7, None, "张三")


def test_fill_command_errors(blank_template: Path, tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"t3.new.tot": 7}), "utf-8")
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["fill", str(blank_template), "--values", str(values), "-o", str(out)])
    assert result.exit_code == 2
    assert "错误：单元格“t3.new.tot”是公式（合计或总计），不能填写" in flat(result.output)
    assert not out.exists()
    args = ["fill", str(blank_template), "--values", str(values), "-o", str(out), "--overwrite-formulas"]
    assert runner.invoke(app, args).exit_code == 0
    assert openpyxl.load_workbook(out)["表三"]["J6"].value == 7


# --- Help ------------------------------------------------------------------------------------------------------


def commands() -> dict:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return dict(group.commands)


def test_every_command_has_chinese_help() -> None:
    cmds = commands()
    assert {"template", "fill"} <= set(cmds)
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "政府信息公开工作年度报告统计表" in top.output
    for name, cmd in cmds.items():
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert cmd.help and CJK.search(cmd.help), name
        assert flat(cmd.help.split("\n")[0]) in flat(result.output), name
        for param in cmd.params:  # options and arguments alike
            assert param.help and CJK.search(param.help), (name, param.name)


def test_help_shows_the_options() -> None:
    template_help = runner.invoke(app, ["template", "--help"]).output
    for text in ("--year", "报告年度", "--roster", "单位名单", "--password", "--format", "2019"):
        assert text in template_help
    fill_help = runner.invoke(app, ["fill", "--help"]).output
    for text in ("--values", "单元格编号", "--overwrite-formulas"):
        assert text in fill_help
