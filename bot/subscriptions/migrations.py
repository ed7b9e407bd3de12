"""The versioned schema of the store: one list of steps, the list index + 1 is the version.

Every backend applies the same steps in the same order and records the version it reached in
``schema_version``, so "version 2" means the same tables whatever the database. A step is
written once per dialect only where SQL differs (types, auto-increment); never edit a
released step: append a new one.
"""

from __future__ import annotations

#: The steps in SQLite's dialect.
SQLITE: tuple[str, ...] = (
    # 1: the first release only kept subscribers.
    """
    CREATE TABLE subscribers (
        chat_id INTEGER PRIMARY KEY,
        lang TEXT NOT NULL CHECK (lang IN ('ar', 'en')),
        subscribed_at REAL NOT NULL
    );
    """,
    # 2: chat types (derived from the id for existing rows: -100… supergroups, other negatives
    # groups), broadcasts with a delivery journal, counters and the knowledge hashes.
    """
    ALTER TABLE subscribers ADD COLUMN chat_type TEXT NOT NULL DEFAULT 'private';
    UPDATE subscribers SET chat_type = CASE
        WHEN chat_id <= -1000000000000 THEN 'supergroup'
        WHEN chat_id < 0 THEN 'group'
        ELSE 'private' END;
    CREATE TABLE broadcasts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('digest', 'changes', 'manual')),
        created_at REAL NOT NULL,
        payload TEXT NOT NULL,
        passage_ids TEXT NOT NULL DEFAULT '[]',
        slot TEXT UNIQUE,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
        finished_at REAL
    );
    CREATE INDEX broadcasts_unfinished ON broadcasts (status, id);
    CREATE TABLE deliveries (
        broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'removed', 'skipped')),
        parts_sent INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at REAL,
        error TEXT,
        PRIMARY KEY (broadcast_id, chat_id)
    ) WITHOUT ROWID;
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE knowledge_hashes (
        key TEXT PRIMARY KEY,
        hash TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(SQLITE)


def statements(script: str) -> list[str]:
    """A step split into statements, for drivers that run one statement per call."""
    return [s.strip() for s in script.split(";") if s.strip()]
