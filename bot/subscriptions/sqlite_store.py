"""The store in one SQLite file (``settings.database_path``): the embedded default, one process.

Opened through aiosqlite with:

- ``journal_mode=WAL`` so readers (``/stats``, the question counter) never wait for a broadcast's
  writes and a crash leaves the database consistent;
- ``synchronous=FULL``: in WAL mode ``NORMAL`` survives a process crash but may drop the last
  commits on power loss or an OS crash. The delivery journal is what makes a broadcast
  exactly-once, so a "sent" record must be on disk before we move on. Tries and "sent" records
  of concurrent senders are group-committed (one transaction, one fsync per batch), which keeps
  the journal at ~400 messages/s in the benchmark, far above Telegram's 30/s; so are the writes
  each answered question makes (its conversation, its verdict's count), or a burst of questions
  would cost two fsyncs each;
- ``busy_timeout`` so the shell command (``python -m bot broadcast``) and the running bot can
  share the file without "database is locked" errors.

:mod:`~bot.subscriptions.migrations` are applied in order on open, each in its own transaction,
so a database from an older release is upgraded in place and never loses a subscription. Every
write is one short transaction and runs to the end even if the caller is cancelled
(:func:`~bot.subscriptions.uncancellable.uncancellable`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bot.conversation import Conversation, decode, encode
from bot.knowledge_base import Lang
from bot.subscriptions.migrations import SCHEMA_VERSION, SQLITE, statements
from bot.subscriptions.store import (
    Attempt,
    Broadcast,
    BroadcastKind,
    ChatType,
    Delivery,
    DeliveryState,
    DigestCursor,
    JournalWriteError,
    Stats,
    StoreError,
    StoreInfo,
    Subscriber,
    check_version,
)
from bot.subscriptions.uncancellable import uncancellable

BUSY_TIMEOUT_MS = 5000

T = TypeVar("T")


class SqliteStore:
    """The store in one SQLite file; open with :meth:`open`, close with :meth:`close`.

    One connection in autocommit mode; multi-statement writes go through :meth:`_transaction`,
    which holds an asyncio lock so that tasks sharing the connection never interleave inside
    one transaction. A second, read-only connection serves the reads every update makes (the
    user's language, the conversation a question follows): aiosqlite runs one connection's
    statements one after another on its thread, so on the first connection they would wait
    behind whatever commit (and fsync) is queued there; in WAL mode a reader needs no lock and
    sees every transaction committed before it starts.
    """

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self._reader = db  # until open() has migrated the schema and opened the reader
        self._path = path
        self._lock = asyncio.Lock()
        self._write_queue: list[tuple[Callable[[aiosqlite.Connection], Awaitable[Any]], str, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path) -> SqliteStore:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            db.row_factory = aiosqlite.Row
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=FULL")
            await db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            await db.execute("PRAGMA foreign_keys=ON")
            store = cls(db, path)
            await store._migrate()
            store._reader = await _open_reader(path)
        except BaseException:
            await db.close()
            raise
        return store

    @property
    def description(self) -> str:
        return f"sqlite {self._path}"

    async def close(self) -> None:
        if self._flusher is not None:
            await asyncio.wait({self._flusher})
        if self._reader is not self._db:
            await self._reader.close()
        await self._db.close()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: takes the write lock up front so it cannot deadlock.

        A failed statement or ``COMMIT`` (a full disk: SQLite may already have rolled back, or
        may leave the transaction open) is rolled back if still open, so the next write starts clean.
        """
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                await self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        await self._db.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def _journal(self, what: str) -> AsyncIterator[None]:
        """A write of the broadcast path: a database error becomes :class:`JournalWriteError`."""
        try:
            yield
        except sqlite3.Error as exc:
            raise JournalWriteError(f"cannot record {what} in {self._path}: {exc}") from exc

    async def _migrate(self) -> None:
        async with self._transaction() as db:
            await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = await (await db.execute("SELECT version FROM schema_version")).fetchone()
            if row is None:
                await db.execute("INSERT INTO schema_version (version) VALUES (0)")
        check_version(await self.schema_version(), str(self._path))
        for version in range(await self.schema_version(), SCHEMA_VERSION):
            async with self._transaction() as db:
                # executescript would COMMIT our transaction; run the statements one by one instead.
                for statement in statements(SQLITE[version]):
                    await db.execute(statement)
                await db.execute("UPDATE schema_version SET version = ?", (version + 1,))

    async def schema_version(self) -> int:
        row = await (await self._db.execute("SELECT version FROM schema_version")).fetchone()
        return int(row[0]) if row else 0

    # Subscribers

    @uncancellable
    async def subscribe(self, chat_id: int, chat_type: ChatType, lang: Lang) -> bool:
        """Subscribe a chat or change its language; True when the chat was not subscribed before."""
        async with self._transaction() as db:
            cur = await db.execute(
                "INSERT INTO subscribers (chat_id, chat_type, lang, subscribed_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, chat_type, lang, time.time()),
            )
            if cur.rowcount:
                return True
            await db.execute(
                "UPDATE subscribers SET lang = ?, chat_type = ? WHERE chat_id = ?", (lang, chat_type, chat_id)
            )
            return False

    @uncancellable
    async def unsubscribe(self, chat_id: int) -> bool:
        """Remove a chat; True when it was subscribed."""
        async with self._transaction() as db:
            cur = await db.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,))
            return cur.rowcount > 0

    @uncancellable
    async def remove_subscriber(self, chat_id: int, reason: str) -> None:
        """Drop a chat Telegram refuses to deliver to, and count why, in one transaction."""
        async with self._journal("the removal of a subscriber"), self._transaction() as db:
            cur = await db.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,))
            if cur.rowcount:
                await _increment(db, f"removed:{reason}")

    @uncancellable
    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: keep its subscription under the new id."""
        async with self._journal("a chat's move to a supergroup"), self._transaction() as db:
            await db.execute(
                "UPDATE OR REPLACE subscribers SET chat_id = ?, chat_type = 'supergroup' WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )

    async def get(self, chat_id: int) -> Subscriber | None:
        cur = await self._db.execute(
            "SELECT chat_id, chat_type, lang, subscribed_at FROM subscribers WHERE chat_id = ?", (chat_id,)
        )
        row = await cur.fetchone()
        return _subscriber(row) if row else None

    async def count(self) -> int:
        row = await (await self._db.execute("SELECT COUNT(*) FROM subscribers")).fetchone()
        return int(row[0]) if row else 0

    async def stats(self) -> Stats:
        by_lang = {
            r[0]: r[1] for r in await self._db.execute_fetchall("SELECT lang, COUNT(*) FROM subscribers GROUP BY lang")
        }
        by_type = {
            r[0]: r[1]
            for r in await self._db.execute_fetchall("SELECT chat_type, COUNT(*) FROM subscribers GROUP BY chat_type")
        }
        counters = {r[0]: r[1] for r in await self._db.execute_fetchall("SELECT name, value FROM counters")}
        removed = {k.removeprefix("removed:"): v for k, v in counters.items() if k.startswith("removed:")}
        missed = {k.removeprefix("missed:"): v for k, v in counters.items() if k.startswith("missed:")}
        return Stats(
            by_lang=by_lang,
            by_chat_type=by_type,
            answered=counters.get("questions:answered", 0),
            unanswered=counters.get("questions:unanswered", 0),
            removed=removed,
            missed=missed,
        )

    async def record_question(self, answered: bool) -> None:
        """Count one question; only the verdict is stored, never the text.

        Group-committed (:meth:`_group_commit`): a burst of questions is one fsync per batch, not one each.
        """
        name = "questions:answered" if answered else "questions:unanswered"

        async def write(db: aiosqlite.Connection) -> None:
            await _increment(db, name)

        await self._group_commit(write, "a question's count")

    async def record_miss(self, passage_id: str) -> None:
        async def write(db: aiosqlite.Connection) -> None:
            await _increment(db, f"missed:{passage_id}")

        await self._group_commit(write, "a 'not what I asked' count")

    # Broadcasts and the delivery journal

    @uncancellable
    async def create_broadcast(
        self,
        kind: BroadcastKind,
        payload: Mapping[Lang, Iterable[str]],
        passage_ids: Iterable[str] = (),
        slot: str | None = None,
        knowledge_hashes: Mapping[str, str] | None = None,
        cursor: DigestCursor | None = None,
    ) -> int | None:
        """Queue a broadcast; with a ``slot`` (e.g. a schedule time) it is created at most once.

        The hashes and the cursor are written in the same transaction, and only when the broadcast
        is created (see :meth:`SubscriptionStore.create_broadcast`).
        Returns the new id, or None when a broadcast for that slot already exists.
        """
        body = json.dumps({lang: list(parts) for lang, parts in payload.items()}, ensure_ascii=False)
        async with self._transaction() as db:
            cur = await db.execute(
                "INSERT INTO broadcasts (kind, created_at, payload, passage_ids, slot) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (slot) DO NOTHING",
                (kind, time.time(), body, json.dumps(list(passage_ids)), slot),
            )
            if not cur.rowcount:
                return None
            if knowledge_hashes is not None:
                await _replace_hashes(db, knowledge_hashes)
            if cursor is not None:
                await db.execute(
                    "INSERT INTO digest_cursor (id, featured, position, slot) VALUES (1, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET featured = excluded.featured, position = excluded.position, "
                    "slot = excluded.slot",
                    (cursor.featured, cursor.position, slot),
                )
            return cur.lastrowid

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None:
        cur = await self._db.execute(f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
        row = await cur.fetchone()
        return _broadcast(row) if row else None

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        """Broadcasts not yet delivered to everyone, oldest first: what a restart resumes."""
        rows = await self._db.execute_fetchall(
            f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE status = 'pending' ORDER BY id"
        )
        return [_broadcast(r) for r in rows]

    async def pending_recipients(self, broadcast: Broadcast) -> list[tuple[Subscriber, int]]:
        """Subscribers still owed this broadcast, with how many of its parts they already have.

        Only chats subscribed when the broadcast was created (later ones got the summary on
        subscribing) and without a terminal journal entry.
        """
        rows = await self._db.execute_fetchall(
            "SELECT s.chat_id, s.chat_type, s.lang, s.subscribed_at, COALESCE(d.parts_sent, 0) "
            "FROM subscribers s LEFT JOIN deliveries d ON d.broadcast_id = ? AND d.chat_id = s.chat_id "
            "WHERE s.subscribed_at <= ? AND (d.state IS NULL OR d.state = 'sending') ORDER BY s.chat_id",
            (broadcast.id, broadcast.created_at),
        )
        return [(_subscriber(r), int(r[4])) for r in rows]

    async def is_subscribed(self, chat_id: int) -> bool:
        cur = await self._db.execute("SELECT 1 FROM subscribers WHERE chat_id = ?", (chat_id,))
        return await cur.fetchone() is not None

    async def mark_part_sent(
        self, broadcast_id: int, chat_id: int, parts_sent: int, done: bool, attempts: int = 1
    ) -> None:
        """Record that Telegram accepted part ``parts_sent`` (1-based); ``done`` closes the entry.

        Returns once the record is committed, group-committed with the other senders' (:meth:`_group_commit`).
        """
        row = (broadcast_id, chat_id, "sent" if done else "sending", parts_sent, attempts, time.time())

        async def write(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, state, parts_sent, attempts, sent_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (broadcast_id, chat_id) DO UPDATE SET "
                "state = excluded.state, parts_sent = excluded.parts_sent, "
                "attempts = attempts + excluded.attempts, sent_at = excluded.sent_at, error = NULL",
                row,
            )

        await self._group_commit(write, "a sent message")

    async def begin_part(
        self, broadcast_id: int, chat_id: int, part: int, owner: str, lease_seconds: float
    ) -> Attempt:
        now = time.time()

        async def write(db: aiosqlite.Connection) -> Attempt:
            cur = await db.execute("SELECT 1 FROM subscribers WHERE chat_id = ?", (chat_id,))
            if await cur.fetchone() is None:
                return "unsubscribed"
            cur = await db.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, state, parts_sent, attempts, claimed_by, lease_until) "
                "VALUES (?, ?, 'sending', ?, 1, ?, ?) ON CONFLICT (broadcast_id, chat_id) DO UPDATE SET "
                "attempts = attempts + 1, claimed_by = excluded.claimed_by, lease_until = excluded.lease_until "
                "WHERE state = 'sending' AND (claimed_by = excluded.claimed_by OR claimed_by IS NULL OR lease_until < ?) "
                "RETURNING 1",
                (broadcast_id, chat_id, part, owner, now + lease_seconds, now),
            )
            return "send" if await cur.fetchone() is not None else "lost"

        return await self._group_commit(write, "a try to send")

    async def _group_commit(self, write: Callable[[aiosqlite.Connection], Awaitable[T]], what: str) -> T:
        """Run ``write`` in a transaction shared with the other senders' that are waiting (group commit).

        With ``synchronous=FULL`` that is one fsync for a whole batch of senders instead of one
        each, without giving up "durable before the sender moves on": each caller returns once
        the batch holding its write committed.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._write_queue.append((write, what, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_writes())
        return cast(T, await future)

    async def _flush_writes(self) -> None:
        while self._write_queue:
            batch, self._write_queue = self._write_queue, []
            results: list[Any] = []
            try:
                async with self._journal(" and ".join(sorted({what for _, what, _ in batch}))), self._transaction() as db:
                    for write, _, _ in batch:
                        results.append(await write(db))
            except BaseException as exc:
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("journal write cancelled"))
                if not isinstance(exc, Exception):
                    raise
            else:
                for (_, _, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)

    @uncancellable
    async def mark_failed(
        self, broadcast_id: int, chat_id: int, error: str, state: DeliveryState = "failed"
    ) -> None:
        """Close an entry without delivery: ``failed``, ``removed`` or ``skipped``, with the reason."""
        async with self._journal("a delivery's outcome"), self._transaction() as db:
            await db.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, state, error) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (broadcast_id, chat_id) DO UPDATE SET state = excluded.state, error = excluded.error",
                (broadcast_id, chat_id, state, error[:500]),
            )

    @uncancellable
    async def open_deliveries(self, broadcast: Broadcast) -> None:
        async with self._journal("the recipients of a broadcast"), self._transaction() as db:
            await db.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, state) "
                "SELECT ?, chat_id, 'sending' FROM subscribers WHERE subscribed_at <= ? "
                "ON CONFLICT (broadcast_id, chat_id) DO NOTHING",
                (broadcast.id, broadcast.created_at),
            )

    @uncancellable
    async def claim_recipients(
        self, broadcast: Broadcast, owner: str, limit: int, lease_seconds: float
    ) -> list[tuple[Subscriber, int]]:
        now = time.time()
        async with self._journal("a claim on recipients"), self._transaction() as db:
            await db.execute(
                "UPDATE deliveries SET claimed_by = ?, lease_until = ? WHERE broadcast_id = ? AND chat_id IN ("
                " SELECT d.chat_id FROM deliveries d JOIN subscribers s ON s.chat_id = d.chat_id"
                " WHERE d.broadcast_id = ? AND d.state = 'sending' AND (d.lease_until IS NULL OR d.lease_until < ?)"
                " ORDER BY d.chat_id LIMIT ?)",
                (owner, now + lease_seconds, broadcast.id, broadcast.id, now, limit),
            )
            rows = await db.execute_fetchall(
                f"SELECT {_SUBSCRIBER_COLUMNS_S}, d.parts_sent FROM deliveries d JOIN subscribers s USING (chat_id) "
                "WHERE d.broadcast_id = ? AND d.claimed_by = ? AND d.lease_until = ? AND d.state = 'sending' "
                "ORDER BY d.chat_id",
                (broadcast.id, owner, now + lease_seconds),
            )
        return [(_subscriber(r), int(r[4])) for r in rows]

    @uncancellable
    async def renew_claims(self, broadcast_id: int, owner: str, lease_seconds: float) -> None:
        async with self._journal("a lease"), self._transaction() as db:
            await db.execute(
                "UPDATE deliveries SET lease_until = ? WHERE broadcast_id = ? AND claimed_by = ? AND state = 'sending'",
                (time.time() + lease_seconds, broadcast_id, owner),
            )

    @uncancellable
    async def release_claims(self, broadcast_id: int, owner: str | None) -> None:
        async with self._journal("a lease"), self._transaction() as db:
            await db.execute(
                "UPDATE deliveries SET lease_until = NULL, claimed_by = NULL "
                "WHERE broadcast_id = ? AND (claimed_by = ? OR ? IS NULL) AND state = 'sending'",
                (broadcast_id, owner, owner),
            )

    @uncancellable
    async def skip_unsubscribed(self, broadcast_id: int) -> int:
        async with self._journal("a delivery's outcome"), self._transaction() as db:
            cur = await db.execute(
                "UPDATE deliveries SET state = 'skipped', error = 'unsubscribed' WHERE broadcast_id = ? "
                "AND state = 'sending' AND chat_id NOT IN (SELECT chat_id FROM subscribers)",
                (broadcast_id,),
            )
            return cur.rowcount

    @uncancellable
    async def finish_broadcast(self, broadcast_id: int) -> bool:
        async with self._journal("the end of a broadcast"), self._transaction() as db:
            cur = await db.execute(
                "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM deliveries WHERE broadcast_id = ? AND state = 'sending')",
                (time.time(), broadcast_id, broadcast_id),
            )
            return cur.rowcount > 0

    async def deliveries(self, broadcast_id: int) -> list[Delivery]:
        rows = await self._db.execute_fetchall(
            "SELECT broadcast_id, chat_id, state, parts_sent, attempts FROM deliveries WHERE broadcast_id = ?",
            (broadcast_id,),
        )
        return [Delivery(int(r[0]), int(r[1]), cast(DeliveryState, r[2]), int(r[3]), int(r[4])) for r in rows]

    # Knowledge hashes (change digests)

    async def watch_broadcasts(self, wake: Callable[[], None]) -> None:
        """Nothing to watch: one process delivers (the delivery lock) and its poll finds the CLI's broadcasts."""

    async def knowledge_hashes(self) -> dict[str, str]:
        return {r[0]: r[1] for r in await self._db.execute_fetchall("SELECT key, hash FROM knowledge_hashes")}

    @uncancellable
    async def set_knowledge_hashes(self, hashes: Mapping[str, str]) -> None:
        """Replace the stored hashes with the current ones, atomically."""
        async with self._transaction() as db:
            await _replace_hashes(db, hashes)

    # The scheduled digests' series

    async def digest_cursor(self) -> DigestCursor | None:
        row = await (await self._db.execute("SELECT featured, position FROM digest_cursor WHERE id = 1")).fetchone()
        return DigestCursor(str(row[0]), int(row[1])) if row else None

    # Conversations

    async def conversation(self, key: str, fresh_after: float) -> Conversation:
        cur = await self._reader.execute(
            "SELECT turns FROM conversations WHERE key = ? AND updated_at > ?", (key, fresh_after)
        )
        row = await cur.fetchone()
        return decode(row[0]) if row else Conversation()

    async def save_conversation(self, key: str, conversation: Conversation) -> None:
        """Group-committed with the other writes of the moment (:meth:`_group_commit`): a burst of answers, one fsync."""
        last = conversation.last

        async def write(db: aiosqlite.Connection) -> None:
            if last is None:
                await db.execute("DELETE FROM conversations WHERE key = ?", (key,))
                return
            await db.execute(
                "INSERT INTO conversations (key, turns, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
                "SET turns = excluded.turns, updated_at = excluded.updated_at WHERE excluded.updated_at >= updated_at",
                (key, encode(conversation), last.at),
            )

        await self._group_commit(write, "a conversation")

    @uncancellable
    async def prune_conversations(self, expired_before: float, keep: int) -> int:
        async with self._transaction() as db:
            cur = await db.execute(
                "DELETE FROM conversations WHERE updated_at < ? OR key IN "
                "(SELECT key FROM conversations ORDER BY updated_at DESC LIMIT -1 OFFSET ?)",
                (expired_before, keep),
            )
            return cur.rowcount

    # Interface languages

    async def interface_language(self, user_id: int) -> Lang | None:
        cur = await self._reader.execute("SELECT lang FROM interface_languages WHERE user_id = ?", (user_id,))
        row = await cur.fetchone()
        return cast(Lang, row[0]) if row else None

    @uncancellable
    async def set_interface_language(self, user_id: int, lang: Lang) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO interface_languages (user_id, lang) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang",
                (user_id, lang),
            )

    @uncancellable
    async def import_interface_languages(self, choices: Mapping[int, Lang]) -> int:
        async with self._transaction() as db:
            before = db.total_changes
            await db.executemany(
                "INSERT INTO interface_languages (user_id, lang) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
                list(choices.items()),
            )
            return db.total_changes - before


