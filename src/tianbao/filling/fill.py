"""Write values into a template's input cells by cell id (t3.new.np, meta.phone, text.overview.active), as a
person would type them.

Numbers stay numbers, text stays text (“12件”, “—”; `xml_text`, as every text tianbao writes), None leaves
the cell blank. Computed (formula) cells are refused unless `overwrite_formulas=True`, which imitates a
person typing over a total.

The same template and values give the same bytes: the file records `saved` (by default the template's own
time) as its save time, in docProps/core.xml and in the zip entries, instead of the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl

from tianbao.cells import xml_text
from tianbao.errors import FillError, os_reason
from tianbao.fileio import atomic_path, fixed_zip
from tianbao.inputs import read_regular_file
from tianbao.spec import Spec, known_specs
from tianbao.spec.layout import COVER_SHEET, cell_boxes, cover_boxes
from tianbao.spec.text import PREFIX as TEXT
from tianbao.spec.text_layout import text_layout

Value = int | float | str | None


_JSON_REASONS = {
    "Expecting value": "这里缺少一个值（数字、文字或 null）",
    "Expecting property name enclosed in double quotes": "单元格编号要用英文双引号括起来",
    "Expecting ',' delimiter": "这里缺少英文逗号",
    "Expecting ':' delimiter": "这里缺少英文冒号",
    "Unterminated string starting at": "文字缺少结尾的英文双引号",
    "Extra data": "JSON 对象结束之后还有多余的内容",
    "Invalid control character at": "文字中有换行或控制字符",
    "Invalid \\escape": "文字中有无效的反斜杠转义",
}
JSON_EXAMPLE = '应为 JSON 对象，如 {"t3.new.np": 3}，用 UTF-8 编码保存'


MAX_TEXT = 32_767  # characters in a cell: Excel's limit


def load_values(path: str | os.PathLike[str]) -> dict[str, Value]:
    """A values file: a JSON object of cell id → number, text or null. Every problem is a FillError in
    Chinese (the file, the line and column, what is wrong), never the parser's English. The file is read by
    the rule of every input (tianbao.inputs.read_regular_file, within a workbook's size limit); NaN and
    Infinity, numbers of thousands of digits and brackets nested too deep for the parser are errors too."""
    from tianbao.reading.model import Limits

    limit = Limits().max_file_size
    try:
        raw, st = read_regular_file(path, limit)
    except OSError as exc:
        raise FillError(f"数值文件 {path} 无法读取：{os_reason(exc)}", "请检查文件路径") from None
    if max(st.st_size, len(raw)) > limit:
        raise FillError(f"数值文件 {path} 超过 {limit // 2**20} MB，未读取", JSON_EXAMPLE)

    def no_constant(name: str) -> None:  # NaN, Infinity, -Infinity: not JSON, and no cell holds them
        raise FillError(f"数值文件 {path} 中有 {name}，这不是数字", JSON_EXAMPLE)

    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=no_constant)
    except FillError:
        raise
    except UnicodeDecodeError:
        raise FillError(
            f"数值文件 {path} 不是 UTF-8 编码", "请用记事本打开后“另存为”，编码选 UTF-8"
        ) from None
    except json.JSONDecodeError as exc:
        reason = _JSON_REASONS.get(exc.msg, "格式有误")
        raise FillError(
            f"数值文件 {path} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{reason}", JSON_EXAMPLE
        ) from None
    except ValueError:  # Python reads no int of more than 4,300 digits
        raise FillError(f"数值文件 {path} 中有位数太多的数字，单元格放不下", JSON_EXAMPLE) from None
    except RecursionError:
        raise FillError(f"数值文件 {path} 中的括号嵌套太深", JSON_EXAMPLE) from None
    if not isinstance(data, dict):
        raise FillError(f"数值文件 {path} 应为 JSON 对象（单元格编号 → 数值）")
    for key, value in data.items():
        if (value is not None and not isinstance(value, int | float | str)) or isinstance(value, bool):
            raise FillError(f"数值文件 {path} 中“{key}”的值应为数字、文字或 null")
    return data


def _writable(key: str, value: Value) -> None:
    """A value a cell can hold: a finite number (a double: Excel's), a text of at most `MAX_TEXT`
    characters; else a FillError (openpyxl would write “nan” or a text Excel cuts, a file Excel repairs)."""
    if isinstance(value, int | float):
        try:
            finite = math.isfinite(float(value))
        except OverflowError:  # an int beyond any double
            finite = False
        if not finite:
            raise FillError(f"“{key}”的值不是单元格能放下的数字", "数字应是有限的，且不超过 1.8 × 10³⁰⁸")
    elif isinstance(value, str) and len(value) > MAX_TEXT:
        raise FillError(
            f"“{key}”的文字有 {len(value):,} 个字，超过单元格能放的 {MAX_TEXT:,} 个", "请缩短这段文字"
        )


def _stamped_spec(wb: Any, path: str | os.PathLike[str]) -> Spec:
    def name(key: str) -> str:
        dn = wb.defined_names.get(key)
        return (dn.attr_text if dn is not None else "").strip('="')

    spec = known_specs().get((name("tianbao_spec_id"), name("tianbao_spec_version")))
    if spec is None:
        raise FillError(
            f"{path} 不是 tianbao 生成的模板（没有找到模板戳记）", "请用 tianbao template 生成模板"
        )
    return spec


def fill_template(
    template: str | os.PathLike[str],
    values: Mapping[str, Value],
    out: str | os.PathLike[str],
    *,
    overwrite_formulas: bool = False,
    saved: dt.datetime | None = None,
) -> None:
    """Copy `template` to `out` with `values` typed into its cells (cell ids such as t3.new.np, meta.phone).
    `saved`: the save time the file records (default: the template's modification time)."""
    try:
        wb = openpyxl.load_workbook(template)
    except Exception as exc:  # openpyxl raises many kinds on bad files: said in Chinese as the reader says it
        raise FillError(
            f"模板 {template} 无法打开：{_why_unopenable(template, exc)}", "请用 tianbao template 生成模板"
        ) from None
    when = saved or wb.properties.modified or wb.properties.created or DEFAULT_SAVED
    spec = _stamped_spec(wb, template)
    boxes = cell_boxes(spec)
    meta = cover_boxes(spec)
    text = text_layout(spec)
    for key, value in values.items():
        _writable(key, value)
        if key.startswith("meta."):
            box = meta.get(key[5:])
            if box is None:
                raise FillError(f"未知的封面项“{key}”", "可用：" + "、".join(f"meta.{m}" for m in meta))
            sheet = COVER_SHEET
        elif key.startswith(f"{TEXT}."):
            if text is None or text.sheet not in wb.sheetnames or key not in text.cells:
                known = "、".join(text.cells) if text is not None else "（本模板没有“正文”）"
                raise FillError(f"未知的正文编号“{key}”", f"可用：{known}")
            sheet, box = text.sheet, text.cells[key]
        else:
            if key not in boxes:
                raise FillError(f"未知的单元格编号“{key}”", "编号形如 t3.new.np，见 README 的单元格编号说明")
            sheet, box = boxes[key]
            if spec.cells[key].computed and not overwrite_formulas:
                raise FillError(f"单元格“{key}”是公式（合计或总计），不能填写")
        cell = wb[sheet].cell(row=box.row + 1, column=box.col + 1)
        cell.value = xml_text(value) if isinstance(value, str) else value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "f"
    with atomic_path(out) as tmp:
        wb.save(tmp)
        settle(tmp, when)
    wb.close()


def _why_unopenable(template: str | os.PathLike[str], exc: Exception) -> str:
    """Why openpyxl could not open a file, in the words the reader uses for returned files."""
    from tianbao.reading.container import inspect_bytes
    from tianbao.reading.model import Limits

    if isinstance(exc, OSError):
        return os_reason(exc)
    try:
        data = Path(template).read_bytes()
    except OSError as err:
        return os_reason(err)
    issues = inspect_bytes(data, Path(template), Limits())
    errors = [i for i in issues if i.is_error]
    return errors[0].message.rstrip("。") if errors else "文件内容无法解析（可能已损坏）"


DEFAULT_SAVED = dt.datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def settle(path: str | os.PathLike[str], saved: dt.datetime) -> None:
    """Rewrite an openpyxl-saved workbook so that it records `saved`, not the clock: core.xml's modified
    time and every zip entry's time (entry attributes fixed too). Members keep their order and content."""
    data = Path(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml") if "docProps/core.xml" in z.namelist() else None
    stamp = saved.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    replace = (
        {} if core is None else {"docProps/core.xml": _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", core)}
    )
    Path(path).write_bytes(fixed_zip(data, saved, replace))
