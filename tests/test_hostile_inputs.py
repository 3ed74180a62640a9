"""Every input that is not a returned workbook — the roster, last year's files (--previous), fill's values file,
a spec file, and the options themselves — ends in a Chinese error with exit code 2 whatever it holds, never a
traceback and never a hang: a hostile file per input path, and fuzzing of the option parsers and of the roster
reader (hypothesis, a fixed budget, derandomized). Returned workbooks have their own corpus in
tests/test_hostile.py."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import make_fixtures as fx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tianbao.cli.main import app
from tianbao.errors import RosterError, UsageError
from tianbao.options import CheckOptions
from tianbao.pool import MAX_JOBS, contained_map
from tianbao.reading import Limits, PreviousError, read_previous
from tianbao.reading.model import NO_LIMIT, parse_size
from tianbao.roster import COLUMNS, MAX_CODE, MAX_NAME, Roster, load_roster
from tianbao.spec import load_spec

YEAR = fx.YEAR
MB = 1024 * 1024
ROWS = [
    list(COLUMNS),
    ["150723", "鄂伦春自治旗人民政府", "县级政府", ""],
    ["150723100", "阿里河镇人民政府", "乡镇", "150723"],
    ["150723107", "诺敏镇人民政府", "乡镇", "150723"],
]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def cli(*args: Any) -> Any:
    """`tianbao …` in this process: never an exception other than the exit, and the exit code."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def usage_error(*args: Any) -> str:
    """`tianbao …` ends in a Chinese error, exit code 2; its text (wrapping undone)."""
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("错误："), result.output
    return "".join(result.output.split())


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """`call()` in a thread: what it returns or raises; a call that hangs (on a FIFO, say) fails the test."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(("ok", call()))
        except BaseException as exc:  # handed to the test
            out.append(("raised", exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, f"did not finish in {seconds} s"
    kind, value = out[0]
    if kind == "raised":
        raise value
    return value


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fx.filled(tmp_path_factory.mktemp("valid") / "valid.xlsx")


# --- the roster -----------------------------------------------------------------------------------------
def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode()


def xlsx_bytes(rows: list[list[Any]], edit: Callable[[dict[str, bytes]], None] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    if edit is None:
        return buf.getvalue()
    with zipfile.ZipFile(buf) as z:
        items = {i.filename: z.read(i) for i in z.infolist()}
    edit(items)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items.items():
            z.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _truncate_sheet(items: dict[str, bytes]) -> None:
    items[SHEET] = items[SHEET][: len(items[SHEET]) // 2]


def _dimension(items: dict[str, bytes], ref: bytes) -> None:
    items[SHEET], n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', items[SHEET])
    assert n == 1


def _far_cell(items: dict[str, bytes]) -> None:
    """A note at XFD4 beside the last unit; the dimension says A1:XFD1048576 (17 billion cells)."""
    _dimension(items, b"A1:XFD1048576")
    items[SHEET] = items[SHEET].replace(
        b"</row></sheetData>", '<c r="XFD4" t="inlineStr"><is><t>备注</t></is></c></row></sheetData>'.encode()
    )


def _wide_rows(items: dict[str, bytes]) -> None:
    """70 more units, each with a note in column XFD: 1.1 million cells."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>9%05d</v></c><c r="B%d" t="inlineStr"><is><t>u</t></is></c>'
        b'<c r="C%d" t="inlineStr"><is><t>%s</t></is></c><c r="XFD%d"><v>1</v></c></row>'
        % (r, r, r, r, r, "部门".encode(), r)
        for r in range(10, 80)
    )
    items[SHEET] = items[SHEET].replace(b"</sheetData>", rows + b"</sheetData>")


def _entity_bomb(items: dict[str, bytes]) -> None:
    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY a%d "%s">' % (i, (b"&a%d;" % (i - 1) if i > 1 else b"&a;") * 10) for i in range(1, 9)
    )
    items[SHEET] = laughs + b"]>" + items[SHEET].replace(b"<t>", b"<t>&a8;", 1)


