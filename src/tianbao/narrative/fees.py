"""The fee statement of 六、其他需要报告的事项 against the tables (`report.checks.fees`).

Two different fees: the 信息处理费 an organ may charge for answering an application (《政府信息公开信息处理费
管理办法》; in 元, reported only as text — docs/format.md §5), and the 行政事业性收费 of its other work, proactively
disclosed in 表二 第二十条第（八）项 (万元). A statement about the one says nothing about the other:
“本年度未收取信息处理费” agrees with any 表二. So:

- 信息处理费 said to be charged (an amount above 0) while 表三 has no application at all (新收 and 上年结转 0);
- 行政事业性收费 stated with an amount that is not 表二's, or said to be none while 表二 has an amount;
- no fee of any kind (“未收取任何费用”, with no word of 处理费 or 信息公开) while 表二 has an amount.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tianbao.issues import Issue
from tianbao.narrative.places import describe, mismatch, value_of
from tianbao.narrative.sentences import CN_NUMERAL, Sentence, number, sentences
from tianbao.spec.compiled import Spec, fmt_number
from tianbao.spec.text import TextSpec

_AMOUNT = re.compile(rf"(\d+(?:,\d{{3}})*(?:\.\d+)?|[{CN_NUMERAL}]+)\s*(万元|元)")
_NONE = re.compile(
    r"(?:未|没有|无|不曾|从未|均未|免予?|免收|不)[^,，。;；]{0,16}?(?:收取|收费|产生|发生|缴纳|收)|收费[^,，。]{0,4}(?:为零|为0)"
)
_INFO = re.compile(r"处理费|信息公开[^,，。]{0,12}收费|依申请[^,，。]{0,12}收费|收费通知")
_ADMIN = "行政事业性收费"
_FEE = re.compile(r"费")
_YUAN_PER_WAN = 10_000
HALF_YUAN = 0.5  # an amount stated in the text is rounded to the yuan; 表二 keeps 4 decimals of 万元 (1 元)


def _amounts(s: str) -> list[float]:
    out = []
    for m in _AMOUNT.finditer(s):
        text = m.group(1).replace(",", "")
        try:
            value = float(text)
        except ValueError:
            n = number(text)
            if n is None:
                continue
            value = float(n)
        out.append(value * (_YUAN_PER_WAN if m.group(2) == "万元" else 1))
    return out


def _yuan(amount: float) -> str:
    return f"{fmt_number(amount)} 元"


def fee_issues(
    spec: Spec, text: TextSpec, cells: Mapping[str, str], values: Mapping[str, float]
) -> list[Issue]:
    fees = text.fees
    if fees is None:
        return []
    requests = value_of(fees.requests, values)
    table = value_of(fees.amount, values) * _YUAN_PER_WAN if fees.amount is not None else None
    table_name = describe(spec, fees.amount) if fees.amount is not None else ""
    issues: list[Issue] = []
    for cell_id in fees.text:
        for sentence in sentences(cells.get(cell_id, "")):
            detail = _detail(sentence, requests, table, table_name, describe(spec, fees.requests))
            if detail:
                issues.append(mismatch("text-fee-mismatch", spec, text, cell_id, sentence, detail))
    return issues


def _detail(
    sentence: Sentence, requests: float, table: float | None, table_name: str, requests_name: str
) -> str | None:
    s = sentence.norm
    if not _FEE.search(s):
        return None
    amounts = _amounts(s)
    none = bool(_NONE.search(s)) or (bool(amounts) and not any(amounts))
    info, admin = bool(_INFO.search(s)), _ADMIN in s
    if info and not admin:
        if not none and any(amounts) and requests == 0:
            return f"收取了信息处理费，但{requests_name}为 0（没有政府信息公开申请）"
        return None
    if table is None:
        return None
    shown = f"{table_name}为 {fmt_number(table / _YUAN_PER_WAN)} 万元"
    if admin and amounts and not none and all(abs(a - table) > HALF_YUAN for a in amounts):
        return f"{shown}（{_yuan(table)}）"
    if none and table > 0:
        return shown
    return None
