"""Updates at the edges: button presses the flood limit drops, messages without a chat, empty button data."""

from __future__ import annotations

import logging

import pytest

from bot import i18n
from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot

UNCAUGHT = "uncaught error was raised while handling the error"


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_button_presses_dropped_by_the_flood_limit_are_still_answered(start_bot) -> None:  # type: ignore[no-untyped-def]
    """Every press gets answerCallbackQuery, so no spinner is left turning, but only one note is shown."""
    bot: RunningBot = await start_bot(flood_max_messages=1, flood_window_seconds=60, flood_cooldown_seconds=60)
    answer = await bot.ask("first strike")
    data = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    for _ in range(5):
        bot.api.push_callback(answer, data, user=1001)
    await bot.api.wait_idle()
    answers = list(bot.api.callback_answers.values())
    assert len(answers) == 5
    notes = [a for a in answers if a.get("text")]
    assert [a["text"] for a in notes] == [texts("en").flood.format(seconds=i18n.seconds("en", 60))]
    assert len(bot.api.sent_texts(1001)) == 1  # nothing else was done for the dropped presses


async def test_a_message_without_a_chat_does_not_crash_the_error_handler(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A malformed update is logged once as a handler error; the error handler itself does not fail."""
    user = {"id": 1001, "is_bot": False, "first_name": "A"}
    bot.api.push_raw({"message": {"message_id": 5, "date": 1700000000, "from": user, "text": "hello"}})
    await bot.api.wait_idle()
    assert not any(UNCAUGHT in e for e in _errors(caplog))
    assert "first" in (await bot.ask("first strike"))["text"]  # and the bot carries on


async def test_empty_callback_data_gets_the_stale_button_note(bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    """PTB lets empty data past every handler's pattern; it must get the short note, not an IndexError."""
    answer = await bot.ask("first strike")
    bot.api.push_callback(answer, "", user=1001)
    await bot.api.wait_idle()
    [note] = bot.api.callback_answers.values()
    assert note["text"] == texts("en").stale_button
    assert _errors(caplog) == []