def _zip_bomb(path: Path) -> None:
    data = xlsx_bytes(ROWS)
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/image1.png", bytes(60 * MB))
    path.write_bytes(buf.getvalue())


def _sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with open(path, "wb") as fh:
            fh.truncate(size)  # a hole: no disk used, nothing to read before the size is refused

    return make


def _rows_csv(rows: list[list[str]]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(csv_bytes(rows))


def _with(row: int, col: int, value: str) -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    rows[row][col] = value
    return rows


# file name → how it is made, and what the error says (whitespace removed)
ROSTERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "一格过长.csv": (_rows_csv(_with(2, 1, "名" * 140_000)), "第3行无法读取：有一格超过131,072个字符"),
    "名称过长.csv": (_rows_csv(_with(2, 1, "名" * 300)), f"第3行：单位名称有300个字，超过{MAX_NAME}个"),
    "代码过长.csv": (_rows_csv(_with(2, 0, "1" * 100)), f"第3行：单位代码有100个字符，超过{MAX_CODE}个"),
    "上级代码过长.csv": (
        _rows_csv(_with(2, 3, "9" * 400)),
        f"第3行：上级单位代码有400个字符，超过{MAX_CODE}个",
    ),
    "太多单元格.csv": (
        _rows_csv([*ROWS, *([f"9{i:05d}", f"单位{i}", "部门", "150723", *["x"] * 996] for i in range(1001))]),
        "的单元格超过1,000,000个，未读取",
    ),
    "一百兆.csv": (_sparse(100 * MB), "有100.0MB，超过上限50.0MB，未读取"),
    "一百兆.xlsx": (_sparse(100 * MB), "有100.0MB，超过上限50.0MB，未读取"),
    "截断的工作表.xlsx": (
        lambda p: p.write_bytes(xlsx_bytes(ROWS, _truncate_sheet)),
        "无法读取：不是有效的.xlsx文件",
    ),
    "没有工作表.xlsx": (
        lambda p: p.write_bytes(xlsx_bytes(ROWS, lambda items: items.pop(SHEET))),
        "无法读取：不是有效的.xlsx文件",
    ),
    "实体炸弹.xlsx": (
        lambda p: p.write_bytes(xlsx_bytes(ROWS, _entity_bomb)),
        "无法读取：不是有效的.xlsx文件",
    ),
    "压缩炸弹.xlsx": (_zip_bomb, "无法读取：工作簿内容异常，为安全起见未读取"),
    "太多单元格.xlsx": (
        lambda p: p.write_bytes(xlsx_bytes(ROWS, _wide_rows)),
        "的单元格超过1,000,000个，未读取",
    ),
    "下载中断.xlsx": (
        lambda p: p.write_bytes(xlsx_bytes(ROWS)[:3000]),
        "无法读取：工作簿已损坏，无法读取：文件不完整",
    ),
    "已加密.xlsx": (lambda p: p.write_bytes(fx.ole2("EncryptedPackage")), "无法读取：文件已加密"),
    "其实是CSV.xlsx": (_rows_csv(ROWS), "无法读取：这不是Excel工作簿（.xlsx）：这是文本文件"),
    "管道.csv": (lambda p: os.mkfifo(p), "无法读取：这不是普通文件（可能是管道或设备）"),
    "文件夹.csv": (lambda p: p.mkdir(), "无法读取：这是文件夹，不是文件"),
}


@pytest.mark.parametrize("name", list(ROSTERS))
def test_a_hostile_roster_is_a_chinese_error(name: str, tmp_path: Path, valid: Path) -> None:
    make, said = ROSTERS[name]
    path = tmp_path / name
    make(path)
    with pytest.raises(RosterError) as info:
        within(20, lambda: load_roster(path))
    assert said in "".join(info.value.message.split()), info.value.message
    assert info.value.message.startswith(f"名单文件 {path}") and info.value.hint
    if name != "管道.csv":  # the command reads it the same way
        for command in (
            ["check", valid, "--year", YEAR],
            ["template", "--year", YEAR, "-o", tmp_path / "模板"],
        ):
            assert said in usage_error(*command, "--roster", path)


