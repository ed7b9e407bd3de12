""""Not what I asked" under an answer: noted once, its button gone, and a way on offered."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

from bot.logs import EVENT_ATTR, FIELDS_ATTR
from bot.subscriptions.texts import sub_texts
from bot.telegram.callback_data import Action, decode
from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot


def _presses(message: dict) -> list:
    return [decode(b["callback_data"]) for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row if "callback_data" in b]


def _button(message: dict, action: Action) -> dict:
    return next(
        b for row in message["reply_markup"]["inline_keyboard"] for b in row
        if "callback_data" in b and decode(b["callback_data"]).action is action
    )


async def test_a_miss_is_noted_once_and_answered_with_a_way_on(
    start_bot: Callable[..., Awaitable[RunningBot]], caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot(admin_ids=(1001,))
    answer = await bot.ask("What did Putin propose about elections?")
    miss = _button(answer, Action.NOT_WHAT_I_ASKED)
    assert miss["text"] == texts("en").miss_button
    assert decode(miss["callback_data"]).passage_id == "proposal-4-non-interference"
    caplog.set_level(logging.INFO, logger="bayan")
    uid = bot.api.push_callback(answer, miss["callback_data"], user=1001)
    [_, way_on] = await bot.api.wait_for_messages(2, chat_id=1001)
    query_id = bot.api.update(uid)["callback_query"]["id"]
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers)
    assert bot.api.callback_answers[query_id]["text"] == texts("en").miss_noted
    assert texts("en").miss_reply in way_on["text"]
    offered = {p.passage_id for p in _presses(way_on) if p.action is Action.SHOW_PASSAGE}
    assert offered == {p.id for _, p in bot.services.knowledge.summarized()}
    # the answer keeps its other buttons and loses the one pressed, so a second tap is not counted again
    await bot.api.wait_for(lambda: Action.NOT_WHAT_I_ASKED not in {p.action for p in _presses(bot.api.sent[1001][0])})
    assert {Action.TRANSLATE_ANSWER, Action.SEND_CARD} <= {p.action for p in _presses(bot.api.sent[1001][0])}
    events = [r for r in caplog.records if getattr(r, EVENT_ATTR, None) == "not_what_i_asked"]
    assert len(events) == 1
    assert getattr(events[0], FIELDS_ATTR)["passage"] == "proposal-4-non-interference"

    # a second tap (Telegram hands over the message as it is now, without the button) only gets the note
    again = bot.api.push_callback(answer, miss["callback_data"], user=1001)
    again_id = bot.api.update(again)["callback_query"]["id"]
    await bot.api.wait_for(lambda: again_id in bot.api.callback_answers)
    await bot.api.wait_idle()
    assert len(bot.api.sent[1001]) == 2

    # counted once, by passage, for the admins' /stats
    stats = await bot.ask("/stats")
    assert f"{sub_texts('en').stats_missed.format(count=1)} (proposal-4-non-interference 1)" in stats["text"]


async def test_the_button_is_under_answers_and_closest_passages_only(bot: RunningBot) -> None:
    """Answers (and a language switch of them) offer it; refusals and small talk have nothing to call a miss."""
    answer = await bot.ask("ماذا اقترح بوتين بشأن الانتخابات؟", language_code="ar")
    assert _button(answer, Action.NOT_WHAT_I_ASKED)["text"] == texts("ar").miss_button
    bot.api.push_callback(answer, _button(answer, Action.TRANSLATE_ANSWER)["callback_data"], user=1001)
    await bot.api.wait_for(lambda: any(p.lang == "en" for p in _presses(bot.api.sent[1001][0]) if p.action is Action.NOT_WHAT_I_ASKED))
    for text in ("What is the weather in Paris tomorrow?", "hello"):
        reply = await bot.ask(text)
        assert Action.NOT_WHAT_I_ASKED not in {p.action for p in _presses(reply)}
