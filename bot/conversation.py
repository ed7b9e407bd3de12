"""What a conversation remembers between questions, so that "and the second one?" can follow up.

A :class:`Conversation` is plain, immutable data: its last few :class:`Turn` (the question,
its language, the verdict and the passages shown, by id), newest last. Passage ids rather than
passages, so that a conversation is small, serialisable and survives a reload of the knowledge
files (an id that no longer exists is simply skipped).

Conversations are kept by key: a private chat, a bot message a group replies to, the running
console. They expire some minutes after their last turn (a follow-up hours later is a new
question), hold at most :data:`MAX_TURNS` turns, and at most :data:`MAX_CONVERSATIONS` are kept.
The bot keeps them in its store (:mod:`bot.telegram.storage`), so replicas sharing one
PostgreSQL, and a restarted process, read the same conversation: :func:`encode` and
:func:`decode` are the stored form. :class:`MemoryConversations` is the in-process store of the
console's ``chat``, one process and one conversation.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from bot.answer import Answer, Match
from bot.knowledge_base import Lang

Clock = Callable[[], float]
"""Seconds, from any origin; stores compare differences only. Tests pass a manual clock."""

MAX_TURNS = 5
MAX_CONVERSATIONS = 10_000
TTL_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Turn:
    """One question and what it was shown: the hits' passage ids, the best first."""

    query: str
    lang: Lang
    match: Match
    passage_ids: tuple[str, ...]
    scores: tuple[float, ...]  # the hits' scores, in the same order
    at: float  # the store's clock when it was asked

    @classmethod
    def of(cls, answer: Answer, at: float) -> Turn:
        ids = tuple(h.passage.id for h in answer.hits)
        return cls(answer.query, answer.lang, answer.match, ids, tuple(h.score for h in answer.hits), at)

    @property
    def best_id(self) -> str | None:
        """The passage the reply quoted (or offered first): what "it", "why?" and "more" refer to."""
        return self.passage_ids[0] if self.passage_ids else None


@dataclass(frozen=True, slots=True)
class Conversation:
    """The last turns of one conversation, oldest first; empty for a new one."""

    turns: tuple[Turn, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.turns)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    @property
    def shown(self) -> frozenset[str]:
        """Passages already quoted (each turn's best): "what else?" skips them."""
        return frozenset(t.best_id for t in self.turns if t.best_id is not None)

    def then(self, turn: Turn, max_turns: int = MAX_TURNS) -> Conversation:
        """This conversation with ``turn`` added, keeping only the last ``max_turns``."""
        return Conversation((*self.turns, turn)[-max_turns:])


def encode(conversation: Conversation) -> str:
    """The stored form: JSON, one object per turn, oldest first."""
    return json.dumps(
        [
            {"q": t.query, "lang": t.lang, "match": t.match, "ids": t.passage_ids, "scores": t.scores, "at": t.at}
            for t in conversation.turns
        ],
        ensure_ascii=False,
    )


def decode(text: str) -> Conversation:
    """A conversation from :func:`encode`'s form; anything unreadable is an empty conversation.

    A damaged row must cost a follow-up its context, never the answer to the question.
    """
    try:
        return Conversation(tuple(_turn(item) for item in json.loads(text)))
    except (ValueError, TypeError, KeyError):
        return Conversation()


def _turn(item: dict[str, Any]) -> Turn:
    lang, match = item["lang"], item["match"]
    if lang not in ("ar", "en") or match not in get_args(Match):
        raise ValueError(f"not a turn: {item!r}")
    ids = tuple(str(i) for i in item["ids"])
    scores = tuple(float(x) for x in item["scores"])
    if len(ids) != len(scores):
        raise ValueError(f"not a turn: {item!r}")
    return Turn(str(item["q"]), lang, match, ids, scores, float(item["at"]))


class MemoryConversations:
    """In-process store: bounded in conversations (least recently used dropped) and expiring.

    For the console, one process and thread; the bot keeps its conversations in the store.
    """

    def __init__(
        self,
        *,
        max_conversations: int = MAX_CONVERSATIONS,
        ttl_seconds: float = TTL_SECONDS,
        clock: Clock = time.monotonic,
    ) -> None:
        if max_conversations < 1:
            raise ValueError("max_conversations must be at least 1")
        self._max = max_conversations
        self._ttl = ttl_seconds
        self._clock = clock
        self._items: OrderedDict[str, Conversation] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def now(self) -> float:
        return self._clock()

    def get(self, key: str) -> Conversation:
        conversation = self._items.get(key)
        if conversation is None:
            return Conversation()
        last = conversation.last
        if last is None or self._clock() - last.at > self._ttl:
            del self._items[key]
            return Conversation()
        self._items.move_to_end(key)
        return conversation

    def put(self, key: str, conversation: Conversation) -> None:
        self._items[key] = conversation
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)