def test_a_far_cell_in_a_roster_is_no_huge_grid(tmp_path: Path) -> None:
    """The dimension says 17 billion cells: the rows are read as they are (a hang before)."""
    path = tmp_path / "远处单元格.xlsx"
    path.write_bytes(xlsx_bytes(ROWS, _far_cell))
    roster = within(30, lambda: load_roster(path))
    assert [u.code for u in roster] == ["150723", "150723100", "150723107"]


NAME_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=30
)  # any text a file can hold: control characters, U+FFFE …


def _roster_or_error(path: Path) -> None:
    try:
        roster = load_roster(path)
    except RosterError as exc:
        assert exc.message.startswith(f"名单文件 {path}") and exc.hint
        return
    assert isinstance(roster, Roster) and len(roster) >= 1
    for unit in roster:
        assert unit.code and len(unit.code) <= MAX_CODE and 0 < len(unit.name) <= MAX_NAME
        assert openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.search(unit.name) is None  # a workbook can hold it


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(NAME_TEXT, st.sampled_from(["乡镇", "部门", "150723", "1.5E+17", "", " "])), max_size=6
        ),
        max_size=8,
    ),
    header=st.permutations(list(COLUMNS)),
)
def test_fuzz_roster_csv(tmp_path: Path, rows: list[list[str]], header: list[str]) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes(csv_bytes([header, *rows]))
    _roster_or_error(path)


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                NAME_TEXT.map(lambda t: openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", t)),
                st.sampled_from(["乡镇", "部门", "150723", ""]),
                st.integers(-(10**20), 10**20),
                st.floats(),
                st.booleans(),
            ),
            max_size=6,
        ),
        max_size=8,
    )
)
def test_fuzz_roster_xlsx(tmp_path: Path, rows: list[list[Any]]) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx_bytes([list(COLUMNS), *rows]))
    _roster_or_error(path)


@FUZZ
@given(
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=6)
)
def test_fuzz_roster_bytes(tmp_path: Path, flips: list[tuple[float, int]]) -> None:
    """Bytes of a good CSV and a good .xlsx roster changed at random: a roster or a RosterError."""
    for name, data in (("名单.csv", csv_bytes(ROWS)), ("名单.xlsx", xlsx_bytes(ROWS))):
        out = bytearray(data)
        for where, xor in flips:
            out[int(where * len(out))] ^= xor
        path = tmp_path / name
        path.write_bytes(bytes(out))
        _roster_or_error(path)


# --- the options -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1", 1),
        ("1.5GB", 3 * 2**29),
        ("0.5KB", 512),
        ("５０MB", 50 * MB),  # full-width digits, as a Chinese input method types them
        ("9" * 400, NO_LIMIT),
        ("9" * 400 + ".5GB", NO_LIMIT),
        ("99999999999999999999GB", NO_LIMIT),
    ],
)
def test_a_size_is_exact_and_any_number_of_digits(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("9" * 400, None),  # no limit: the file is read
        ("0", "不到1字节"),
        ("0.0001KB", "不到1字节"),
        ("1e400", "无法识别的大小"),
        ("inf", "无法识别的大小"),
        ("nan", "无法识别的大小"),
        ("-0", "无法识别的大小"),
    ],
)
def test_max_file_size_takes_any_number(valid: Path, value: str, said: str | None) -> None:
    if said is None:
        assert cli("check", valid, "--year", YEAR, "--max-file-size", value).exit_code == 0
    else:
        assert said in usage_error("check", valid, "--max-file-size", value)


@pytest.mark.parametrize("option", ["--max-cells", "--max-uncompressed", "--max-shared-strings"])
def test_a_limit_of_400_digits_is_no_limit(valid: Path, option: str) -> None:
    assert cli("check", valid, "--year", YEAR, option, "9" * 400).exit_code == 0


@pytest.mark.parametrize("value", ["0", str(MAX_JOBS + 1), "9" * 400])
@pytest.mark.parametrize("command", ["check", "template"])
def test_jobs_beyond_the_bounds_is_misuse(valid: Path, tmp_path: Path, value: str, command: str) -> None:
    """Thousands of worker processes would be a fork bomb (and more than 61 fail on Windows)."""
    args = [valid] if command == "check" else ["--year", YEAR, "-o", tmp_path / "模板"]
    said = usage_error(command, *args, "--jobs", value)
    assert "--jobs/-j的值无效" in said and ("应不小于1" in said or f"应不大于{MAX_JOBS}" in said)


