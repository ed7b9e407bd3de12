"""What subscribers are sent: the scheduled digest, the full summary, and a "what changed" digest.

Every digest says what it is (a title and a line), carries its content, and ends with when the
next scheduled one comes (``BOT_DIGEST_SCHEDULE``, in the reader's language, with the time zone);
the delivery adds the language and unsubscribe buttons (:mod:`~bot.subscriptions.buttons`).

- A *scheduled* digest features one item of the series — the numbered proposals, then the other
  calls (:meth:`KnowledgeBase.summarized`) — in turn: its summary, the passage word for word and
  its source. Which one comes next is the store's :class:`~bot.subscriptions.store.DigestCursor`,
  written with the slot's broadcast, so a slot advances the series once even with several replicas.
- The *full summary* (the same renderer as ``/proposals``) is sent on subscribing, on
  ``/proposals`` and by an administrator's ``/broadcast`` or ``python -m bot broadcast``.
- A *change* digest carries only what changed since the hashes stored at the previous start-up.
  The first start with an empty store only records them: a fresh deployment must not announce
  every proposal as "changed".

Payloads are rendered when the broadcast is created and stored with it: a broadcast resumed
after a restart sends exactly what it started with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from babel import dates as babel_dates

from bot.answer import format_date
from bot.config import DigestSchedule
from bot.knowledge_base import Document, KnowledgeBase, KnowledgeFile, Lang, Passage
from bot.subscriptions.store import LANGS, DigestCursor, SubscriptionStore
from bot.subscriptions.texts import SubscriptionTexts, sub_texts
from bot.telegram.render import MAX_MESSAGE, esc, fit, link, passage_html, render_proposals, tg_len
from bot.telegram.texts import texts

Payload = dict[Lang, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Keys (``doc_id/passage_id``) of summarized passages that are new or changed, and removed."""

    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


@dataclass(frozen=True, slots=True)
class Featured:
    """The item a scheduled digest features: where it stands in the series, and the passage."""

    position: int  # 0-based
    total: int
    document: Document
    passage: Passage

    @property
    def key(self) -> str:
        return f"{self.document.id}/{self.passage.id}"

    @property
    def cursor(self) -> DigestCursor:
        return DigestCursor(self.key, self.position)


def format_when(when: datetime, lang: Lang) -> str:
    """A digest time as readers of ``lang`` say it, with the time zone: weekday and month names from Babel.

    ``Monday 30 November 2026 at 09:00 UTC``; ``الاثنين 30 تشرين الثاني/نوفمبر 2026، الساعة 09:00
    بالتوقيت العالمي المنسق (UTC)`` (both month names, as :func:`bot.answer.format_date` writes dates).
    """
    when = when.astimezone(UTC)  # the schedule is in UTC (bot.config.DigestSchedule)
    zone = "UTC"
    weekday = babel_dates.format_date(when.date(), "EEEE", locale=lang)
    clock = babel_dates.format_time(when.timetz(), "HH:mm", locale=lang)
    if lang == "ar":
        zone_name = babel_dates.format_datetime(when, "zzzz", locale="ar")
        return f"{weekday} {format_date(when.date(), lang)}، الساعة {clock} ب{zone_name} ({zone})"
    return f"{weekday} {format_date(when.date(), lang)} at {clock} {zone}"


def plan_text(schedule: DigestSchedule, next_digest: datetime | None, lang: Lang) -> str:
    """What a subscriber will get and when: the sentence /subscribe's reply fills in (plain text)."""
    ui = sub_texts(lang)
    if next_digest is None or schedule.kind == "off":
        return ui.plan_off
    template = ui.plan_daily if schedule.kind == "daily" else ui.plan_weekly
    return template.format(when=format_when(next_digest, lang))


def _next_line(ui: SubscriptionTexts, next_digest: datetime | None) -> str:
    return esc(ui.next_off if next_digest is None else ui.next_digest.format(when=format_when(next_digest, ui.lang)))


