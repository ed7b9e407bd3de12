"""What subscribers are sent: the summary digest, and a "what changed" digest.

Both reuse :func:`bot.telegram.render.render_proposals` (the same summary as ``/proposals``),
so there is one renderer for the summary. Payloads are rendered when the broadcast is created
and stored with it: a broadcast resumed after a restart sends exactly what it started with.

Change detection compares :meth:`KnowledgeBase.content_hashes` with the hashes stored at the
previous start-up. The first start with an empty store only records them: a fresh deployment
must not announce every proposal as "changed".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from bot.knowledge_base import KnowledgeBase, KnowledgeFile, Lang
from bot.subscriptions.store import LANGS, SubscriptionStore
from bot.subscriptions.texts import sub_texts
from bot.telegram.render import esc, fit, render_proposals

Render = Callable[[KnowledgeBase, Lang], str]
Payload = dict[Lang, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Keys (``doc_id/passage_id``) of summarized passages that are new or changed, and removed."""

    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


def summary_payload(knowledge: KnowledgeBase, render: Render = render_proposals) -> Payload:
    """The current summary in every language, one message each."""
    return {lang: (render(knowledge, lang),) for lang in LANGS}


def diff_hashes(old: Mapping[str, str], new: Mapping[str, str]) -> ChangeSet:
    """New or changed keys in ``new`` order, then keys that disappeared, sorted."""
    changed = tuple(k for k, h in new.items() if old.get(k) != h)
    removed = tuple(sorted(set(old) - set(new)))
    return ChangeSet(changed, removed)


def restrict(knowledge: KnowledgeBase, keys: Collection[str]) -> KnowledgeBase:
    """The knowledge base cut down to the passages named by ``keys`` (document metadata kept)."""
    files = []
    for kfile in knowledge.files:
        passages = tuple(p for p in kfile.passages if f"{kfile.document.id}/{p.id}" in keys)
        if passages:
            files.append(KnowledgeFile(document=kfile.document, passages=passages))
    return KnowledgeBase(files=tuple(files))


def changes_payload(knowledge: KnowledgeBase, changes: ChangeSet, render: Render = render_proposals) -> Payload:
    """Only what changed: the new or changed summaries, and a one-line count of removed ones."""
    changed = restrict(knowledge, set(changes.changed))
    payload: Payload = {}
    for lang in LANGS:
        ui = sub_texts(lang)
        blocks = [f"<b>{esc(ui.changes_title)}</b>"]
        if changed.files:
            blocks.append(render(changed, lang))
        if changes.removed:
            blocks.append(esc(ui.removed_passages.format(count=len(changes.removed))))
        payload[lang] = (fit("\n\n".join(blocks)),)
    return payload


async def queue_change_digest(
    store: SubscriptionStore, knowledge: KnowledgeBase, render: Render = render_proposals
) -> int | None:
    """Compare the knowledge base with the stored hashes; queue a change digest if needed.

    Returns the new broadcast's id, or None on a first start or when nothing changed.
    """
    new = knowledge.content_hashes()
    old = await store.knowledge_hashes()
    if not old:
        await store.set_knowledge_hashes(new)
        return None
    changes = diff_hashes(old, new)
    if not changes:
        return None
    # The slot names this change (old and new hashes): replicas starting together queue it once.
    change = hashlib.sha256(json.dumps([old, new], sort_keys=True).encode()).hexdigest()[:24]
    return await store.create_broadcast(
        "changes",
        changes_payload(knowledge, changes, render),
        passage_ids=changes.changed + changes.removed,
        slot=f"changes:{change}",
        knowledge_hashes=new,
    )
