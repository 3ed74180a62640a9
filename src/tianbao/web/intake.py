"""收件: every file received is kept in the store and recorded as received (pending) at once — that is the
acknowledgement — then checked by `check_files` with the season's options (the same engine and limits as
`tianbao check`), and its verdict recorded: the check's dict for the file (`tianbao check --json`'s entry, its
path the name received) and the Submission the roll-call's rules read. The same bytes again in a season are
the same receipt (idempotent by SHA-256).

Checking is done in batches (`check_pending`): a check run costs a second or two of fixed cost (pandera's
schema of some 190 columns) and a few milliseconds a file, so the files that arrive while one batch is
checked are checked together in the next. A verdict reached with another roster, other data of last year or
another version of tianbao is stale, and checked again the same way; a restart finds what was not checked
yet in the database and checks it.

What is not a report and what is an archive is decided as `tianbao check` decides it (tianbao.intake): a
lock file, Thumbs.db or a hidden file is 已忽略 (recorded with the reason, never checked, never 退回); a .zip
archive is opened by the library's unpacker, under its limits, and each file inside received as a file of
its own (named as inside the archive), a member it refuses (an unsafe name, a password, a zip bomb …)
recorded with that verdict, its ignored members as 已忽略.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from tianbao.intake import MEMBER_SEP, Ignored, gather, ignored_reason
from tianbao.intake.archive import is_archive
from tianbao.reading.model import Submission
from tianbao.validation import check_files
from tianbao.validation.report import FileReport
from tianbao.web.db import from_row
from tianbao.web.records import submission_from_json, submission_json
from tianbao.web.workspace import Season, Workspace, base_name, now, unique_name

PARALLEL_FROM = 16  # files in a run from which they are read in processes (fewer: a pool costs more)
PENDING = "pending"
AT_INTAKE = "intake"  # the context of a verdict given when the file was received (never checked again)


@dataclass(frozen=True)
class Receipt:
    id: int
    key: str  # the file's key in the season: its SHA-256 (a member refused at intake: archive's!member)
    sha256: str  # the file in the store (a member refused at intake: its archive)
    name: str
    archive: str | None  # the archive it came from, as uploaded
    member: str | None  # its path inside that archive
    received_at: str
    status: str
    unit_code: str | None
    report_json: str | None  # check --json's entry for the file, as stored (decoded when first asked for)
    again: bool = False  # these bytes had been received before: nothing new was recorded
    received_as: str = ""  # in the upload that gave this receipt: the file's name (in an archive: a.zip!b)

    @cached_property
    def report(self) -> dict[str, Any]:
        """check --json's entry for the file ({} while it is not checked); decoded only where it is shown:
        the roll-call of thousands of receipts never needs it."""
        return json.loads(self.report_json) if self.report_json else {}

    @property
    def shown(self) -> str:
        """The file as `tianbao check` names it: the name received, or archive.zip!folder/file.xlsx."""
        return f"{self.archive}{MEMBER_SEP}{self.member}" if self.archive and self.member else self.name

    @property
    def refused(self) -> bool:
        """A member of an archive refused from the archive's directory: there is no file of its own."""
        return self.key != self.sha256

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "archive": self.archive,
            "member": self.member,
            "sha256": self.sha256,
            "received_at": self.received_at,
            "status": self.status,
            "unit_code": self.unit_code,
            "already_received": self.again,
            "received_as": self.received_as or self.shown,
            "report": self.report,
        }


@dataclass
class Received:
    """What one upload gave: the files received (a zip archive: each file inside), the files ignored."""

    files: list[Receipt] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)

    def __iadd__(self, other: Received) -> Received:
        self.files += other.files
        self.ignored += other.ignored
        return self


def receive(ws: Workspace, season: Season, name: str, fh: BinaryIO) -> Received:
    """Keep one uploaded file and record it: as received (the check follows: `check_pending`), as 已忽略
    when it is not a report, or — a zip archive — each file inside it, as `tianbao check` opens it."""
    sha = ws.store.put_file(fh)  # on disk before the database records it (each record keeps its file)
    base = base_name(name)
    reason = ignored_reason(base)
    if reason is not None:
        return Received(ignored=[_ignore(ws, season, sha, name, reason)])
    if is_archive(Path(base)):
        with ws.db.write() as con:
            ws.keep(con, sha)
        return _unpack(ws, season, sha, name)
    return Received(files=[_record(ws, season, sha, name)])


