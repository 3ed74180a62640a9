"""A workspace: one SQLite database and the store of every file received, in one folder. Seasons (a year's
collection for one consolidating unit), their roster and last year's data, as the command line takes them:
the roster read by `load_roster`, last year's workbooks by `previous_by_unit`, the options of every check a
`CheckOptions`."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tianbao import __version__
from tianbao.errors import UsageError
from tianbao.fileio import safe_filename
from tianbao.intake import ignored_reason
from tianbao.options import CheckOptions
from tianbao.reading.model import Limits
from tianbao.reading.previous import Previous, read_previous
from tianbao.roster import Roster, load_roster, require_bounded
from tianbao.spec import FORMATS, load_spec
from tianbao.web.db import Database, from_row
from tianbao.web.store import Store

DB_NAME = "tianbao.sqlite3"


def default_workspace() -> Path:
    """A folder in the user's documents (Windows: 文档 / Documents under the profile), else in the home."""
    home = Path.home()
    docs = home / "Documents"
    return (docs if docs.is_dir() else home) / "tianbao"


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Season:
    id: int
    year: int
    fmt: str
    unit_code: str
    unit_name: str
    deadline: str  # ISO date: 1月31日 of the following year unless set
    roster_sha256: str | None
    roster_name: str | None
    created_at: str
    text_sha256: str | None = None  # 本级正文: a workbook whose “正文” the county's report takes
    text_name: str | None = None

    @property
    def title(self) -> str:
        return f"{self.unit_name} {self.year} 年度"

    def days_left(self, today: dt.date | None = None) -> int:
        return (dt.date.fromisoformat(self.deadline) - (today or dt.date.today())).days

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "year": self.year,
            "format": self.fmt,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "deadline": self.deadline,
            "days_left": self.days_left(),
            "roster": self.roster_name,
            "text": self.text_name,
            "created_at": self.created_at,
        }


