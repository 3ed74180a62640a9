"""Tests of tianbao.reading: returned workbooks as they really come back — renamed, re-saved, edited, broken —
read into submissions with exact issue codes, cell addresses and Chinese messages; never a traceback."""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import make_fixtures as fx
import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tianbao.filling import fill_template
from tianbao.reading import Limits, Submission, read_submission
from tianbao.reading.backend import RawWorkbook
from tianbao.reading.openpyxl_backend import OpenpyxlBackend
from tianbao.reading.plan import plan_for
from tianbao.spec import Spec, load_spec
from tianbao.template import TemplateOptions, write_template

SPEC = load_spec("2021")
YEAR = fx.YEAR
T3_NEW = "表三 一、本年新收政府信息公开申请数量"


def read(path: Path, **kwargs: Any) -> Submission:
    kwargs.setdefault("expected_year", YEAR)
    kwargs.setdefault("roster", fx.ROSTER)
    kwargs.setdefault("expected_spec", SPEC)
    return read_submission(path, **kwargs)


def codes(sub: Submission) -> list[str]:
    return [i.code for i in sub.issues]


def only(sub: Submission, code: str) -> Any:
    found = [i for i in sub.issues if i.code == code]
    assert len(found) == 1, [(i.code, i.message) for i in sub.issues]
    return found[0]


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fx.filled(tmp_path_factory.mktemp("valid") / "valid.xlsx")


@pytest.fixture
def valid(valid_file: Path, tmp_path: Path) -> Path:
    """A private copy of a correctly filled template of 诺敏镇 for 2025."""
    return Path(shutil.copyfile(valid_file, tmp_path / "诺敏镇 2025年报表（终稿）.xlsx"))


# --- a good file ------------------------------------------------------------------------------------------
def test_valid_submission(valid: Path) -> None:
    sub = read(valid)
    assert sub.issues == []
    assert sub.readable and not sub.has_errors
    assert (sub.unit_code, sub.unit_name, sub.unit_type, sub.year) == (
        "150723107",
        "诺敏镇人民政府",
        "乡镇",
        2025,
    )
    assert sub.spec is SPEC and sub.stamp is not None and sub.kind == "template"
    expected = {k: v for k, v in fx.valid_values(SPEC).items() if not k.startswith("meta.")}
    assert sub.values == expected
    assert sub.blank == [] and sub.invalid == []
    assert sub.cached == dict.fromkeys(
        SPEC.computed_ids
    )  # openpyxl saves no results: nothing is trusted anyway
    assert sub.meta["filled_by"] == "张丽" and sub.meta["phone"] == "0470-5946089"
    assert sub.size == valid.stat().st_size and len(sub.sha256) == 64


def test_backend_reads_head_and_wanted_cells(valid: Path) -> None:
    raw = OpenpyxlBackend().read(valid, {"表三": {(5, 3), (5, 9), (0, 0)}, "nonexistent": {(0, 0)}})
    assert raw.sheets == ["封面", "正文", "表二", "表三", "表四", "校验", "_meta"]
    assert raw.states["_meta"] == "veryHidden" and raw.states["表三"] == "visible"
    assert raw.properties["tianbao_year"] == "2025" and raw.properties["tianbao_members"] == "-"
    assert raw.names["t3_new_np"] == "'表三'!$D$6"
    assert raw.meta["tianbao_unit_code"] == "150723107"
    assert raw.protected == {"_meta": True, "表三": True}
    assert raw.dimensions["表三"][0] >= 31
    assert raw.cell("表三", 5, 3).value == 3
    assert raw.cell("表三", 5, 9).formula == "=SUM(D6:I6)" and raw.cell("表三", 5, 9).value is None
    assert raw.cell("表三", 0, 0).value == "三、收到和处理政府信息公开申请情况"
    assert raw.cell("表三", 6, 3).value is None  # not wanted, not read


def test_backend_asks_for_cells_after_the_head(valid: Path) -> None:
    seen: list[RawWorkbook] = []

    def wanted(head: RawWorkbook) -> dict[str, set[tuple[int, int]]]:
        seen.append(head)
        assert head.properties["tianbao_spec_version"] == "2021" and not head.cells
        return {"表二": {(4, 1)}}

    raw = OpenpyxlBackend().read(valid, wanted)
    assert len(seen) == 1 and raw.cells == {("表二", 4, 1): raw.cell("表二", 4, 1)}