def _unpack(ws: Workspace, season: Season, sha: str, name: str) -> Received:
    """The files of an archive, opened by tianbao.intake (its limits, names, nesting and refusals)."""
    out = Received()
    with ws.laid_out(sha, name) as path:
        prefix = str(path) + MEMBER_SEP
        with gather([path], ws.limits) as found:
            for tmp in found.to_read:
                shown = found.shown.get(str(tmp), str(tmp))
                if not shown.startswith(prefix):  # the archive itself, for the reader to judge (too large)
                    out.files.append(_record(ws, season, sha, name))
                    continue
                member = shown[len(prefix) :]
                with open(tmp, "rb") as fh:
                    inner = ws.store.put_file(fh)
                out.files.append(_record(ws, season, inner, base_name(member), name, member))
            for sub in found.verdicts:
                if sub.path.startswith(prefix):
                    out.files.append(_refuse(ws, season, sha, name, sub.path[len(prefix) :], sub))
                else:  # the archive refused as a whole: a file like any other, the check says why
                    out.files.append(_record(ws, season, sha, name))
            for ignored in found.ignored:
                shown = name + ignored.path[len(str(path)) :]
                out.ignored.append(_ignore(ws, season, sha, shown, ignored.reason))
    return out


def _record(
    ws: Workspace,
    season: Season,
    sha: str,
    name: str,
    archive: str | None = None,
    member: str | None = None,
) -> Receipt:
    with ws.db.write() as con:
        ws.keep(con, sha)
        cur = con.execute(
            "INSERT OR IGNORE INTO receipts "
            "(season_id, key, sha256, name, archive, member, received_at, context, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)",
            (season.id, sha, sha, name, archive, member, now(), PENDING),
        )
        new = cur.rowcount == 1
    received = receipt_by_key(ws, season, sha)
    assert received is not None
    shown = f"{archive}{MEMBER_SEP}{member}" if archive and member else name
    return replace(received, again=not new, received_as=shown)


def _refuse(ws: Workspace, season: Season, sha: str, archive: str, member: str, sub: Submission) -> Receipt:
    """A member the unpacker refused (from the archive's directory alone): its verdict recorded as given."""
    key = f"{sha}{MEMBER_SEP}{member}"
    report = FileReport(sub)
    as_dict = {**report.to_dict(), "path": f"{archive}{MEMBER_SEP}{member}"}
    sub.path = key
    with ws.db.write() as con:
        cur = con.execute(
            "INSERT OR IGNORE INTO receipts (season_id, key, sha256, name, archive, member, received_at, "
            "context, status, report, record, cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                season.id,
                key,
                sha,
                base_name(member),
                archive,
                member,
                now(),
                AT_INTAKE,
                report.status,
                json.dumps(as_dict, ensure_ascii=False, default=str),
                *submission_json(sub),
            ),
        )
        new = cur.rowcount == 1
    received = receipt_by_key(ws, season, key)
    assert received is not None
    return replace(received, again=not new, received_as=received.shown)


def _ignore(ws: Workspace, season: Season, sha: str, path: str, reason: str) -> Ignored:
    with ws.db.write() as con:
        ws.keep(con, sha)
        con.execute(
            "INSERT OR IGNORE INTO ignored (season_id, sha256, path, reason, received_at) VALUES (?, ?, ?, ?, ?)",
            (season.id, sha, path, reason, now()),
        )
    return Ignored(path, reason)


def ignored(ws: Workspace, season: Season) -> list[tuple[Ignored, str]]:
    """The files of the season that are not reports, with the time they were received (newest first)."""
    with ws.db.read() as con:
        rows = con.execute(
            "SELECT path, reason, received_at FROM ignored WHERE season_id = ? ORDER BY received_at DESC, path",
            (season.id,),
        ).fetchall()
    return [(Ignored(r["path"], r["reason"]), r["received_at"]) for r in rows]


Checked = tuple[FileReport, dict[str, float]]  # a file's report and its values (totals recomputed)


