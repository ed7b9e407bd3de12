"""The store: what every part of the bot must remember, behind one interface.

Subscribers, broadcasts and their delivery journal, counters, the knowledge hashes of the
change digest, the cursor of the scheduled digests' series, the conversations follow-up
questions read, and each user's interface language. :class:`SubscriptionStore` is the
interface the rest of the code uses; :func:`open_store` picks the implementation from
settings: SQLite in the data directory (the default, one process, nothing to install,
:mod:`~bot.subscriptions.sqlite_store`) or PostgreSQL shared by several replicas (``BOT_DATABASE_URL``, :mod:`~bot.subscriptions.postgres_store`).
Both implementations apply the same versioned steps (:mod:`~bot.subscriptions.migrations`).

Writes commit before they return and run to the end even if the caller is cancelled: a
subscription or a "sent" journal entry is never half-written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from bot.conversation import Conversation
from bot.knowledge_base import Lang
from bot.subscriptions.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from bot.config import Settings

#: Subscriber columns, in :func:`subscriber_from_row`'s order.
SUBSCRIBER_COLUMNS = "chat_id, chat_type, lang, subscribed_at"

ChatType = Literal["private", "group", "supergroup", "channel"]
BroadcastKind = Literal["digest", "changes", "manual"]
DeliveryState = Literal["sending", "sent", "failed", "removed", "skipped"]
#: What :meth:`SubscriptionStore.begin_part` allows: send now, skip (the chat left), or leave it (not ours any more).
Attempt = Literal["send", "unsubscribed", "lost"]

LANGS: tuple[Lang, ...] = ("ar", "en")

__all__ = [
    "LANGS",
    "SCHEMA_VERSION",
    "Attempt",
    "Broadcast",
    "BroadcastKind",
    "ChatType",
    "Delivery",
    "DeliveryState",
    "DigestCursor",
    "JournalWriteError",
    "Stats",
    "StoreError",
    "Subscriber",
    "SubscriptionStore",
    "open_store",
]


class StoreError(Exception):
    """The store cannot be used: unreachable, or its schema is not the one this code was built for."""


class JournalWriteError(Exception):
    """The delivery journal (or a subscriber change made while delivering) could not be written.

    Raised by every store implementation for the writes a broadcast makes, whatever the
    database's own error: the broadcaster stops on it, because a message whose delivery cannot
    be recorded would be sent again on the next run.
    """


@dataclass(frozen=True, slots=True)
class Subscriber:
    chat_id: int
    chat_type: ChatType
    lang: Lang
    subscribed_at: float


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A message (one or more parts per language) to deliver to every subscriber once."""

    id: int
    kind: BroadcastKind
    created_at: float
    payload: dict[Lang, tuple[str, ...]]
    passage_ids: tuple[str, ...]
    slot: str | None
    status: Literal["pending", "done"]

    def parts(self, lang: Lang) -> tuple[str, ...]:
        return self.payload.get(lang) or self.payload[next(iter(self.payload))]


@dataclass(frozen=True, slots=True)
class Delivery:
    """The journal entry of one (broadcast, chat); ``parts_sent`` says how far a multi-part send got."""

    broadcast_id: int
    chat_id: int
    state: DeliveryState
    parts_sent: int
    attempts: int