# --- round trip -------------------------------------------------------------------------------------------
def _value_strategy(spec: Spec) -> st.SearchStrategy[dict[str, Any]]:
    def one(cell_id: str) -> st.SearchStrategy[Any]:
        kind = spec.cells[cell_id].type
        if kind == "amount":
            number: st.SearchStrategy[Any] = st.decimals(0, 100_000, places=4).map(float)
        elif kind == "int":
            number = st.integers(-1000, 1000)
        else:
            number = st.integers(0, 100_000)
        return st.one_of(st.none(), number) if cell_id.startswith("t3.r5") else number

    return st.fixed_dictionaries({c: one(c) for c in spec.input_ids})


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rt")
    out = {}
    for fmt in ("2021", "2019"):
        out[fmt] = folder / f"{fmt}.xlsx"
        write_template(load_spec(fmt), out[fmt], TemplateOptions(year=YEAR, unit=fx.UNIT))
    return out


@pytest.mark.parametrize("fmt", ["2021", "2019"])
@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking 166 cells, a fill each, takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_round_trip(fmt: str, templates: dict[str, Path], tmp_path: Path, data: st.DataObject) -> None:
    spec = load_spec(fmt)
    values = data.draw(_value_strategy(spec))
    out = tmp_path / "rt.xlsx"
    fill_template(templates[fmt], {**values, **fx.COVER}, out)
    sub = read_submission(out, expected_spec=spec)
    assert sub.readable
    assert sub.values == values
    assert sub.blank == [c for c in spec.input_ids if values[c] is None]
    assert set(codes(sub)) <= {"value-blank"}


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("rnd") / "x.xlsx"
    path.write_bytes(data)
    sub = read(path)
    assert not sub.readable and sub.has_errors


