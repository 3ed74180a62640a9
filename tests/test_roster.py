"""Tests of tianbao.roster: encodings, .xlsx, column handling and the Chinese error messages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from tianbao.errors import RosterError
from tianbao.roster import HEADER_HINT, SAVE_HINT, UNIT_TYPES, Roster, Unit, load_roster, write_roster

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "roster.csv"
HEADER = ["单位代码", "单位名称", "单位类型", "上级单位代码"]
ROWS = [
    ["150723", "鄂伦春自治旗人民政府", "县级政府", ""],
    ["150723100", "阿里河镇人民政府", "乡镇", "150723"],
    ["150723107", "诺敏镇人民政府", "乡镇", "150723"],
    ["150723201", "鄂伦春自治旗教育局", "部门", "150723"],
]
EXPECTED = (
    Unit("150723", "鄂伦春自治旗人民政府", "县级政府", None, 2),
    Unit("150723100", "阿里河镇人民政府", "乡镇", "150723", 3),
    Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 4),
    Unit("150723201", "鄂伦春自治旗教育局", "部门", "150723", 5),
)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(",".join(r) + "\r\n" for r in rows).encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.create_sheet("其他")["A1"] = "not read"
    wb.save(path)
    return path


def error_of(path: Path) -> RosterError:
    with pytest.raises(RosterError) as info:
        load_roster(path)
    return info.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_give_the_same_units(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "名单.csv", [HEADER, *ROWS], encoding)
    roster = load_roster(path)
    assert roster.units == EXPECTED
    assert roster.source == str(path)


def test_xlsx_gives_the_same_units_and_numeric_codes_become_text(tmp_path: Path) -> None:
    rows: list[Sequence[object]] = [
        HEADER,
        [150723, "鄂伦春自治旗人民政府", "县级政府", None],
        [150723100.0, "阿里河镇人民政府", "乡镇", 150723.0],
        ["150723107", "诺敏镇人民政府", "乡镇", 150723],
        [" 150723201 ", "鄂伦春自治旗教育局", "部门", "150723"],
    ]
    roster = load_roster(write_xlsx(tmp_path / "名单.xlsx", rows))
    assert roster.units == EXPECTED


def test_xlsx_blank_rows_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [HEADER, ROWS[0]])
    wb = openpyxl.load_workbook(path)
    wb.active["A5"], wb.active["B5"], wb.active["C5"] = "150723100", "阿里河镇人民政府", "乡镇"
    wb.save(path)
    assert [u.row for u in load_roster(path)] == [2, 5]


def test_string_float_codes_and_whitespace(tmp_path: Path) -> None:
    rows = [HEADER, ["150723100.0", " 阿里河镇人民政府 ", "\u3000乡镇 ", " 150723 "]]
    (unit,) = load_roster(write_csv(tmp_path / "r.csv", rows)).units
    assert unit == Unit("150723100", "阿里河镇人民政府", "乡镇", "150723", 2)


def test_column_order_extra_columns_and_header_spaces(tmp_path: Path) -> None:
    rows = [
        ["备注", " 上级单位代码", "单位名称\u3000", "联系人", "单位 类型", "\u3000单位代码 "],
        ["", "150723", "诺敏镇人民政府", "张三", "乡镇", "150723107"],
        ["说明", "150723", "鄂伦春自治旗教育局", "", "部门", "150723201"],
    ]
    roster = load_roster(write_csv(tmp_path / "r.csv", rows))
    assert roster.units == (
        Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 2),
        Unit("150723201", "鄂伦春自治旗教育局", "部门", "150723", 3),
    )


def test_blank_lines_are_skipped_and_rows_counted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "\n单位代码,单位名称,单位类型,上级单位代码\n\n150723100,阿里河镇人民政府,乡镇,150723\n,,,\n"
        "150723107,诺敏镇人民政府,乡镇,150723\n\n",
        encoding="utf-8",
    )
    assert [u.row for u in load_roster(path)] == [4, 6]


def test_short_rows_read_missing_cells_as_blank(tmp_path: Path) -> None:
    (unit,) = load_roster(
        write_csv(tmp_path / "r.csv", [HEADER, ["150723", "鄂伦春自治旗人民政府", "县级政府"]])
    )
    assert unit.parent is None


def test_roster_api(tmp_path: Path) -> None:
    rows = [HEADER, *ROWS, ["150723100001", "阿里河社区", "其他", "150723100"], ["1", "外单位", "其他", "9"]]
    roster = load_roster(write_csv(tmp_path / "r.csv", rows))
    assert len(roster) == 6
    assert [u.code for u in roster] == ["150723", "150723100", "150723107", "150723201", "150723100001", "1"]
    assert "150723107" in roster and "150723999" not in roster and 150723 not in roster
    assert roster.get("150723107") == EXPECTED[2]
    assert roster.get("nope") is None
    assert [u.code for u in roster.children("150723")] == ["150723100", "150723107", "150723201"]
    assert roster.children("150723107") == []
    assert roster.parents() == ["150723", "150723100", "9"]
    assert roster.external_parents() == ["9"]
    assert roster.top_parent() == "150723"  # four units under the county, one under 9
    assert [roster.top_of(u) for u in roster] == ["150723"] * 5 + ["9"]


def test_top_parent_when_the_county_is_absent() -> None:
    units = [Unit(f"15072310{i}", f"镇{i}", "乡镇", "150723", i + 2) for i in range(3)]
    roster = Roster((*units, Unit("150700", "外", "其他", "150000", 5)), "x.csv")
    assert roster.top_parent() == "150723"
    assert roster.external_parents() == ["150723", "150000"]
    assert Roster(tuple(units[:1]), "x.csv").top_parent() == "150723"


def test_top_parent_none_on_tie_or_without_parents() -> None:
    tie = Roster((Unit("1", "甲", "乡镇", "A", 2), Unit("2", "乙", "乡镇", "B", 3)), "x.csv")
    assert tie.top_parent() is None
    alone = Roster((Unit("1", "甲", "乡镇", None, 2), Unit("2", "乙", "乡镇", None, 3)), "x.csv")
    assert alone.top_parent() is None
    assert Roster((Unit("1", "甲", "县级政府", None, 2),), "x.csv").top_parent() is None


def test_top_parent_is_the_root_when_the_roster_lists_it() -> None:
    """A roster of the county itself (no parent) and its units (parent: the county), at any depth."""
    inside = Roster((Unit("1", "甲", "县级政府", None, 2), Unit("2", "乙", "乡镇", "1", 3)), "x.csv")
    assert inside.top_parent() == "1"
    deep = Roster(
        (
            Unit("3", "丙", "其他", "2", 4),
            Unit("2", "乙", "乡镇", "1", 3),
            Unit("1", "甲", "县级政府", None, 2),
        ),
        "x.csv",
    )
    assert deep.top_parent() == "1"
    assert [deep.top_of(u) for u in deep] == ["1", "1", "1"]


def test_bundled_sample() -> None:
    roster = load_roster(SAMPLE)
    assert len(roster) == 15
    assert SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")
    assert roster.get("150723107") == Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 9)
    assert roster.get("150723205").name == "鄂伦春自治旗政务服务与数据管理局"  # type: ignore[union-attr]
    assert [u.type for u in roster].count("乡镇") == 10
    assert [u.type for u in roster].count("部门") == 5
    assert roster.top_parent() == "150723"
    assert len(roster.children("150723")) == 15


# --- errors -------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "无.csv"
    err = error_of(path)
    assert err.message == f"名单文件 {path} 无法读取：文件或文件夹不存在"
    assert str(err) == f"名单文件 {path} 无法读取：文件或文件夹不存在（请检查文件路径）"
    assert isinstance(err, ValueError)
    assert (
        error_of(tmp_path / "无.xlsx").message
        == f"名单文件 {tmp_path / '无.xlsx'} 无法读取：文件或文件夹不存在"
    )


def test_directory_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "dir.csv"
    path.mkdir()
    assert error_of(path).message == f"名单文件 {path} 无法读取：这是文件夹，不是文件"


def test_broken_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"not a zip file")
    err = error_of(path)
    assert (
        err.message
        == f"名单文件 {path} 无法读取：这不是 Excel 工作簿（.xlsx）：这是文本文件（可能是 CSV 改了扩展名）"
    )
    assert err.hint == SAVE_HINT


@pytest.mark.parametrize("name", ["名单.xls", "名单.txt", "名单"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    err = error_of(path)
    ext = path.suffix or "无扩展名"
    assert err.message == f"名单文件 {path} 的格式“{ext}”不受支持"
    assert "CSV UTF-8" in str(err) and ".xlsx" in str(err)


def test_missing_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["单位代码", "单位名称", "上级单位代码"], ["1", "甲", ""]])
    err = error_of(path)
    assert err.message == f"名单文件 {path} 缺少列：单位类型"
    assert (
        err.hint
        == HEADER_HINT
        == "第 1 行应为表头：单位代码、单位名称、单位类型、上级单位代码（列顺序不限，可有其他列）"
    )
    path = write_csv(tmp_path / "r2.csv", [["代码", "名称"], ["1", "甲"]])
    assert error_of(path).message == f"名单文件 {path} 缺少列：单位代码、单位名称、单位类型、上级单位代码"


def test_duplicate_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [[*HEADER, " 单位名称"], ["1", "甲", "乡镇", "", "乙"]])
    assert error_of(path).message == f"名单文件 {path} 第 1 行：列“单位名称”出现了两次"


def test_undecodable_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, ROWS[0]], "utf-16")
    err = error_of(path)
    assert err.message == f"名单文件 {path} 的文字编码无法识别（应为 UTF-8 或 GBK）"
    assert str(err).endswith(
        "（请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）(*.csv)”或“Excel 工作簿(*.xlsx)”）"
    )


@pytest.mark.parametrize(
    ("row", "message", "hint"),
    [
        (["", "甲", "乡镇", ""], "单位代码为空", "每个单位都要填写单位代码"),
        (["1", " ", "乡镇", ""], "单位名称为空", "每个单位都要填写单位名称"),
        (
            ["1", "甲", "镇", ""],
            "单位类型“镇”不在允许范围内",
            "可填：乡镇、街道、部门、县级政府、市级政府、省级政府、其他",
        ),
        (["1", "甲", "", ""], "单位类型为空", "可填：乡镇、街道、部门、县级政府、市级政府、省级政府、其他"),
        (["1", "甲", "乡镇", "1"], "上级单位代码与本单位代码“1”相同", "最上级单位的上级单位代码请留空"),
        (
            ["1.50723E+17", "甲", "乡镇", ""],
            "单位代码“1.50723E+17”被 Excel 当作数字保存，超过 15 位的数字已丢失",
            "请在 Excel 中把该列设为“文本”格式，重新输入代码后保存",
        ),
    ],
)
def test_row_errors(tmp_path: Path, row: list[str], message: str, hint: str) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, ROWS[0], ROWS[1], [], row])
    err = error_of(path)
    assert err.message == f"名单文件 {path} 第 5 行：{message}"
    assert err.hint == hint


def test_unit_types_constant() -> None:
    assert UNIT_TYPES == ("乡镇", "街道", "部门", "县级政府", "市级政府", "省级政府", "其他")


def test_duplicate_code_names_both_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, *ROWS, ["150723100", "阿里河镇", "乡镇", "150723"]])
    err = error_of(path)
    assert err.message == f"名单文件 {path} 第 6 行：单位代码“150723100”与第 3 行重复"
    assert err.hint == "每个单位的代码必须唯一"


def test_duplicate_code_after_float_normalisation(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx", [HEADER, [150723100, "甲", "乡镇", None], ["150723100", "乙", "乡镇", None]]
    )
    assert error_of(path).message == f"名单文件 {path} 第 3 行：单位代码“150723100”与第 2 行重复"


def test_long_numeric_code_in_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [HEADER, [1.5e17, "甲", "乡镇", None]])
    assert (
        error_of(path).message
        == f"名单文件 {path} 第 2 行：单位代码被 Excel 当作数字保存，超过 15 位的数字已丢失"
    )


def test_parent_cycle(tmp_path: Path) -> None:
    rows = [HEADER, ["1", "甲", "乡镇", "3"], ["2", "乙", "乡镇", "1"], ["3", "丙", "乡镇", "2"]]
    path = write_csv(tmp_path / "r.csv", rows)
    assert error_of(path).message == f"名单文件 {path} 第 2 行：上级单位代码形成循环：1 → 3 → 2 → 1"


def test_parent_outside_the_roster_is_allowed(tmp_path: Path) -> None:
    roster = load_roster(write_csv(tmp_path / "r.csv", [HEADER, *ROWS[1:]]))
    assert roster.external_parents() == ["150723"]
    assert roster.top_parent() == "150723"


@pytest.mark.parametrize("content", ["", "\n\n", ",,,\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    err = error_of(path)
    assert err.message == f"名单文件 {path} 是空的"
    assert err.hint == HEADER_HINT


def test_header_without_units(tmp_path: Path) -> None:
    for path in (
        write_csv(tmp_path / "r.csv", [HEADER, [], [""] * 4]),
        write_xlsx(tmp_path / "r.xlsx", [HEADER]),
    ):
        err = error_of(path)
        assert err.message == f"名单文件 {path} 没有任何单位"
        assert err.hint == "请在表头下方每行填写一个单位"


def test_a_written_roster_reads_back(tmp_path: Path) -> None:
    units = [
        Unit("150723", "鄂伦春自治旗人民政府", "县级政府", None, 2),
        Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 3),
        Unit("150723201", '旗教育局, "直属"', "部门", "150723", 4),  # a comma and quotes in a name
    ]
    path = write_roster(tmp_path / "名单.csv", units)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # with a BOM: Excel opens it as UTF-8
    assert list(load_roster(path)) == units
