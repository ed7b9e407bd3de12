"""The greeting a group gets when someone adds the bot, end to end through the fake Bot API."""

from __future__ import annotations

import logging

import pytest

from bot.telegram.callback_data import Action, decode
from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot
from tests.plain import plain

GROUP = -100555


def _presses(message: dict) -> dict[Action, dict]:
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    return {decode(b["callback_data"]).action: b for b in buttons}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("chat_type", "status", "language_code", "lang"),
    [
        ("group", "member", "ar", "ar"),
        ("supergroup", "member", "en", "en"),
        ("supergroup", "administrator", "ar-EG", "ar"),
        ("group", "administrator", None, "en"),
        ("supergroup", "member", "de", "en"),
    ],
)
async def test_bot_added_to_a_group_greets_it_once_in_the_adder_language(
    bot: RunningBot, chat_type: str, status: str, language_code: str | None, lang: str
) -> None:
    """One greeting, in the language of who added the bot: how to ask (mention, reply, /ask, inline) and what privacy mode lets it see."""
    bot.api.user(1001, language_code=language_code)
    bot.api.push_bot_added(bot.api.group(GROUP, chat_type=chat_type), by=1001, status=status)
    [greeting] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    await bot.api.wait_idle()
    assert len(bot.api.sent[GROUP]) == 1 and len(bot.api.all_sent) == 1
    ui = texts(lang)  # type: ignore[arg-type]
    greeting["text"] = plain(greeting["text"])
    for part in (ui.greeting_title, ui.greeting_mention, ui.greeting_reply, ui.greeting_privacy, "/ask", ui.examples[0]):
        assert part in greeting["text"], part
    assert "@bayan_test_bot " + ui.examples[0] in greeting["text"]
    assert "<code>" not in bot.api.sent_html(GROUP)[0] and "<i>" not in bot.api.sent_html(GROUP)[0]
    assert ui.help_inline.format(username="@bayan_test_bot") in greeting["text"]
    assert any(e.get("url") == bot.services.knowledge.documents[0].url for e in greeting["entities"])
    presses = _presses(greeting)
    assert presses[Action.TRANSLATE_GREETING]["text"] == texts("en" if lang == "ar" else "ar").language_name
    assert Action.SHOW_PROPOSALS in presses


@pytest.mark.parametrize(
    ("chat_type", "old", "new"),
    [
        ("supergroup", "member", "administrator"),  # promoted: already there
        ("supergroup", "administrator", "member"),  # demoted
        ("supergroup", "restricted", "member"),  # restrictions lifted: it was there all along
        ("group", "member", "kicked"),  # removed
        ("group", "member", "left"),
        ("channel", "left", "administrator"),  # channels are not conversations
        ("private", "kicked", "member"),  # a user unblocked the bot
    ],
)
async def test_no_greeting_unless_the_bot_joins_a_group(bot: RunningBot, chat_type: str, old: str, new: str) -> None:
    """Promotions, removals, channels and private chats get no message and log no error."""
    chat = bot.api.private_chat(1001) if chat_type == "private" else bot.api.group(GROUP, chat_type=chat_type)
    bot.api.push_my_chat_member(chat, old, new, by=1001)
    await bot.api.wait_idle()
    assert bot.api.calls_to("sendMessage") == []


async def test_greeting_language_button_rewrites_it(bot: RunningBot) -> None:
    """The language button edits the greeting in place into the other language."""
    bot.api.user(1001, language_code="ar")
    bot.api.push_bot_added(bot.api.group(GROUP), by=1001)
    [greeting] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    bot.api.push_callback(greeting, _presses(greeting)[Action.TRANSLATE_GREETING]["callback_data"], user=1002)
    await bot.api.wait_for(lambda: texts("en").greeting_title in bot.api.sent[GROUP][0]["text"])
    await bot.api.wait_idle()
    edited = bot.api.sent[GROUP]
    assert len(edited) == 1 and texts("ar").greeting_title not in edited[0]["text"]
    assert _presses(edited[0])[Action.TRANSLATE_GREETING]["text"] == texts("ar").language_name


async def test_greeting_refused_by_telegram_is_logged_without_an_apology(bot: RunningBot, caplog) -> None:  # type: ignore[no-untyped-def]
    """A group where the bot may not write: the failure is logged; nobody asked anything, so no apology is tried."""
    caplog.set_level(logging.ERROR, logger="bayan.telegram")
    bot.api.fail_next("sendMessage", error_code=400, description="Bad Request: not enough rights to send text messages to the chat")
    uid = bot.api.push_bot_added(bot.api.group(GROUP), by=1001)
    await bot.api.wait_for(lambda: [r for r in caplog.records if r.name == "bayan.telegram"])
    await bot.api.wait_idle()
    assert len(bot.api.calls_to("sendMessage")) == 1
    [record] = [r for r in caplog.records if r.name == "bayan.telegram"]
    assert record.bayan_fields["update_id"] == uid