# --- files that are not (readable) workbooks --------------------------------------------------------------
def _zip(members: dict[str, bytes], stored: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


BAD_FILES: dict[str, tuple[bytes, str, str]] = {
    "empty": (b"", "file-empty", "文件是空的（0 字节）。"),
    "csv": (
        "单位,新收\n诺敏镇,3\n".encode("gb18030"),
        "not-xlsx",
        "这不是 Excel 工作簿（.xlsx）：这是文本文件（可能是 CSV 改了扩展名）。",
    ),
    "html": (
        b"<html><body><table><tr><td>3</td></tr></table></body></html>",
        "not-xlsx",
        "这不是 Excel 工作簿（.xlsx）：这是网页或 XML 文件（可能是从网页导出的“假 Excel”）。",
    ),
    "pdf": (b"%PDF-1.7\n...", "not-xlsx", "这不是 Excel 工作簿（.xlsx）：这是 PDF 文件。"),
    "random": (
        bytes(range(256)) * 4,
        "not-xlsx",
        "这不是 Excel 工作簿（.xlsx）：文件内容不是 Excel 工作簿。",
    ),
    "xls": (fx.ole2("Workbook"), "legacy-format", "文件是 旧版 Excel（97-2003）的 .xls 格式，不能读取。"),
    "encrypted": (fx.ole2("EncryptedPackage"), "encrypted", "文件已加密（设置了打开密码），无法读取。"),
    "ods": (
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}, True),
        "legacy-format",
        "文件是 OpenDocument 表格的 .ods 格式，不能读取。",
    ),
    "docx": (
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        "not-xlsx",
        "这不是 Excel 工作簿（.xlsx）：这是 Word 文档。",
    ),
    "zip": (
        _zip({"报表/说明.txt": "见附件".encode()}),
        "not-xlsx",
        "这不是 Excel 工作簿（.xlsx）：这是压缩包，里面没有 Excel 工作簿。",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files(name: str, tmp_path: Path) -> None:
    data, code, message = BAD_FILES[name]
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(data)
    sub = read(path)
    assert codes(sub) == [code]
    assert sub.issues[0].message == message
    assert not sub.readable and sub.values == {}


def test_wps_et_file(tmp_path: Path) -> None:
    path = tmp_path / "报表.et"
    path.write_bytes(fx.ole2("Workbook"))
    assert only(read(path), "legacy-format").message == "文件是 WPS 表格的 .et 格式，不能读取。"


def test_truncated_download(valid: Path) -> None:
    valid.write_bytes(valid.read_bytes()[:5000])
    issue = only(read(valid), "corrupt-workbook")
    assert issue.message == "工作簿已损坏，无法读取：文件不完整（可能是传输或复制时中断了）。"


def test_corrupt_member_data(valid: Path) -> None:
    data = bytearray(valid.read_bytes())
    with zipfile.ZipFile(valid) as z:
        info = z.getinfo(fx.sheet_part("表三"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 100, start + 400):
        data[i] ^= 0x55
    valid.write_bytes(bytes(data))
    sub = read(valid)
    assert codes(sub) == ["corrupt-workbook"] and not sub.readable
    assert sub.issues[0].message.startswith("工作簿已损坏，无法读取：")


def test_broken_xml(valid: Path) -> None:
    fx.rewrite(valid, "xl/workbook.xml", lambda xml: xml[: len(xml) // 2])
    sub = read(valid)
    assert codes(sub) == ["corrupt-workbook"]
    assert sub.issues[0].message == "工作簿已损坏，无法读取：内部 XML 格式错误。"


def test_xml_entities_are_refused(valid: Path) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'

    def change(xml: bytes) -> bytes:
        return bomb + xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else bomb + xml

    fx.rewrite(valid, "xl/workbook.xml", change)
    sub = read(valid)
    assert codes(sub) == ["unsafe-workbook"]
    assert sub.issues[0].message == "工作簿内容异常，为安全起见未读取：含有不允许的 XML 实体或外部引用。"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    missing = read(tmp_path / "没有这个文件.xlsx")
    assert only(missing, "file-unreadable").message == "文件无法读取：文件或文件夹不存在。"
    folder = read(tmp_path)
    assert only(folder, "file-unreadable").message == "文件无法读取：这是文件夹，不是文件。"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(valid: Path) -> None:
    valid.chmod(0)
    try:
        assert (
            only(read(valid), "file-unreadable").message
            == "文件无法读取：没有权限（文件是否正在 Excel 或 WPS 中打开？）。"
        )
    finally:
        valid.chmod(0o644)


def test_file_too_large(valid: Path) -> None:
    sub = read(valid, limits=Limits(max_file_size=1024))
    size = valid.stat().st_size / 1024
    assert only(sub, "file-too-large").message == (
        f"文件大小 {size:.1f} KB 超过上限 1.0 KB，未读取；可用 --max-file-size 放宽上限。"
    )
    assert sub.sha256 == "" and not sub.readable


def test_uncompressed_size_limit(valid: Path) -> None:
    sub = read(valid, limits=Limits(max_uncompressed=100_000))
    assert codes(sub) == ["file-too-large"]
    assert re.fullmatch(
        r"解压后大小 \d+\.\d KB 超过上限 97\.7 KB，未读取；可用 --max-uncompressed 放宽上限。",
        sub.issues[0].message,
    )


def test_zip_bomb_member(valid: Path) -> None:
    fx.rewrite(valid, "xl/media/zeros.bin", lambda _: bytes(3 * 1024 * 1024), add=True)
    sub = read(valid)
    assert codes(sub) == ["unsafe-workbook"]
    assert re.fullmatch(
        r"工作簿内容异常，为安全起见未读取：其中的 xl/media/zeros.bin 压缩比异常（\d+ 倍）。",
        sub.issues[0].message,
    )


def test_sheet_cell_limit(valid: Path) -> None:
    sub = read(valid, limits=Limits(max_cells=200))
    issue = next(i for i in sub.issues if i.code == "file-too-large")
    assert issue.sheet == "表三"
    assert issue.message == (
        "工作表“表三”的单元格超过上限（读到第 201 个时停止），未读取；可用 --max-cells 放宽上限。"
    )
    assert all(sub.values[c] is None for c in SPEC.input_ids if c.startswith("t3."))


def test_macros_are_a_warning(valid: Path) -> None:
    fx.rewrite(valid, "xl/vbaProject.bin", lambda _: b"\xd0\xcf\x11\xe0", add=True)
    sub = read(valid)
    assert (
        only(sub, "macros-present").message == "工作簿含有宏（xl/vbaProject.bin），宏不会被执行，只读取数据。"
    )
    assert sub.readable and not sub.has_errors


def test_a_workbook_without_a_stamp(tmp_path: Path) -> None:
    path = tmp_path / "自己做的表.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["一、本年新收政府信息公开申请数量", 3])
    wb.save(path)
    sub = read(path)
    assert codes(sub) == ["not-a-template"] and not sub.readable
    assert sub.issues[0].message == "没有找到模板戳记，这不是县（旗）下发的填报模板。"


# --- identity ---------------------------------------------------------------------------------------------
def test_stamp_changed_in_one_place(valid: Path) -> None:
    def change(wb: Any) -> None:
        wb.defined_names["tianbao_year"].attr_text = '="2024"'

    sub = read(fx.edit(valid, change))
    assert only(sub, "stamp-inconsistent").message == (
        "模板戳记前后不一致：年度（tianbao_year）文档属性为“2025”，定义名称为“2024”，隐藏工作表“_meta”为“2025”。"
    )
    assert sub.year == 2025 and "year-mismatch" not in codes(sub)  # the majority wins


def test_stamp_changed_in_the_custom_properties(valid: Path) -> None:
    def change(xml: bytes) -> bytes:
        return xml.replace("诺敏镇人民政府".encode(), "阿里河镇人民政府".encode())

    sub = read(fx.rewrite(valid, "docProps/custom.xml", change))
    assert only(sub, "stamp-inconsistent").message == (
        "模板戳记前后不一致：单位名称（tianbao_unit_name）文档属性为“阿里河镇人民政府”，定义名称为“诺敏镇人民政府”，"
        "隐藏工作表“_meta”为“诺敏镇人民政府”。"
    )


def test_libreoffice_style_stamp_is_tolerated(valid: Path) -> None:
    """LibreOffice writes names without “=”, may turn text properties into numbers, hides instead of very hides."""

    def names(xml: bytes) -> bytes:
        return re.sub(rb'(<definedName name="tianbao_[a-z_]+"[^>]*>)=', rb"\1", xml).replace(
            b'state="veryHidden"', b'state="hidden"'
        )

    def props(xml: bytes) -> bytes:
        return xml.replace(b"<vt:lpwstr>2025</vt:lpwstr>", b"<vt:i4>2025</vt:i4>").replace(
            b"<vt:lpwstr>2021</vt:lpwstr>", b"<vt:r8>2021</vt:r8>"
        )

    fx.rewrite(valid, "xl/workbook.xml", names)
    fx.rewrite(valid, "docProps/custom.xml", props)
    raw = OpenpyxlBackend().read(valid, {})
    assert raw.states["_meta"] == "hidden" and raw.names["tianbao_year"] == '"2025"'
    assert raw.properties["tianbao_year"] == "2025" and raw.properties["tianbao_spec_version"] == "2021"
    sub = read(valid)
    assert sub.issues == [] and sub.year == 2025


def test_stamp_only_in_some_places(valid: Path) -> None:
    fx.rewrite(valid, "docProps/custom.xml", None)
    sub = read(valid)
    assert sub.issues == [] and sub.unit_code == "150723107"


def test_unknown_spec_version(valid: Path) -> None:
    def change(wb: Any) -> None:
        for p in wb.custom_doc_props.props:
            if p.name == "tianbao_spec_hash":
                p.value = "0123456789abcdef"
        wb.defined_names["tianbao_spec_hash"].attr_text = '="0123456789abcdef"'
        for row in wb["_meta"].iter_rows(min_row=2, max_col=2):
            if row[0].value == "tianbao_spec_hash":
                row[1].value = "0123456789abcdef"

    sub = read(fx.edit(valid, change))
    issue = only(sub, "spec-unknown")
    assert issue.message == (
        "模板版本不对：文件是用其他版本的 tianbao 生成的 2021 格式模板，模板结构编号为 0123456789abcdef，"
        f"应为 {SPEC.hash}，本次收集使用 2021 格式模板。"
    )
    assert issue.hint == "请使用本年度下发的模板（2021 格式模板）重新填写。"
    assert not sub.readable and sub.spec is None and sub.stamp is not None


def test_2019_template_when_2021_expected(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "卫健委.xlsx", fmt="2019"))
    assert codes(sub) == ["spec-unknown"]
    assert sub.issues[0].message == "模板版本不对：文件是 2019 格式模板，本次收集使用 2021 格式模板。"
    assert sub.readable and sub.spec is load_spec("2019")  # read with its own spec, for the report
    assert sub.values["t3.r6.np"] == 0


def test_wrong_year(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "去年的模板.xlsx", year=2024))
    assert codes(sub) == ["year-mismatch"]
    assert sub.issues[0].message == "这是 2024 年度的模板，本次收集的是 2025 年度。"
    assert sub.issues[0].hint == "请使用 2025 年度的模板重新填写。"
    assert sub.year == 2024 and sub.readable


def test_generic_template_unit_from_the_cover(tmp_path: Path) -> None:
    cover = {"meta.unit_code": " １５０７２３１００ ", "meta.unit_name": "阿里河镇人民政府"}
    path = fx.filled(tmp_path / "空白模板.xlsx", cover, unit=None)
    sub = read(path)
    assert sub.issues == []
    assert (sub.unit_code, sub.unit_name, sub.unit_type) == ("150723100", "阿里河镇人民政府", "乡镇")
    assert read_submission(path).unit_type is None  # no roster, and the blank template's stamp has no type


def test_unit_missing(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "x.xlsx", unit=None))
    issue = only(sub, "unit-missing")
    assert issue.message == "封面未填写单位名称和单位代码，无法确定是哪个单位的报表。"
    assert (issue.sheet, issue.cell) == ("封面", "B5")
    assert sub.unit_code is None


def test_unit_code_missing_and_name_missing(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "a.xlsx", {"meta.unit_name": "诺敏镇人民政府"}, unit=None))
    assert only(sub, "unit-missing").message == "封面未填写单位代码，无法确定是哪个单位的报表。"
    no_name = fx.filled(tmp_path / "b.xlsx", {"meta.unit_code": "150723107"}, unit=None)
    assert read(no_name).unit_name == "诺敏镇人民政府"  # the roster knows it
    assert (
        only(read_submission(no_name), "unit-missing").message
        == "封面未填写单位名称，无法确定是哪个单位的报表。"
    )


