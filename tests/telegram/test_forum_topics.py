"""Supergroups with topics: whatever the bot sends in answer to something in a topic stays in that topic."""

from __future__ import annotations

from typing import Any

import pytest

from bot import i18n
from bot.telegram.callback_data import Action, decode
from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot

FORUM = -100777


def _open_topic(bot: RunningBot) -> int:
    bot.api.group(FORUM, "Forum", "supergroup", forum=True)
    return bot.api.topic(FORUM, "Information security", by=1002)


def _in_topic(message: dict[str, Any], thread: int) -> bool:
    return message.get("is_topic_message") is True and message.get("message_thread_id") == thread


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@bayan_test_bot what about the elections?", "proposal-4-non-interference"),
        ("/ask what about the elections?", "proposal-4-non-interference"),
        ("/ask@bayan_test_bot hotline", "proposal-2-channels"),
        ("/help", "help"),
        ("/proposals", "proposals"),
        ("/ask", "usage"),
        ("@bayan_test_bot", "empty"),
        ("@bayan_test_bot what is the weather in Paris?", "not found"),
    ],
)
async def test_answers_and_hints_go_to_the_topic_they_were_asked_in(bot: RunningBot, text: str, expected: str) -> None:
    """Answers, help, lists and hints asked in a topic land in that topic, quoting the asker."""
    thread = _open_topic(bot)
    uid = bot.api.push_message(text, user=1001, chat=FORUM, topic=thread)
    [sent] = await bot.api.wait_for_messages(1, chat_id=FORUM)
    await bot.api.wait_idle()
    assert len(bot.api.sent[FORUM]) == 1
    assert _in_topic(sent, thread)
    assert sent["reply_to_message"]["message_id"] == bot.api.update(uid)["message"]["message_id"]
    ui = texts("en")
    found = bot.services.knowledge.passage(expected)
    hints = {"help": ui.help_title, "proposals": ui.proposals_title, "usage": ui.ask_usage, "empty": ui.empty_question}
    assert (found[1].text_en if found else hints.get(expected, ui.not_found)) in sent["text"]


async def test_topic_chatter_and_the_topic_opening_stay_unanswered(bot: RunningBot) -> None:
    """A message in a topic replies to the topic's opening in Telegram's eyes; that is not a reply to the bot."""
    thread = _open_topic(bot)
    bot.api.push_message("what about the elections?", user=1001, chat=FORUM, topic=thread)
    await bot.api.wait_idle()
    assert bot.api.sent.get(FORUM, []) == []


async def test_reply_to_the_bot_in_a_topic_is_answered_there(bot: RunningBot) -> None:
    """Replying to the bot's answer inside a topic keeps the conversation in the topic."""
    thread = _open_topic(bot)
    bot.api.push_message("/ask first strike", user=1001, chat=FORUM, topic=thread)
    [first] = await bot.api.wait_for_messages(1, chat_id=FORUM)
    bot.api.push_message("and the elections?", user=1001, chat=FORUM, topic=thread, reply_to=first)
    [_, second] = await bot.api.wait_for_messages(2, chat_id=FORUM)
    assert _in_topic(second, thread)
    _, passage = bot.services.knowledge.passage("proposal-4-non-interference")  # type: ignore[misc]
    assert passage.text_en in second["text"]


@pytest.mark.parametrize("action", [Action.SHOW_PASSAGE, Action.SHOW_PROPOSALS])
async def test_buttons_send_their_new_message_into_the_topic(bot: RunningBot, action: Action) -> None:
    """A suggestion or the proposals button under a message in a topic posts into that topic."""
    thread = _open_topic(bot)
    bot.api.push_message("/ask what is the weather in Paris?", user=1001, chat=FORUM, topic=thread)
    [declined] = await bot.api.wait_for_messages(1, chat_id=FORUM)
    button = next(
        b for row in declined["reply_markup"]["inline_keyboard"] for b in row if decode(b["callback_data"]).action is action  # type: ignore[union-attr]
    )
    bot.api.push_callback(declined, button["callback_data"], user=1002)
    [_, shown] = await bot.api.wait_for_messages(2, chat_id=FORUM)
    assert _in_topic(shown, thread)
    assert shown["reply_to_message"]["message_id"] == declined["message_id"]


async def test_apology_goes_to_the_topic(bot: RunningBot) -> None:
    """When the answer fails, the apology reaches the asker in their topic, not the General topic."""
    thread = _open_topic(bot)
    bot.api.fail_next("sendMessage", error_code=400, description="Bad Request: injected failure")
    bot.api.push_message("/ask first strike", user=1001, chat=FORUM, topic=thread, language_code="ar")
    [apology] = await bot.api.wait_for_messages(1, chat_id=FORUM)
    assert apology["text"] == texts("ar").apology
    assert _in_topic(apology, thread)


async def test_flood_note_goes_to_the_topic(start_bot) -> None:  # type: ignore[no-untyped-def]
    """The one polite flood note is posted in the topic the user was flooding."""
    bot: RunningBot = await start_bot(flood_max_messages=1, flood_window_seconds=60, flood_cooldown_seconds=60)
    thread = _open_topic(bot)
    for _ in range(3):
        bot.api.push_message("/ask first strike", user=1001, chat=FORUM, topic=thread)
    await bot.api.wait_idle()
    sent = bot.api.sent[FORUM]
    assert [m["text"] for m in sent].count(texts("en").flood.format(seconds=i18n.seconds("en", 60))) == 1
    assert len(sent) == 2 and all(_in_topic(m, thread) for m in sent)


async def test_bare_ask_in_reply_to_a_question_in_a_topic_answers_it_there(bot: RunningBot) -> None:
    """/ask replying to someone's question in a topic answers that question, in the topic, pointing at it."""
    thread = _open_topic(bot)
    uid = bot.api.push_message("what did Putin propose about elections?", user=1001, chat=FORUM, topic=thread)
    question = bot.api.update(uid)["message"]
    bot.api.push_message("/ask", user=1002, chat=FORUM, topic=thread, reply_to=question)
    [answer] = await bot.api.wait_for_messages(1, chat_id=FORUM)
    assert _in_topic(answer, thread) and answer["reply_to_message"]["message_id"] == question["message_id"]
    _, passage = bot.services.knowledge.passage("proposal-4-non-interference")  # type: ignore[misc]
    assert passage.text_en in answer["text"]
