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

A zip archive that is not itself a workbook is opened and each workbook inside received as a file of its own
(named “archive.zip/inner.xlsx”), within the reading limits: the members' declared sizes are checked before
anything is inflated, and inflating stops at the declared size.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from tianbao.reading.container import MAX_MEMBERS, human_size
from tianbao.validation import check_files
from tianbao.validation.report import FileReport
from tianbao.web.records import submission_json
from tianbao.web.workspace import Season, Workspace, now, unique_name

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
PARALLEL_FROM = 16  # files in a run from which they are read in processes (fewer: a pool costs more)
PENDING = "pending"


@dataclass(frozen=True)
class Receipt:
    id: int
    sha256: str
    name: str
    archive: str | None
    received_at: str
    status: str
    unit_code: str | None
    report: dict[str, Any]  # check --json's entry for the file
    again: bool = False  # these bytes had been received before: nothing new was recorded

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "archive": self.archive,
            "sha256": self.sha256,
            "received_at": self.received_at,
            "status": self.status,
            "unit_code": self.unit_code,
            "already_received": self.again,
            "report": self.report,
        }


class ArchiveError(ValueError):
    """An archive that cannot be opened safely; the message is Chinese."""


def receive(ws: Workspace, season: Season, name: str, fh: BinaryIO) -> list[Receipt]:
    """Keep one uploaded file (or each workbook of an uploaded zip archive) and record it as received; the
    check follows (`check_pending`)."""
    sha = ws.store.put_file(fh)
    with ws.db.write() as con:
        ws.keep(con, sha)
    path = ws.store.path(sha)
    with open(path, "rb") as stored:
        head = stored.read(4)
    if _is_archive(name, head, path):
        return [receive_bytes(ws, season, inner, data, archive=name) for inner, data in _members(ws, sha)]
    return [_record(ws, season, sha, name, None)]


def receive_bytes(
    ws: Workspace, season: Season, name: str, data: bytes, archive: str | None = None
) -> Receipt:
    return _record(ws, season, ws.put(data), name, archive)


def _record(ws: Workspace, season: Season, sha: str, name: str, archive: str | None) -> Receipt:
    with ws.db.write() as con:
        cur = con.execute(
            "INSERT OR IGNORE INTO receipts (season_id, sha256, name, archive, received_at, context, status) "
            "VALUES (?, ?, ?, ?, ?, '', ?)",
            (season.id, sha, name, archive, now(), PENDING),
        )
        new = cur.rowcount == 1
    received = receipt_by_sha(ws, season, sha)
    assert received is not None
    return received if new else _again(received)


def _again(r: Receipt) -> Receipt:
    return Receipt(r.id, r.sha256, r.name, r.archive, r.received_at, r.status, r.unit_code, r.report, True)


Checked = tuple[FileReport, dict[str, float]]  # a file's report and its values (totals recomputed)


def _check(
    ws: Workspace, season: Season, files: Sequence[tuple[str, str]], jobs: int | None = 1
) -> list[Checked]:
    """Check stored files (sha, name received) as `tianbao check` checks a folder of them: each is laid out
    under its name made safe (the reader looks at the extension), in a folder of its own."""
    folder = ws.scratch()
    try:
        paths = []
        taken: set[str] = set()
        for sha, name in files:
            target = folder / unique_name(name.rsplit("/", 1)[-1], taken)
            taken.add(target.name)
            ws.store.link_into(sha, target)
            paths.append(target)
        run = check_files(paths, ws.options(season, jobs=jobs))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    row = {id(s): i for i, s in enumerate(run.validated.submissions)}
    by_path = {}
    for f in run.report.files:
        i = row.get(id(f.submission))
        by_path[f.path] = (f, run.validated.values(i) if i is not None else {})
    out = []
    for (sha, _), path in zip(files, paths, strict=True):
        report, values = by_path[str(path)]
        report.submission.path = sha  # the record's key: the file in the store
        out.append((report, values))
    return out


def _verdict(checked: Checked, name: str) -> tuple[str, str | None, str, str]:
    """status, unit code, the check's dict (its path: the name received) and the record, for the row."""
    report, computed = checked
    as_dict = {**report.to_dict(), "path": name}
    sub = report.submission
    spec = sub.spec
    totals = {k: v for k, v in computed.items() if spec is not None and k not in spec.input_ids}
    return (
        report.status,
        sub.unit_code,
        json.dumps(as_dict, ensure_ascii=False, default=str),
        submission_json(sub, totals),
    )


