"""Which accepted submissions go into the totals: the duplicate rule, then the double-count rule.

The consolidating unit's own consolidated workbook (an earlier merge's result, found among the inputs) is
left out with a `double-count` error: it holds the units that are consolidated again. Its own report (a
template of its code: its 本级 data, which no other unit's report holds) counts as any unit's.

Duplicates: the accepted submissions of one unit code and kind (a unit's own report and a consolidated
workbook of the same code are not copies: the double-count rule decides between them). The newest is kept — by the fill date in the file
(填报日期; missing or unreadable counts as oldest), then by the file's modification time, then by name (a last,
deterministic resort). Another file whose input values all equal the kept one's gets `duplicate-identical`;
any other gets `duplicate-superseded`. Both are warnings and neither file counts twice.

Double counting: a consolidated workbook lists its constituent units (transitively; its own code when its
unit's own report was among them). A kept submission of one
of those units — a town's own file, or a county's consolidated workbook inside a city's — gets a `double-count`
error naming the consolidated file, and is left out. Of two consolidated workbooks that share a unit, the one
met second (larger first, then by unit code) is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tianbao import issues as catalogue
from tianbao.consolidation.dates import parse_fill_date
from tianbao.issues import Issue
from tianbao.reading.model import Submission

IDENTICAL, SUPERSEDED, DOUBLE_COUNT = "duplicate-identical", "duplicate-superseded", "double-count"


@dataclass
class Selection:
    included: list[Submission] = field(default_factory=list)  # sorted by unit code, then file name
    dropped: dict[str, str] = field(default_factory=dict)  # path → the code of the rule that dropped it
    kept_instead: dict[str, str] = field(default_factory=dict)  # path → path of the file that counts instead
    # path → the issues the rules give that file, with the submission (not recorded on it until `apply`)
    issues: dict[str, tuple[Submission, list[Issue]]] = field(default_factory=dict)

    def reason(self, sub: Submission) -> str | None:
        return self.dropped.get(sub.path)

    def issues_of(self, sub: Submission) -> list[Issue]:
        """The issues the rules give `sub` (duplicate-identical, duplicate-superseded, double-count)."""
        found = self.issues.get(sub.path)
        return found[1] if found is not None else []

    def give(self, sub: Submission, issue: Issue) -> None:
        self.issues.setdefault(sub.path, (sub, []))[1].append(issue)

    def apply(self) -> None:
        """Record the rules' issues on the submissions (once: an issue already there is not added again)."""
        for sub, found in self.issues.values():
            sub.issues.extend([i for i in found if i not in sub.issues])


def fill_date(sub: Submission) -> dt.date | None:
    return parse_fill_date(sub.meta.get("filled_on"))


def newness(sub: Submission, name: str) -> tuple[dt.date, float, str, str]:
    """Sort key: larger is newer (fill date, then file time, then name and path as a deterministic resort)."""
    return (fill_date(sub) or dt.date.min, sub.mtime, name, sub.path)


def same_values(a: Submission, b: Submission, input_ids: Sequence[str]) -> bool:
    return all(a.values.get(c) == b.values.get(c) for c in input_ids)


def select(
    candidates: Sequence[Submission],
    input_ids: Sequence[str],
    names: Mapping[str, str],
    parent_code: str | None = None,
) -> Selection:
    """Apply the duplicate and double-count rules to the accepted submissions, for the consolidating unit
    `parent_code`. Pure: the issues the rules give are in the selection (`Selection.issues_of`);
    `Selection.apply()` records them on the submissions."""
    out = Selection()

    def name(s: Submission) -> str:
        return names.get(s.path, s.path)

    groups: dict[tuple[str, str], list[Submission]] = {}
    for s in candidates:
        if parent_code is not None and s.kind == "consolidated" and s.unit_code == parent_code:
            detail = (
                f"本文件是汇总单位{s.unit_name or parent_code}（{parent_code}）自己的汇总表（可能是以前汇总的结果），"
                "其中的单位会再次计入"
            )
            out.give(s, catalogue.make(DOUBLE_COUNT, detail=detail))
            out.dropped[s.path] = DOUBLE_COUNT
            continue
        groups.setdefault((s.unit_code or f"?{s.path}", s.kind), []).append(s)
    kept: list[Submission] = []
    for key in sorted(groups):
        group = groups[key]
        # Nearly every unit sends one file: no dates to parse then.
        newest_first = (
            sorted(group, key=lambda s: newness(s, name(s)), reverse=True) if len(group) > 1 else group
        )
        winner = newest_first[0]
        kept.append(winner)
        for s in newest_first[1:]:
            code_ = IDENTICAL if same_values(s, winner, input_ids) else SUPERSEDED
            out.give(s, catalogue.make(code_, other=name(winner)))
            out.dropped[s.path] = code_
            out.kept_instead[s.path] = winner.path
    _double_count(kept, out, name)
    out.included = sorted(
        (s for s in kept if s.path not in out.dropped), key=lambda s: (s.unit_code or "", name(s), s.path)
    )
    return out


def _double_count(kept: list[Submission], out: Selection, name: Callable[[Submission], str]) -> None:
    consolidated = sorted(
        (s for s in kept if s.kind == "consolidated"),
        key=lambda s: (-len(s.members), s.unit_code or "", name(s)),
    )
    for c in consolidated:
        if c.path in out.dropped:
            continue
        members = set(c.members)
        for s in kept:
            if s is c or s.path in out.dropped or s.unit_code not in members:
                continue
            detail = f"本单位的数据已包含在汇总表 {name(c)}（{c.unit_name or c.unit_code}）中"
            out.give(s, catalogue.make(DOUBLE_COUNT, detail=detail))
            out.dropped[s.path] = DOUBLE_COUNT
            out.kept_instead[s.path] = c.path
    covered: dict[str, Submission] = {}
    for c in consolidated:
        if c.path in out.dropped:
            continue
        shared = sorted(set(c.members) & covered.keys())
        if shared:
            other = covered[shared[0]]
            detail = (
                f"本汇总表与汇总表 {name(other)}（{other.unit_name or other.unit_code}）"
                f"都包含单位 {'、'.join(shared)} 的数据"
            )
            out.give(c, catalogue.make(DOUBLE_COUNT, detail=detail))
            out.dropped[c.path] = DOUBLE_COUNT
            out.kept_instead[c.path] = other.path
            continue
        for m in c.members:
            covered.setdefault(m, c)
