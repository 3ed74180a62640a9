"""`check` without `--year`: the year most files carry is the year of the run, and a file of another year gets
a `year-mismatch` warning (an error when the year is given). A tie goes to the later year: the files of an
earlier year are the usual mistake (last year's template filled again)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from tianbao.issues import make
from tianbao.reading.model import Submission


def assumed_year(subs: Sequence[Submission]) -> int | None:
    """The year most files' stamps carry (a tie: the later one); None when no file carries one."""
    years = Counter(s.year for s in subs if s.stamp is not None and s.year is not None)
    if not years:
        return None
    return max(years.items(), key=lambda item: (item[1], item[0]))[0]


def warn_other_years(subs: Sequence[Submission], year: int) -> int:
    """Give every stamped file of another year than the assumed `year` a `year-mismatch` warning; returns
    how many got one."""
    warned = 0
    for s in subs:
        if s.stamp is None or s.year == year:
            continue
        found = str(s.year) if s.year is not None else (s.stamp.year or "未知")
        issue = make("year-mismatch", found=found, expected=year)
        s.issues.append(
            dataclasses.replace(
                issue,
                severity="warning",
                message=f"这是 {found} 年度的模板，多数文件是 {year} 年度（没有给出 --year，按 {year} 年度检查）。",
                hint=f"如本次收集的是 {found} 年度，请用 --year {found} 重新检查；否则请使用 {year} 年度的模板重新填写。",
            )
        )
        warned += 1
    return warned