def test_unit_not_in_roster(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "x.xlsx", unit=fx.STRANGER))
    assert codes(sub) == ["unit-not-in-roster"]
    assert sub.issues[0].message == "单位“鄂伦春自治旗乡村振兴局”（代码 150723299）不在名单中。"
    assert sub.unit_type == "部门"  # from the stamp


def test_unit_name_mismatch(tmp_path: Path) -> None:
    cover = {"meta.unit_code": "150723107", "meta.unit_name": "诺敏镇政府"}
    sub = read(fx.filled(tmp_path / "x.xlsx", cover, unit=None))
    issue = only(sub, "unit-name-mismatch")
    assert issue.message == "封面单位名称“诺敏镇政府”与名单中的“诺敏镇人民政府”不同。"
    assert (issue.sheet, issue.cell, issue.severity) == ("封面", "B4", "warning")


# --- integrity --------------------------------------------------------------------------------------------
def test_sheet_deleted(valid: Path) -> None:
    sub = read(fx.edit(valid, lambda wb: wb.remove(wb["表四"])))
    assert codes(sub) == ["sheet-missing"]
    assert sub.issues[0].message == "缺少工作表“表四”。" and sub.issues[0].sheet == "表四"
    t4 = [c for c in SPEC.input_ids if c.startswith("t4.")]
    assert all(sub.values[c] is None for c in t4) and set(t4) <= set(sub.invalid)
    assert sub.values["t3.new.np"] == 3 and sub.readable


