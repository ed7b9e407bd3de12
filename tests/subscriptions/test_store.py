"""The subscriptions database: migrations, subscribers, counters, broadcasts, journal, hashes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.config import Settings
from bot.subscriptions.sqlite_store import SqliteStore
from bot.subscriptions.store import SCHEMA_VERSION, Broadcast, SubscriptionStore, open_store

# The schema as the first release wrote it; frozen here so a change to migration 1 is caught.
V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE subscribers (
    chat_id INTEGER PRIMARY KEY,
    lang TEXT NOT NULL CHECK (lang IN ('ar', 'en')),
    subscribed_at REAL NOT NULL
);
INSERT INTO subscribers VALUES (7, 'ar', 1.0), (-555, 'en', 2.0), (-1001234567890, 'ar', 3.0);
"""


async def test_migrates_a_version_1_database_keeping_subscribers(tmp_path: Path) -> None:
    """A database from the first release is upgraded in place; subscribers survive with a derived chat type."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
    store = await SqliteStore.open(path)
    try:
        assert await store.schema_version() == SCHEMA_VERSION
        assert [(s.chat_type, s.lang) for s in [await store.get(7), await store.get(-555), await store.get(-1001234567890)] if s] == [
            ("private", "ar"),
            ("group", "en"),
            ("supergroup", "ar"),
        ]
        assert await store.create_broadcast("manual", {"en": ["hi"]}) is not None
    finally:
        await store.close()


async def test_open_sets_wal_full_sync_and_creates_data_dir(tmp_path: Path) -> None:
    """Opening creates the data directory and uses WAL with synchronous=FULL (2)."""
    store = await SqliteStore.open(tmp_path / "new" / "dir" / "db.sqlite3")
    try:
        assert (await (await store._db.execute("PRAGMA journal_mode")).fetchone())[0] == "wal"
        assert (await (await store._db.execute("PRAGMA synchronous")).fetchone())[0] == 2
    finally:
        await store.close()


async def test_subscribe_is_idempotent_and_updates_language(store: SubscriptionStore) -> None:
    """Subscribing twice keeps one row and the original date; the second call changes the language."""
    assert await store.subscribe(1, "private", "ar") is True
    first = await store.get(1)
    assert await store.subscribe(1, "private", "en") is False
    second = await store.get(1)
    assert first and second and second.lang == "en" and second.subscribed_at == first.subscribed_at
    assert await store.count() == 1


async def test_unsubscribe_reports_whether_the_chat_was_subscribed(store: SubscriptionStore) -> None:
    """Unsubscribe removes the chat at once and says False for a chat that was not subscribed."""
    await store.subscribe(1, "private", "ar")
    assert await store.unsubscribe(1) is True
    assert await store.get(1) is None
    assert await store.unsubscribe(1) is False


async def test_subscriptions_survive_a_restart(settings: Settings, store: SubscriptionStore) -> None:
    """Whatever was committed is there after closing and reopening the database."""
    await store.subscribe(1, "private", "ar")
    await store.subscribe(-2, "group", "en")
    reopened = await open_store(settings)
    try:
        assert await reopened.count() == 2
    finally:
        await reopened.close()


async def test_stats_count_by_language_type_questions_and_removals(store: SubscriptionStore) -> None:
    """Stats are counts only: languages, chat types, answered/unanswered, removals by reason."""
    for chat_id, kind, lang in [(1, "private", "ar"), (2, "private", "en"), (-3, "group", "ar"), (4, "private", "ar")]:
        await store.subscribe(chat_id, kind, lang)  # type: ignore[arg-type]
    for answered in (True, True, False):
        await store.record_question(answered)
    await store.remove_subscriber(4, "blocked")
    await store.remove_subscriber(4, "blocked")  # already gone: not counted twice
    stats = await store.stats()
    assert stats.by_lang == {"ar": 2, "en": 1}
    assert stats.by_chat_type == {"private": 2, "group": 1}
    assert (stats.answered, stats.unanswered, stats.subscribers) == (2, 1, 3)
    assert stats.removed == {"blocked": 1}


async def test_a_slot_creates_at_most_one_broadcast(store: SubscriptionStore) -> None:
    """Two digests for the same schedule slot collapse into one."""
    assert await store.create_broadcast("digest", {"en": ["x"]}, slot="digest:1") is not None
    assert await store.create_broadcast("digest", {"en": ["x"]}, slot="digest:1") is None
    assert len(await store.unfinished_broadcasts()) == 1


async def test_recipients_exclude_later_subscribers_and_finished_chats(store: SubscriptionStore) -> None:
    """A broadcast is owed to chats subscribed before it, minus those with a final journal entry."""
    for chat_id in (1, 2, 3):
        await store.subscribe(chat_id, "private", "en")
    broadcast_id = await store.create_broadcast("manual", {"en": ["a", "b"]})
    await store.subscribe(4, "private", "en")
    broadcast = await store.get_broadcast(broadcast_id or 0)
    assert broadcast is not None
    await store.mark_part_sent(broadcast.id, 1, 2, done=True)
    await store.mark_part_sent(broadcast.id, 2, 1, done=False)
    owed = {s.chat_id: parts for s, parts in await store.pending_recipients(broadcast)}
    assert owed == {2: 1, 3: 0}


async def test_change_digest_and_hashes_commit_together(store: SubscriptionStore) -> None:
    """Creating a broadcast with knowledge hashes stores both; hashes replace the old set."""
    await store.set_knowledge_hashes({"d/a": "1", "d/b": "2"})
    await store.create_broadcast("changes", {"en": ["x"]}, passage_ids=["d/a"], knowledge_hashes={"d/a": "9"})
    assert await store.knowledge_hashes() == {"d/a": "9"}
    [broadcast] = await store.unfinished_broadcasts()
    assert broadcast.passage_ids == ("d/a",)


@pytest.mark.parametrize("lang, expected", [("ar", ("عربي",)), ("en", ("english",)), ("xx", ("عربي",))])
def test_broadcast_parts_fall_back_to_the_first_language(lang: str, expected: tuple[str, ...]) -> None:
    """A subscriber gets their language's parts, or the first language stored when it is missing."""
    b = Broadcast(1, "manual", 0.0, {"ar": ("عربي",), "en": ("english",)}, (), None, "pending")
    assert b.parts(lang) == expected  # type: ignore[arg-type]


async def test_a_cancelled_write_commits_and_leaves_no_transaction_open(store: SubscriptionStore) -> None:
    """Cancelling the task during a write lets that write commit, and the next write still works."""
    task = asyncio.create_task(store.subscribe(1, "private", "en"))
    await asyncio.sleep(0)  # the write is now waiting on BEGIN in aiosqlite's thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.get(1) is not None
    assert await store.subscribe(2, "private", "ar") is True
