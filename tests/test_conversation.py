"""The conversation store: bounded in turns and in conversations, expiring on an injected clock."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation, MemoryConversations, Turn, decode, encode
from tests.clock import ManualClock


def _turn(query: str, at: float, *ids: str) -> Turn:
    return Turn(query, "en", "answer" if ids else "none", ids, tuple(100.0 for _ in ids), at)


def test_a_conversation_keeps_only_its_last_turns() -> None:
    conversation = Conversation()
    for n in range(8):
        conversation = conversation.then(_turn(f"q{n}", 0.0, f"p{n}"), max_turns=5)
    assert [t.query for t in conversation.turns] == ["q3", "q4", "q5", "q6", "q7"]
    assert conversation.last is not None and conversation.last.best_id == "p7"
    assert conversation.shown == {"p3", "p4", "p5", "p6", "p7"}


def test_an_unknown_key_is_an_empty_conversation() -> None:
    store = MemoryConversations()
    assert not store.get("chat:1")
    assert store.get("chat:1").last is None


def test_a_conversation_expires_ten_minutes_after_its_last_turn() -> None:
    clock = ManualClock()
    store = MemoryConversations(clock=clock)
    store.put("chat:1", Conversation().then(_turn("proposal 1", clock(), "proposal-1")))
    clock.now += 599
    assert store.get("chat:1").last is not None
    clock.now += 2
    assert not store.get("chat:1")
    assert len(store) == 0  # dropped, not only hidden


def test_the_least_recently_used_conversation_goes_first_when_full() -> None:
    store = MemoryConversations(max_conversations=2, clock=ManualClock())
    for key in ("a", "b"):
        store.put(key, Conversation().then(_turn(key, store.now(), key)))
    store.get("a")  # "a" was used last: "b" is the oldest now
    store.put("c", Conversation().then(_turn("c", store.now(), "c")))
    assert len(store) == 2
    assert store.get("a") and store.get("c") and not store.get("b")


def test_a_store_needs_room_for_one_conversation() -> None:
    with pytest.raises(ValueError, match="max_conversations"):
        MemoryConversations(max_conversations=0)


def test_the_stored_form_reads_back_equal() -> None:
    conversation = Conversation((_turn("الاقتراح الأول", 5.5, "proposal-1", "p2"), _turn("what else?", 9.0)))
    assert decode(encode(conversation)) == conversation
    assert "الاقتراح" in encode(conversation)  # Arabic kept readable, not \u-escaped


@pytest.mark.parametrize(
    "text",
    ["", "not json", "{}", "[1]", '[{"q": "x"}]', '[{"q": "x", "lang": "fr", "match": "answer", "ids": [], "scores": [], "at": 1}]',
     '[{"q": "x", "lang": "en", "match": "answer", "ids": ["a"], "scores": [], "at": 1}]'],
)
def test_a_damaged_stored_conversation_reads_as_a_new_one(text: str) -> None:
    """A row no release could have written costs the follow-up its context, never the answer."""
    assert decode(text) == Conversation()