_SUBSCRIBER_COLUMNS_S = "s.chat_id, s.chat_type, s.lang, s.subscribed_at"
_BROADCAST_COLUMNS = "id, kind, created_at, payload, passage_ids, slot, status"


async def _increment(db: aiosqlite.Connection, name: str) -> None:
    await db.execute(
        "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1",
        (name,),
    )


async def _replace_hashes(db: aiosqlite.Connection, hashes: Mapping[str, str]) -> None:
    await db.execute("DELETE FROM knowledge_hashes")
    await db.executemany("INSERT INTO knowledge_hashes (key, hash) VALUES (?, ?)", list(hashes.items()))


def _subscriber(row: aiosqlite.Row | tuple[Any, ...]) -> Subscriber:
    return Subscriber(int(row[0]), cast(ChatType, row[1]), cast(Lang, row[2]), float(row[3]))


def _broadcast(row: aiosqlite.Row | tuple[Any, ...]) -> Broadcast:
    payload = {cast(Lang, k): tuple(v) for k, v in json.loads(row[3]).items()}
    return Broadcast(
        id=int(row[0]),
        kind=cast(BroadcastKind, row[1]),
        created_at=float(row[2]),
        payload=payload,
        passage_ids=tuple(json.loads(row[4])),
        slot=row[5],
        status=row[6],
    )


async def _open_reader(path: Path) -> aiosqlite.Connection:
    reader = await aiosqlite.connect(path, isolation_level=None)
    try:
        await reader.execute("PRAGMA query_only=1")
        await reader.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except BaseException:
        await reader.close()
        raise
    return reader


def inspect_sqlite(path: Path) -> StoreInfo:
    """The database at ``path``, opened read-only; version 0 and no subscribers when it does not exist yet."""
    description = f"sqlite {path}"
    if not path.exists():
        return StoreInfo(description, 0, 0)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = conn.execute("SELECT version FROM schema_version").fetchone() if "schema_version" in tables else None
            count = conn.execute("SELECT COUNT(*) FROM subscribers").fetchone()[0] if "subscribers" in tables else 0
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"the database {path} cannot be read: {exc}") from exc
    return StoreInfo(description, int(row[0]) if row else 0, int(count))
