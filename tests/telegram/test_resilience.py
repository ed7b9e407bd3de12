"""Flood limit, 429 retries, the error handler, logging and a burst of users, end to end through the fake Bot API."""

from __future__ import annotations

import asyncio
import io
import json
import logging

from telegram.error import TelegramError

from bot import i18n
from bot.logs import EVENT_ATTR, configure_logging
from bot.telegram.services import on_question
from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot


async def test_flooding_user_is_told_once_then_ignored_while_others_are_answered(start_bot) -> None:  # type: ignore[no-untyped-def]
    """Over the limit: exactly one polite note, then silence for that user; another user is unaffected."""
    bot: RunningBot = await start_bot(flood_max_messages=3, flood_window_seconds=60, flood_cooldown_seconds=60)
    bot.api.user(1001, language_code="ar")
    for _ in range(8):
        bot.api.push_message("first strike", user=1001)
    bot.api.push_message("first strike", user=1002)
    await bot.api.wait_idle()
    texts_1001 = bot.api.sent_texts(1001)
    assert len(texts_1001) == 4
    assert texts_1001.count(texts("ar").flood.format(seconds=i18n.seconds("ar", 60))) == 1
    assert len(bot.api.sent_texts(1002)) == 1


async def test_flood_cooldown_ends(start_bot) -> None:  # type: ignore[no-untyped-def]
    """After the cooldown the user is answered again."""
    bot: RunningBot = await start_bot(flood_max_messages=1, flood_window_seconds=60, flood_cooldown_seconds=0.3)
    await bot.ask("first strike")
    assert (await bot.ask("first strike"))["text"] == texts("en").flood.format(seconds=i18n.seconds("en", 0))
    await asyncio.sleep(0.35)
    assert "first" in (await bot.ask("first strike"))["text"]


async def test_group_chatter_does_not_count_toward_the_flood_limit(start_bot) -> None:  # type: ignore[no-untyped-def]
    """A talkative group member is never told off by a bot they did not address."""
    bot: RunningBot = await start_bot(flood_max_messages=2, flood_window_seconds=60, flood_cooldown_seconds=60)
    chat = bot.api.group(-100555)
    for i in range(10):
        bot.api.push_message(f"chatter {i}", user=1001, chat=chat)
    await bot.api.wait_idle()
    assert bot.api.all_sent == []
    assert "first" in (await bot.ask("first strike"))["text"]