def test_label_changed(valid: Path) -> None:
    def change(wb: Any) -> None:
        wb["表三"]["C12"] = "3.危及三安全一稳定"

    sub = read(fx.edit(valid, change))
    issue = only(sub, "label-changed")
    assert issue.message == "单元格文字应为“3.危及“三安全一稳定””，现为“3.危及三安全一稳定”。"
    assert (issue.sheet, issue.cell) == ("表三", "C12")
    assert codes(sub) == ["label-changed"]


def test_label_width_and_spaces_do_not_matter(valid: Path) -> None:
    def change(wb: Any) -> None:
        wb["表三"]["A6"] = " 一、本年新收政府信息公开申请数量 "
        wb["表三"]["B8"] = "(一)予以公开"  # half-width parentheses, as after NFKC

    assert read(fx.edit(valid, change)).issues == []


def test_inserted_row_is_one_layout_issue(valid: Path) -> None:
    sub = read(fx.edit(valid, lambda wb: wb["表三"].insert_rows(10)))
    assert codes(sub) == ["layout-changed"]
    issue = sub.issues[0]
    assert issue.message == "表三的表格结构被改动：第 10 行起的内容下移了 1 行（可能插入了行）。"
    assert issue.hint == "请不要插入或删除行列。请使用下发的模板重新填写。"
    assert (issue.sheet, issue.cell) == ("表三", "B10")
    assert all(sub.values[c] is None for c in SPEC.input_ids if c.startswith("t3."))
    assert "t3.new.np" in sub.invalid and sub.values["t2.licensing.decisions"] == 8


def test_deleted_row(valid: Path) -> None:
    up = read(fx.edit(valid, lambda wb: wb["表三"].delete_rows(12)))
    assert [(i.code, i.message) for i in up.issues] == [
        ("layout-changed", "表三的表格结构被改动：第 13 行起的内容上移了 1 行（可能删除了行）。")
    ]


