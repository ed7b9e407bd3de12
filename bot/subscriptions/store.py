"""The store: what every part of the bot must remember, behind one interface.

Subscribers, broadcasts and their delivery journal, counters and the knowledge hashes of the
change digest. :class:`SubscriptionStore` is the interface the rest of the code uses;
:func:`open_store` picks the implementation from settings: SQLite in the data directory (the
default, one process, nothing to install, :mod:`~bot.subscriptions.sqlite_store`). Both
implementations apply the same versioned steps (:mod:`~bot.subscriptions.migrations`).

Writes commit before they return and run to the end even if the caller is cancelled: a
subscription or a "sent" journal entry is never half-written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from bot.knowledge_base import Lang
from bot.subscriptions.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from bot.config import Settings

ChatType = Literal["private", "group", "supergroup", "channel"]
BroadcastKind = Literal["digest", "changes", "manual"]
DeliveryState = Literal["sending", "sent", "failed", "removed", "skipped"]

LANGS: tuple[Lang, ...] = ("ar", "en")

__all__ = [
    "LANGS",
    "SCHEMA_VERSION",
    "Broadcast",
    "BroadcastKind",
    "ChatType",
    "Delivery",
    "DeliveryState",
    "JournalWriteError",
    "Stats",
    "Subscriber",
    "SubscriptionStore",
    "open_store",
]


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
class Stats:
    """Counts only: nothing here identifies a person or repeats what anyone wrote."""

    by_lang: dict[str, int] = field(default_factory=dict)
    by_chat_type: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    unanswered: int = 0
    removed: dict[str, int] = field(default_factory=dict)

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

    # Broadcasts and the delivery journal

    async def create_broadcast(
        self,
        kind: BroadcastKind,
        payload: Mapping[Lang, Iterable[str]],
        passage_ids: Iterable[str] = (),
        slot: str | None = None,
        knowledge_hashes: Mapping[str, str] | None = None,
    ) -> int | None:
        """Queue a broadcast; with a ``slot`` (e.g. a schedule time) it is created at most once.

        ``knowledge_hashes``, if given, replace the stored hashes in the same transaction, so a
        change digest and the record that it was made cannot come apart in a crash.
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

    async def mark_failed(
        self, broadcast_id: int, chat_id: int, error: str, state: DeliveryState = "failed"
    ) -> None:
        """Close an entry without delivery: ``failed``, ``removed`` or ``skipped``, with the reason."""
        ...

    async def finish_broadcast(self, broadcast_id: int) -> None: ...

    async def deliveries(self, broadcast_id: int) -> list[Delivery]: ...

    # Knowledge hashes (change digests)

    async def knowledge_hashes(self) -> dict[str, str]: ...

    async def set_knowledge_hashes(self, hashes: Mapping[str, str]) -> None:
        """Replace the stored hashes with the current ones, atomically."""
        ...


async def open_store(settings: Settings) -> SubscriptionStore:
    """Open (creating or upgrading) the store the settings name."""
    from bot.subscriptions.sqlite_store import SqliteStore  # the implementations import this module

    return await SqliteStore.open(settings.database_path)
