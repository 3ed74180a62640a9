"""The roster of reporting units (乡镇、街道、部门…): load it from CSV (UTF-8, UTF-8 with BOM, GBK/GB18030)
or .xlsx, with Chinese messages that name the file and the row.

Whatever the file holds, loading it ends in a `Roster` or a `RosterError`: the file is read by the rule of
every input (tianbao.inputs.read_regular_file: no pipe, no device), within the default reading limits of a
workbook (`Limits`: its size, an .xlsx's zip checked as a workbook's is, its cells), a CSV line that the csv
module cannot parse is named by its line, and names and codes have a bound length (`MAX_NAME`, `MAX_CODE`).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.cells import cell_text, xml_text
from tianbao.errors import RosterError, UsageError, os_reason
from tianbao.inputs import read_regular_file

if TYPE_CHECKING:
    from tianbao.reading.model import Limits

UNIT_TYPES = ("乡镇", "街道", "部门", "县级政府", "市级政府", "省级政府", "其他")
CODE, NAME, TYPE, PARENT = "单位代码", "单位名称", "单位类型", "上级单位代码"
COLUMNS = (CODE, NAME, TYPE, PARENT)
HEADER_HINT = "第 1 行应为表头：" + "、".join(COLUMNS) + "（列顺序不限，可有其他列）"
SAVE_HINT = "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）(*.csv)”或“Excel 工作簿(*.xlsx)”"
TOO_BIG_HINT = "名单每个单位一行，一万个单位也不到 1 MB；请确认给出的是单位名单"

MAX_NAME = 200  # characters of a unit's name: real names have a few dozen; Excel cells hold 32,767
MAX_CODE = 64  # characters of a code: 统一社会信用代码 has 18, 行政区划代码 12


def require_bounded(
    code: str | None, name: str | None, *, whose: str, code_option: str, name_option: str
) -> None:
    """A unit's code and name given as options (merge --unit, import --unit-code …) are bound as a roster's
    (`MAX_CODE`, `MAX_NAME`): a UsageError otherwise."""
    if code and len(code) > MAX_CODE:
        raise UsageError(
            f"{whose}代码有 {len(code):,} 个字符，超过 {MAX_CODE} 个", f"请用{_spaced(code_option)}只给出代码"
        )
    if name and len(name) > MAX_NAME:
        raise UsageError(
            f"{whose}名称有 {len(name):,} 个字，超过 {MAX_NAME} 个",
            f"请用{_spaced(name_option)}只给出单位的名称",
        )


def _spaced(option: str) -> str:
    """An option among Chinese words: `--unit-name` with spaces around it, “单位名称” (a field) without."""
    return option if option.startswith("“") else f" {option} "


_SPACE = re.compile(r"\s+")  # includes the full-width space U+3000
_FLOAT_CODE = re.compile(r"(\d+)\.0+")  # 150723100.0 → 150723100
_SCI_CODE = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")  # 1.50723E+17: Excel already dropped digits


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    type: str
    parent: str | None  # None when blank
    row: int  # row number in the file as the user sees it (header = 1)


@dataclass(frozen=True)
class Roster:
    units: tuple[Unit, ...]
    source: str  # path as given
    _index: dict[str, Unit] = field(init=False, repr=False, compare=False)
    _children: dict[str, list[Unit]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", tuple(self.units))
        children: dict[str, list[Unit]] = {}
        for unit in self.units:
            if unit.parent is not None:
                children.setdefault(unit.parent, []).append(unit)
        object.__setattr__(self, "_index", {unit.code: unit for unit in self.units})
        object.__setattr__(self, "_children", children)

    def get(self, code: str) -> Unit | None:
        return self._index.get(code)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._index

    def children(self, parent_code: str) -> list[Unit]:
        """Units whose parent is `parent_code`, in file order."""
        return list(self._children.get(parent_code, ()))

    def parents(self) -> list[str]:
        """Distinct non-blank parent codes, in order of first appearance."""
        return list(self._children)

    def external_parents(self) -> list[str]:
        """Parent codes that are not units of the roster (e.g. the county itself), in order of first use."""
        return [code for code in self._children if code not in self._index]

    def top_parent(self) -> str | None:
        """The unit the roster's units report to (the consolidating unit): the code at the top of their
        parent chains — a parent code outside the roster (the county, for a roster of its towns and
        departments) or the one unit of the roster without a parent (a roster that lists the county itself)
        — that most units lead to. None when no unit has a parent, or when two tops have as many units."""
        counts = Counter(top for unit in self.units if (top := self.top_of(unit)) != unit.code)
        best = counts.most_common(2)
        if not best or (len(best) == 2 and best[0][1] == best[1][1]):
            return None
        return best[0][0]

    def top_of(self, unit: Unit) -> str:
        """The top of a unit's parent chain: the first parent code outside the roster, or the roster unit
        without a parent where the chain ends (the unit itself when it has none). Chains never loop."""
        code, parent = unit.code, unit.parent
        while parent is not None:
            above = self._index.get(parent)
            if above is None:
                return parent
            code, parent = above.code, above.parent
        return code


def load_roster(path: str | os.PathLike[str], *, name: str | None = None) -> Roster:
    """Read a roster file (.csv or .xlsx); raise RosterError with a Chinese message on any problem.
    `name`: what the messages call the file and what tells its kind (default: the path) — for a file kept
    under another name, such as an upload in the web app's store."""
    file = os.fspath(path)
    source = name if name is not None else file
    ext = os.path.splitext(source)[1].lower()
    if ext not in (".csv", ".xlsx"):
        raise RosterError(f"名单文件 {source} 的格式“{ext or '无扩展名'}”不受支持", SAVE_HINT)
    from tianbao.reading.container import human_size
    from tianbao.reading.model import Limits  # imported here: tianbao.reading imports this module

    limits = Limits()
    try:
        data, st = read_regular_file(file, limits.max_file_size)
    except OSError as exc:
        raise RosterError(f"名单文件 {source} 无法读取：{os_reason(exc)}", "请检查文件路径") from None
    size = max(st.st_size, len(data))
    if size > limits.max_file_size:
        raise RosterError(
            f"名单文件 {source} 有 {human_size(size)}，超过上限 {human_size(limits.max_file_size)}，未读取",
            TOO_BIG_HINT,
        )
    rows = _read_csv(data, source) if ext == ".csv" else _read_xlsx(data, source, limits)
    return _parse(_bounded(rows, source, limits.max_cells), source)