def test_inserted_column(tmp_path: Path, valid_file: Path) -> None:
    path = Path(shutil.copyfile(valid_file, tmp_path / "x.xlsx"))
    sub = read(fx.edit(path, lambda wb: wb["表四"].insert_cols(3)))
    assert [(i.code, i.message) for i in sub.issues] == [
        ("layout-changed", "表四的表格结构被改动：C 列起的内容右移了 1 列（可能插入了列）。")
    ]


def test_another_table_pasted_over_the_template(valid: Path) -> None:
    def change(wb: Any) -> None:
        ws = wb["表三"]
        for row in range(10, 29):  # the level-3 labels of 表三 (C10:C28)
            ws.cell(row, 3).value = f"第{row}项"

    sub = read(fx.edit(valid, change))
    assert [(i.code, i.cell, i.message) for i in sub.issues] == [
        (
            "layout-changed",
            "C10",
            "表三的表格结构被改动：有 19 处标题或栏目文字与模板不同（如 C10），不是下发的表格。",
        )
    ]


def test_names_moved_as_excel_moves_them(valid: Path) -> None:
    """Excel updates the defined names when a row is inserted: names and labels move together."""

    def change(wb: Any) -> None:
        wb["表三"].insert_rows(8)
        plan = plan_for(SPEC)
        for name, (sheet, row, col) in plan.names.items():
            if sheet == "表三" and row >= 7:
                wb.defined_names[
                    name
                ].attr_text = f"'表三'!${openpyxl.utils.get_column_letter(col + 1)}${row + 2}"

    sub = read(fx.edit(valid, change))
    assert [(i.code, i.message) for i in sub.issues] == [
        ("layout-changed", "表三的表格结构被改动：第 8 行起的内容下移了 1 行（可能插入了行）。")
    ]


def test_name_points_elsewhere(valid: Path) -> None:
    def change(wb: Any) -> None:
        wb.defined_names["t3_new_np"].attr_text = "'表三'!$D$7"
        del wb.defined_names["t4_review_maintain"]

    sub = read(fx.edit(valid, change))
    assert [(i.code, i.cell_id, i.cell, i.message) for i in sub.issues] == [
        ("name-mismatch", "t3.new.np", "D6", "名称 t3_new_np 应指向 表三!D6，现为 表三!D7。"),
        (
            "name-mismatch",
            "t4.review.maintain",
            "A6",
            "名称 t4_review_maintain 应指向 表四!A6，现为 （已删除）。",
        ),
    ]


def test_protection_removed(valid: Path) -> None:
    def change(wb: Any) -> None:
        wb["表三"].protection.sheet = False
        wb["封面"].protection.sheet = False

    sub = read(fx.edit(valid, change))
    assert [(i.code, i.sheet, i.message) for i in sub.issues] == [
        ("protection-removed", "封面", "封面的工作表保护已被取消。"),
        ("protection-removed", "表三", "表三的工作表保护已被取消。"),
    ]
    assert not sub.has_errors


def test_formula_overwritten_by_a_number(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "甘河镇.xlsx", {"t3.r7.np": 5}, overwrite_formulas=True))
    issue = only(sub, "formula-overwritten")
    assert (
        issue.message
        == "“表三 （七）总计 / 自然人”是自动计算的合计，公式已被改写为 5（按填写的数字应为 3）。"
    )
    assert (issue.cell_id, issue.sheet, issue.cell) == ("t3.r7.np", "表三", "D29")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("说明.txt", "请查收附件。".encode(), "这是文本文件"),
        ("报表.xlsx", "单位,数量\n诺敏镇,3\n".encode("gbk"), "这是文本文件（可能是 CSV 改了扩展名）"),
        ("~$诺敏镇.xlsx", b"\x06zhangsan" + b"\x00" * 40, "这是 Excel 或 WPS 打开文件时留下的临时锁定文件"),
    ],
)
def test_not_xlsx_says_what_the_file_is(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    issue = only(read(path), "not-xlsx")
    assert issue.message.startswith(f"这不是 Excel 工作簿（.xlsx）：{reason}")


def test_formula_overwritten_by_the_right_number_is_still_an_error(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "吉文镇.xlsx", {"t3.r7.np": 3}, overwrite_formulas=True))
    issue = only(sub, "formula-overwritten")
    assert issue.severity == "error"
    assert issue.message == (
        "“表三 （七）总计 / 自然人”是自动计算的合计，公式已被改写为 3"
        "（数字碰巧正确，但以后改动数字时不会再自动计算）。"
    )


