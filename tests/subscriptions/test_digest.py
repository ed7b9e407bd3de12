"""Summary and change digests: what is sent, and when the knowledge base counts as changed."""

from __future__ import annotations

import pytest

from bot.knowledge_base import KnowledgeBase, KnowledgeFile
from bot.subscriptions.digest import ChangeSet, diff_hashes, queue_change_digest, restrict, summary_payload
from bot.subscriptions.store import SubscriptionStore
from bot.telegram.render import render_proposals


def edited(knowledge: KnowledgeBase, passage_id: str, summary_en: str, summary_ar: str) -> KnowledgeBase:
    """The knowledge base with one passage's summaries rewritten."""
    files = []
    for kfile in knowledge.files:
        passages = tuple(
            p.model_copy(update={"summary_en": summary_en, "summary_ar": summary_ar}) if p.id == passage_id else p
            for p in kfile.passages
        )
        files.append(KnowledgeFile(document=kfile.document, passages=passages))
    return KnowledgeBase(files=tuple(files))


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ({}, {"a": "1"}, ChangeSet(("a",), ())),
        ({"a": "1"}, {"a": "1"}, ChangeSet((), ())),
        ({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}, ChangeSet(("b", "c"), ())),
        ({"a": "1", "z": "2", "y": "3"}, {"a": "1"}, ChangeSet((), ("y", "z"))),
    ],
)
def test_diff_hashes(old: dict[str, str], new: dict[str, str], expected: ChangeSet) -> None:
    """New and changed keys in knowledge order, removed keys sorted."""
    assert diff_hashes(old, new) == expected


def test_summary_payload_is_render_proposals_in_both_languages(knowledge: KnowledgeBase) -> None:
    """The digest is the same summary as /proposals, one message per language."""
    payload = summary_payload(knowledge)
    assert payload == {"ar": (render_proposals(knowledge, "ar"),), "en": (render_proposals(knowledge, "en"),)}


def test_restrict_keeps_only_named_passages(knowledge: KnowledgeBase) -> None:
    """Restricting to keys keeps those passages and their document, nothing else."""
    doc, passage = knowledge.proposals()[2]
    small = restrict(knowledge, {f"{doc.id}/{passage.id}"})
    assert [p.id for _, p in small.entries()] == [passage.id]


async def test_first_start_records_hashes_without_a_broadcast(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """An empty store only learns the hashes: a fresh deployment announces nothing."""
    assert await queue_change_digest(store, knowledge) is None
    assert await store.knowledge_hashes() == knowledge.content_hashes()
    assert await store.unfinished_broadcasts() == []


async def test_unchanged_knowledge_queues_nothing(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """A restart with the same knowledge base sends nothing."""
    await queue_change_digest(store, knowledge)
    assert await queue_change_digest(store, knowledge) is None


async def test_changed_proposal_digest_contains_only_that_proposal(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """A changed summary produces a changes broadcast with that proposal and no other."""
    await queue_change_digest(store, knowledge)
    doc, target = knowledge.proposals()[1]
    others = [p for _, p in knowledge.summarized() if p.id != target.id]
    changed = edited(knowledge, target.id, "Keep the hotlines open day and night.", "إبقاء الخطوط الساخنة مفتوحة ليلاً ونهاراً.")
    broadcast_id = await queue_change_digest(store, changed)
    broadcast = await store.get_broadcast(broadcast_id or 0)
    assert broadcast is not None and broadcast.kind == "changes"
    assert broadcast.passage_ids == (f"{doc.id}/{target.id}",)
    [en], [ar] = broadcast.payload["en"], broadcast.payload["ar"]
    assert "Keep the hotlines open day and night." in en and "إبقاء الخطوط الساخنة مفتوحة ليلاً ونهاراً." in ar
    assert not any((p.summary_en or "") in en for p in others)
    assert doc.url in en
    assert await queue_change_digest(store, changed) is None  # recorded: not announced twice


async def test_removed_passage_is_mentioned_briefly(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """A summarized passage that disappears is counted in the digest, without the rest of the summary."""
    await queue_change_digest(store, knowledge)
    doc, gone = knowledge.proposals()[-1]
    smaller = KnowledgeBase(
        files=tuple(
            KnowledgeFile(document=f.document, passages=tuple(p for p in f.passages if p.id != gone.id)) for f in knowledge.files
        )
    )
    broadcast = await store.get_broadcast(await queue_change_digest(store, smaller) or 0)
    assert broadcast is not None and broadcast.passage_ids == (f"{doc.id}/{gone.id}",)
    assert "Removed from the summary: 1" in broadcast.payload["en"][0]
    assert "حُذف من الملخص: 1" in broadcast.payload["ar"][0]
    assert knowledge.proposals()[0][1].summary_en not in broadcast.payload["en"][0]
