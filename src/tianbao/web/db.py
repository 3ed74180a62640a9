"""The workspace database: stdlib sqlite3 in WAL mode, every commit flushed to disk (synchronous=FULL), a
schema version in `PRAGMA user_version` and the migrations that lead to it, applied in order at opening.

A connection per call (sqlite3 connections are not shared between the server's threads); writes take the
database's write lock at their start (BEGIN IMMEDIATE), so two requests at once queue instead of failing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from tianbao.errors import UsageError

# Each migration takes the schema from version i to i + 1. Never edit one that has shipped: add another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        stored_at TEXT NOT NULL
    );
    CREATE TABLE seasons (
        id INTEGER PRIMARY KEY,
        year INTEGER NOT NULL,
        fmt TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        unit_name TEXT NOT NULL,
        deadline TEXT NOT NULL,
        roster_sha256 TEXT REFERENCES blobs,
        roster_name TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE previous (
        season_id INTEGER NOT NULL REFERENCES seasons,
        sha256 TEXT NOT NULL REFERENCES blobs,
        name TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (season_id, sha256)
    );
    CREATE TABLE receipts (
        id INTEGER PRIMARY KEY,
        season_id INTEGER NOT NULL REFERENCES seasons,
        key TEXT NOT NULL,  -- the sha256 (a member refused at intake: the archive's sha256 ! the member)
        sha256 TEXT NOT NULL REFERENCES blobs,  -- the file (a refused member: its archive)
        name TEXT NOT NULL,
        archive TEXT,  -- the archive it came from, as uploaded
        member TEXT,  -- its path inside that archive
        received_at TEXT NOT NULL,
        context TEXT NOT NULL,  -- what the verdict was reached with ('' while not checked yet)
        status TEXT NOT NULL,  -- accepted | accepted_with_warnings | rejected | pending
        unit_code TEXT,
        report TEXT,  -- check --json's entry for the file
        record TEXT,  -- the checked Submission without its cells' values (tianbao.web.records)
        cells TEXT,  -- its values: inputs, cached results, recomputed totals (read only where shown or compared)
        UNIQUE (season_id, key)
    );
    CREATE INDEX receipts_unit ON receipts (season_id, unit_code);
    CREATE TABLE ignored (
        season_id INTEGER NOT NULL REFERENCES seasons,
        sha256 TEXT NOT NULL REFERENCES blobs,  -- the file uploaded (a member's: its archive)
        path TEXT NOT NULL,  -- as uploaded (a member: archive.zip!folder/file)
        reason TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (season_id, sha256, path)
    );
    CREATE TABLE explanations (
        season_id INTEGER NOT NULL REFERENCES seasons,
        unit_code TEXT NOT NULL,
        code TEXT NOT NULL,
        cell_id TEXT NOT NULL,
        text TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (season_id, unit_code, code, cell_id)
    );
    CREATE TABLE merges (
        id INTEGER PRIMARY KEY,
        season_id INTEGER NOT NULL REFERENCES seasons,
        created_at TEXT NOT NULL,
        workbook_sha256 TEXT NOT NULL REFERENCES blobs,
        csv_sha256 TEXT NOT NULL REFERENCES blobs,
        parquet_sha256 TEXT REFERENCES blobs,
        summary TEXT NOT NULL
    );
    """,
    """
    ALTER TABLE seasons ADD COLUMN text_sha256 TEXT REFERENCES blobs;  -- 本级正文: the county's own text
    ALTER TABLE seasons ADD COLUMN text_name TEXT
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
T = TypeVar("T")


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self.connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
        self.migrate()

    def connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA synchronous=FULL")
        return con

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        con = self.connect()
        try:
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction holding the write lock from its start; committed when the block ends normally."""
        con = self.connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    def version(self) -> int:
        with self.read() as con:
            return int(con.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations the database lacks, each in its own transaction with its version."""
        with self.write() as con:
            current = int(con.execute("PRAGMA user_version").fetchone()[0])
            if current > SCHEMA_VERSION:
                raise UsageError(
                    f"工作区 {self.path.parent} 的数据库版本（{current}）比本程序（{SCHEMA_VERSION}）新",
                    "请升级 tianbao，或用 --workspace 另选一个工作区",
                )
            for version in range(current, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[version]):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {version + 1}")

    def setting(self, key: str) -> str | None:
        with self.read() as con:
            row = con.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_setting(self, con: sqlite3.Connection, key: str, value: str) -> None:
        con.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
            (key, value, value),
        )


def from_row(cls: type[T], row: sqlite3.Row, **given: Any) -> T:
    """A data class from a row whose columns are named as its fields (`given`: fields set otherwise)."""
    names = set(row.keys())
    values = {name: row[name] for name in _field_names(cls) if name in names and name not in given}
    return cls(**values, **given)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A data class's field names, looked up once (a season's thousands of rows are made one by one)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return names


def _statements(script: str) -> list[str]:
    """The statements of a migration (split at semicolons: none may appear in its comments or strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]