def test_formula_replaced_by_another_formula_or_deleted(valid: Path) -> None:
    def change(wb: Any) -> None:
        wb["表三"]["J6"] = "=SUM(D6:H6)"
        wb["表四"]["E6"] = None

    sub = read(fx.edit(valid, change))
    assert [(i.code, i.cell, i.message) for i in sub.issues] == [
        (
            "formula-overwritten",
            "J6",
            f"“{T3_NEW} / 总计”是自动计算的合计，公式已被改写为 =SUM(D6:H6)（按填写的数字应为 3）。",
        ),
        (
            "formula-overwritten",
            "E6",
            "“表四 行政复议 / 总计”是自动计算的合计，公式已被改写为 空白（按填写的数字应为 0）。",
        ),
    ]


def test_formula_text_is_compared_loosely(valid: Path) -> None:
    def change(wb: Any) -> None:
        wb["表三"]["J6"] = "=sum( $D$6:$I$6 )"

    assert read(fx.edit(valid, change)).issues == []


def test_cached_values_are_checked_not_used(valid: Path) -> None:
    fx.set_cached(valid, fx.sheet_part("表三"), "J6", "5")
    fx.set_cached(valid, fx.sheet_part("表三"), "J7", "1")
    sub = read(valid)
    issue = only(sub, "cached-value-mismatch")
    assert issue.message == f"“{T3_NEW} / 总计”文件中显示为 5，按填写的数字重新计算为 3。"
    assert issue.hint == "可能是文件未重新计算或被改动过；汇总使用重新计算的值 3。"
    assert (issue.cell, issue.severity) == ("J6", "warning")
    assert (
        sub.cached["t3.new.tot"] == 5 and sub.cached["t3.carry.tot"] == 1 and sub.cached["t3.r1.tot"] is None
    )


def test_no_cached_mismatch_over_an_unusable_input(tmp_path: Path) -> None:
    path = fx.filled(tmp_path / "x.xlsx", {"t3.new.np": "不详"})
    fx.set_cached(path, fx.sheet_part("表三"), "J6", "3")
    assert codes(read(path)) == ["value-not-a-number"]


# --- values, blanks, cover --------------------------------------------------------------------------------
def test_values_as_people_type_them(tmp_path: Path) -> None:
    typed = {
        "t2.rules.issued": "—",
        "t2.licensing.decisions": "1,234",
        "t2.penalty.decisions": "5件",
        "t2.coercion.decisions": "不详",
        "t2.fees.amount_wan": "380元",
        "t4.review.maintain": -1,
        "t4.review.correct": 1.5,
        "t3.new.np": "=1+2",
    }
    sub = read(fx.filled(tmp_path / "x.xlsx", typed))
    got = [(i.code, i.cell, i.message) for i in sub.issues if i.code.startswith("value-")]
    assert got == [
        ("value-dash", "B5", "“表二 规章 / 本年制发件数”填写为“—”，按 0 读取。"),
        ("value-text-number", "B9", "“表二 行政许可 / 本年处理决定数量”填写为“1,234”，按 1234 读取。"),
        ("value-unit-suffix", "B12", "“表二 行政处罚 / 本年处理决定数量”填写为“5件”，按 5 读取。"),
        ("value-not-a-number", "B13", "“表二 行政强制 / 本年处理决定数量”填写为“不详”，不是数字。"),
        (
            "value-unit-suffix",
            "B16",
            "“表二 行政事业性收费 / 本年收费金额（单位：万元）”填写为“380元”，按 0.038 读取。",
        ),
        ("value-formula", "D6", f"“{T3_NEW} / 自然人”中是公式 =1+2，不是填写的数字。"),
        ("value-negative", "A6", "“表四 行政复议 / 结果维持”填写为“-1”，不能为负数。"),
        ("value-not-integer", "B6", "“表四 行政复议 / 结果纠正”填写为“1.5”，件数应为整数。"),
    ]
    assert sub.values["t2.licensing.decisions"] == 1234 and sub.values["t2.fees.amount_wan"] == 0.038
    assert sub.invalid == ["t2.coercion.decisions", "t3.new.np", "t4.review.maintain", "t4.review.correct"]
    assert all(sub.values[c] is None for c in sub.invalid)