def _check(
    ws: Workspace, season: Season, files: Sequence[sqlite3.Row], jobs: int | None = 1
) -> list[Checked]:
    """Check stored files (rows of receipts) as `tianbao check` checks a folder of them: each is laid out
    under its name made safe (the reader looks at the extension), in a folder of its own."""
    folder = ws.scratch()
    try:
        paths = []
        taken: set[str] = set()
        for row in files:
            target = folder / unique_name(row["name"], taken)
            taken.add(target.name)
            ws.store.link_into(row["sha256"], target)
            paths.append(target)
        run = check_files(paths, ws.options(season, jobs=jobs))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    row_of = {id(s): i for i, s in enumerate(run.validated.submissions)}
    by_path = {}
    for f in run.report.files:
        i = row_of.get(id(f.submission))
        by_path[f.path] = (f, run.validated.values(i) if i is not None else {})
    out = []
    for row, path in zip(files, paths, strict=True):
        report, values = by_path[str(path)]  # one report a file: unique_name never makes a name ignored
        report.submission.path = row["key"]  # the record's key in the season
        out.append((report, values))
    return out


def _verdict(checked: Checked, shown: str) -> tuple[str, str | None, str, str, str]:
    """status, unit code, the check's dict (its path: the file as received), the record and its cells, for
    the row."""
    report, computed = checked
    as_dict = {**report.to_dict(), "path": shown}
    sub = report.submission
    spec = sub.spec
    totals = {k: v for k, v in computed.items() if spec is not None and k not in spec.input_ids}
    return (
        report.status,
        sub.unit_code,
        json.dumps(as_dict, ensure_ascii=False, default=str),
        *submission_json(sub, totals),
    )


def check_pending(ws: Workspace, season: Season) -> int:
    """Check every file of the season not checked yet, or whose verdict is stale, in one run; return how
    many. One run at a time in a workspace: a caller that waits for it finds its files checked."""
    with ws.check_lock:
        context = ws.context(season)
        with ws.db.read() as con:
            todo = con.execute(
                f"SELECT {_COLUMNS} FROM receipts WHERE season_id = ? AND context NOT IN (?, ?) ORDER BY id",
                (season.id, context, AT_INTAKE),
            ).fetchall()
        if not todo:
            return 0
        jobs = None if len(todo) >= PARALLEL_FROM else 1
        checked = _check(ws, season, todo, jobs=jobs)
        with ws.db.write() as con:
            for row, one in zip(todo, checked, strict=True):
                con.execute(
                    "UPDATE receipts SET context = ?, status = ?, unit_code = ?, report = ?, record = ?, cells = ? "
                    "WHERE id = ?",
                    (context, *_verdict(one, _receipt(row).shown), row["id"]),
                )
        return len(todo)


def pending_seasons(ws: Workspace) -> list[Season]:
    """The seasons with files not checked yet (after a restart: those received before it)."""
    with ws.db.read() as con:
        ids = [r[0] for r in con.execute("SELECT DISTINCT season_id FROM receipts WHERE context = ''")]
    return [ws.season(i) for i in ids]


# A receipt's columns: not its record (the file's values and issues, read where they are needed), which
# would make listing a season of thousands of files read every file's values.
_COLUMNS = "id, key, sha256, name, archive, member, received_at, status, unit_code, report AS report_json"


def receipts(ws: Workspace, season: Season) -> list[Receipt]:
    with ws.db.read() as con:
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM receipts WHERE season_id = ? ORDER BY id", (season.id,)
        ).fetchall()
    return [_receipt(r) for r in rows]


def receipt(ws: Workspace, season: Season, receipt_id: int) -> Receipt:
    with ws.db.read() as con:
        row = con.execute(
            f"SELECT {_COLUMNS} FROM receipts WHERE season_id = ? AND id = ?", (season.id, receipt_id)
        ).fetchone()
    if row is None:
        raise KeyError(receipt_id)
    return _receipt(row)


def submission_of(ws: Workspace, season: Season, r: Receipt) -> Submission | None:
    """The checked file as the check left it (its values, its issues); None while it is not checked yet."""
    with ws.db.read() as con:
        row = con.execute(
            "SELECT record, cells FROM receipts WHERE season_id = ? AND id = ? AND status != ?",
            (season.id, r.id, PENDING),
        ).fetchone()
    return submission_from_json(row["record"], row["cells"])[0] if row is not None and row["record"] else None


def receipt_by_key(ws: Workspace, season: Season, key: str) -> Receipt | None:
    with ws.db.read() as con:
        row = con.execute(
            f"SELECT {_COLUMNS} FROM receipts WHERE season_id = ? AND key = ?", (season.id, key)
        ).fetchone()
    return _receipt(row) if row is not None else None


def _receipt(row: sqlite3.Row) -> Receipt:
    return from_row(Receipt, row)