def write_roster(path: str | os.PathLike[str], units: Iterable[Unit]) -> Path:
    """Write units as a roster CSV that `load_roster` reads back and Excel opens (UTF-8 with BOM); return
    the path."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for u in units:
            w.writerow([u.code, u.name, u.type, u.parent or ""])
    return Path(path)


def _read_csv(data: bytes, source: str) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(f"名单文件 {source} 的文字编码无法识别（应为 UTF-8 或 GBK）", SAVE_HINT)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as exc:  # the line the reader stopped in, as people count lines
        reason = (
            f"有一格超过 {csv.field_size_limit():,} 个字符"
            if "field limit" in str(exc)
            else "格式有误（引号不配对？）"
        )
        raise RosterError(f"名单文件 {source} 第 {reader.line_num} 行无法读取：{reason}", SAVE_HINT) from None


def _read_xlsx(data: bytes, source: str, limits: Limits) -> Iterator[list[Any]]:
    """The rows of the first sheet. The zip is checked as a workbook's is (a zip bomb, an encrypted or a
    legacy file); the sheet's declared dimension is ignored (a cell at XFD1048576 is no grid of 17 billion
    cells); anything openpyxl raises on a broken package or sheet is a RosterError."""
    from openpyxl import load_workbook  # imported here: CSV rosters do not need it

    from tianbao.reading.container import inspect_bytes

    refused = next((i for i in inspect_bytes(data, Path(source), limits) if i.is_error), None)
    if refused is not None and refused.code == "file-too-large":  # its message names check's options
        raise RosterError(f"名单文件 {source} 解压后过大，未读取", TOO_BIG_HINT)
    if refused is not None:  # not a zip, encrypted, truncated, a zip bomb …: said as for a workbook
        raise RosterError(f"名单文件 {source} 无法读取：{refused.message.rstrip('。')}", SAVE_HINT)
    wb = None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = wb.worksheets[0]
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    except (RosterError, GeneratorExit):
        raise
    except Exception:  # zipfile.BadZipFile, KeyError, a ParseError from a truncated sheet, no sheet at all …
        raise RosterError(f"名单文件 {source} 无法读取：不是有效的 .xlsx 文件", SAVE_HINT) from None
    finally:
        if wb is not None:
            wb.close()


def _bounded(rows: Iterable[list[Any]], source: str, max_cells: int) -> Iterator[list[Any]]:
    """The rows, until they hold more than `max_cells` cells: then a RosterError."""
    cells = 0
    for row in rows:
        cells += len(row)
        if cells > max_cells:
            raise RosterError(f"名单文件 {source} 的单元格超过 {max_cells:,} 个，未读取", TOO_BIG_HINT)
        yield row


def _parse(rows: Iterable[list[Any]], source: str) -> Roster:
    header: dict[str, int] | None = None
    units: dict[str, Unit] = {}
    for rownum, row in enumerate(rows, start=1):
        cells = [cell_text(v) for v in row]
        if not any(cells):
            continue
        if header is None:
            header = _header(cells, rownum, source)
            continue
        where = f"名单文件 {source} 第 {rownum} 行："
        raw = {column: row[i] if i < len(row) else None for column, i in header.items()}
        code = _code(raw[CODE], CODE, where)
        name = xml_text(cell_text(raw[NAME])).strip()  # it goes into workbooks: as they can hold it
        kind = _SPACE.sub("", cell_text(raw[TYPE]))
        parent = _code(raw[PARENT], PARENT, where) or None
        if not code:
            raise RosterError(f"{where}单位代码为空", "每个单位都要填写单位代码")
        if not name:
            raise RosterError(f"{where}单位名称为空", "每个单位都要填写单位名称")
        if len(name) > MAX_NAME:
            raise RosterError(
                f"{where}单位名称有 {len(name):,} 个字，超过 {MAX_NAME} 个", "请只填写单位的名称"
            )
        if kind not in UNIT_TYPES:
            what = f"单位类型“{kind}”不在允许范围内" if kind else "单位类型为空"
            raise RosterError(f"{where}{what}", "可填：" + "、".join(UNIT_TYPES))
        if parent == code:
            raise RosterError(
                f"{where}上级单位代码与本单位代码“{code}”相同", "最上级单位的上级单位代码请留空"
            )
        if code in units:
            raise RosterError(
                f"{where}单位代码“{code}”与第 {units[code].row} 行重复", "每个单位的代码必须唯一"
            )
        units[code] = Unit(code, name, kind, parent, rownum)
    if header is None:
        raise RosterError(f"名单文件 {source} 是空的", HEADER_HINT)
    if not units:
        raise RosterError(f"名单文件 {source} 没有任何单位", "请在表头下方每行填写一个单位")
    _check_cycles(units, source)
    return Roster(tuple(units.values()), source)


def _header(cells: list[str], rownum: int, source: str) -> dict[str, int]:
    """Column name → index; names compare with all whitespace (also full-width) removed."""
    header: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = _SPACE.sub("", cell)
        if name in header:
            raise RosterError(f"名单文件 {source} 第 {rownum} 行：列“{name}”出现了两次", "请删除多余的一列")
        if name in COLUMNS:  # other columns are ignored
            header[name] = i
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterError(f"名单文件 {source} 缺少列：{'、'.join(missing)}", HEADER_HINT)
    return header


def _code(value: Any, column: str, where: str) -> str:
    """A code as text: whitespace removed, 150723100.0 → 150723100; codes Excel truncated are errors."""
    lost = "被 Excel 当作数字保存，超过 15 位的数字已丢失"
    hint = "请在 Excel 中把该列设为“文本”格式，重新输入代码后保存"
    if isinstance(value, float) and abs(value) >= 1e15:
        raise RosterError(f"{where}{column}{lost}", hint)
    text = _SPACE.sub("", xml_text(cell_text(value)))
    if _SCI_CODE.fullmatch(text):
        raise RosterError(f"{where}{column}“{text}”{lost}", hint)
    if len(text) > MAX_CODE:
        raise RosterError(f"{where}{column}有 {len(text):,} 个字符，超过 {MAX_CODE} 个", "请只填写代码")
    match = _FLOAT_CODE.fullmatch(text)
    return match.group(1) if match else text


def _check_cycles(index: dict[str, Unit], source: str) -> None:
    """Parent links between units of the roster must not loop (A → B → A)."""
    done: set[str] = set()
    for unit in index.values():
        chain: dict[str, None] = {}
        code: str | None = unit.code
        while code in index and code not in done:
            if code in chain:
                codes = list(chain)
                loop = " → ".join([*codes[codes.index(code) :], code])
                raise RosterError(
                    f"名单文件 {source} 第 {index[code].row} 行：上级单位代码形成循环：{loop}",
                    "请检查这些单位的上级单位代码",
                )
            chain[code] = None
            code = index[code].parent
        done.update(chain)