def test_blank_cells_listed_per_sheet(tmp_path: Path) -> None:
    blanks = {f"t3.{r}.{c}": None for r in ("r3_1", "r3_2") for c in fx.C6}
    sub = read(fx.filled(tmp_path / "x.xlsx", {**blanks, "t2.rules.valid": None}))
    assert [(i.code, i.sheet, i.cell, i.message) for i in sub.issues] == [
        ("value-blank", "表二", "D5", "表二有 1 个单元格未填写，按 0 计算：D5。"),
        (
            "value-blank",
            "表三",
            "D10",
            "表三有 12 个单元格未填写，按 0 计算：D10、E10、F10、G10、H10、I10、D11、E11、F11、G11 等。",
        ),
    ]
    assert sub.blank == ["t2.rules.valid", *blanks]
    assert all(sub.values[c] is None for c in sub.blank) and sub.invalid == []


def test_an_empty_table(tmp_path: Path) -> None:
    t4 = {c: None for c in SPEC.input_ids if c.startswith("t4.")}
    sub = read(fx.filled(tmp_path / "x.xlsx", t4))
    assert [(i.code, i.severity, i.sheet, i.message) for i in sub.issues] == [
        ("table-empty", "error", "表四", "表四全部空白，视为未填报。")
    ]
    assert sub.issues[0].hint == "请填写表四；没有发生的事项填 0。"


def test_cover_contact_missing(tmp_path: Path) -> None:
    sub = read(fx.filled(tmp_path / "x.xlsx", {"meta.phone": "  "}, drop=("meta.filled_by",)))
    assert [(i.code, i.severity, i.message) for i in sub.issues] == [
        ("meta-missing", "warning", "封面未填写：填报人、联系电话。")
    ]


# --- last year's values (more in test_previous.py) ----------------------------------------------------
def test_template_with_previous(tmp_path: Path) -> None:
    from tianbao.cli.main import app

    prev = fx.filled(tmp_path / "诺敏镇2024.xlsx", year=2024)
    out = tmp_path / "模板"
    result = CliRunner().invoke(app, ["template", "--year", "2025", "--previous", str(prev), "-o", str(out)])
    assert result.exit_code == 0, result.output
    made = out / "150723107_诺敏镇人民政府_2025年度政府信息公开报表.xlsx"
    ws = openpyxl.load_workbook(made)["表三"]
    assert ws["A32"].value == "上年报告：四、结转下年度继续办理"
    assert [ws.cell(32, c).value for c in range(4, 11)] == [1, 0, 0, 0, 0, 0, 1]
    sub = read(made, roster=None)
    assert codes(sub) == ["table-empty", "table-empty", "table-empty", "meta-missing"]


@pytest.mark.parametrize(
    ("year", "content", "message"),
    [
        (2025, None, "上年报表 {p} 是 2025 年度的，本次是 2025 年度，应给出 2024 年度的报表"),
        (
            2024,
            b"not a workbook",
            "上年报表 {p} 不能使用：这不是 Excel 工作簿（.xlsx）：这是文本文件（可能是 CSV 改了扩展名）",
        ),
    ],
)
def test_template_with_a_bad_previous_file(
    tmp_path: Path, year: int, content: bytes | None, message: str
) -> None:
    from tianbao.cli.main import app

    prev = fx.filled(tmp_path / "prev.xlsx", year=year)
    if content is not None:
        prev.write_bytes(content)
    result = CliRunner().invoke(
        app, ["template", "--year", "2025", "--previous", str(prev), "-o", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    text = re.sub(r"\s+", "", result.output)
    assert re.sub(r"\s+", "", "错误：" + message.format(p=prev)) in text


# --- LibreOffice --------------------------------------------------------------------------------------------
@pytest.mark.libreoffice
def test_libreoffice_resave(tmp_path: Path, valid_file: Path) -> None:
    import lo

    typed = fx.filled(tmp_path / "typed.xlsx", {"t2.licensing.decisions": "5件", "t3.fwd.ce": None})
    saved = lo.recalc_and_save([valid_file, typed], tmp_path / "lo")
    good, odd = (read(p) for p in saved)
    assert good.issues == [] and good.values == read(valid_file).values
    assert good.cached["t3.new.tot"] == 3 and good.cached["t3.r7.tot"] == 3  # LibreOffice's own results
    assert codes(odd) == ["value-unit-suffix", "value-blank"]
    assert odd.values["t2.licensing.decisions"] == 5


def test_fixture_builders_are_deterministic(tmp_path: Path) -> None:
    a = fx.FIXTURES["value-dash"](tmp_path / "a.xlsx").read_bytes()
    b = fx.FIXTURES["value-dash"](tmp_path / "b.xlsx").read_bytes()
    assert a == b
