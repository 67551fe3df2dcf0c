"""The run store: an SQLite file under the output folder, one row per paper x prompt fingerprint x model.

It makes a re-run free (an unchanged paper with an unchanged prompt costs no call), a crash
resumable (each brief is committed the moment it is paid for) and a prompt's history a query.
Migrations are an append-only list of named functions; applied names are kept in a table.

A store that cannot be used (damaged, on a full disk, in a read-only folder) raises StoreError:
one line naming the file and the cause. A row that cannot be read back (its brief not valid JSON,
or not a valid Brief) is treated as absent, with one warning, so that paper is briefed again. The
output folder is held by one run at a time (folder_lock.py), so two runs never pay for the same paper twice.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import sqlite3
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from ..extract.text import valid_unicode
from ..models import BatchRequest, BatchState, Brief

log = logging.getLogger("paperbrief.store")

STORE_NAME = "runs.sqlite"
class StoredRun(NamedTuple):
    """One brief as the store keeps it, without its text: when, which paper, prompt and model, and its tokens."""

    created_at: str
    file: str
    sha256: str
    prompt_id: str | None
    prompt_version: str | None
    fingerprint: str
    model: str
    ok: int
    prompt_tokens: int | None
    completion_tokens: int | None


class StoreError(Exception):
    """The run store or the output folder cannot be used; the message names the file and the cause."""


def _cause(exc: sqlite3.Error, path: Path) -> str:
    text = str(exc)
    if "full" in text or "I/O" in text and _nearly_full(path.parent):  # a full disk may surface as an I/O error
        return "disk full (the run store cannot be written)"
    if "readonly" in text or "read-only" in text:
        return "read-only (the run store cannot be written)"
    if "malformed" in text or "not a database" in text or isinstance(exc, sqlite3.DatabaseError) and "corrupt" in text:
        return f"damaged run store ({text}); move it aside to start a new one"
    if "unable to open" in text:
        return "cannot open the run store (is the folder writable?)"
    return f"run store error ({text})"


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < (1 << 20)
    except OSError:
        return False


def _guarded(method):
    """An SQLite error in a store method becomes one StoreError line naming the file."""
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {_cause(exc, self.path)}") from None
    return call


def _m001_runs(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL, fingerprint TEXT NOT NULL, model TEXT NOT NULL,
            file TEXT NOT NULL, prompt_id TEXT, prompt_version TEXT,
            ok INTEGER NOT NULL, brief_json TEXT NOT NULL, raw_response TEXT,
            prompt_tokens INTEGER, completion_tokens INTEGER, latency_s REAL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX runs_key ON runs (sha256, fingerprint, model)")


def _m002_batches(db: sqlite3.Connection) -> None:
    """Provider batches of this output folder, and each request line sent in one."""
    db.execute(
        """CREATE TABLE batches (
            id TEXT PRIMARY KEY, input_file_id TEXT NOT NULL, status TEXT NOT NULL,
            requests INTEGER NOT NULL, created_at TEXT NOT NULL, state_json TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE batch_requests (
            custom_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL, sha256 TEXT NOT NULL, file TEXT NOT NULL,
            fingerprint TEXT NOT NULL, model TEXT NOT NULL, attempt INTEGER NOT NULL, round INTEGER NOT NULL,
            state TEXT NOT NULL, first_answer TEXT, detail TEXT
        )"""
    )
    db.execute("CREATE INDEX batch_requests_paper ON batch_requests (sha256, fingerprint, model)")


def _m003_metadata(db: sqlite3.Connection) -> None:
    """Answers of the retired metadata pass (the brief call reads the header now); kept so migrations stay
    append-only, and dropped by 005."""
    db.execute(
        """CREATE TABLE metadata_answers (
            sha256 TEXT NOT NULL, fingerprint TEXT NOT NULL, model TEXT NOT NULL, answer TEXT NOT NULL,
            prompt_tokens INTEGER, completion_tokens INTEGER, created_at TEXT NOT NULL,
            PRIMARY KEY (sha256, fingerprint, model)
        )"""
    )


def _m004_batch_intents(db: sqlite3.Connection) -> None:
    """A batch is created once: its intent (a client-side key, sent as the batch's metadata, and the
    input file) is stored before the create call, so a create whose answer never came is looked up
    by key instead of made again. A batch is read once: `collected` says its files were read (a
    batch finished in its create answer was never read before; those with pending lines still are)."""
    db.execute(
        """CREATE TABLE batch_intents (
            key TEXT PRIMARY KEY, input_file_id TEXT NOT NULL, requests INTEGER NOT NULL,
            created_at TEXT NOT NULL, batch_id TEXT
        )"""
    )
    db.execute("ALTER TABLE batches ADD COLUMN collected INTEGER NOT NULL DEFAULT 0")
    db.execute(f"UPDATE batches SET collected=1 WHERE status IN {_FINISHED} AND id NOT IN "
               "(SELECT batch_id FROM batch_requests WHERE state='pending')")


def _m005_drop_metadata(db: sqlite3.Connection) -> None:
    """The retired metadata pass's table (003) goes: nothing reads it, and a store keeps no dead table."""
    db.execute("DROP TABLE IF EXISTS metadata_answers")


_FINISHED = "('completed','failed','expired','cancelled')"
MIGRATIONS = [("001_runs", _m001_runs), ("002_batches", _m002_batches), ("003_metadata", _m003_metadata),
              ("004_batch_intents", _m004_batch_intents), ("005_drop_metadata", _m005_drop_metadata)]


class RunStore:
    def __init__(self, path: Path, readonly: bool = False):
        """`readonly`: only look (status, the --dry-runs), which works in a folder that cannot be written."""
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.readonly = readonly
        self.db = None
        self.damaged: set[int] = set()  # rows found unreadable (each warned about once)
        if readonly:
            self._open_readonly()
        else:
            self._open()

    @classmethod
    def for_looking(cls, path: Path) -> "RunStore":
        """The store opened to write when its folder allows it, else read-only (status in a read-only folder)."""
        writable = os.access(path.parent, os.W_OK) and os.access(path, os.W_OK) and not _read_only_mount(path)
        return cls(path, readonly=not writable)

    @_guarded
    def _open_readonly(self) -> None:
        """Read-only; a WAL store in a folder that cannot be written opens only as immutable (SQLite
        cannot make the -shm file there), which is safe for looking: no run can be writing it. A store
        that does not exist yet looks empty."""
        if not self.path.exists():
            self.db = sqlite3.connect(":memory:", isolation_level=None)
            self._migrate()
            return
        target = "file:" + urllib.parse.quote(str(self.path.absolute()))
        try:
            self.db = sqlite3.connect(f"{target}?mode=ro", uri=True, isolation_level=None)
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            self.close()
            self.db = sqlite3.connect(f"{target}?mode=ro&immutable=1", uri=True, isolation_level=None)
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()

    @_guarded
    def _open(self) -> None:
        """Connect, check every page (a damaged store is refused before the run writes anything), migrate."""
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.text_factory = _text  # a row damaged into bytes that are not UTF-8 reads as a damaged brief, not an error
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process; one fsync per checkpoint
        problems = [row[0] for row in self.db.execute("PRAGMA quick_check(1)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"malformed: {problems[0] if problems else 'no answer'}")
        self._migrate()

    def _migrate(self) -> None:
        """Each migration in a transaction of its own, with its name: one that fails leaves nothing behind."""
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        for name, migrate in MIGRATIONS:
            with self._transaction():
                if self.db.execute("SELECT 1 FROM migrations WHERE name=?", (name,)).fetchone() is None:
                    migrate(self.db)
                    self.db.execute("INSERT INTO migrations VALUES (?, ?)", (name, _now()))

    @contextlib.contextmanager
    def _transaction(self):
        """An explicit transaction (the connection autocommits otherwise): all of it, or none of it."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @_guarded
    def lookup(self, sha256: str, fingerprint: str, model: str) -> Brief | None:
        """The latest valid brief for this paper, prompt and model, if one was paid for."""
        brief = self._latest(sha256, fingerprint, model, "AND ok=1")
        return brief.model_copy(update={"cached": True}) if brief else None

    @_guarded
    def latest(self, sha256: str, fingerprint: str, model: str) -> Brief | None:
        """The latest brief for this paper, prompt and model, passed or failed."""
        return self._latest(sha256, fingerprint, model, "")

    def _latest(self, sha256: str, fingerprint: str, model: str, only: str) -> Brief | None:
        """The newest row that reads back as a Brief; a damaged row is passed over as if absent."""
        rows = self.db.execute(
            f"SELECT id, brief_json FROM runs WHERE sha256=? AND fingerprint=? AND model=? {only} ORDER BY id DESC",
            (sha256, fingerprint, model),
        )
        for row_id, brief_json in rows:
            brief = self._brief(row_id, brief_json)
            if brief is not None:
                return brief
        return None

    def _brief(self, row_id: int, brief_json: object) -> Brief | None:
        """A stored brief, or None (and one warning naming the file and the row) when the row is damaged."""
        try:
            return Brief.model_validate_json(brief_json if isinstance(brief_json, (str, bytes)) else "")
        except (ValidationError, ValueError):
            if row_id in self.damaged:
                return None
            self.damaged.add(row_id)
            log.warning("%s: row %s of the run store holds no readable brief; that paper is briefed again",
                        self.path, row_id)
            return None

    @_guarded
    def save(self, sha256: str, file: str, brief: Brief) -> None:
        self.db.execute(
            "INSERT INTO runs (sha256, fingerprint, model, file, prompt_id, prompt_version, ok, brief_json,"
            " raw_response, prompt_tokens, completion_tokens, latency_s, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sha256, brief.fingerprint, brief.model, valid_unicode(file), brief.prompt_id, brief.prompt_version, int(brief.ok),
             brief.model_dump_json(), brief.raw_response, brief.usage.prompt_tokens, brief.usage.completion_tokens,
             brief.latency_s, _now()),
        )

    # -- provider batches ------------------------------------------------------------------

    @_guarded
    def add_intent(self, key: str, input_file_id: str, requests: list[BatchRequest]) -> None:
        """A batch about to be created, before the create call, and its request lines (filed under the
        key until the batch is known), in one transaction: a restart sees both or neither."""
        with self._transaction():
            self.db.execute("INSERT INTO batch_intents VALUES (?,?,?,?,NULL)", (key, input_file_id, len(requests), _now()))
            self.db.executemany(
                "INSERT OR REPLACE INTO batch_requests VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(r.custom_id, key, r.sha256, r.file, r.fingerprint, r.model, r.attempt, r.round, "pending",
                  r.first_answer, "") for r in requests])

    @_guarded
    def open_intents(self) -> list[tuple[str, str, int]]:
        """(key, input file id, request lines) of every batch whose create call was made but never confirmed."""
        return list(self.db.execute(
            "SELECT key, input_file_id, requests FROM batch_intents WHERE batch_id IS NULL ORDER BY created_at"))

    @_guarded
    def add_batch(self, state: BatchState, key: str) -> None:
        """The batch created for intent `key`: stored, its lines moved under its id, the intent closed."""
        with self._transaction():
            input_file_id, requests = self.db.execute(
                "SELECT input_file_id, requests FROM batch_intents WHERE key=?", (key,)).fetchone()
            self.db.execute("INSERT OR REPLACE INTO batches (id, input_file_id, status, requests, created_at, state_json)"
                            " VALUES (?,?,?,?,?,?)",
                            (state.id, input_file_id, state.status, requests, _now(), state.model_dump_json()))
            self.db.execute("UPDATE batch_requests SET batch_id=? WHERE batch_id=?", (state.id, key))
            self.db.execute("UPDATE batch_intents SET batch_id=? WHERE key=?", (state.id, key))

    @_guarded
    def update_batch(self, state: BatchState, collected: bool = False) -> None:
        """The batch's last state; `collected` once its files have been read (then it is waited for no more)."""
        self.db.execute("UPDATE batches SET status=?, state_json=?, collected=max(collected, ?) WHERE id=?",
                        (state.status, state.model_dump_json(), int(collected), state.id))

    @_guarded
    def batches(self, live_only: bool = False) -> list[BatchState]:
        """Every batch, or with `live_only` those not yet read (running, or finished but unread)."""
        query = "SELECT state_json FROM batches" + (" WHERE collected=0" if live_only else "") + " ORDER BY created_at, id"
        return [BatchState.model_validate_json(row[0]) for row in self.db.execute(query)]

    @_guarded
    def batch_requests(self, batch_id: str | None = None, state: str | None = None) -> list[BatchRequest]:
        query, args = "SELECT * FROM batch_requests WHERE 1=1", []
        if batch_id is not None:
            query, args = query + " AND batch_id=?", [*args, batch_id]
        if state is not None:
            query, args = query + " AND state=?", [*args, state]
        return [_request(row) for row in self.db.execute(query, args)]

    @_guarded
    def settle_request(self, custom_id: str, state: str, detail: str = "") -> None:
        """A request line's outcome: 'done' (a brief is stored), 'retried' (sent again) or 'failed'."""
        self.db.execute("UPDATE batch_requests SET state=?, detail=? WHERE custom_id=?", (state, detail, custom_id))

    @_guarded
    def history(self, sha256: str) -> list[Brief]:
        rows = self.db.execute("SELECT id, brief_json FROM runs WHERE sha256=? ORDER BY id", (sha256,)).fetchall()
        return [brief for brief in (self._brief(row_id, brief_json) for row_id, brief_json in rows) if brief is not None]

    @_guarded
    def log(self, limit: int | None = None) -> list[StoredRun]:
        """What the store holds, newest first: one row per brief paid for (`paperbrief log`)."""
        query = ("SELECT created_at, file, sha256, prompt_id, prompt_version, fingerprint, model, ok, prompt_tokens,"
                 " completion_tokens FROM runs ORDER BY id DESC" + (" LIMIT ?" if limit else ""))
        return [StoredRun(*row) for row in self.db.execute(query, (limit,) if limit else ())]

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()


def _text(value: bytes) -> str:
    """SQLite TEXT as str: bytes that are not UTF-8 (a damaged row) become U+FFFD instead of an error."""
    return value.decode("utf-8", "replace")


def _read_only_mount(path: Path) -> bool:
    """Whether the folder is on a read-only mount (root passes os.access checks even there)."""
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _request(row: tuple) -> BatchRequest:
    (custom_id, batch_id, sha256, file, fingerprint, model, attempt, round_, state, first_answer, detail) = row
    return BatchRequest(custom_id=custom_id, batch_id=batch_id, sha256=sha256, file=file, fingerprint=fingerprint,
                        model=model, attempt=attempt, round=round_, state=state, first_answer=first_answer or "",
                        detail=detail or "")
