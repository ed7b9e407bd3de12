"""Arabic that reads right: every Latin run in an Arabic line is bidi-isolated, wherever the bot writes it.

The walk drives the real bot through the fake Bot API as an Arabic-speaking user would — start,
help, deep links, answers, refusals, small talk, hints and errors, subscriptions and a digest,
inline mode, a group greeting — presses every button it gets, and then reads everything the bot
wrote: messages (as Telegram parsed them), button labels, callback notes, inline results, command
menus and descriptions. Any unisolated ``/ask`` or ``@bayan_test_bot`` inside Arabic fails it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.bidi import LRI, PDI, isolate_latin, unisolated_latin
from bot.config import PROJECT_ROOT
from bot.knowledge_base import load_knowledge
from bot.subscriptions.digest import queue_change_digest
from bot.subscriptions.handlers import service_of
from bot.telegram import render
from tests.fakes.telegram_html import parse_html
from tests.telegram.conftest import RunningBot

ADMIN = 1001
GROUP = -100777

ARABIC_SESSION = (
    "/start",
    "/start no-such-passage",
    "/start proposal-2-channels",
    "/help",
    "/proposals",
    "/ask",
    "/nonsense",
    "/language",
    "ماذا اقترح بوتين بشأن الانتخابات؟",
    "وماذا عن الطقس غداً؟",
    "مرحبا",
    "شكرا",
    "س" * 1200,
    "/subscribe",
    "/subscribe",
    "/subscribe xx",
    "/broadcast",
    "/stats",
    "/unsubscribe",
    "/unsubscribe",
)


async def _digests(bot: RunningBot, user: int) -> None:
    """Subscribed in Arabic (the store: the flood guard would hold a further command back), the chat receives
    every kind of digest: each item of the scheduled series, and a change digest."""
    service = service_of(bot.app)
    await service.store.subscribe(user, "private", "ar")
    before = len(bot.api.sent.get(user, []))
    hashes = await service.store.knowledge_hashes()
    changed = {**{k: "stale" for k in list(hashes)[:1]}, **{k: v for k, v in list(hashes.items())[1:]}, "doc/gone": "x"}
    await service.store.set_knowledge_hashes(changed)
    assert await queue_change_digest(service.store, bot.services.knowledge, service.next_digest()) is not None
    series = bot.services.knowledge.summarized()
    for n in range(len(series)):
        await service.queue_scheduled(datetime(2026, 12, 7, 9, 0, tzinfo=UTC) + n * timedelta(days=7))
    await bot.api.wait_for_messages(before + len(series) + 1, chat_id=user)


def _texts_of_message(message: dict[str, Any]) -> Iterator[str]:
    yield message.get("text", "")
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            yield button["text"]


def _written(api: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for everything the bot wrote anywhere."""
    for message in api.all_sent:
        for text in _texts_of_message(message):
            yield f"message in {message['chat']['id']}", text
    for answer in api.callback_answers.values():
        yield "callback note", answer.get("text") or ""
    for answer in api.inline_answers.values():
        if answer.get("button"):
            yield "inline button", answer["button"]["text"]
        for result in answer["results"]:
            yield "inline title", result["title"]
            yield "inline description", result.get("description", "")
            yield "inline message", parse_html(result["input_message_content"]["message_text"])[0]
    for call in api.calls_to("setMyCommands"):
        for command in call.params["commands"]:
            yield "command menu", command["description"]
    for method, field in (("setMyDescription", "description"), ("setMyShortDescription", "short_description")):
        for call in api.calls_to(method):
            yield method, call.params.get(field) or ""


async def _press_everything(bot: RunningBot, user: int) -> None:
    """Press every button of every message sent so far in ``user``'s chat, once."""
    for message in list(bot.api.sent.get(user, [])):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if "callback_data" in button:
                    bot.api.push_callback(message, button["callback_data"], user=user)
                    await bot.api.wait_idle()