@dataclass(frozen=True, slots=True)
class DigestCursor:
    """Where the scheduled digests' series stands: the item the last one featured and its place then.

    ``featured`` is a ``doc_id/passage_id`` key; ``position`` (0-based) lets the series go on from
    the same place when that passage has since been removed from the knowledge base.
    """

    featured: str
    position: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts only: nothing here identifies a person or repeats what anyone wrote."""

    by_lang: dict[str, int] = field(default_factory=dict)
    by_chat_type: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    unanswered: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    missed: dict[str, int] = field(default_factory=dict)  # "not what I asked", by the passage the answer quoted

    @property
    def subscribers(self) -> int:
        return sum(self.by_lang.values())


class SubscriptionStore(Protocol):
    """What the bot needs from its database; every implementation passes ``tests/subscriptions/test_store.py``."""

    @property
    def description(self) -> str:
        """Which store this is, for ``python -m bot check`` and logs (never a password)."""
        ...

    async def close(self) -> None: ...

    async def schema_version(self) -> int: ...

    # Subscribers

    async def subscribe(self, chat_id: int, chat_type: ChatType, lang: Lang) -> bool:
        """Subscribe a chat or change its language; True when the chat was not subscribed before."""
        ...

    async def unsubscribe(self, chat_id: int) -> bool:
        """Remove a chat; True when it was subscribed."""
        ...

    async def remove_subscriber(self, chat_id: int, reason: str) -> None:
        """Drop a chat Telegram refuses to deliver to, and count why, in one transaction."""
        ...

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: keep its subscription under the new id."""
        ...

    async def get(self, chat_id: int) -> Subscriber | None: ...

    async def is_subscribed(self, chat_id: int) -> bool: ...

    async def count(self) -> int: ...

    async def stats(self) -> Stats: ...

    async def record_question(self, answered: bool) -> None:
        """Count one question; only the verdict is stored, never the text."""
        ...

    async def record_miss(self, passage_id: str) -> None:
        """Count one "not what I asked" against the passage the answer quoted."""
        ...

    # Broadcasts and the delivery journal

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

        ``knowledge_hashes``, if given, replace the stored hashes in the same transaction, so a
        change digest and the record that it was made cannot come apart in a crash. ``cursor``, if
        given, becomes the series' :class:`DigestCursor` in the same transaction, and only when the
        broadcast is created: replicas queueing the same slot advance the series once.
        Returns the new id, or None when a broadcast for that slot already exists.
        """
        ...

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None: ...

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        """Broadcasts not yet delivered to everyone, oldest first: what a restart resumes."""
        ...

    async def pending_recipients(self, broadcast: Broadcast) -> list[tuple[Subscriber, int]]:
        """Subscribers still owed this broadcast, with how many of its parts they already have.

        Only chats subscribed when the broadcast was created (later ones got the summary on
        subscribing) and without a terminal journal entry.
        """
        ...

    async def mark_part_sent(
        self, broadcast_id: int, chat_id: int, parts_sent: int, done: bool, attempts: int = 1
    ) -> None:
        """Record that Telegram accepted part ``parts_sent`` (1-based); ``done`` closes the entry.

        Returns once the record is durable.
        """
        ...

    async def begin_part(
        self, broadcast_id: int, chat_id: int, part: int, owner: str, lease_seconds: float
    ) -> Attempt:
        """Journal a try of part ``part`` (0-based) just before it goes out, if the chat is still ``owner``'s to serve.

        One durable write that checks, atomically: the chat is still subscribed (else
        ``"unsubscribed"``: unsubscribing is immediate) and its entry is open and held by ``owner``
        (or by nobody, or on a lease that ran out; a chat with no entry yet, one that just moved to
        a supergroup, gets one). Then ``"send"``: the try is counted and the lease renewed. Else
        ``"lost"``: another deliverer took the chat over because this one stopped renewing (a
        stalled process) or it is closed, and nothing must be sent: the fence that keeps a replica
        that woke up late from sending what another already sent.
        """
        ...

    async def mark_failed(
        self, broadcast_id: int, chat_id: int, error: str, state: DeliveryState = "failed"
    ) -> None:
        """Close an entry without delivery: ``failed``, ``removed`` or ``skipped``, with the reason."""
        ...

    async def open_deliveries(self, broadcast: Broadcast) -> None:
        """Give every chat owed ``broadcast`` an open (``sending``) journal entry; idempotent.

        Done by every deliverer before claiming, so that entries exist to be claimed row by row.
        """
        ...

    async def claim_recipients(
        self, broadcast: Broadcast, owner: str, limit: int, lease_seconds: float
    ) -> list[tuple[Subscriber, int]]:
        """Take up to ``limit`` open entries nobody holds (or whose holder's lease ran out).

        Returns the chats with how many parts they already have. Two deliverers never get the
        same chat while a lease runs; a deliverer that dies leaves its chats to the others once
        ``lease_seconds`` have passed without :meth:`renew_claims`.
        """
        ...

    async def renew_claims(self, broadcast_id: int, owner: str, lease_seconds: float) -> None:
        """Extend the lease on every open entry ``owner`` holds: it is still working on them."""
        ...

    async def release_claims(self, broadcast_id: int, owner: str | None) -> None:
        """Give up ``owner``'s open entries at once (a run that stops early), for others to take.

        ``None`` releases everyone's: only for a deliverer that knows it is alone (SQLite's
        delivery lock), to whom any claim left in the journal is one of a process that died.
        """
        ...

    async def skip_unsubscribed(self, broadcast_id: int) -> int:
        """Close the open entries of chats that left after they were opened (owed nothing); how many."""
        ...

    async def finish_broadcast(self, broadcast_id: int) -> bool:
        """Mark the broadcast done if no entry is open; False while some chat is still owed it."""
        ...

    async def deliveries(self, broadcast_id: int) -> list[Delivery]: ...

    async def watch_broadcasts(self, wake: Callable[[], None]) -> None:
        """From now on, call ``wake`` (in this event loop) whenever any process queues a broadcast.

        So that every replica joins a broadcast at once, whichever of them queued it, instead
        of at its next poll. PostgreSQL: ``LISTEN`` on a connection of its own (closed by
        :meth:`close`); SQLite: nothing, one process delivers and its poll finds the rest.
        """
        ...

    # Knowledge hashes (change digests)

    async def knowledge_hashes(self) -> dict[str, str]: ...

    async def set_knowledge_hashes(self, hashes: Mapping[str, str]) -> None:
        """Replace the stored hashes with the current ones, atomically."""
        ...

    # The scheduled digests' series

    async def digest_cursor(self) -> DigestCursor | None:
        """What the last scheduled digest featured (set by :meth:`create_broadcast`); None before the first."""
        ...

    # Conversations (what follow-up questions read), shared by replicas

    async def conversation(self, key: str, fresh_after: float) -> Conversation:
        """The conversation under ``key`` if its last turn is later than ``fresh_after``, else an empty one.

        Expiry is in the query: a conversation not yet pruned is still never read once expired.
        """
        ...

    async def save_conversation(self, key: str, conversation: Conversation) -> None:
        """Store ``conversation`` under ``key``, stamped with its last turn's time.

        A save older than the stored one is ignored: of two replicas answering in one
        conversation at once, the later turn wins. An empty conversation deletes the key.
        """
        ...

    async def prune_conversations(self, expired_before: float, keep: int) -> int:
        """Delete conversations whose last turn is before ``expired_before``, and all but the ``keep`` newest; how many."""
        ...

    # Interface languages (/language), per user

    async def interface_language(self, user_id: int) -> Lang | None:
        """The language the user chose with ``/language``; None when they never chose."""
        ...

    async def set_interface_language(self, user_id: int, lang: Lang) -> None: ...

    async def import_interface_languages(self, choices: Mapping[int, Lang]) -> int:
        """Add choices made elsewhere (an older release's file) for users without one here; how many were added."""
        ...


async def open_store(settings: Settings) -> SubscriptionStore:
    """Open (creating or upgrading) the store the settings name: PostgreSQL with ``BOT_DATABASE_URL``, else SQLite.

    Raises :class:`StoreError` when the database is unreachable or newer than this code.
    """
    # The implementations import this module, so they are imported here, when needed.
    if settings.database_url is not None:
        from bot.subscriptions.postgres_store import PostgresStore

        return await PostgresStore.open(settings.database_url.get_secret_value())
    from bot.subscriptions.sqlite_store import SqliteStore

    return await SqliteStore.open(settings.database_path)


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What ``python -m bot check`` says about the store: which one, its schema version, its subscribers."""

    description: str
    version: int  # 0: not created yet (the bot creates it on start)
    subscribers: int


def inspect_store(settings: Settings) -> StoreInfo:
    """Look at the store the settings name without changing it; :class:`StoreError` when it cannot be read.

    Synchronous, for ``python -m bot check``: PostgreSQL is asked from a thread of its own, so
    this works whether or not the caller runs an event loop.
    """
    if settings.database_url is not None:
        from bot.subscriptions.postgres_store import inspect_postgres

        url = settings.database_url.get_secret_value()
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, inspect_postgres(url)).result()
    from bot.subscriptions.sqlite_store import inspect_sqlite

    return inspect_sqlite(settings.database_path)


def check_version(version: int, where: str) -> None:
    """Refuse a database whose schema is newer than this code: it was upgraded by a newer release."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: schema version {version} is newer than this code's {SCHEMA_VERSION}; "
            "run the release that upgraded it (or a newer one)"
        )


def subscriber_from_row(row: Sequence[Any]) -> Subscriber:
    return Subscriber(int(row[0]), cast(ChatType, row[1]), cast(Lang, row[2]), float(row[3]))
