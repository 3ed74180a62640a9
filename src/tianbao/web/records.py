"""A checked file as the workspace keeps it: the check's Submission (what the roll-call's rules look at: unit,
stamp, fill date, values, issues) as JSON, and back. The JSON is written by this module from the library's
objects and only ever read back into data classes: nothing in it is executed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from tianbao.issues import Issue
from tianbao.reading.model import Submission
from tianbao.spec import known_specs
from tianbao.stamp import Stamp

_TIME_TYPES: dict[str, type[dt.date] | type[dt.time]] = {
    "datetime": dt.datetime,
    "date": dt.date,
    "time": dt.time,
}


def _encode(value: Any) -> Any:
    """A meta value as JSON: dates and times tagged, so that they come back as the same objects."""
    for tag, kind in _TIME_TYPES.items():  # datetime before date: a datetime is a date
        if isinstance(value, kind):
            return {"$" + tag: value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((key, text),) = value.items()
        kind = _TIME_TYPES.get(key[1:]) if key.startswith("$") else None
        if kind is not None and isinstance(text, str):
            return kind.fromisoformat(text)
    return value


def submission_json(sub: Submission, computed: dict[str, float] | None = None) -> tuple[str, str]:
    """The submission as JSON, in two parts: the record (all but the cells' values) and its cells (the
    values, the cached results and `computed`, its recomputed totals). Most of the bytes are the cells':
    the roll-call of thousands of files reads the records alone (`submission_from_json`)."""
    record = {
        "path": sub.path,
        "sha256": sub.sha256,
        "size": sub.size,
        "mtime": sub.mtime,
        "stamp": asdict(sub.stamp) if sub.stamp is not None else None,
        "unit_code": sub.unit_code,
        "unit_name": sub.unit_name,
        "unit_type": sub.unit_type,
        "year": sub.year,
        "meta": {k: _encode(v) for k, v in sub.meta.items()},
        "blank": sub.blank,
        "invalid": sub.invalid,
        "text": sub.text,
        "issues": [i.to_dict() for i in sub.issues],
        "readable": sub.readable,
    }
    cells = {"values": sub.values, "cached": sub.cached, "computed": computed or {}}
    return json.dumps(record, ensure_ascii=False, default=str), json.dumps(cells, ensure_ascii=False)


def submission_from_json(record: str, cells: str | None) -> tuple[Submission, dict[str, float]]:
    """The submission (its spec found again from its stamp) and its recomputed totals. `cells` None: the
    record alone, with no values (no inputs, no cached results, no totals) — for what looks at a file's
    unit, stamp, dates and issues, never at its numbers."""
    data = json.loads(record)
    numbers = json.loads(cells) if cells is not None else {"values": {}, "cached": {}, "computed": {}}
    stamp = Stamp(**data["stamp"]) if data["stamp"] is not None else None
    sub = Submission(
        path=data["path"],
        sha256=data["sha256"],
        size=data["size"],
        mtime=data["mtime"],
        stamp=stamp,
        spec=known_specs().get((stamp.spec_id, stamp.spec_version)) if stamp is not None else None,
        unit_code=data["unit_code"],
        unit_name=data["unit_name"],
        unit_type=data["unit_type"],
        year=data["year"],
        meta={k: _decode(v) for k, v in data["meta"].items()},
        values=numbers["values"],
        blank=data["blank"],
        invalid=data["invalid"],
        cached=numbers["cached"],
        text=data.get("text"),
        issues=[Issue(**i) for i in data["issues"]],
        readable=data["readable"],
    )
    return sub, numbers["computed"]
