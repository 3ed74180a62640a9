"""Who made this workbook, for whom and for which year: the stamp from its three places, the spec, the unit.

The three places are read tolerantly. Re-saving in LibreOffice or WPS turns the very hidden `_meta` sheet into a
hidden one, writes defined names without the leading “=”, and may store a text custom property “2021” as a
number; the `-` that stands for an empty custom property means "". A place that is missing altogether is not a
disagreement; two places holding different values for one key are.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from tianbao.issues import Issue, make
from tianbao.reading.backend import RawWorkbook, property_text
from tianbao.reading.model import Submission
from tianbao.roster import Roster
from tianbao.spec import DEFAULT_FORMAT, Spec, known_specs, load_spec
from tianbao.spec.layout import COVER_SHEET, cover_title
from tianbao.stamp import PREFIX, Stamp, join_meta, short_form

PLACES = {"properties": "文档属性", "names": "定义名称", "meta": "隐藏工作表“_meta”"}
KEY_ZH = {
    "spec_id": "模板格式",
    "spec_version": "格式版本",
    "spec_hash": "模板结构编号",
    "year": "年度",
    "unit_code": "单位代码",
    "unit_name": "单位名称",
    "unit_type": "单位类型",
    "kind": "模板类型",
    "serial": "模板编号",
    "members": "汇总单位",
}


@dataclass
class Identity:
    stamp: Stamp | None = None
    spec: Spec | None = None  # the spec to read the cells with (the file's own, when it is a known one)
    issues: list[Issue] = field(default_factory=list)


def defined_name_value(text: str) -> str:
    """The constant of a defined name: `="2025"` (Excel, xlsxwriter) or `"2025"` (LibreOffice) → 2025."""
    s = text.strip()
    if s.startswith("="):
        s = s[1:].strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return s[1:-1].replace('""', '"')
    return s


def _places(raw: RawWorkbook) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    props = {
        k: ("" if v.strip() == "-" else v.strip()) for k, v in raw.properties.items() if k.startswith(PREFIX)
    }
    names = {k: defined_name_value(v).strip() for k, v in raw.names.items() if k.startswith(PREFIX)}
    rows = {k: property_text(v) for k, v in raw.meta.items() if k.startswith(PREFIX)}
    meta = {k: v.strip() for k, v in join_meta(rows).items()}
    for place, values in (("properties", props), ("names", names), ("meta", meta)):
        if values:
            out[place] = values
    return out


def read_stamp(raw: RawWorkbook) -> tuple[Stamp | None, list[Issue]]:
    """The stamp (by majority where the places disagree) and a `stamp-inconsistent` issue if they do."""
    places = _places(raw)
    if not places:
        return None, []
    first, *others = places.values()
    if all(values == first for values in others):  # the usual case: every place says the same
        return Stamp.from_mapping(first), []
    return by_majority(places)


def check_serial(stamp: Stamp) -> list[Issue]:
    """`stamp-inconsistent` when the serial is not the one the stamp's values give (`Stamp.expected_serial`):
    a stamp edited, even alike in all three places, to another unit or year."""
    if stamp.serial == stamp.expected_serial():
        return []
    detail = f"模板编号“{stamp.serial or '空'}”与戳记中的格式、年度和单位不符"
    return [make("stamp-inconsistent", detail=detail)]


def cover_issues(stamp: Stamp, cover: Mapping[str, Any], title: Any, where: Mapping[str, str]) -> list[Issue]:
    """The locked cells of the cover against the stamp: the title and the year, and the unit's code and name
    in a unit's template (a blank template leaves them to the unit). `cover`: meta id → value as read;
    `where`: meta id (and "title") → the A1 address of its cell on the cover."""
    expected: dict[str, tuple[str, str]] = {"title": ("标题", cover_title(stamp.year))}
    expected["year"] = ("报告年度", stamp.year)
    if stamp.unit_code:
        expected["unit_code"] = ("单位代码", stamp.unit_code)
        expected["unit_name"] = ("单位名称", stamp.unit_name)
    found = {**cover, "title": title}
    issues = []
    for key, (what, value) in expected.items():
        shown = found.get(key)
        same = (
            norm_code(shown) == norm_code(value)
            if key == "unit_code"
            else norm_name(shown) == norm_name(value)
        )
        if not same:
            text = "空白" if norm_name(shown) == "" else f"“{property_text(shown).strip()}”"
            detail = f"封面的{what}为{text}，戳记为“{value}”"
            issues.append(make("stamp-inconsistent", sheet=COVER_SHEET, cell=where.get(key), detail=detail))
    return issues


def by_majority(places: dict[str, dict[str, str]]) -> tuple[Stamp, list[Issue]]:
    """The stamp, each key's value by majority of the places holding it (ties: the first place), and a
    `stamp-inconsistent` issue naming the keys the places disagree on."""
    chosen: dict[str, str] = {}
    differences: list[str] = []
    for f in fields(Stamp):
        key = PREFIX + f.name
        found = {place: values[key] for place, values in places.items() if key in values}
        if not found:
            continue
        # A long value (the members of a big consolidation) is whole in `_meta` only: compare short forms,
        # keep the whole value.
        counts = Counter(short_form(v) for v in found.values())
        best = max(counts.values())
        winner = next(short_form(v) for v in found.values() if counts[short_form(v)] == best)  # ties: first
        chosen[key] = max((v for v in found.values() if short_form(v) == winner), key=len)
        if len(counts) > 1:
            where = "，".join(f"{PLACES[p]}为“{v}”" for p, v in found.items())
            differences.append(f"{KEY_ZH[f.name]}（{key}）{where}")
    stamp = Stamp.from_mapping(chosen)
    issues = [make("stamp-inconsistent", detail="；".join(differences))] if differences else []
    return stamp, issues


def spec_name(spec: Spec) -> str:
    return f"{spec.version} 格式模板"


def resolve_spec(stamp: Stamp, expected: Spec | None) -> tuple[Spec | None, list[Issue]]:
    """The file's spec when tianbao knows it (same hash), with `spec-unknown` when it is not the expected one."""
    target = expected or load_spec(DEFAULT_FORMAT)
    collect = f"，本次收集使用 {spec_name(target)}" if expected is not None else ""
    known = known_specs().get((stamp.spec_id, stamp.spec_version))
    if known is None:
        detail = f"文件的模板格式“{stamp.spec_id} {stamp.spec_version}”不是 tianbao 支持的格式{collect}"
        return None, [make("spec-unknown", detail=detail, expected=spec_name(target))]
    if known.hash != stamp.spec_hash:
        detail = (
            f"文件是用其他版本的 tianbao 生成的 {spec_name(known)}，模板结构编号为 {stamp.spec_hash or '空'}，"
            f"应为 {known.hash}{collect}"
        )
        return None, [make("spec-unknown", detail=detail, expected=spec_name(target))]
    if expected is not None and known is not expected:
        detail = f"文件是 {spec_name(known)}{collect}"
        return known, [make("spec-unknown", detail=detail, expected=spec_name(expected))]
    return known, []


