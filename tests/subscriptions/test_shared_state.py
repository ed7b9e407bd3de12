"""The store's conversations and interface languages: what replicas must agree on besides broadcasts.

Every test taking ``store`` or ``settings`` runs twice: on SQLite and on a real PostgreSQL
started by the test run (tests/postgres.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from bot.config import Settings
from bot.conversation import TTL_SECONDS, Conversation, Turn
from bot.subscriptions.migrations import POSTGRES, SQLITE, statements
from bot.subscriptions.sqlite_store import SqliteStore
from bot.subscriptions.store import SCHEMA_VERSION, SubscriptionStore, open_store
from bot.telegram.storage import PRUNE_EVERY_SECONDS, StoredConversations
from tests.clock import ManualClock
from tests.fakes import FakeBotApi
from tests.subscriptions.conftest import BOT_OVERRIDES
from tests.telegram.conftest import bot_settings

NOW = 1_800_000_000.0  # the turns' times: the store compares them with what the caller passes, not its clock


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, fake_api: FakeBotApi) -> Settings:
    overrides: dict[str, object] = dict(BOT_OVERRIDES)
    if request.param == "postgresql":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    return bot_settings(fake_api, tmp_path / "data", **overrides)


def _talk(*turns: tuple[str, float, str]) -> Conversation:
    conversation = Conversation()
    for query, at, passage in turns:
        conversation = conversation.then(Turn(query, "ar", "answer", (passage, "other"), (91.5, 40.0), at))
    return conversation


async def test_a_conversation_is_read_back_whole_until_it_expires(store: SubscriptionStore) -> None:
    """Saved turns come back equal; once the last turn is older than the cut-off the key reads as new."""
    talk = _talk(("الاقتراح الأول", NOW - 30, "proposal-1"), ("والثاني؟", NOW - 10, "proposal-2"))
    await store.save_conversation("chat:7", talk)
    assert await store.conversation("chat:7", fresh_after=NOW - 600) == talk
    assert await store.conversation("chat:7", fresh_after=NOW - 10) == Conversation()  # expired, not yet pruned
    assert await store.conversation("chat:8", fresh_after=NOW - 600) == Conversation()


async def test_the_later_turn_wins_and_an_older_save_is_ignored(store: SubscriptionStore) -> None:
    """Two replicas answering in one conversation at once: the save with the later last turn stays."""
    newer = _talk(("q1", NOW - 5, "proposal-1"), ("q2", NOW - 1, "proposal-2"))
    older = _talk(("q1", NOW - 5, "proposal-1"))
    await store.save_conversation("answer:-100:5", newer)
    await store.save_conversation("answer:-100:5", older)
    assert await store.conversation("answer:-100:5", fresh_after=0) == newer
    await store.save_conversation("answer:-100:5", Conversation())  # empty: forgotten
    assert await store.conversation("answer:-100:5", fresh_after=0) == Conversation()


async def test_pruning_drops_expired_conversations_and_all_but_the_newest(store: SubscriptionStore) -> None:
    for n in range(6):
        await store.save_conversation(f"chat:{n}", _talk((f"q{n}", NOW - 100 * n, "proposal-1")))
    # chat:5 (500 s old) has expired; of the others only the 3 newest are kept.
    assert await store.prune_conversations(expired_before=NOW - 450, keep=3) == 3
    kept = [n for n in range(6) if await store.conversation(f"chat:{n}", fresh_after=0)]
    assert kept == [0, 1, 2]
    assert await store.prune_conversations(expired_before=NOW - 450, keep=3) == 0


async def test_conversations_are_shared_by_connections_and_survive_a_restart(settings: Settings, store: SubscriptionStore) -> None:
    """What one replica (or the process before a restart) saved, another opening the same store reads."""
    talk = _talk(("proposal 1", NOW, "proposal-1"))
    await store.save_conversation("chat:1", talk)
    other = await open_store(settings)
    try:
        assert await other.conversation("chat:1", fresh_after=NOW - 600) == talk
    finally:
        await other.close()


async def test_interface_languages_are_set_changed_and_imported_without_overriding(store: SubscriptionStore) -> None:
    assert await store.interface_language(1) is None
    await store.set_interface_language(1, "ar")
    await store.set_interface_language(1, "en")
    assert await store.interface_language(1) == "en"
    big = 7_000_000_000  # Telegram user ids exceed 32 bits
    assert await store.import_interface_languages({1: "ar", 2: "ar", big: "en"}) == 2
    assert [await store.interface_language(u) for u in (1, 2, big)] == ["en", "ar", "en"]  # the store's own choice stays
    assert await store.import_interface_languages({}) == 0


async def test_a_version_4_database_is_upgraded_with_empty_conversations(tmp_path: Path) -> None:
    """The release before conversations were stored: its subscribers stay, the new tables start empty."""
    path = tmp_path / "v4.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (4)")
        for step in SQLITE[:4]:
            for statement in statements(step):
                db.execute(statement)
        db.execute("INSERT INTO subscribers (chat_id, chat_type, lang, subscribed_at) VALUES (7, 'private', 'ar', 1.0)")
    store = await SqliteStore.open(path)
    try:
        assert await store.schema_version() == SCHEMA_VERSION
        assert await store.get(7) is not None
        assert await store.interface_language(7) is None
        assert await store.conversation("chat:7", fresh_after=0) == Conversation()
    finally:
        await store.close()


def _sqlite_columns(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(r[1] for r in db.execute(f"PRAGMA table_info({t})")) for t in tables}


async def test_both_dialects_build_the_same_tables_and_columns(pg_url: str, tmp_path: Path) -> None:
    """The migrations are one schema written twice: every version gives both stores the same tables."""
    assert len(SQLITE) == len(POSTGRES) == SCHEMA_VERSION
    sqlite_store = await SqliteStore.open(tmp_path / "s.sqlite3")
    await sqlite_store.close()
    pg_store = await open_store(Settings(data_dir=tmp_path, database_url=pg_url))  # type: ignore[arg-type]
    await pg_store.close()
    conn = await asyncpg.connect(pg_url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    pg_columns: dict[str, list[str]] = {}
    for row in rows:
        pg_columns.setdefault(row["table_name"], []).append(row["column_name"])
    assert {t: sorted(c) for t, c in pg_columns.items()} == _sqlite_columns(tmp_path / "s.sqlite3")


async def test_the_bots_conversations_expire_on_its_clock_and_are_pruned_once_a_minute(store: SubscriptionStore) -> None:
    clock = ManualClock(NOW)
    conversations = StoredConversations(store, clock=clock, max_conversations=2)
    for key in ("a", "b", "c"):
        await conversations.put(key, _talk((key, conversations.now(), "proposal-1")))
        clock.now += 1
    assert [bool(await conversations.get(k)) for k in "abc"] == [True, True, True]  # no prune within the minute
    clock.now += PRUNE_EVERY_SECONDS
    await conversations.put("d", _talk(("d", conversations.now(), "proposal-1")))
    assert [bool(await store.conversation(k, fresh_after=0)) for k in "abcd"] == [False, False, True, True]
    clock.now += TTL_SECONDS + 1
    assert not await conversations.get("d")


async def test_a_failing_store_costs_the_context_not_the_answer(settings: Settings) -> None:
    """An unreachable database reads as a new conversation, and a failed save raises nothing."""
    store = await open_store(settings)
    conversations = StoredConversations(store)
    await conversations.put("chat:1", _talk(("q", conversations.now(), "proposal-1")))
    assert await conversations.get("chat:1")
    await store.close()
    assert await conversations.get("chat:1") == Conversation()
    await conversations.put("chat:1", _talk(("q", conversations.now(), "proposal-2")))


async def test_a_conversation_being_saved_is_read_back_before_its_commit(store: SubscriptionStore) -> None:
    """A follow-up handled while its question's save is in flight still follows up (the answer went out first)."""
    conversations = StoredConversations(store)
    talk = _talk(("proposal 1", conversations.now(), "proposal-1"))
    saving = asyncio.create_task(conversations.put("chat:1", talk))
    await asyncio.sleep(0)  # the save has started; its commit is a thread or a round trip away
    assert await conversations.get("chat:1") == talk
    await saving
    assert await store.conversation("chat:1", fresh_after=0) == talk
