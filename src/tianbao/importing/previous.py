"""A published report as a submission (`--previous 2024年报告.html`): read as `tianbao import` reads it, every
printed value parsed as a value typed into the imported workbook would be (“/” and “—” as 0 with a warning,
“22件” as 22 …). A cell that could not be read, or of a table the report lacks, is a value that cannot be
used: `reading.previous` leaves it out, with every total over it. The reader is registered there (SOURCES)
for every suffix of a report.
"""

from __future__ import annotations

import os

from tianbao.importing.report import read_report
from tianbao.importing.workbook import KIND
from tianbao.reading.model import Limits, Submission
from tianbao.reading.plan import plan_for
from tianbao.reading.values import parse_value
from tianbao.stamp import Stamp


def report_submission(
    path: str | os.PathLike[str],
    limits: Limits = Limits(),  # noqa: B008 - frozen
) -> Submission:
    """The report at `path` as a Submission of stamp kind `imported` (unit: its name only, a report names no
    code); not readable when the report cannot be read or its year is not known."""
    reading = read_report(path, limits=limits)
    sub = Submission(path=str(path), sha256=reading.sha256, size=reading.size)
    sub.issues.extend(reading.issues)
    spec = reading.spec
    if spec is None or reading.year is None:
        return sub
    sub.spec, sub.year = spec, reading.year
    sub.unit_code, sub.unit_name = "", reading.unit_name or None
    sub.stamp = Stamp(
        spec.id, spec.version, spec.hash, str(reading.year), unit_name=reading.unit_name, kind=KIND
    )
    lost = set(reading.unreadable) | {c.id for t in reading.missing for c in spec.table_cells(t)}
    for cell in plan_for(spec).inputs:
        cell_id = cell.cell_id
        if cell_id in lost:
            sub.values[cell_id] = None
            sub.invalid.append(cell_id)
            continue
        parsed = parse_value(reading.values.get(cell_id), cell.type, cell.where)
        sub.values[cell_id] = parsed.value
        if parsed.blank:
            sub.blank.append(cell_id)
        elif parsed.value is None:
            sub.invalid.append(cell_id)
        if parsed.issue is not None:
            sub.issues.append(parsed.issue)
    sub.readable = True
    return sub