def _tail(knowledge: KnowledgeBase, lang: Lang) -> str:
    """What an over-long digest keeps after the cut: the link to each statement."""
    return " ".join(link(d.url, texts(lang).link_kremlin_en) for d in knowledge.documents)


def _frame(title: str, about: str, body: str, ui: SubscriptionTexts, next_digest: datetime | None, tail: str) -> str:
    """A digest message: bold title, what it is, the content, when the next one comes; within 4096 characters.

    The next-digest line goes before the content is cut, so an over-long digest still says it.
    """
    head = f"<b>{esc(title)}</b>\n{esc(about)}\n\n"
    foot = f"\n\n{_next_line(ui, next_digest)}"
    return head + fit(body, tail=tail, limit=MAX_MESSAGE - tg_len(head) - tg_len(foot)) + foot


def next_featured(knowledge: KnowledgeBase, cursor: DigestCursor | None) -> Featured | None:
    """The item after the one the cursor names, cycling; None when nothing is summarized.

    If the cursor's passage was removed since, the series goes on from its place: the item now at
    that position is the one that followed it.
    """
    series = knowledge.summarized()
    if not series:
        return None
    keys = [f"{doc.id}/{p.id}" for doc, p in series]
    if cursor is None:
        position = 0
    elif cursor.featured in keys:
        position = (keys.index(cursor.featured) + 1) % len(series)
    else:
        position = cursor.position % len(series)
    doc, passage = series[position]
    return Featured(position, len(series), doc, passage)


def featured_payload(
    knowledge: KnowledgeBase, featured: Featured, schedule: DigestSchedule, next_digest: datetime | None
) -> Payload:
    """A scheduled digest in every language: the featured item's summary, its passage and source."""
    payload: Payload = {}
    for lang in LANGS:
        ui = sub_texts(lang)
        template = ui.featured_title_daily if schedule.kind == "daily" else ui.featured_title_weekly
        title = template.format(position=featured.position + 1, total=featured.total)
        parts = []
        summary = featured.passage.summary(lang)
        if summary:
            parts.append(f"<b>{esc(ui.in_short)}:</b> {esc(summary)}")
        parts.append(passage_html(featured.document, featured.passage, lang))
        body = "\n\n".join(parts)
        payload[lang] = (_frame(title, ui.featured_about, body, ui, next_digest, _tail(knowledge, lang)),)
    return payload


def summary_payload(knowledge: KnowledgeBase, next_digest: datetime | None) -> Payload:
    """The full summary (as /proposals shows it) in every language, framed as a digest."""
    payload: Payload = {}
    for lang in LANGS:
        ui = sub_texts(lang)
        body = render_proposals(knowledge, lang)
        payload[lang] = (_frame(ui.summary_title, ui.summary_about, body, ui, next_digest, _tail(knowledge, lang)),)
    return payload


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


def changes_payload(knowledge: KnowledgeBase, changes: ChangeSet, next_digest: datetime | None) -> Payload:
    """Only what changed: the new or changed summaries, and a one-line count of removed ones."""
    changed = restrict(knowledge, set(changes.changed))
    payload: Payload = {}
    for lang in LANGS:
        ui = sub_texts(lang)
        blocks = []
        if changed.files:
            blocks.append(render_proposals(changed, lang))
        if changes.removed:
            blocks.append(esc(ui.removed_passages.format(count=len(changes.removed))))
        body = "\n\n".join(blocks)
        payload[lang] = (_frame(ui.changes_title, ui.changes_about, body, ui, next_digest, _tail(knowledge, lang)),)
    return payload


async def queue_change_digest(store: SubscriptionStore, knowledge: KnowledgeBase, next_digest: datetime | None) -> int | None:
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
        changes_payload(knowledge, changes, next_digest),
        passage_ids=changes.changed + changes.removed,
        slot=f"changes:{change}",
        knowledge_hashes=new,
    )
