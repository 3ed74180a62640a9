"""Issues of the reading stage. Like `tianbao.issues.make`, but the location is also available to the message
template (several templates name the sheet: “{sheet}的工作表保护已被取消。”), and a field may be called
`code` (unit-not-in-roster names the unit code)."""

from __future__ import annotations

from typing import Any

from tianbao.issues import CATALOGUE, Issue


def issue(
    code: str,
    /,
    *,
    cell_id: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    **fields: Any,
) -> Issue:
    t = CATALOGUE[code]
    values = {"sheet": sheet, "cell": cell, "cell_id": cell_id, **fields}
    return Issue(
        code=code,
        severity=t.severity,
        message=t.template.format(**values),
        cell_id=cell_id,
        sheet=sheet,
        cell=cell,
        hint=t.hint.format(**values),
    )