class Workspace:
    def __init__(self, root: str | os.PathLike[str], limits: Limits | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.root / DB_NAME)
        self.store = Store(self.root / "blobs")
        self.work = self.root / "work"
        self.work.mkdir(exist_ok=True)
        _remove_old(self.work)
        self.limits = limits or Limits()
        self._rosters: dict[tuple[str, str], Roster] = {}
        self._previous: dict[tuple[object, ...], Previous] = {}
        self.check_lock = threading.Lock()  # one check run at a time (tianbao.web.intake.check_pending)
        with self.db.write() as con:
            if self._setting(con, "secret") is None:
                self.db.set_setting(con, "secret", secrets.token_urlsafe(32))

    @staticmethod
    def _setting(con: sqlite3.Connection, key: str) -> str | None:
        row = con.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    @property
    def secret(self) -> str:
        """A random secret of this workspace (the forms' CSRF tokens are derived from it)."""
        value = self.db.setting("secret")
        assert value is not None
        return value

    def scratch(self) -> Path:
        """A fresh folder for one task's files (removed by the caller)."""
        return Path(tempfile.mkdtemp(dir=self.work))

    @contextlib.contextmanager
    def laid_out(self, sha256: str, name: str) -> Iterator[Path]:
        """The stored file under its name (made safe) in a fresh folder, for a library call that reads a
        path and names it in its messages; the folder is removed afterwards."""
        folder = self.scratch()
        try:
            target = folder / unique_name(name, set())
            self.store.link_into(sha256, target)
            yield target
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # Files -------------------------------------------------------------------------------------------

    def keep(self, con: sqlite3.Connection, sha256: str) -> None:
        """Record a stored file (after it is on disk: the store writes before the database knows it)."""
        con.execute(
            "INSERT OR IGNORE INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?)",
            (sha256, self.store.path(sha256).stat().st_size, now()),
        )

    def put(self, data: bytes) -> str:
        sha = self.store.put(data)
        with self.db.write() as con:
            self.keep(con, sha)
        return sha

    # Seasons -----------------------------------------------------------------------------------------

    def seasons(self) -> list[Season]:
        with self.db.read() as con:
            rows = con.execute("SELECT * FROM seasons ORDER BY year DESC, id DESC").fetchall()
        return [_season(r) for r in rows]

    def season(self, season_id: int) -> Season:
        with self.db.read() as con:
            row = con.execute("SELECT * FROM seasons WHERE id = ?", (season_id,)).fetchone()
        if row is None:
            raise KeyError(season_id)
        return _season(row)

    def create_season(
        self, year: int, fmt: str, unit_code: str, unit_name: str, deadline: str | None = None
    ) -> Season:
        """A new season. The year and format are checked as the command line checks them; the consolidating
        unit's code and name are required (its name goes into the locked 单位名称 of the workbook)."""
        if fmt not in FORMATS:
            raise UsageError(f"未知的报表格式“{fmt}”", f"可选：{'、'.join(FORMATS)}")
        CheckOptions(year=year, fmt=fmt)
        unit_code, unit_name = unit_code.strip(), unit_name.strip()
        if not unit_code or not unit_name:
            raise UsageError("请填写汇总单位的代码和名称", "如 150723、鄂伦春自治旗")
        require_bounded(
            unit_code, unit_name, whose="汇总单位", code_option="“单位代码”", name_option="“单位名称”"
        )
        due = _deadline(year, deadline)
        with self.db.write() as con:
            cur = con.execute(
                "INSERT INTO seasons (year, fmt, unit_code, unit_name, deadline, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (year, fmt, unit_code, unit_name, due, now()),
            )
            season_id = int(cur.lastrowid or 0)
        return self.season(season_id)

    def set_roster(self, season: Season, data: bytes, name: str) -> Roster:
        """Check the roster as the command line does (the same errors, naming the file as uploaded), then
        keep it for the season. A roster with errors changes nothing."""
        shown = safe_filename(name or "名单.csv")
        sha = self.store.put(data)
        roster = self._load_roster(sha, shown)
        with self.db.write() as con:
            self.keep(con, sha)
            con.execute(
                "UPDATE seasons SET roster_sha256 = ?, roster_name = ? WHERE id = ?", (sha, shown, season.id)
            )
        return roster

    def _load_roster(self, sha: str, name: str) -> Roster:
        key = (sha, name)
        if key not in self._rosters:
            self._rosters[key] = load_roster(self.store.path(sha), name=name)
        return self._rosters[key]

    def roster(self, season: Season) -> Roster | None:
        if season.roster_sha256 is None:
            return None
        return self._load_roster(season.roster_sha256, season.roster_name or "名单.csv")

    # The county's own text (本级正文) ---------------------------------------------------------------

    def set_county_text(self, season: Season, data: bytes, name: str) -> dict[str, str]:
        """Keep a workbook whose “正文” goes into the county's report (as `tianbao report --text` takes
        it: a tianbao template or return of the season's year); refused, with the reason, when it has none."""
        shown = safe_filename(base_name(name or "正文.xlsx"))
        sha = self.store.put(data)
        text = self._county_text(season, sha, shown)
        with self.db.write() as con:
            self.keep(con, sha)
            con.execute(
                "UPDATE seasons SET text_sha256 = ?, text_name = ? WHERE id = ?", (sha, shown, season.id)
            )
        return text

    def remove_county_text(self, season: Season) -> None:
        with self.db.write() as con:
            con.execute("UPDATE seasons SET text_sha256 = NULL, text_name = NULL WHERE id = ?", (season.id,))

    def county_text(self, season: Season) -> dict[str, str] | None:
        """The 本级正文 of the season; None when none was given."""
        if season.text_sha256 is None:
            return None
        return self._county_text(season, season.text_sha256, season.text_name or "正文.xlsx")

    def _county_text(self, season: Season, sha: str, name: str) -> dict[str, str]:
        from tianbao.report.publish import text_of

        with self.laid_out(sha, name) as target:
            return text_of(target, limits=self.limits, year=season.year, name=name)

    # Last year's data --------------------------------------------------------------------------------

    def previous_files(self, season: Season) -> list[sqlite3.Row]:
        with self.db.read() as con:
            return con.execute(
                "SELECT sha256, name, added_at FROM previous WHERE season_id = ? ORDER BY name, sha256",
                (season.id,),
            ).fetchall()

    def add_previous(self, season: Season, data: bytes, name: str) -> Previous:
        """Add last year's workbook (a unit's return or last year's consolidated workbook); refused, with
        the reason, when it cannot be used or is not of the year before."""
        sha = self.store.put(data)
        shown = safe_filename(name or "上年报表.xlsx")
        files = [(r["sha256"], r["name"]) for r in self.previous_files(season) if r["sha256"] != sha]
        previous = self._read_previous(season, [*files, (sha, shown)])
        with self.db.write() as con:
            self.keep(con, sha)
            con.execute(
                "INSERT OR REPLACE INTO previous (season_id, sha256, name, added_at) VALUES (?, ?, ?, ?)",
                (season.id, sha, shown, now()),
            )
        return previous

    def remove_previous(self, season: Season, sha256: str) -> None:
        with self.db.write() as con:
            con.execute("DELETE FROM previous WHERE season_id = ? AND sha256 = ?", (season.id, sha256))

    def previous(self, season: Season) -> Previous | None:
        files = [(r["sha256"], r["name"]) for r in self.previous_files(season)]
        return self._read_previous(season, files) if files else None

    def _read_previous(self, season: Season, files: list[tuple[str, str]]) -> Previous:
        """`read_previous` of the files (as `--previous` reads them), laid out under their names (its
        messages name the files)."""
        key = (season.year, season.fmt, *sorted(f"{sha}:{name}" for sha, name in files))
        if key not in self._previous:
            folder = self.scratch()
            try:
                paths: list[Path] = []
                for sha, name in files:
                    target = folder / unique_name(name, {p.name for p in paths})
                    self.store.link_into(sha, target)
                    paths.append(target)
                try:
                    self._previous[key] = read_previous(
                        paths, load_spec(season.fmt), year=season.year, limits=self.limits
                    )
                except UsageError as exc:
                    prefix = str(folder) + os.sep
                    raise UsageError(exc.message.replace(prefix, ""), exc.hint) from None
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        return self._previous[key]

    # Checking ----------------------------------------------------------------------------------------

    def options(self, season: Season, jobs: int | None = 1) -> CheckOptions:
        """The options of every check of the season (`tianbao check --year --format --roster --previous`)."""
        return CheckOptions(
            year=season.year,
            fmt=season.fmt,
            roster=self.roster(season),
            previous=self.previous(season),
            limits=self.limits,
            jobs=jobs,
        )

    def context(self, season: Season) -> str:
        """What a check's verdict depends on besides the file: a stored verdict with another is re-checked."""
        parts = {
            "tianbao": __version__,
            "spec": load_spec(season.fmt).hash,
            "year": season.year,
            "roster": season.roster_sha256,
            "previous": sorted(r["sha256"] for r in self.previous_files(season)),
            "limits": [self.limits.max_file_size, self.limits.max_uncompressed, self.limits.max_cells],
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


SCRATCH_KEPT = 24 * 3600  # seconds: a task's folder older than this was left by a server that was killed


def _remove_old(folder: Path) -> None:
    """Remove the task folders that a killed server left (never one a task may still be using)."""
    cutoff = time.time() - SCRATCH_KEPT
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)


def base_name(name: str) -> str:
    """The last part of a name as a user or an archive gave it (“C:\\fakepath\\报表.xlsx” → “报表.xlsx”)."""
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def unique_name(name: str, taken: set[str]) -> str:
    """`name` (its last part) made safe as a file name, and never one `tianbao check` would ignore (a name
    made safe can begin with “~$”), with “ (2)”, “ (3)” … before its extension while it is taken."""
    safe = safe_filename(base_name(name))
    if ignored_reason(safe) is not None:
        safe = "_" + safe
    stem, dot, ext = safe.rpartition(".")
    if not dot:
        stem, ext = safe, ""
    candidate, n = safe, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n})" + (f".{ext}" if dot else "")
    return candidate


def _deadline(year: int, given: str | None) -> str:
    if not given:
        return dt.date(year + 1, 1, 31).isoformat()
    try:
        return dt.date.fromisoformat(given.strip()).isoformat()
    except ValueError:
        raise UsageError(f"截止日期“{given}”无法识别", "请写作 2026-01-31") from None


def _season(row: sqlite3.Row) -> Season:
    return from_row(Season, row)
