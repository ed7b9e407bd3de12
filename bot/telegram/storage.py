"""The store, opened once per application: everything the bot remembers goes through it.

:func:`start` opens it (SQLite in the data directory, or the PostgreSQL of ``BOT_DATABASE_URL``
shared by every replica, :func:`bot.subscriptions.store.open_store`) before the features that
use it start; :func:`stop` closes it after they stopped. Subscriptions, ``/language`` choices,
question counters and the conversations follow-ups read all live there, so a follow-up or a
``/language`` choice reaches whichever replica the next update lands on, and survives a restart.

Conversations are kept in the store with SQLite too, not in process memory: one place for
everything, and a restart (an upgrade, a crash) does not make "and the second one?" forget what
came first. It costs one small write per answered question, after the reply went out.
"""

from __future__ import annotations

import logging
import time
from typing import cast

from telegram.ext import ContextTypes

from bot.conversation import MAX_CONVERSATIONS, TTL_SECONDS, Clock, Conversation
from bot.logs import EVENT_ATTR, FIELDS_ATTR
from bot.subscriptions.store import SubscriptionStore, open_store
from bot.telegram.services import AnyApplication, services_of, stored

log = logging.getLogger("bayan.telegram")

STORE_KEY = "bayan.store"
CONVERSATIONS_KEY = "bayan.conversations"
PRUNE_EVERY_SECONDS = 60.0
_NOT_STARTED = "add bot.telegram.storage.start to the start hooks"


class StoredConversations:
    """The conversations of a bot, in its store: expiring ``ttl_seconds`` after their last turn.

    Turns are stamped with wall-clock time (``time.time``), which replicas share, not a
    process's monotonic clock. Expired conversations are never read (the store's query says
    so) and are deleted, with all but the ``max_conversations`` newest, at most once every
    :data:`PRUNE_EVERY_SECONDS` by each process.

    A conversation being written is read back from memory until its write committed: the
    answer is out before its conversation is saved, and a follow-up sent the moment the answer
    shows (a fast typist; a test) must not find the store one turn behind. Another replica
    reads it once committed, milliseconds later.

    A store that fails costs the follow-up its context, not the answer: :meth:`get` then
    reads an empty conversation and :meth:`put` (after the reply went out) only logs.
    """

    def __init__(
        self,
        store: SubscriptionStore,
        *,
        ttl_seconds: float = TTL_SECONDS,
        max_conversations: int = MAX_CONVERSATIONS,
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._ttl = ttl_seconds
        self._max = max_conversations
        self._clock = clock
        self._pruned_at = clock()
        self._writing: dict[str, Conversation] = {}  # saves in flight, by key: only until committed

    def now(self) -> float:
        """The time to stamp a new :class:`~bot.conversation.Turn` with."""
        return self._clock()

    async def get(self, key: str) -> Conversation:
        writing = self._writing.get(key)
        if writing is not None:
            return writing
        try:
            return await self._store.conversation(key, fresh_after=self._clock() - self._ttl)
        except Exception:  # any database fault: answer without context rather than not at all
            log.exception("conversation unreadable", extra={EVENT_ATTR: "conversation_unreadable", FIELDS_ATTR: {}})
            return Conversation()

    async def put(self, key: str, conversation: Conversation) -> None:
        self._writing[key] = conversation
        try:
            await self._store.save_conversation(key, conversation)
            if self._clock() - self._pruned_at >= PRUNE_EVERY_SECONDS:
                self._pruned_at = self._clock()
                await self.prune()
        except Exception:  # the answer is out already; an apology now would only confuse
            log.exception("conversation not saved", extra={EVENT_ATTR: "conversation_not_saved", FIELDS_ATTR: {}})
        finally:
            if self._writing.get(key) is conversation:  # not a later turn's save, still in flight
                del self._writing[key]

    async def prune(self) -> int:
        """Delete expired conversations and all but the newest ``max_conversations``; how many went."""
        return await self._store.prune_conversations(self._clock() - self._ttl, self._max)


def store_of(context: ContextTypes.DEFAULT_TYPE | AnyApplication) -> SubscriptionStore:
    store = context.bot_data.get(STORE_KEY)
    if store is None:  # a Protocol, so no isinstance check: either implementation is stored here
        raise RuntimeError(f"bot_data[{STORE_KEY!r}] is missing: {_NOT_STARTED}")
    return cast(SubscriptionStore, store)


def conversations_of(context: ContextTypes.DEFAULT_TYPE) -> StoredConversations:
    """Conversations by chat (private) or by the bot's message (groups); see bot.telegram.questions."""
    return stored(context.bot_data, CONVERSATIONS_KEY, StoredConversations, _NOT_STARTED)


async def start(application: AnyApplication) -> None:
    """Start-up hook: open (creating or upgrading) the store; :class:`~bot.subscriptions.store.StoreError` if it cannot be."""
    store = await open_store(services_of(application).settings)
    application.bot_data[STORE_KEY] = store
    conversations = StoredConversations(store)
    application.bot_data[CONVERSATIONS_KEY] = conversations
    await conversations.prune()


async def stop(application: AnyApplication) -> None:
    """Shutdown hook, after every feature using the store stopped."""
    application.bot_data.pop(CONVERSATIONS_KEY, None)
    store = application.bot_data.pop(STORE_KEY, None)
    if store is not None:
        await store.close()
