"""报送情况 of a season: the library's roll-call (tianbao.consolidation.roll_call — the rules merge applies:
duplicates, resubmissions, double counting, every roster unit's state) over the verdicts recorded at intake,
without reading a file again; a unit's versions, and the cell-level differences between two of them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tianbao.consolidation import STATUS_KEYS, FileEntry, StatusRow, roll_call
from tianbao.consolidation.model import count_states
from tianbao.consolidation.rollcall import row_dict
from tianbao.spec import Spec, load_spec
from tianbao.validation.report import FileReport
from tianbao.web.intake import PENDING, Receipt, check_pending, receipts
from tianbao.web.records import submission_from_json
from tianbao.web.workspace import Season, Workspace, unique_name


@dataclass
class SeasonRollCall:
    season: Season
    spec: Spec
    rows: tuple[StatusRow, ...]  # every roster unit, then the other files
    files: tuple[FileEntry, ...]
    receipts: dict[str, Receipt]  # by the file's key (Receipt.key)
    names: dict[str, str]  # file key → display name (unique in the season)
    pending: int = 0

    def counts(self) -> dict[str, int]:
        return count_states(self.rows)

    @property
    def roster_units(self) -> int:
        """The roster units expected to report (the rows of roster units; the others are files')."""
        return sum(1 for r in self.rows if r.on_roster)

    def unit_files(self, unit_code: str) -> list[FileEntry]:
        """A unit's files, oldest received first."""
        own = [f for f in self.files if (f.submission.unit_code or "") == unit_code]
        return sorted(own, key=lambda f: self.receipts[f.submission.path].id)

    @cached_property
    def _ids(self) -> dict[str, int]:
        return {f.name: self.receipts[f.submission.path].id for f in self.files}

    def row_files(self, row: StatusRow) -> list[tuple[str, int]]:
        """The files of a row: name and receipt id."""
        return [(n, self._ids[n]) for n in row.file_names if n in self._ids]

    def to_dict(self) -> dict[str, Any]:
        """The roll-call as `tianbao check --json` gives it (counts by state key, a dict per row), each row
        with the ids of its files here (`file_ids`), and the season."""
        return {
            "season": self.season.to_dict(),
            "counts": {STATUS_KEYS[s]: n for s, n in self.counts().items()},
            "pending": self.pending,
            "rows": [{**row_dict(r), "file_ids": [i for _, i in self.row_files(r)]} for r in self.rows],
        }


def display_names(items: list[Receipt]) -> dict[str, str]:
    """Each received file's name (by its key) as the season shows it and as a merge lays it out: the name
    received (the member's name for a file from an archive), made safe, “ (2)” added where two differ only
    in content."""
    taken: set[str] = set()
    out = {}
    for r in items:
        name = unique_name(r.name, taken)
        taken.add(name)
        out[r.key] = name
    return out


_cache: dict[tuple[Any, ...], SeasonRollCall] = {}
_cache_lock = threading.Lock()


def season_roll_call(ws: Workspace, season: Season, *, check: bool = True) -> SeasonRollCall:
    """The season's roll-call. `check`: first check what is pending or stale (else those files are left out
    and counted as pending)."""
    if check:
        check_pending(ws, season)
    with ws.db.read() as con:  # what the roll-call depends on, without reading every receipt
        verdicts = con.execute(
            "SELECT id, status FROM receipts WHERE season_id = ? ORDER BY id", (season.id,)
        ).fetchall()
    key = (str(ws.root), season, ws.context(season), tuple(tuple(v) for v in verdicts))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    result = _compute(ws, season, receipts(ws, season))
    with _cache_lock:
        _cache.clear()  # one season's roll-call kept: the one being looked at
        _cache[key] = result
    return result


def _compute(ws: Workspace, season: Season, items: list[Receipt]) -> SeasonRollCall:
    spec = load_spec(season.fmt)
    names = display_names(items)
    checked = [r for r in items if r.status != PENDING]
    # The rules compare the numbers of two files of one unit only (duplicate-identical): the cells of the
    # files of a unit that sent one are not read.
    with ws.db.read() as con:
        rows = con.execute(
            "SELECT key, record, CASE WHEN unit_code IN (SELECT unit_code FROM receipts WHERE season_id = ? "
            "AND status != ? GROUP BY unit_code HAVING COUNT(*) > 1) THEN cells END AS cells "
            "FROM receipts WHERE season_id = ? AND status != ?",
            (season.id, PENDING, season.id, PENDING),
        ).fetchall()
    records = {row["key"]: (row["record"], row["cells"]) for row in rows}
    reports = [FileReport(submission_from_json(*records[r.key])[0]) for r in checked]
    call = roll_call(reports, spec=spec, roster=ws.roster(season), parent_code=season.unit_code, names=names)
    return SeasonRollCall(
        season=season,
        spec=spec,
        rows=call.rows,
        files=call.files,
        receipts={r.key: r for r in items},
        names=names,
        pending=len(items) - len(checked),
    )


def cell_values(ws: Workspace, season: Season, key: str) -> dict[str, float | None]:
    """A checked file's inputs and recomputed totals ({} while it is not checked)."""
    with ws.db.read() as con:
        row = con.execute(
            "SELECT record, cells FROM receipts WHERE season_id = ? AND key = ? AND cells IS NOT NULL",
            (season.id, key),
        ).fetchone()
    if row is None:
        return {}
    sub, computed = submission_from_json(row["record"], row["cells"])
    return {**sub.values, **computed}


@dataclass(frozen=True)
class Change:
    cell_id: str
    sheet: str
    label: str
    before: float | None
    after: float | None


def diff(spec: Spec, before: dict[str, float | None], after: dict[str, float | None]) -> list[Change]:
    """The cells whose values differ between two versions (a blank and a 0 differ: blank is not zero)."""
    out = []
    for cell_id, cell in spec.cells.items():
        a, b = before.get(cell_id), after.get(cell_id)
        if a != b:
            out.append(Change(cell_id, cell.sheet, cell.label, a, b))
    return out


def explanations(ws: Workspace, season: Season) -> dict[tuple[str, str, str], str]:
    with ws.db.read() as con:
        rows = con.execute(
            "SELECT unit_code, code, cell_id, text FROM explanations WHERE season_id = ?", (season.id,)
        ).fetchall()
    return {(r["unit_code"], r["code"], r["cell_id"]): r["text"] for r in rows}


def explain(ws: Workspace, season: Season, unit_code: str, code: str, cell_id: str, text: str) -> None:
    """Record (or, with an empty text, remove) a unit's explanation of one of its warnings."""
    from tianbao.web.workspace import now

    with ws.db.write() as con:
        if text.strip():
            con.execute(
                "INSERT INTO explanations (season_id, unit_code, code, cell_id, text, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (season_id, unit_code, code, cell_id) "
                "DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                (season.id, unit_code, code, cell_id, text.strip(), now()),
            )
        else:
            con.execute(
                "DELETE FROM explanations WHERE season_id = ? AND unit_code = ? AND code = ? AND cell_id = ?",
                (season.id, unit_code, code, cell_id),
            )