def test_the_library_bounds_the_same_options() -> None:
    with pytest.raises(UsageError, match="进程数"):
        CheckOptions(jobs=10**400)
    with pytest.raises(UsageError, match="--max-file-size"):
        Limits(max_file_size=0)
    assert Limits(max_cells=10**400).max_cells == NO_LIMIT


def test_a_pool_never_starts_more_processes_than_items() -> None:
    assert contained_map(abs, [-1, -2, -3], jobs=10**400, crashed=lambda item, reason: 0) == [1, 2, 3]


@FUZZ
@given(text=st.one_of(st.text(max_size=40), st.from_regex(r"\s*[0-9０-９.]{0,30}\s*[A-Za-z]{0,3}\s*")))
def test_fuzz_parse_size(text: str) -> None:
    try:
        size = parse_size(text)
    except ValueError as exc:
        assert "大小" in str(exc)
        return
    assert 1 <= size <= NO_LIMIT


OPTION_VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["9" * 400, "1e400", "nan", "-0", "0x10", "１０", "10MB", "0.5", ""]),
)


@FUZZ
@given(
    option=st.sampled_from(
        ["--max-file-size", "--max-uncompressed", "--max-shared-strings", "--max-cells", "--jobs", "--year"]
    ),
    value=OPTION_VALUES,
)
def test_fuzz_the_options_of_check(valid: Path, option: str, value: str) -> None:
    """Any value of any option: a verdict (0, 1) or a usage error (2), never a traceback."""
    result = cli(
        "check",
        valid,
        option,
        value,
        "--jobs" if option != "--jobs" else "--reader",
        "1" if option != "--jobs" else "fast",
    )
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert result.output.startswith("错误：")


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--unit", "1" * 100, f"汇总单位代码有100个字符，超过{MAX_CODE}个"),
        ("--unit-name", "名" * 300, f"汇总单位名称有300个字，超过{MAX_NAME}个"),
    ],
)
def test_a_unit_option_of_any_length(valid: Path, tmp_path: Path, option: str, value: str, said: str) -> None:
    args = {"--unit": "150723", "--unit-name": "鄂伦春自治旗", option: value}
    out = tmp_path / "汇总.xlsx"
    assert said in usage_error(
        "merge", valid, "--year", YEAR, *[x for kv in args.items() for x in kv], "-o", out
    )
    assert not out.exists()


def test_a_spec_file_that_is_not_utf8(valid: Path, tmp_path: Path) -> None:
    spec = tmp_path / "格式.yaml"
    spec.write_bytes("id: 格式\n".encode("gb18030"))
    assert f"报表格式文件{spec}不是UTF-8编码" in usage_error("check", valid, "--format", spec)


# --- last year's files (--previous) ---------------------------------------------------------------------
def _detail_far_cell(consolidated: Path) -> Callable[[Path], None]:
    """The consolidated workbook with one cell at XFD1048576 in 明细 (the dimension says so too)."""

    def make(path: Path) -> None:
        with zipfile.ZipFile(consolidated) as z:
            items = {i.filename: z.read(i) for i in z.infolist()}
        wb = items["xl/workbook.xml"].decode()
        rels = items["xl/_rels/workbook.xml.rels"].decode()
        rid = wb.split('name="明细"')[1].split('r:id="')[1].split('"')[0]
        target = rels.split(f'Id="{rid}"')[1].split('Target="')[1].split('"')[0]
        part = "xl/" + target.removeprefix("/xl/")
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', items[part], count=1)
        items[part] = xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in items.items():
                z.writestr(name, data)

    return make


NEXT = YEAR + 1  # the run whose last year is YEAR


@pytest.fixture(scope="module")
def last_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The consolidated workbook of YEAR: last year's for a run of NEXT."""
    folder = tmp_path_factory.mktemp("上年")
    return fx.consolidated(folder / "上年汇总.xlsx", fx._towns(folder))


