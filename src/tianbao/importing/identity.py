"""Whose report, for which year: from the title (“XX镇2022年政府信息公开工作年度报告”), the statistical period
(“统计期限为2022年1月1日至2022年12月31日”) and the signature at the end (the organ's name above the date)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tianbao.importing.normalize import simplify

_REPORT = r"政府信息公开(?:工作)?(?:年度)?(?:工作)?报告"
_TITLE = (
    re.compile(rf"^(?P<unit>.*?)(?P<year>(?:19|20)\d{{2}})\s*年\s*度?\s*(?:的)?\s*{_REPORT}"),
    re.compile(rf"(?P<year>(?:19|20)\d{{2}})\s*年\s*度?\s*(?P<unit>[^\s，。,]*?)\s*{_REPORT}"),
)
_PERIOD = re.compile(r"统计(?:期限|时限|时段|期间|区间)[^\d]{0,8}((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_DATE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_STRIP = " \t:：,，.。;；、_-—|()（）[]【】《》<>“”\"'"
_ORGAN = re.compile(r"(政府|局|委员会|委|办公室|办|中心|院|所|镇|乡|街道|处|厅|部|署|会|站|队|社区|村)$")
MAX_SIGNATURE = 40


@dataclass(frozen=True)
class ReportIdentity:
    title: str = ""
    year: int | None = None
    unit_name: str = ""
    date: str = ""  # the date under the signature, ISO (2023-01-12)


def _unit(text: str) -> str:
    text = text.strip(_STRIP)
    for prefix in ("关于", "转发"):
        text = text.removeprefix(prefix)
    return text.strip(_STRIP)


def identify(lines: list[str]) -> ReportIdentity:
    texts = [simplify(line).strip() for line in lines]  # NFKC, 繁体 as 简体 (the unit's name too)
    title, year, unit = "", None, ""
    for line in texts[:60]:
        for pattern in _TITLE:
            m = pattern.search(line)
            if m and len(line) <= 80:
                title, year, unit = line, int(m.group("year")), _unit(m.group("unit"))
                break
        if title:
            break
    if year is None:
        for line in texts:
            m = _PERIOD.search(line)
            if m:
                year = int(m.group(1))
                break
    date, signature = "", ""
    for i in range(len(texts) - 1, 0, -1):
        m = _DATE.match(texts[i].replace(" ", ""))
        if not m:
            continue
        date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        above = next((t for t in reversed(texts[:i]) if t), "")
        if len(above) <= MAX_SIGNATURE and _ORGAN.search(above) and not re.search(r"[，。,;；:：]", above):
            signature = _unit(above)
        break
    if signature and (not unit or _squeeze(unit) in _squeeze(signature)):
        unit = signature
    return ReportIdentity(title, year, unit, date)


def _squeeze(text: str) -> str:
    return "".join(text.split())
