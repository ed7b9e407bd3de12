"""Scheduled, summary and change digests: what is sent, and when the knowledge base counts as changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.bidi import unisolated_latin
from bot.config import DigestSchedule
from bot.knowledge_base import KnowledgeBase, KnowledgeFile
from bot.subscriptions.digest import (
    ChangeSet,
    diff_hashes,
    featured_payload,
    format_when,
    next_featured,
    queue_change_digest,
    restrict,
    summary_payload,
)
from bot.subscriptions.store import DigestCursor, SubscriptionStore
from bot.telegram.render import render_proposals, tg_len
from tests.fakes.telegram_html import parse_html
from tests.plain import plain

NEXT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
WEEKLY = DigestSchedule.parse("weekly mon 09:00")


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


def test_summary_payload_is_render_proposals_framed_as_a_digest(knowledge: KnowledgeBase) -> None:
    """The full-summary digest is /proposals' summary under a title and a line saying what it is, then the next digest."""
    payload = summary_payload(knowledge, NEXT)
    for lang, title, next_line in [
        ("en", "Bayan digest: all the proposals", "Next digest: Monday 7 December 2026 at 09:00 UTC."),
        ("ar", "ملخص «بيان»: المقترحات كلها", "الملخص القادم: الاثنين 7 كانون الأول/ديسمبر 2026، الساعة 09:00 بالتوقيت العالمي المنسق (UTC)."),
    ]:
        [text] = payload[lang]  # type: ignore[index]
        assert text.startswith(f"<b>{title}</b>\n")
        assert render_proposals(knowledge, lang) in text  # type: ignore[arg-type]
        assert plain(text).endswith(next_line)
    assert plain(summary_payload(knowledge, None)["en"][0]).endswith("No scheduled digests are set; the next one comes when the summary changes.")


@pytest.mark.parametrize(
    "when, lang, expected",
    [
        (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "en", "Monday 30 November 2026 at 09:00 UTC"),
        (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "ar", "الاثنين 30 تشرين الثاني/نوفمبر 2026، الساعة 09:00 بالتوقيت العالمي المنسق (UTC)"),
        (datetime(2027, 1, 3, 23, 5, tzinfo=UTC), "en", "Sunday 3 January 2027 at 23:05 UTC"),
        (datetime(2027, 1, 3, 23, 5, tzinfo=UTC), "ar", "الأحد 3 كانون الثاني/يناير 2027، الساعة 23:05 بالتوقيت العالمي المنسق (UTC)"),
    ],
)
def test_format_when_names_day_date_time_and_zone(when: datetime, lang: str, expected: str) -> None:
    """Weekday and month names from Babel in the reader's language, 24-hour time, and the time zone."""
    assert format_when(when, lang) == expected  # type: ignore[arg-type]


def test_next_featured_cycles_through_proposals_then_other_calls(knowledge: KnowledgeBase) -> None:
    """From no cursor: the first item; each cursor gives the one after it; after the last, the first again."""
    series = [f"{d.id}/{p.id}" for d, p in knowledge.summarized()]
    cursor, seen = None, []
    for _ in range(len(series) + 2):
        featured = next_featured(knowledge, cursor)
        assert featured is not None and featured.total == len(series)
        seen.append(featured.key)
        cursor = featured.cursor
    assert seen == series + series[:2]


def test_next_featured_goes_on_from_a_removed_items_place(knowledge: KnowledgeBase) -> None:
    """If the passage last featured is gone, the item now at its place (the one that followed it) comes next."""
    series = [f"{d.id}/{p.id}" for d, p in knowledge.summarized()]
    featured = next_featured(knowledge, DigestCursor("putin-ict-2020/no-longer-there", 2))
    assert featured is not None and featured.key == series[2] and featured.position == 2
    wrapped = next_featured(knowledge, DigestCursor("putin-ict-2020/no-longer-there", len(series) + 1))
    assert wrapped is not None and wrapped.key == series[1]
    assert next_featured(KnowledgeBase(files=()), None) is None


def test_a_featured_digest_has_title_what_it_is_summary_quote_source_and_next(knowledge: KnowledgeBase) -> None:
    """Each language: "2 of 6", a line saying what it is, the item's summary, its quote word for word, the source
    link, the next digest; HTML that Telegram parses, within 4096, Arabic with its Latin runs isolated."""
    featured = next_featured(knowledge, DigestCursor("x/y", 1))
    assert featured is not None
    doc, passage = featured.document, featured.passage
    payload = featured_payload(knowledge, featured, WEEKLY, NEXT)
    [en], [ar] = payload["en"], payload["ar"]
    text_en, entities = parse_html(en)
    assert text_en.startswith(f"Bayan weekly digest · 2 of {featured.total}\nEach time, one of the proposals")
    assert f"In short: {passage.summary_en}" in text_en and passage.text_en in text_en and passage.text_ar in text_en
    assert any(e.get("url") == doc.url for e in entities)
    assert text_en.endswith("Next digest: Monday 7 December 2026 at 09:00 UTC.")
    text_ar = plain(parse_html(ar)[0])
    assert text_ar.startswith(f"ملخص «بيان» الأسبوعي · 2 من {featured.total}\n")
    assert f"باختصار: {passage.summary_ar}" in text_ar and passage.text_ar in text_ar
    assert unisolated_latin(parse_html(ar)[0]) == []
    assert max(tg_len(en), tg_len(ar)) <= 4096
    daily = featured_payload(knowledge, featured, DigestSchedule.parse("daily 07:00"), NEXT)
    assert daily["en"][0].startswith("<b>Bayan daily digest · 2 of")


