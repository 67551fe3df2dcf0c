"""The run store: an SQLite file under the output folder, one row per paper x prompt fingerprint x model.

It makes a re-run free (an unchanged paper with an unchanged prompt costs no call), a crash
resumable (each brief is committed the moment it is paid for) and a prompt's history a query.
Migrations are an append-only list of named functions; applied names are kept in a table.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from .models import BatchRequest, BatchState, Brief, Usage

STORE_NAME = "runs.sqlite"


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
    """Answers of the grounded metadata pass, so a paper's pass is paid for once."""
    db.execute(
        """CREATE TABLE metadata_answers (
            sha256 TEXT NOT NULL, fingerprint TEXT NOT NULL, model TEXT NOT NULL, answer TEXT NOT NULL,
            prompt_tokens INTEGER, completion_tokens INTEGER, created_at TEXT NOT NULL,
            PRIMARY KEY (sha256, fingerprint, model)
        )"""
    )


MIGRATIONS = [("001_runs", _m001_runs), ("002_batches", _m002_batches), ("003_metadata", _m003_metadata)]


class RunStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process; one fsync per checkpoint
        self._migrate()

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
        for name, migrate in MIGRATIONS:
            if name not in done:
                with self.db:
                    migrate(self.db)
                    self.db.execute("INSERT INTO migrations VALUES (?, ?)", (name, _now()))

    def lookup(self, sha256: str, fingerprint: str, model: str) -> Brief | None:
        """The latest valid brief for this paper, prompt and model, if one was paid for."""
        row = self.db.execute(
            "SELECT brief_json FROM runs WHERE sha256=? AND fingerprint=? AND model=? AND ok=1 ORDER BY id DESC LIMIT 1",
            (sha256, fingerprint, model),
        ).fetchone()
        return Brief.model_validate_json(row[0]).model_copy(update={"cached": True}) if row else None

    def latest(self, sha256: str, fingerprint: str, model: str) -> Brief | None:
        """The latest brief for this paper, prompt and model, passed or failed."""
        row = self.db.execute(
            "SELECT brief_json FROM runs WHERE sha256=? AND fingerprint=? AND model=? ORDER BY id DESC LIMIT 1",
            (sha256, fingerprint, model),
        ).fetchone()
        return Brief.model_validate_json(row[0]) if row else None

    def save(self, sha256: str, file: str, brief: Brief) -> None:
        self.db.execute(
            "INSERT INTO runs (sha256, fingerprint, model, file, prompt_id, prompt_version, ok, brief_json,"
            " raw_response, prompt_tokens, completion_tokens, latency_s, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sha256, brief.fingerprint, brief.model, file, brief.prompt_id, brief.prompt_version, int(brief.ok),
             brief.model_dump_json(), brief.raw_response, brief.usage.prompt_tokens, brief.usage.completion_tokens,
             brief.latency_s, _now()),
        )

    # -- the metadata pass -----------------------------------------------------------------

    def metadata_answer(self, sha256: str, fingerprint: str, model: str) -> str | None:
        row = self.db.execute("SELECT answer FROM metadata_answers WHERE sha256=? AND fingerprint=? AND model=?",
                              (sha256, fingerprint, model)).fetchone()
        return row[0] if row else None

    def save_metadata_answer(self, sha256: str, fingerprint: str, model: str, answer: str, usage: Usage) -> None:
        self.db.execute("INSERT OR REPLACE INTO metadata_answers VALUES (?,?,?,?,?,?,?)",
                        (sha256, fingerprint, model, answer, usage.prompt_tokens, usage.completion_tokens, _now()))

    # -- provider batches ------------------------------------------------------------------

    def add_batch(self, state: BatchState, input_file_id: str, requests: list[BatchRequest]) -> None:
        """A submitted batch and its request lines, in one transaction: a restart sees both or neither."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO batches VALUES (?,?,?,?,?,?)",
                            (state.id, input_file_id, state.status, len(requests), _now(), state.model_dump_json()))
            self.db.executemany(
                "INSERT OR REPLACE INTO batch_requests VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(r.custom_id, state.id, r.sha256, r.file, r.fingerprint, r.model, r.attempt, r.round, "pending",
                  r.first_answer, "") for r in requests])

    def update_batch(self, state: BatchState) -> None:
        self.db.execute("UPDATE batches SET status=?, state_json=? WHERE id=?", (state.status, state.model_dump_json(), state.id))

    def batches(self, live_only: bool = False) -> list[BatchState]:
        query = "SELECT state_json FROM batches" + (" WHERE status NOT IN ('completed','failed','expired','cancelled')"
                                                    if live_only else "") + " ORDER BY created_at, id"
        return [BatchState.model_validate_json(row[0]) for row in self.db.execute(query)]

    def batch_requests(self, batch_id: str | None = None, state: str | None = None) -> list[BatchRequest]:
        query, args = "SELECT * FROM batch_requests WHERE 1=1", []
        if batch_id is not None:
            query, args = query + " AND batch_id=?", [*args, batch_id]
        if state is not None:
            query, args = query + " AND state=?", [*args, state]
        return [_request(row) for row in self.db.execute(query, args)]

    def settle_request(self, custom_id: str, state: str, detail: str = "") -> None:
        """A request line's outcome: 'done' (a brief is stored), 'retried' (sent again) or 'failed'."""
        self.db.execute("UPDATE batch_requests SET state=?, detail=? WHERE custom_id=?", (state, detail, custom_id))

    def history(self, sha256: str) -> list[Brief]:
        rows = self.db.execute("SELECT brief_json FROM runs WHERE sha256=? ORDER BY id", (sha256,)).fetchall()
        return [Brief.model_validate_json(r[0]) for r in rows]

    def close(self) -> None:
        self.db.close()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _request(row: tuple) -> BatchRequest:
    (custom_id, batch_id, sha256, file, fingerprint, model, attempt, round_, state, first_answer, detail) = row
    return BatchRequest(custom_id=custom_id, batch_id=batch_id, sha256=sha256, file=file, fingerprint=fingerprint,
                        model=model, attempt=attempt, round=round_, state=state, first_answer=first_answer or "",
                        detail=detail or "")
