"""Private chats end to end: questions in both languages, honest abstention, bad input, through the fake Bot API."""

from __future__ import annotations

import pytest

from bot.answer import source_name
from bot.telegram.callback_data import Action, decode
from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot
from tests.plain import plain


def _presses(message: dict) -> list:
    return [decode(b.get("callback_data")) for row in message["reply_markup"]["inline_keyboard"] for b in row if "callback_data" in b]


@pytest.mark.parametrize(
    ("question", "lang", "passage_id"),
    [
        ("ماذا اقترح بوتين بشأن الانتخابات؟", "ar", "proposal-4-non-interference"),
        ("ما هي اتفاقية عام 1972؟", "ar", "proposal-3-incidents-agreement"),
        ("What did Putin propose about elections?", "en", "proposal-4-non-interference"),
        ("Is there a hotline between the CERTs?", "en", "proposal-2-channels"),
        ("first strike", "en", "no-first-strike"),
    ],
)
async def test_question_is_answered_with_the_passage_in_its_language(bot: RunningBot, question: str, lang: str, passage_id: str) -> None:
    """The reply quotes the right passage in the question's language (Arabic original under English) with source and link."""
    reply = await bot.ask(question, language_code="en" if lang == "ar" else "ar")  # the question's language wins
    doc, passage = bot.services.knowledge.passage(passage_id)  # type: ignore[misc]
    assert passage.text_ar in reply["text"]
    assert (passage.text_en in reply["text"]) == (lang == "en")
    assert source_name(doc, lang) in reply["text"]
    assert any(e["type"] == "blockquote" for e in reply["entities"])
    assert any(e.get("url") == doc.url for e in reply["entities"] if e["type"] == "text_link")
    assert "reply_to_message" not in reply  # no quote of the question in a private chat
    first = _presses(reply)[0]
    assert first.action is Action.TRANSLATE_ANSWER and first.passage_id == passage_id and first.lang != lang


async def test_question_outside_the_statement_is_declined_with_suggestions(bot: RunningBot) -> None:
    """No quote is invented: the reply says so and offers the closest passages and the proposals as buttons."""
    reply = await bot.ask("What is the weather in Paris tomorrow?")
    assert texts("en").not_found in reply["text"]
    assert "weather in Paris" in reply["text"]
    assert not any(e["type"] == "blockquote" for e in reply.get("entities", []))
    presses = _presses(reply)
    assert any(p.action is Action.SHOW_PASSAGE for p in presses)
    assert presses[-1].action is Action.SHOW_PROPOSALS


async def test_markup_in_the_question_is_echoed_as_text(bot: RunningBot) -> None:
    """HTML in user text comes back literally (the fake rejects unescaped markup, so a leak would fail the send)."""
    evil = '<b>bold</b> <a href="tg://x">link</a> & weather </blockquote>'
    reply = await bot.ask(evil)
    assert evil in reply["text"]
    assert not any(e["type"] == "bold" and reply["text"][e["offset"] : e["offset"] + 4] == "bold" for e in reply["entities"])


async def test_over_long_question_gets_a_clear_message(start_bot) -> None:  # type: ignore[no-untyped-def]
    """A question over BOT_MAX_QUESTION_CHARS is refused politely, naming the limit, instead of searched."""
    bot = await start_bot(max_question_chars=50)
    reply = await bot.ask("elections " * 30)
    assert reply["text"] == texts("en").too_long.format(limit=50)


async def test_huge_message_does_not_break_the_bot(bot: RunningBot) -> None:
    """Even a 4096-character question of markup characters yields a valid reply under the limit."""
    reply = await bot.ask("<&>" * 1365)
    assert reply["text"] == texts("en").too_long.format(limit=bot.settings.max_question_chars)
    assert (await bot.ask("elections"))["text"]


@pytest.mark.parametrize(
    ("push", "language_code", "expected"),
    [
        ({"text": "   \n\t "}, "en", "empty_question"),
        ({"text": "/ask"}, "ar", "ask_usage"),
        ({"text": "/frobnicate"}, "en", "unknown_command"),
        ({"extra": {"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1, "is_animated": False, "is_video": False}}}, "ar", "not_text"),
        ({"extra": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}}, "en", "not_text"),
    ],
)
async def test_odd_input_gets_a_polite_hint(bot: RunningBot, push: dict, language_code: str, expected: str) -> None:
    """Whitespace, a bare /ask, unknown commands and non-text messages get a hint in the user's language, never a crash."""
    bot.api.user(1001, language_code=language_code)
    bot.api.push_message(push.get("text"), user=1001, extra=push.get("extra"))
    [reply] = await bot.api.wait_for_messages(1, chat_id=1001)
    assert plain(reply["text"]) == getattr(texts(language_code), expected)  # type: ignore[arg-type]


async def test_edited_messages_and_channel_posts_are_ignored(bot: RunningBot) -> None:
    """Editing a question does not produce a second answer; channel posts get nothing."""
    uid = bot.api.push_message("first strike", user=1001)
    await bot.api.wait_for_messages(1, chat_id=1001)
    bot.api.push_edited_message(bot.api.update(uid)["message"], "elections")
    channel = {"id": -100777, "type": "channel", "title": "News"}
    bot.api.push_raw({"channel_post": {"message_id": 1, "chat": channel, "date": 0, "text": "elections"}})
    await bot.api.wait_idle()
    assert len(bot.api.all_sent) == 1


async def test_proposals_command_lists_the_proposals_in_the_user_language(bot: RunningBot) -> None:
    """/proposals sends the numbered summaries in the user's language with a switch to the other one."""
    reply = await bot.ask("/proposals", language_code="ar-EG")
    for _, p in bot.services.knowledge.proposals():
        assert p.summary_ar in reply["text"]
    presses = _presses(reply)
    assert presses[-1].action is Action.TRANSLATE_PROPOSALS
    assert [p.passage_id for p in presses[:-1]] == [p.id for _, p in bot.services.knowledge.summarized()]


@pytest.mark.parametrize(
    ("question", "words"),
    [("when was the statement published?", "25 September 2020"), ("كم عدد المقترحات؟", "عدد المقترحات في البيان: 4")],
)
async def test_questions_about_the_document_state_the_fact_then_quote(bot: RunningBot, question: str, words: str) -> None:
    """Date and count questions get the fact in a sentence first, then the supporting passage quoted."""
    reply = await bot.ask(question)
    assert words in reply["text"].split("\n")[0]
    passage_id = "publication" if "published" in question else "announcement"
    _, passage = bot.services.knowledge.passage(passage_id)  # type: ignore[misc]
    assert passage.text_ar in reply["text"]
