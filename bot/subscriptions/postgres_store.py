"""The store in PostgreSQL (``BOT_DATABASE_URL=postgresql://…``): one database shared by several replicas.

Same tables and versions as SQLite (:mod:`~bot.subscriptions.migrations`); what differs is how
replicas share the work:

- migrations run under a transaction-scoped advisory lock, so replicas starting together
  upgrade the schema once, one after the other, never half each;
- a broadcast's journal entries are claimed row by row with ``FOR UPDATE SKIP LOCKED``: two
  replicas claiming at the same moment get disjoint chats, without waiting on each other;
- a claim is a lease (``lease_until``): the holder renews it while it works, and a replica that
  was killed leaves its chats to whoever claims after the lease ran out;
- a scheduled digest's slot is a unique key, so replicas queueing the same slot create one broadcast,
  and the series' cursor is written in that broadcast's transaction: it advances once per slot;
- queueing a broadcast notifies (``NOTIFY`` :data:`BROADCASTS_CHANNEL`, sent on commit) every
  replica listening (:meth:`PostgresStore.watch_broadcasts`), so all of them deliver it from the
  start, whichever one an admin's ``/broadcast`` reached.

asyncpg with a small pool; every write is one transaction that runs to the end even if the
caller is cancelled. Times are seconds since the epoch from the replica's clock, as in SQLite:
replicas must keep their clocks in sync (NTP), as leases compare them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]

from bot.conversation import Conversation, decode, encode
from bot.knowledge_base import Lang
from bot.subscriptions.migrations import POSTGRES, SCHEMA_VERSION, statements
from bot.subscriptions.store import (
    SUBSCRIBER_COLUMNS,
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
    subscriber_from_row,
)
from bot.subscriptions.uncancellable import uncancellable

CONNECT_TIMEOUT_SECONDS = 10.0
POOL_SIZE = 10
#: Any constant: replicas take it while migrating so only one upgrades the schema at a time.
MIGRATION_LOCK = 0x6261_7961_6E00  # "bayan"
#: The channel a new broadcast's id is announced on.
BROADCASTS_CHANNEL = "bayan_broadcasts"

log = logging.getLogger(__name__)

_DB_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


def describe_url(url: str) -> str:
    """``postgresql host:port/db`` without user or password: what check and logs may print."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql {host}{port}{parts.path or '/'}"


async def _connect_pool(url: str) -> asyncpg.Pool:
    try:
        return await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT_SECONDS)
    except (*_DB_ERRORS, TimeoutError, ValueError) as exc:
        raise StoreError(f"BOT_DATABASE_URL: cannot connect to {describe_url(url)}: {exc}") from exc


async def inspect_postgres(url: str) -> StoreInfo:
    """The database at ``url``, unchanged (version 0 if never migrated)."""
    try:
        conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
    except (*_DB_ERRORS, TimeoutError, ValueError) as exc:
        raise StoreError(f"BOT_DATABASE_URL: cannot connect to {describe_url(url)}: {exc}") from exc
    try:
        exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
        version = await conn.fetchval("SELECT version FROM schema_version") if exists else 0
        subscribers = await conn.fetchval("SELECT COUNT(*) FROM subscribers") if version else 0
    except _DB_ERRORS as exc:
        raise StoreError(f"{describe_url(url)}: cannot read the schema version: {exc}") from exc
    finally:
        await conn.close()
    return StoreInfo(describe_url(url), int(version or 0), int(subscribers or 0))