def check_pending(ws: Workspace, season: Season) -> int:
    """Check every file of the season not checked yet, or whose verdict is stale, in one run; return how
    many. One run at a time in a workspace: a caller that waits for it finds its files checked."""
    with ws.check_lock:
        context = ws.context(season)
        with ws.db.read() as con:
            todo = con.execute(
                "SELECT sha256, name FROM receipts WHERE season_id = ? AND context != ? ORDER BY id",
                (season.id, context),
            ).fetchall()
        if not todo:
            return 0
        jobs = None if len(todo) >= PARALLEL_FROM else 1
        checked = _check(ws, season, [(r["sha256"], r["name"]) for r in todo], jobs=jobs)
        with ws.db.write() as con:
            for row, one in zip(todo, checked, strict=True):
                con.execute(
                    "UPDATE receipts SET context = ?, status = ?, unit_code = ?, report = ?, record = ? "
                    "WHERE season_id = ? AND sha256 = ?",
                    (context, *_verdict(one, row["name"]), season.id, row["sha256"]),
                )
        return len(todo)


def pending_seasons(ws: Workspace) -> list[Season]:
    """The seasons with files not checked yet (after a restart: those received before it)."""
    with ws.db.read() as con:
        ids = [r[0] for r in con.execute("SELECT DISTINCT season_id FROM receipts WHERE context = ''")]
    return [ws.season(i) for i in ids]


def receipts(ws: Workspace, season: Season) -> list[Receipt]:
    with ws.db.read() as con:
        rows = con.execute("SELECT * FROM receipts WHERE season_id = ? ORDER BY id", (season.id,)).fetchall()
    return [_receipt(r) for r in rows]


def receipt(ws: Workspace, season: Season, receipt_id: int) -> Receipt:
    with ws.db.read() as con:
        row = con.execute(
            "SELECT * FROM receipts WHERE season_id = ? AND id = ?", (season.id, receipt_id)
        ).fetchone()
    if row is None:
        raise KeyError(receipt_id)
    return _receipt(row)


def receipt_by_sha(ws: Workspace, season: Season, sha: str) -> Receipt | None:
    with ws.db.read() as con:
        row = con.execute(
            "SELECT * FROM receipts WHERE season_id = ? AND sha256 = ?", (season.id, sha)
        ).fetchone()
    return _receipt(row) if row is not None else None


def _receipt(row: sqlite3.Row) -> Receipt:
    return Receipt(
        row["id"],
        row["sha256"],
        row["name"],
        row["archive"],
        row["received_at"],
        row["status"],
        row["unit_code"],
        json.loads(row["report"]) if row["report"] else {},
    )


# Archives ------------------------------------------------------------------------------------------------


def _is_archive(name: str, head: bytes, path: object) -> bool:
    """A zip that is not an Office package (a workbook is a zip too): it has no [Content_Types].xml."""
    if not head.startswith(b"PK\x03\x04") and not name.lower().endswith(".zip"):
        return False
    try:
        with zipfile.ZipFile(path) as zf:  # type: ignore[arg-type]
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" not in names


def _members(ws: Workspace, sha: str) -> list[tuple[str, bytes]]:
    """The workbooks of a zip archive, by their names inside it, within the reading limits."""
    limits = ws.limits
    with zipfile.ZipFile(io.BytesIO(ws.store.read(sha))) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(f"压缩包中有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}")
        wanted = [i for i in infos if i.filename.lower().endswith(WORKBOOK_SUFFIXES)]
        total = sum(i.file_size for i in wanted)
        if total > limits.max_uncompressed * max(1, len(wanted)):
            raise ArchiveError(f"压缩包解压后 {human_size(total)}，超过上限")
        out = []
        for info in wanted:
            inner = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if inner.startswith(("~$", ".")):
                continue  # Office lock files and hidden files are not reports
            if info.file_size > limits.max_file_size:  # kept cut short: the reader refuses it as too large
                out.append((inner, _oversized(zf, info, limits.max_file_size)))
                continue
            try:
                out.append((inner, zf.read(info)))
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                out.append((inner, b"PK\x03\x04"))  # a truncated member: the reader says corrupt-workbook
        return out


def _oversized(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The first `limit` + 1 bytes of a member over the size limit: the reader refuses it as too large."""
    with zf.open(info) as fh:
        return fh.read(limit + 1)