async def test_every_arabic_text_the_bot_sends_isolates_its_latin_runs(start_bot: Any) -> None:
    """The walk: no Arabic line anywhere carries a Latin run outside U+2066…U+2069."""
    bot: RunningBot = await start_bot(admin_ids=(ADMIN,), rate_chat_per_second=100)  # the digests come one after another
    api = bot.api
    api.user(ADMIN, "Amal", language_code="ar")
    for text in ARABIC_SESSION:
        api.push_message(text, user=ADMIN)
        await api.wait_idle()
    api.push_sticker(user=ADMIN)
    await api.wait_idle()
    await _digests(bot, ADMIN)
    await _press_everything(bot, ADMIN)
    api.push_inline_query("", user=ADMIN)
    api.push_inline_query("الانتخابات", user=ADMIN)
    api.push_inline_query("ماذا عن الطقس", user=ADMIN)
    api.push_inline_query("اتفاقية 1985", user=ADMIN)  # closest, not sure: its own title and description
    api.push_bot_added(api.group(GROUP), by=ADMIN)
    await api.wait_idle()
    api.push_message("/ask", user=ADMIN, chat=GROUP)
    await api.wait_idle()

    written = list(_written(api))
    arabic = [(where, text) for where, text in written if any("\u0600" <= ch <= "\u06ff" for ch in text)]
    kinds = {where.split(" in ")[0] for where, _ in arabic}
    assert kinds >= {"message", "inline title", "inline message", "command menu", "setMyDescription", "setMyShortDescription"}, kinds
    assert len(arabic) > 80, "the walk should see every kind of Arabic text"
    assert any("/ask" in text for _, text in arabic) and any("@bayan_test_bot" in text for _, text in arabic)
    digests = [text for _, text in arabic if text.startswith(("ملخص «بيان» الأسبوعي", "تحديث:", "ملخص «بيان»:"))]
    assert len(digests) >= len(bot.services.knowledge.summarized()) + 1 and any("(\u2066UTC\u2069)" in t for t in digests)
    bad = [(where, text[:80], runs) for where, text in arabic if (runs := unisolated_latin(text))]
    assert bad == []


def test_no_arabic_in_italics_or_monospace() -> None:
    """Arabic has no italics, and monospace Arabic is unreadable: neither tag ever wraps Arabic."""
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    doc, passage = kb.entries()[5]
    samples = [
        render.render_help(kb, "ar", "bayan_test_bot").text,
        render.render_start(kb, "ar").text,
        render.render_group_greeting(kb, "ar", "bayan_test_bot").text,
        render.render_proposals(kb, "ar"),
        render.passage_html(doc, passage, "ar"),
        render.passage_html(doc, passage, "en"),
    ]
    for html in samples:
        _, entities = parse_html(html)
        text = parse_html(html)[0]
        for e in entities:
            if e["type"] in ("italic", "code", "pre"):
                inner = text[e["offset"] : e["offset"] + e["length"]]
                assert not any("\u0600" <= ch <= "\u06ff" for ch in inner), inner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أرسل /help الآن.", f"أرسل {LRI}/help{PDI} الآن."),
        ("اذكرني (@bayan_bot) هنا", f"اذكرني ({LRI}@bayan_bot{PDI}) هنا"),
        ("قال Vladimir Putin ذلك", f"قال {LRI}Vladimir Putin{PDI} ذلك"),
        ("أرسل /subscribe ar للعربية", f"أرسل {LRI}/subscribe ar{PDI} للعربية"),
        ("الرابط: https://t.me/bot?start=aims.", f"الرابط: {LRI}https://t.me/bot?start=aims{PDI}."),
        ("Send /help now.", "Send /help now."),  # an English line is left alone
        ("Your question: ما هذا", "Your question: ما هذا"),  # its first strong letter is Latin: an English line
        ("سطر\nSend /help", "سطر\nSend /help"),
        ("2020 في 25 أيلول", "2020 في 25 أيلول"),  # digits are not Latin runs
    ],
)
def test_isolate_latin(text: str, expected: str) -> None:
    """Latin runs of Arabic lines are wrapped once, with trailing punctuation outside; other lines are untouched."""
    assert isolate_latin(text) == expected
    assert isolate_latin(expected) == expected  # idempotent


def test_unisolated_latin_finds_what_isolation_would_fix() -> None:
    """The checker the walk uses flags a bare command in Arabic and accepts it isolated."""
    assert unisolated_latin("أرسل /help الآن") == ["/help"]
    assert unisolated_latin(isolate_latin("أرسل /help الآن")) == []
    assert unisolated_latin("Send /help") == []