PREVIOUS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "不存在.xlsx": (lambda p, c: None, "不能使用：文件无法读取：文件或文件夹不存在"),
    "文件夹.xlsx": (lambda p, c: p.mkdir(), "不能使用：文件无法读取：这是文件夹，不是文件"),
    "管道.xlsx": (lambda p, c: os.mkfifo(p), "不能使用：文件无法读取：这不是普通文件（可能是管道或设备）"),
    "名单.csv": (
        lambda p, c: p.write_bytes(csv_bytes(ROWS)),
        "不能使用：这不是Excel工作簿（.xlsx）：这是文本文件",
    ),
    "下载中断.xlsx": (lambda p, c: p.write_bytes(c.read_bytes()[:5000]), "不能使用：工作簿已损坏"),
    "随机字节.xlsx": (lambda p, c: p.write_bytes(random.Random(1).randbytes(9000)), "不能使用："),
    "明细远处单元格.xlsx": (lambda p, c: _detail_far_cell(c)(p), "明细”的单元格超过上限"),
}


@pytest.mark.parametrize("name", list(PREVIOUS))
def test_a_hostile_previous_is_a_chinese_error(
    name: str, tmp_path: Path, last_year: Path, valid: Path
) -> None:
    make, said = PREVIOUS[name]
    path = tmp_path / name
    make(path, last_year)
    with pytest.raises(PreviousError) as info:
        within(60, lambda: read_previous(path, load_spec("2021"), year=NEXT))
    assert said in "".join(info.value.message.split()), info.value.message
    if name != "管道.xlsx":
        assert said in usage_error("check", valid, "--year", NEXT, "--previous", path)


def test_last_years_consolidated_workbook_itself_is_read(last_year: Path) -> None:
    """The untouched original of the hostile copies above is good last-year data."""
    previous = read_previous(last_year, load_spec("2021"), year=NEXT)
    assert {fx.UNIT.code, fx.OTHER.code} <= set(previous.units)


# --- fill's values file ---------------------------------------------------------------------------------
VALUES: dict[str, tuple[Callable[[Path], None], str]] = {
    "嵌套太深.json": (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "中的括号嵌套太深"),
    "五千位数.json": (lambda p: p.write_text('{"t3.new.np": ' + "9" * 5000 + "}"), "中有位数太多的数字"),
    "NaN.json": (lambda p: p.write_text('{"t3.new.np": NaN}'), "中有NaN，这不是数字"),
    "Infinity.json": (lambda p: p.write_text('{"t3.new.np": -Infinity}'), "中有-Infinity，这不是数字"),
    "1e400.json": (lambda p: p.write_text('{"t3.new.np": 1e400}'), "“t3.new.np”的值不是单元格能放下的数字"),
    "四百位数.json": (lambda p: p.write_text('{"t3.new.np": ' + "9" * 400 + "}"), "不是单元格能放下的数字"),
    "长文字.json": (
        lambda p: p.write_text('{"meta.filled_by": "' + "张" * 40_000 + '"}'),
        "“meta.filled_by”的文字有40,000个字，超过单元格能放的32,767个",
    ),
    "一百兆.json": (_sparse(100 * MB), "超过50MB，未读取"),
    "管道.json": (lambda p: os.mkfifo(p), "无法读取：这不是普通文件（可能是管道或设备）"),
}


@pytest.mark.parametrize("name", list(VALUES))
def test_a_hostile_values_file_is_a_chinese_error(name: str, tmp_path: Path, blank_template: Path) -> None:
    make, said = VALUES[name]
    path = tmp_path / name
    make(path)
    out = tmp_path / "已填写.xlsx"
    if name == "管道.json":  # read in a thread: a reader that waits for a writer fails the test
        from tianbao.errors import FillError
        from tianbao.filling import load_values

        with pytest.raises(FillError) as info:
            within(20, lambda: load_values(path))
        assert said in "".join(info.value.message.split())
        return
    assert said in usage_error("fill", blank_template, "--values", path, "-o", out)
    assert not out.exists()
