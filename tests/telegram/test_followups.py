"""Follow-up questions in Telegram: a private chat is one conversation, a group one per bot answer."""

from __future__ import annotations

from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot

GROUP = -100777


def _text(bot: RunningBot, passage_id: str) -> str:
    found = bot.services.knowledge.passage(passage_id)
    assert found is not None
    return found[1].text_en


async def test_a_private_chat_follows_up_on_its_last_answer(bot: RunningBot) -> None:
    first = await bot.ask("proposal 1")
    assert _text(bot, "proposal-1-dialogue") in first["text"]
    second = await bot.ask("and the second one?")
    assert _text(bot, "proposal-2-channels") in second["text"]
    arabic = await bot.ask("و الثالث؟", language_code="ar")
    assert "اتفاق حكومي دولي ثنائي" in arabic["text"]  # proposal 3, quoted in Arabic


async def test_private_chats_do_not_share_a_conversation(bot: RunningBot) -> None:
    await bot.ask("proposal 1", user=2001)
    other = await bot.ask("and the second one?", user=2002)  # this user asked nothing before
    assert _text(bot, "proposal-2-channels") not in other["text"]
    mine = await bot.ask("and the second one?", user=2001)
    assert _text(bot, "proposal-2-channels") in mine["text"]


async def test_a_group_follows_up_the_answer_replied_to(bot: RunningBot) -> None:
    """Each bot answer has its own conversation: a reply to it follows it up, whoever replies."""
    chat = bot.api.group(GROUP)
    bot.api.push_message("/ask proposal 1", user=1001, chat=chat)
    [first] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    bot.api.push_message("/ask proposal 3", user=1002, chat=chat)
    [_, third] = await bot.api.wait_for_messages(2, chat_id=GROUP)
    assert _text(bot, "proposal-3-incidents-agreement") in third["text"]

    bot.api.push_message("and the second one?", user=1003, chat=chat, reply_to=first)
    [*_, second] = await bot.api.wait_for_messages(3, chat_id=GROUP)
    assert _text(bot, "proposal-2-channels") in second["text"]
    assert second["reply_to_message"]["from"]["id"] == 1003  # quoting the follow-up's asker

    bot.api.push_message("what else?", user=1001, chat=chat, reply_to=third)  # after proposal 3 comes 4
    [*_, fourth] = await bot.api.wait_for_messages(4, chat_id=GROUP)
    assert _text(bot, "proposal-4-non-interference") in fourth["text"]

    bot.api.push_message("what else?", user=1001, chat=chat, reply_to=second)  # the chain goes on: 1, 2, then 3
    [*_, after_second] = await bot.api.wait_for_messages(5, chat_id=GROUP)
    assert _text(bot, "proposal-3-incidents-agreement") in after_second["text"]


async def test_a_group_question_not_replying_to_the_bot_starts_afresh(bot: RunningBot) -> None:
    chat = bot.api.group(GROUP)
    bot.api.push_message("/ask proposal 1", user=1001, chat=chat)
    await bot.api.wait_for_messages(1, chat_id=GROUP)
    bot.api.push_message("@bayan_test_bot and the second one?", user=1001, chat=chat)
    [_, alone] = await bot.api.wait_for_messages(2, chat_id=GROUP)
    assert _text(bot, "proposal-2-channels") not in alone["text"]


async def test_a_remark_replying_to_the_bot_is_still_not_answered(bot: RunningBot) -> None:
    """A reply that only thanks the bot stays a remark, conversation or not."""
    chat = bot.api.group(GROUP)
    bot.api.push_message("/ask proposal 1", user=1001, chat=chat)
    [answer] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    bot.api.push_message("thanks", user=1002, chat=chat, reply_to=answer)
    await bot.api.wait_idle()
    assert len(bot.api.sent[GROUP]) == 1
    assert texts("en").not_found not in bot.api.sent[GROUP][0]["text"]