class PostgresStore:
    """The store in PostgreSQL; open with :meth:`open`, close with :meth:`close`."""

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._url = url
        self._description = describe_url(url)
        self._listeners: list[asyncpg.Connection] = []
        self._closing = False

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        pool = await _connect_pool(url)
        store = cls(pool, url)
        try:
            await store._migrate()
        except BaseException:
            await pool.close()
            raise
        return store

    @property
    def description(self) -> str:
        return self._description

    async def close(self) -> None:
        self._closing = True
        for conn in self._listeners:
            await conn.close()
        self._listeners = []
        await self._pool.close()

    async def watch_broadcasts(self, wake: Callable[[], None]) -> None:
        """``LISTEN`` on a connection of its own; if it drops, the delivery loop's poll still finds everything."""
        try:
            conn = await asyncpg.connect(self._url, timeout=CONNECT_TIMEOUT_SECONDS)
        except (*_DB_ERRORS, TimeoutError) as exc:
            raise StoreError(f"{self._description}: cannot listen for new broadcasts: {exc}") from exc

        def dropped(_conn: asyncpg.Connection) -> None:
            if not self._closing:
                log.warning("%s: the connection listening for new broadcasts dropped; polling only", self._description)

        conn.add_termination_listener(dropped)
        await conn.add_listener(BROADCASTS_CHANNEL, lambda *_args: wake())
        self._listeners.append(conn)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def _journal(self, what: str) -> AsyncIterator[None]:
        """A write of the broadcast path: a database error becomes :class:`JournalWriteError`."""
        try:
            yield
        except _DB_ERRORS as exc:
            raise JournalWriteError(f"cannot record {what} in {self._description}: {exc}") from exc

    async def _migrate(self) -> None:
        try:
            async with self._transaction() as db:
                await db.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                version = await db.fetchval("SELECT version FROM schema_version")
                if version is None:
                    await db.execute("INSERT INTO schema_version (version) VALUES (0)")
                    version = 0
                check_version(int(version), self._description)
                for step in range(int(version), SCHEMA_VERSION):
                    for statement in statements(POSTGRES[step]):
                        await db.execute(statement)
                    await db.execute("UPDATE schema_version SET version = $1", step + 1)
        except _DB_ERRORS as exc:
            raise StoreError(f"{self._description}: cannot upgrade the schema: {exc}") from exc

    async def schema_version(self) -> int:
        return int(await self._pool.fetchval("SELECT version FROM schema_version") or 0)

    # Subscribers

    @uncancellable
    async def subscribe(self, chat_id: int, chat_type: ChatType, lang: Lang) -> bool:
        async with self._transaction() as db:
            inserted = await db.fetchval(
                "INSERT INTO subscribers (chat_id, chat_type, lang, subscribed_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (chat_id) DO NOTHING RETURNING true",
                chat_id, chat_type, lang, time.time(),
            )
            if inserted:
                return True
            await db.execute("UPDATE subscribers SET lang = $1, chat_type = $2 WHERE chat_id = $3", lang, chat_type, chat_id)
            return False

    @uncancellable
    async def unsubscribe(self, chat_id: int) -> bool:
        status = await self._pool.execute("DELETE FROM subscribers WHERE chat_id = $1", chat_id)
        return _rowcount(status) > 0

    @uncancellable
    async def remove_subscriber(self, chat_id: int, reason: str) -> None:
        async with self._journal("the removal of a subscriber"), self._transaction() as db:
            status = await db.execute("DELETE FROM subscribers WHERE chat_id = $1", chat_id)
            if _rowcount(status):
                await _increment(db, f"removed:{reason}")

    @uncancellable
    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        async with self._journal("a chat's move to a supergroup"), self._transaction() as db:
            # SQLite's UPDATE OR REPLACE: the new id wins if both are subscribed.
            await db.execute("DELETE FROM subscribers WHERE chat_id = $1 AND EXISTS "
                             "(SELECT 1 FROM subscribers WHERE chat_id = $2)", new_chat_id, old_chat_id)
            await db.execute(
                "UPDATE subscribers SET chat_id = $1, chat_type = 'supergroup' WHERE chat_id = $2", new_chat_id, old_chat_id
            )

    async def get(self, chat_id: int) -> Subscriber | None:
        row = await self._pool.fetchrow(f"SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE chat_id = $1", chat_id)
        return subscriber_from_row(row) if row else None

    async def is_subscribed(self, chat_id: int) -> bool:
        return bool(await self._pool.fetchval("SELECT true FROM subscribers WHERE chat_id = $1", chat_id))

    async def count(self) -> int:
        return int(await self._pool.fetchval("SELECT COUNT(*) FROM subscribers"))

    async def stats(self) -> Stats:
        async with self._pool.acquire() as db:
            by_lang = {r[0]: int(r[1]) for r in await db.fetch("SELECT lang, COUNT(*) FROM subscribers GROUP BY lang")}
            by_type = {r[0]: int(r[1]) for r in await db.fetch("SELECT chat_type, COUNT(*) FROM subscribers GROUP BY chat_type")}
            counters = {r[0]: int(r[1]) for r in await db.fetch("SELECT name, value FROM counters")}
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

    @uncancellable
    async def record_question(self, answered: bool) -> None:
        async with self._pool.acquire() as db:
            await _increment(db, "questions:answered" if answered else "questions:unanswered")

    async def record_miss(self, passage_id: str) -> None:
        async with self._pool.acquire() as db:
            await _increment(db, f"missed:{passage_id}")

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
        body = json.dumps({lang: list(parts) for lang, parts in payload.items()}, ensure_ascii=False)
        async with self._transaction() as db:
            broadcast_id = await db.fetchval(
                "INSERT INTO broadcasts (kind, created_at, payload, passage_ids, slot) VALUES ($1, $2, $3, $4, $5) "
                "ON CONFLICT (slot) DO NOTHING RETURNING id",
                kind, time.time(), body, json.dumps(list(passage_ids)), slot,
            )
            if broadcast_id is None:  # the slot exists: another replica (or an earlier run) queued it
                return None
            if knowledge_hashes is not None:
                await _replace_hashes(db, knowledge_hashes)
            if cursor is not None:
                await db.execute(
                    "INSERT INTO digest_cursor (id, featured, position, slot) VALUES (1, $1, $2, $3) "
                    "ON CONFLICT (id) DO UPDATE SET featured = excluded.featured, position = excluded.position, "
                    "slot = excluded.slot",
                    cursor.featured, cursor.position, slot,
                )
            # Delivered to the listening replicas when this transaction commits.
            await db.execute("SELECT pg_notify($1, $2)", BROADCASTS_CHANNEL, str(broadcast_id))
            return int(broadcast_id)

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None:
        row = await self._pool.fetchrow(f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE id = $1", broadcast_id)
        return _broadcast(row) if row else None

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        rows = await self._pool.fetch(f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE status = 'pending' ORDER BY id")
        return [_broadcast(r) for r in rows]

    async def pending_recipients(self, broadcast: Broadcast) -> list[tuple[Subscriber, int]]:
        rows = await self._pool.fetch(
            f"SELECT {_S_COLUMNS}, COALESCE(d.parts_sent, 0) "
            "FROM subscribers s LEFT JOIN deliveries d ON d.broadcast_id = $1 AND d.chat_id = s.chat_id "
            "WHERE s.subscribed_at <= $2 AND (d.state IS NULL OR d.state = 'sending') ORDER BY s.chat_id",
            broadcast.id, broadcast.created_at,
        )
        return [(subscriber_from_row(r), int(r[4])) for r in rows]

    @uncancellable
    async def mark_part_sent(
        self, broadcast_id: int, chat_id: int, parts_sent: int, done: bool, attempts: int = 1
    ) -> None:
        async with self._journal("a sent message"), self._pool.acquire() as db:
            await db.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, state, parts_sent, attempts, sent_at) "
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (broadcast_id, chat_id) DO UPDATE SET "
                "state = excluded.state, parts_sent = excluded.parts_sent, "
                "attempts = deliveries.attempts + excluded.attempts, sent_at = excluded.sent_at, error = NULL",
                broadcast_id, chat_id, "sent" if done else "sending", parts_sent, attempts, time.time(),
            )

    @uncancellable
    async def begin_part(
        self, broadcast_id: int, chat_id: int, part: int, owner: str, lease_seconds: float
    ) -> Attempt:
        now = time.time()
        async with self._journal("a try to send"), self._pool.acquire() as db:
            row = await db.fetchrow(_BEGIN_PART, broadcast_id, chat_id, part, owner, now + lease_seconds, now)
        return "unsubscribed" if not row[0] else "send" if row[1] else "lost"

    @uncancellable
    async def mark_failed(
        self, broadcast_id: int, chat_id: int, error: str, state: DeliveryState = "failed"
    ) -> None:
        async with self._journal("a delivery's outcome"), self._pool.acquire() as db:
            await db.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, state, error) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (broadcast_id, chat_id) DO UPDATE SET state = excluded.state, error = excluded.error",
                broadcast_id, chat_id, state, error[:500],
            )

    @uncancellable
    async def open_deliveries(self, broadcast: Broadcast) -> None:
        async with self._journal("the recipients of a broadcast"), self._pool.acquire() as db:
            await db.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, state) "
                "SELECT $1, chat_id, 'sending' FROM subscribers WHERE subscribed_at <= $2 "
                "ON CONFLICT (broadcast_id, chat_id) DO NOTHING",
                broadcast.id, broadcast.created_at,
            )

    @uncancellable
    async def claim_recipients(
        self, broadcast: Broadcast, owner: str, limit: int, lease_seconds: float
    ) -> list[tuple[Subscriber, int]]:
        now = time.time()
        async with self._journal("a claim on recipients"), self._pool.acquire() as db:
            rows = await db.fetch(
                "WITH free AS ("
                " SELECT d.chat_id FROM deliveries d JOIN subscribers s ON s.chat_id = d.chat_id"
                " WHERE d.broadcast_id = $1 AND d.state = 'sending' AND (d.lease_until IS NULL OR d.lease_until < $2)"
                " ORDER BY d.chat_id LIMIT $3 FOR UPDATE OF d SKIP LOCKED"
                "), claimed AS ("
                " UPDATE deliveries d SET claimed_by = $4, lease_until = $5 FROM free"
                " WHERE d.broadcast_id = $1 AND d.chat_id = free.chat_id RETURNING d.chat_id, d.parts_sent"
                f") SELECT {_S_COLUMNS}, claimed.parts_sent FROM claimed JOIN subscribers s USING (chat_id) "
                "ORDER BY s.chat_id",
                broadcast.id, now, limit, owner, now + lease_seconds,
            )
        return [(subscriber_from_row(r), int(r[4])) for r in rows]

    @uncancellable
    async def renew_claims(self, broadcast_id: int, owner: str, lease_seconds: float) -> None:
        async with self._journal("a lease"), self._pool.acquire() as db:
            await db.execute(
                "UPDATE deliveries SET lease_until = $1 WHERE broadcast_id = $2 AND claimed_by = $3 AND state = 'sending'",
                time.time() + lease_seconds, broadcast_id, owner,
            )

    @uncancellable
    async def release_claims(self, broadcast_id: int, owner: str | None) -> None:
        async with self._journal("a lease"), self._pool.acquire() as db:
            await db.execute(
                "UPDATE deliveries SET lease_until = NULL, claimed_by = NULL "
                "WHERE broadcast_id = $1 AND (claimed_by = $2 OR $2::text IS NULL) AND state = 'sending'",
                broadcast_id, owner,
            )

    @uncancellable
    async def skip_unsubscribed(self, broadcast_id: int) -> int:
        async with self._journal("a delivery's outcome"), self._pool.acquire() as db:
            return _rowcount(
                await db.execute(
                    "UPDATE deliveries SET state = 'skipped', error = 'unsubscribed' WHERE broadcast_id = $1 AND "
                    "state = 'sending' AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.chat_id = deliveries.chat_id)",
                    broadcast_id,
                )
            )

    @uncancellable
    async def finish_broadcast(self, broadcast_id: int) -> bool:
        async with self._journal("the end of a broadcast"), self._transaction() as db:
            status = await db.execute(
                "UPDATE broadcasts SET status = 'done', finished_at = $1 WHERE id = $2 AND status = 'pending' "
                "AND NOT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = $2 AND state = 'sending')",
                time.time(), broadcast_id,
            )
            if _rowcount(status):
                return True
            return bool(await db.fetchval("SELECT status = 'done' FROM broadcasts WHERE id = $1", broadcast_id))

    async def deliveries(self, broadcast_id: int) -> list[Delivery]:
        rows = await self._pool.fetch(
            "SELECT broadcast_id, chat_id, state, parts_sent, attempts FROM deliveries WHERE broadcast_id = $1",
            broadcast_id,
        )
        return [Delivery(int(r[0]), int(r[1]), cast(DeliveryState, r[2]), int(r[3]), int(r[4])) for r in rows]

    # Knowledge hashes (change digests)

    async def knowledge_hashes(self) -> dict[str, str]:
        return {r[0]: r[1] for r in await self._pool.fetch("SELECT key, hash FROM knowledge_hashes")}

    @uncancellable
    async def set_knowledge_hashes(self, hashes: Mapping[str, str]) -> None:
        async with self._transaction() as db:
            await _replace_hashes(db, hashes)

    # The scheduled digests' series

    async def digest_cursor(self) -> DigestCursor | None:
        row = await self._pool.fetchrow("SELECT featured, position FROM digest_cursor WHERE id = 1")
        return DigestCursor(str(row[0]), int(row[1])) if row else None

    # Conversations

    async def conversation(self, key: str, fresh_after: float) -> Conversation:
        turns = await self._pool.fetchval(
            "SELECT turns FROM conversations WHERE key = $1 AND updated_at > $2", key, fresh_after
        )
        return decode(turns) if turns is not None else Conversation()

    @uncancellable
    async def save_conversation(self, key: str, conversation: Conversation) -> None:
        last = conversation.last
        if last is None:
            await self._pool.execute("DELETE FROM conversations WHERE key = $1", key)
            return
        await self._pool.execute(
            "INSERT INTO conversations (key, turns, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE "
            "SET turns = excluded.turns, updated_at = excluded.updated_at "
            "WHERE excluded.updated_at >= conversations.updated_at",
            key, encode(conversation), last.at,
        )

    @uncancellable
    async def prune_conversations(self, expired_before: float, keep: int) -> int:
        return _rowcount(
            await self._pool.execute(
                "DELETE FROM conversations WHERE updated_at < $1 OR key IN "
                "(SELECT key FROM conversations ORDER BY updated_at DESC OFFSET $2)",
                expired_before, keep,
            )
        )

    # Interface languages

    async def interface_language(self, user_id: int) -> Lang | None:
        lang = await self._pool.fetchval("SELECT lang FROM interface_languages WHERE user_id = $1", user_id)
        return cast(Lang, lang) if lang is not None else None

    @uncancellable
    async def set_interface_language(self, user_id: int, lang: Lang) -> None:
        await self._pool.execute(
            "INSERT INTO interface_languages (user_id, lang) VALUES ($1, $2) "
            "ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang",
            user_id, lang,
        )

    @uncancellable
    async def import_interface_languages(self, choices: Mapping[int, Lang]) -> int:
        if not choices:
            return 0
        users, langs = zip(*choices.items(), strict=True)
        return _rowcount(
            await self._pool.execute(
                "INSERT INTO interface_languages (user_id, lang) SELECT * FROM unnest($1::bigint[], $2::text[]) "
                "ON CONFLICT (user_id) DO NOTHING",
                list(users), list(langs),
            )
        )