async def test_a_429_from_send_message_is_waited_out_and_retried(bot: RunningBot) -> None:
    """Telegram's flood control answer delays the reply (retry_after) instead of losing it."""
    bot.api.fail_next("sendMessage", error_code=429, retry_after=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await bot.ask("first strike")
    assert "first" in reply["text"]
    assert loop.time() - started >= 1.0
    assert len(bot.api.calls_to("sendMessage")) == 2


async def test_handler_error_is_logged_with_update_id_and_user_gets_an_apology(bot: RunningBot, caplog) -> None:  # type: ignore[no-untyped-def]
    """A failing reply reaches the error handler: logged with the update id, apology in the user's language."""
    caplog.set_level(logging.ERROR, logger="bayan.telegram")
    bot.api.fail_next("sendMessage", error_code=400, description="Bad Request: injected failure")
    bot.api.user(1001, language_code="ar")
    uid = bot.api.push_message("first strike", user=1001)
    [apology] = await bot.api.wait_for_messages(1, chat_id=1001)
    assert apology["text"] == texts("ar").apology
    [record] = [r for r in caplog.records if r.name == "bayan.telegram" and r.levelno == logging.ERROR]
    assert record.bayan_fields["update_id"] == uid
    assert "injected failure" in record.bayan_fields["error"].lower()


async def test_each_question_is_logged_once_without_its_text(bot: RunningBot) -> None:
    """One JSON line per question: update id, chat type, language, latency, outcome; never the words or the token."""
    stream = io.StringIO()
    handler = configure_logging(bot.settings.model_copy(update={"log_format": "json"}), stream=stream)
    try:
        uid_answered = bot.api.push_message("What did Putin propose about elections?", user=1001)
        uid_abstained = bot.api.push_message("what about the weather", user=1002)
        await bot.api.wait_for_messages(2)
        await bot.api.wait_idle()
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    events = {e["update_id"]: e for e in lines if e.get("event") == "question"}
    assert events[uid_answered]["outcome"] == "answered" and events[uid_abstained]["outcome"] == "abstained"
    for event in events.values():
        assert event["chat_type"] == "private" and event["lang"] == "en" and event["latency_ms"] >= 0
    assert "propose about" not in stream.getvalue() and "weather" not in stream.getvalue()
    assert bot.settings.token.get_secret_value().split(":")[1] not in stream.getvalue()  # type: ignore[union-attr]


async def test_hundreds_of_users_at_once_are_all_answered(start_bot) -> None:  # type: ignore[no-untyped-def]
    """300 questions from 150 users pushed at once: every one gets exactly one answer, within seconds."""
    bot: RunningBot = await start_bot(rate_global_per_second=10_000, flood_max_messages=10)
    questions = ["first strike", "ماذا اقترح بوتين بشأن الانتخابات؟", "hotline", "what is the weather"]
    users = range(5000, 5150)
    for n in range(2):
        for uid in users:
            bot.api.push_message(questions[(uid + n) % len(questions)], user=uid)
    await bot.api.wait_for_messages(300, timeout=15)
    await bot.api.wait_idle()
    assert all(len(bot.api.sent[uid]) == 2 for uid in users)
    assert len(bot.api.all_sent) == 300


async def test_question_hooks_get_each_verdict_and_cannot_break_the_reply(bot: RunningBot) -> None:
    """Hooks added with on_question see answered/abstained per question; one that raises does not stop the others or the reply."""
    verdicts: list[bool] = []

    async def broken(context, answered: bool) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("hook bug")

    async def record(context, answered: bool) -> None:  # type: ignore[no-untyped-def]
        verdicts.append(answered)

    on_question(bot.app, broken)
    on_question(bot.app, record)
    assert "first" in (await bot.ask("first strike"))["text"]
    assert texts("en").not_found in (await bot.ask("what about the weather", user=1002))["text"]
    await bot.ask("/help", user=1003)
    await bot.api.wait_idle()
    assert sorted(verdicts) == [False, True]
    assert texts("en").apology not in bot.api.sent_texts()


async def test_failing_button_action_is_apologised_for_in_the_callback_answer(bot: RunningBot) -> None:
    """When the edit behind a button fails, the spinner stops with the apology instead of hanging."""
    answer = await bot.ask("first strike", language_code="ar")
    button = answer["reply_markup"]["inline_keyboard"][0][0]
    bot.api.fail_next("editMessageText", error_code=400, description="Bad Request: injected failure")
    query_id = bot.api.update(bot.api.push_callback(answer, button["callback_data"], user=1001))["callback_query"]["id"]
    reply = await bot.api.wait_for(lambda: bot.api.callback_answers.get(query_id))
    assert reply["text"] == texts("ar").apology


async def test_no_apology_after_forbidden(bot: RunningBot) -> None:
    """A reply refused with 403 (the user blocked the bot) gets no apology: the chat cannot receive one."""
    bot.api.fail_next("sendMessage", 403, chat_id=1007)
    bot.api.user(1007, "Blocker")
    bot.api.push_message("first strike", user=1007)
    await bot.api.wait_idle()
    assert len([c for c in bot.api.calls_to("sendMessage") if c.params.get("chat_id") == 1007]) == 1


async def test_apology_guard_survives_an_apology_that_fails_with_a_non_telegram_error(bot: RunningBot, caplog) -> None:  # type: ignore[no-untyped-def]
    """The answer fails with a non-Telegram exception (the reply's response cannot be parsed), and so does the
    apology: the guard logs "apology not delivered" instead of raising out of the error handler, and the bot
    goes on answering."""
    bot.api.garble_next("sendMessage", times=2, chat_id=1001)
    bot.api.user(1001, "Amal")
    with caplog.at_level(logging.WARNING, logger="bayan.telegram"):
        bot.api.push_message("first strike", user=1001)
        await bot.api.wait_for(lambda: any(getattr(r, EVENT_ATTR, None) == "apology_failed" for r in caplog.records))
    [error] = [r for r in caplog.records if getattr(r, EVENT_ATTR, None) == "error"]
    assert error.exc_info is not None and not isinstance(error.exc_info[1], TelegramError)  # not Telegram's kind
    assert len(bot.api.calls_to("sendMessage")) == 2  # the answer, then the apology: both garbled
    assert "uncaught error was raised while handling the error" not in caplog.text
    assert "first" in (await bot.ask("first strike"))["text"]