def stamp_year(stamp: Stamp) -> int | None:
    text = unicodedata.normalize("NFKC", stamp.year).strip()
    return int(text) if text.isdigit() else None


def check_year(stamp: Stamp, expected_year: int | None) -> list[Issue]:
    year = stamp_year(stamp)
    if expected_year is None or year == expected_year:
        return []
    found = str(year) if year is not None else (stamp.year or "未知")
    return [make("year-mismatch", found=found, expected=expected_year)]


def norm_code(value: Any) -> str:
    """A unit code as typed on the cover: 150723107, “１５０７２３１０７”, 150723107.0 → 150723107."""
    text = property_text(value)
    text = "".join(unicodedata.normalize("NFKC", text).split())
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def norm_name(value: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", property_text(value)).split())


def resolve_unit(
    sub: Submission,
    stamp: Stamp,
    cover: Mapping[str, Any],
    roster: Roster | None,
    where: Mapping[str, tuple[str, str]],
) -> list[Issue]:
    """Set the submission's unit from the stamp (a unit's template) or the cover (the blank template), checked
    against the roster. `where` gives the (sheet, A1) of the cover's unit_code and unit_name cells."""
    if stamp.unit_code:
        code, name = stamp.unit_code, stamp.unit_name
    else:
        code, name = norm_code(cover.get("unit_code")), property_text(cover.get("unit_name")).strip()
    at_code = dict(zip(("sheet", "cell"), where.get("unit_code", (None, None)), strict=True))
    at_name = dict(zip(("sheet", "cell"), where.get("unit_name", (None, None)), strict=True))
    unit = roster.get(code) if roster is not None and code else None
    issues: list[Issue] = []
    if not code:
        what = "单位代码" if name else "单位名称和单位代码"
        issues.append(make("unit-missing", **at_code, what=what))
    elif roster is not None and unit is None:
        issues.append(make("unit-not-in-roster", **at_code, name=name or "未填写名称", code=code))
    elif unit is not None and not name:
        name = unit.name
    elif unit is not None and norm_name(name) != norm_name(unit.name):
        issues.append(make("unit-name-mismatch", **at_name, found=name, expected=unit.name))
    elif unit is None and not name:
        issues.append(make("unit-missing", **at_name, what="单位名称"))
    sub.unit_code = code or None
    sub.unit_name = name or None
    sub.unit_type = unit.type if unit is not None else (stamp.unit_type or None)
    return issues