#: begin_part in one round trip: (subscribed, this owner may send).
_BEGIN_PART = (
    "WITH sub AS (SELECT EXISTS (SELECT 1 FROM subscribers WHERE chat_id = $2) AS yes), "
    "tried AS ("
    " INSERT INTO deliveries (broadcast_id, chat_id, state, parts_sent, attempts, claimed_by, lease_until)"
    " SELECT $1, $2, 'sending', $3, 1, $4, $5 FROM sub WHERE sub.yes"
    " ON CONFLICT (broadcast_id, chat_id) DO UPDATE SET attempts = deliveries.attempts + 1,"
    " claimed_by = excluded.claimed_by, lease_until = excluded.lease_until"
    " WHERE deliveries.state = 'sending' AND (deliveries.claimed_by = excluded.claimed_by"
    " OR deliveries.claimed_by IS NULL OR deliveries.lease_until < $6)"
    " RETURNING 1"
    ") SELECT (SELECT yes FROM sub), EXISTS (SELECT 1 FROM tried)"
)
_S_COLUMNS = "s.chat_id, s.chat_type, s.lang, s.subscribed_at"
_BROADCAST_COLUMNS = "id, kind, created_at, payload, passage_ids, slot, status"


def _rowcount(status: str) -> int:
    """asyncpg returns the command tag (``DELETE 1``); its last word is the row count."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


async def _increment(db: asyncpg.Connection, name: str) -> None:
    await db.execute(
        "INSERT INTO counters (name, value) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
        name,
    )


async def _replace_hashes(db: asyncpg.Connection, hashes: Mapping[str, str]) -> None:
    await db.execute("DELETE FROM knowledge_hashes")
    await db.executemany("INSERT INTO knowledge_hashes (key, hash) VALUES ($1, $2)", list(hashes.items()))


def _broadcast(row: Any) -> Broadcast:
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