def test_a_featured_digest_escapes_markup_and_fits_4096(knowledge: KnowledgeBase) -> None:
    """A summary with markup and a passage far over Telegram's limit: escaped, cut to 4096, the next digest kept."""
    featured = next_featured(knowledge, None)
    assert featured is not None
    huge = featured.passage.model_copy(update={"summary_en": "<b>bold</b> & co", "text_en": "word " * 2000})
    featured = type(featured)(featured.position, featured.total, featured.document, huge)
    [en] = featured_payload(knowledge, featured, WEEKLY, NEXT)["en"]
    assert tg_len(en) <= 4096 and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in en
    text, _ = parse_html(en)
    assert text.endswith("Next digest: Monday 7 December 2026 at 09:00 UTC.")


def test_restrict_keeps_only_named_passages(knowledge: KnowledgeBase) -> None:
    """Restricting to keys keeps those passages and their document, nothing else."""
    doc, passage = knowledge.proposals()[2]
    small = restrict(knowledge, {f"{doc.id}/{passage.id}"})
    assert [p.id for _, p in small.entries()] == [passage.id]


async def test_first_start_records_hashes_without_a_broadcast(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """An empty store only learns the hashes: a fresh deployment announces nothing."""
    assert await queue_change_digest(store, knowledge, NEXT) is None
    assert await store.knowledge_hashes() == knowledge.content_hashes()
    assert await store.unfinished_broadcasts() == []


async def test_unchanged_knowledge_queues_nothing(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """A restart with the same knowledge base sends nothing."""
    await queue_change_digest(store, knowledge, NEXT)
    assert await queue_change_digest(store, knowledge, NEXT) is None


async def test_changed_proposal_digest_contains_only_that_proposal(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """A changed summary produces a changes broadcast with that proposal and no other."""
    await queue_change_digest(store, knowledge, NEXT)
    doc, target = knowledge.proposals()[1]
    others = [p for _, p in knowledge.summarized() if p.id != target.id]
    changed = edited(knowledge, target.id, "Keep the hotlines open day and night.", "إبقاء الخطوط الساخنة مفتوحة ليلاً ونهاراً.")
    broadcast_id = await queue_change_digest(store, changed, NEXT)
    broadcast = await store.get_broadcast(broadcast_id or 0)
    assert broadcast is not None and broadcast.kind == "changes"
    assert broadcast.passage_ids == (f"{doc.id}/{target.id}",)
    [en], [ar] = broadcast.payload["en"], broadcast.payload["ar"]
    assert "Keep the hotlines open day and night." in en and "إبقاء الخطوط الساخنة مفتوحة ليلاً ونهاراً." in ar
    assert not any((p.summary_en or "") in en for p in others)
    assert doc.url in en
    assert en.startswith("<b>Update: the summary of the statement has changed</b>\nThe bot's summary of the statement was corrected")
    assert plain(ar).endswith("الملخص القادم: الاثنين 7 كانون الأول/ديسمبر 2026، الساعة 09:00 بالتوقيت العالمي المنسق (UTC).")
    assert await queue_change_digest(store, changed, NEXT) is None  # recorded: not announced twice


async def test_removed_passage_is_mentioned_briefly(store: SubscriptionStore, knowledge: KnowledgeBase) -> None:
    """A summarized passage that disappears is counted in the digest, without the rest of the summary."""
    await queue_change_digest(store, knowledge, NEXT)
    doc, gone = knowledge.proposals()[-1]
    smaller = KnowledgeBase(
        files=tuple(
            KnowledgeFile(document=f.document, passages=tuple(p for p in f.passages if p.id != gone.id)) for f in knowledge.files
        )
    )
    broadcast = await store.get_broadcast(await queue_change_digest(store, smaller, NEXT) or 0)
    assert broadcast is not None and broadcast.passage_ids == (f"{doc.id}/{gone.id}",)
    assert "Removed from the summary: 1" in broadcast.payload["en"][0]
    assert "حُذف من الملخص: 1" in broadcast.payload["ar"][0]
    assert knowledge.proposals()[0][1].summary_en not in broadcast.payload["en"][0]
