"""The store: migrations, subscribers, counters, broadcasts, journal, hashes, claims.

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
from bot.subscriptions.sqlite_store import SqliteStore
from bot.subscriptions.store import (
    SCHEMA_VERSION,
    Broadcast,
    DigestCursor,
    StoreError,
    SubscriptionStore,
    inspect_store,
    open_store,
)
from tests.fakes import FakeBotApi
from tests.subscriptions.conftest import BOT_OVERRIDES
from tests.telegram.conftest import bot_settings


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, fake_api: FakeBotApi) -> Settings:
    """Settings for each store: SQLite in the data dir, or a fresh PostgreSQL database."""
    overrides: dict[str, object] = dict(BOT_OVERRIDES)
    if request.param == "postgresql":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    return bot_settings(fake_api, tmp_path / "data", **overrides)


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
    assert stats.missed == {}
    for passage_id in ("aims", "aims", "no-first-strike"):
        await store.record_miss(passage_id)
    assert (await store.stats()).missed == {"aims": 2, "no-first-strike": 1}


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


async def _queued(store: SubscriptionStore, chats: range) -> Broadcast:
    for chat_id in chats:
        await store.subscribe(chat_id, "private", "en")
    broadcast = await store.get_broadcast(await store.create_broadcast("manual", {"en": ["x"]}) or 0)
    assert broadcast is not None
    await store.open_deliveries(broadcast)
    return broadcast


async def test_two_deliverers_claim_disjoint_chats_and_together_all(settings: Settings, store: SubscriptionStore) -> None:
    """Two connections claiming at once (two replicas) never get the same chat, and between them get every chat."""
    broadcast = await _queued(store, range(1, 201))
    other = await open_store(settings)
    try:
        claims: dict[str, list[int]] = {"a": [], "b": []}

        async def drain(owner: str, on: SubscriptionStore) -> None:
            while batch := await on.claim_recipients(broadcast, owner, 7, 60):
                claims[owner] += [s.chat_id for s, _ in batch]
                await asyncio.sleep(0)

        await asyncio.gather(drain("a", store), drain("b", other))
    finally:
        await other.close()
    assert not set(claims["a"]) & set(claims["b"])
    assert sorted(claims["a"] + claims["b"]) == list(range(1, 201))


async def test_a_dead_deliverers_claims_are_taken_over_after_the_lease(store: SubscriptionStore) -> None:
    """Chats claimed by a deliverer that stops renewing go to another once the lease runs out, with their progress."""
    broadcast = await _queued(store, range(1, 4))
    await store.mark_part_sent(broadcast.id, 2, 1, done=False)
    assert len(await store.claim_recipients(broadcast, "dead", 10, 0.3)) == 3
    assert await store.claim_recipients(broadcast, "alive", 10, 60) == []
    assert await store.finish_broadcast(broadcast.id) is False  # still owed
    await asyncio.sleep(0.4)
    taken = {s.chat_id: parts for s, parts in await store.claim_recipients(broadcast, "alive", 10, 60)}
    assert taken == {1: 0, 2: 1, 3: 0}
    for chat_id in taken:
        await store.mark_part_sent(broadcast.id, chat_id, 1, done=True)
    assert await store.finish_broadcast(broadcast.id) is True
    assert await store.unfinished_broadcasts() == []


async def test_renewed_claims_are_kept_and_released_ones_free_at_once(store: SubscriptionStore) -> None:
    """A deliverer that renews keeps its chats past the first lease; releasing hands them over immediately."""
    broadcast = await _queued(store, range(1, 3))
    await store.claim_recipients(broadcast, "a", 10, 0.3)
    await store.renew_claims(broadcast.id, "a", 60)
    await asyncio.sleep(0.4)
    assert await store.claim_recipients(broadcast, "b", 10, 60) == []
    await store.release_claims(broadcast.id, "a")
    assert len(await store.claim_recipients(broadcast, "b", 10, 60)) == 2


async def test_a_try_is_fenced_to_the_chats_holder(store: SubscriptionStore) -> None:
    """begin_part lets only the holder of a running lease send (a stalled replica woken late sends nothing),
    counts each try, takes over a lapsed lease, refuses closed entries and says when the chat left."""
    broadcast = await _queued(store, range(1, 4))
    await store.claim_recipients(broadcast, "a", 10, 60)
    assert await store.begin_part(broadcast.id, 1, 0, "a", 60) == "send"
    assert await store.begin_part(broadcast.id, 1, 0, "b", 60) == "lost"  # a holds it
    await store.mark_part_sent(broadcast.id, 1, 1, done=True, attempts=0)
    assert await store.begin_part(broadcast.id, 1, 0, "a", 60) == "lost"  # already sent
    await store.unsubscribe(3)
    assert await store.begin_part(broadcast.id, 3, 0, "a", 60) == "unsubscribed"
    await store.claim_recipients(broadcast, "c", 10, 0.2)  # nothing free: a holds 2 for 60 s
    await store.release_claims(broadcast.id, "a")
    [(sub, _)] = await store.claim_recipients(broadcast, "c", 10, 0.2)
    await asyncio.sleep(0.3)  # c stalls past its lease
    assert await store.begin_part(broadcast.id, sub.chat_id, 0, "b", 60) == "send"
    assert await store.begin_part(broadcast.id, sub.chat_id, 0, "c", 60) == "lost"
    assert await store.begin_part(broadcast.id, 9, 0, "b", 60) == "unsubscribed"  # never subscribed
    await store.subscribe(-1009, "supergroup", "en")  # a group that moved: no entry yet, it gets one
    assert await store.begin_part(broadcast.id, -1009, 0, "b", 60) == "send"
    attempts = {d.chat_id: d.attempts for d in await store.deliveries(broadcast.id)}
    assert attempts[1] == 1 and attempts[2] == 1 and attempts[-1009] == 1


async def test_watching_hears_of_another_connections_broadcast(settings: Settings, store: SubscriptionStore) -> None:
    """PostgreSQL: a broadcast queued through one connection wakes a replica watching on another at once."""
    if settings.database_url is None:
        pytest.skip("SQLite has one process delivering; it polls")
    woken = asyncio.Event()
    await store.watch_broadcasts(woken.set)
    other = await open_store(settings)
    try:
        await other.create_broadcast("manual", {"en": ["x"]})
        await asyncio.wait_for(woken.wait(), 5)
    finally:
        await other.close()


async def test_an_unsubscribed_chat_does_not_hold_up_the_end(store: SubscriptionStore) -> None:
    """A chat that left after its entry was opened is skipped, and the broadcast can finish."""
    broadcast = await _queued(store, range(1, 3))
    await store.unsubscribe(2)
    [(sub, _)] = await store.claim_recipients(broadcast, "a", 10, 60)
    await store.mark_part_sent(broadcast.id, sub.chat_id, 1, done=True)
    assert await store.finish_broadcast(broadcast.id) is False
    assert await store.skip_unsubscribed(broadcast.id) == 1
    assert await store.finish_broadcast(broadcast.id) is True
    assert {d.chat_id: d.state for d in await store.deliveries(broadcast.id)} == {1: "sent", 2: "skipped"}


async def test_a_slot_is_created_once_across_connections(settings: Settings, store: SubscriptionStore) -> None:
    """Two replicas queueing the same scheduled slot at once create one broadcast."""
    other = await open_store(settings)
    try:
        ids = await asyncio.gather(
            *(s.create_broadcast("digest", {"en": ["x"]}, slot="digest:2026-12-07T09:00") for s in (store, other) * 3)
        )
    finally:
        await other.close()
    assert sum(i is not None for i in ids) == 1


async def test_the_digest_cursor_advances_once_per_slot(settings: Settings, store: SubscriptionStore) -> None:
    """The series' cursor is written with its slot's broadcast: a slot queued again leaves it where it is,
    and it survives a restart."""
    assert await store.digest_cursor() is None
    first = DigestCursor("doc/proposal-1", 0)
    assert await store.create_broadcast("digest", {"en": ["1"]}, slot="digest:a", cursor=first) is not None
    assert await store.digest_cursor() == first
    again = DigestCursor("doc/proposal-2", 1)
    assert await store.create_broadcast("digest", {"en": ["2"]}, slot="digest:a", cursor=again) is None
    assert await store.digest_cursor() == first
    assert await store.create_broadcast("manual", {"en": ["all"]}) is not None  # no cursor: the series stays put
    assert await store.digest_cursor() == first
    assert await store.create_broadcast("digest", {"en": ["2"]}, slot="digest:b", cursor=again) is not None
    reopened = await open_store(settings)
    try:
        assert await reopened.digest_cursor() == again
    finally:
        await reopened.close()


async def test_replicas_queueing_one_slot_advance_the_cursor_once(settings: Settings, store: SubscriptionStore) -> None:
    """Several connections queueing the same slot, each with the cursor it computed: one broadcast,
    and the cursor is the one written with it."""
    others = [await open_store(settings) for _ in range(2)]
    stores = [store, *others]
    try:
        cursors = [DigestCursor(f"doc/p{n}", n) for n in range(6)]
        ids = await asyncio.gather(
            *(
                stores[n % 3].create_broadcast("digest", {"en": [str(n)]}, slot="digest:2026-12-07T09:00", cursor=c)
                for n, c in enumerate(cursors)
            )
        )
    finally:
        for other in others:
            await other.close()
    [(winner, broadcast_id)] = [(n, i) for n, i in enumerate(ids) if i is not None]
    broadcast = await store.get_broadcast(broadcast_id or 0)
    assert broadcast is not None and broadcast.payload == {"en": (str(winner),)}
    assert await store.digest_cursor() == cursors[winner]


async def test_a_newer_schema_is_refused(settings: Settings, store: SubscriptionStore) -> None:
    """A database upgraded by a newer release is not opened by older code: it says which versions."""
    if settings.database_url is None:
        with sqlite3.connect(settings.database_path) as db:
            db.execute("UPDATE schema_version SET version = 99")
    else:
        conn = await asyncpg.connect(settings.database_url.get_secret_value())
        await conn.execute("UPDATE schema_version SET version = 99")
        await conn.close()
    with pytest.raises(StoreError, match=f"schema version 99 is newer than this code's {SCHEMA_VERSION}"):
        await open_store(settings)
    assert inspect_store(settings).version == 99


async def test_an_unreachable_postgresql_is_a_clear_error_without_the_password(tmp_path: Path) -> None:
    """No server at the URL: the error names BOT_DATABASE_URL and the host, never the password."""
    url = f"postgresql://bayan:s3cret-pw@/bayan?host={tmp_path}"
    settings = Settings(data_dir=tmp_path, database_url=url)  # type: ignore[arg-type]
    with pytest.raises(StoreError) as caught:
        await open_store(settings)
    assert "BOT_DATABASE_URL: cannot connect" in str(caught.value) and "s3cret-pw" not in str(caught.value)


async def test_postgresql_replicas_starting_together_migrate_once(pg_url: str, tmp_path: Path) -> None:
    """Several replicas opening a new database at the same moment upgrade it once, to the current version."""
    settings = Settings(data_dir=tmp_path, database_url=pg_url)  # type: ignore[arg-type]
    stores = await asyncio.gather(*(open_store(settings) for _ in range(4)))
    try:
        assert [await s.schema_version() for s in stores] == [SCHEMA_VERSION] * 4
        assert "postgresql" in stores[0].description and "@" not in stores[0].description
    finally:
        for s in stores:
            await s.close()
