"""The start screen, deep links, the profile texts, and how refusals, closest passages and small talk read."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.answer import source_name
from bot.telegram.callback_data import Action, decode
from bot.telegram.texts import texts
from tests.plain import plain
from tests.telegram.conftest import RunningBot

GROUP = -100321


def _presses(message: dict[str, Any]) -> list[Any]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [decode(b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def _button(message: dict[str, Any], action: Action) -> dict[str, Any]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b for row in rows for b in row if "callback_data" in b and decode(b["callback_data"]).action is action)


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_start_is_short_and_ends_with_example_questions_to_tap(bot: RunningBot, lang: str) -> None:
    """/start: at most 400 characters, then one button per example, all proposals and the language switch."""
    start = await bot.ask("/start", language_code=lang)
    assert len(start["text"]) <= 400
    assert plain(start["text"]).startswith(texts(lang).help_title)  # type: ignore[arg-type]
    presses = _presses(start)
    examples = [p for p in presses if p.action is Action.ASK_EXAMPLE]
    assert 3 <= len(examples) <= 4 and Action.SHOW_PROPOSALS in {p.action for p in presses}
    labels = [b["text"] for row in start["reply_markup"]["inline_keyboard"] for b in row]
    assert [plain(x) for x in labels[: len(examples)]] == list(texts(lang).examples)  # type: ignore[arg-type]


async def test_tapping_an_example_asks_it(bot: RunningBot) -> None:
    """An example button asks its question: the answer is the passage the typed question gets."""
    start = await bot.ask("/start", language_code="ar")
    bot.api.push_callback(start, _button(start, Action.ASK_EXAMPLE)["callback_data"], user=1001)
    [_, answer] = await bot.api.wait_for_messages(2, chat_id=1001)
    typed = bot.services.index.search(texts("ar").examples[0])
    assert typed.best is not None and typed.best.passage.text_ar in answer["text"]


@pytest.mark.parametrize(("payload", "passage_id"), [("proposal-3-incidents-agreement", "proposal-3-incidents-agreement"), ("aims", "aims"), ("no-such-thing", None), ("help", None), ("<b>", None)])
async def test_deep_link_opens_its_passage_and_a_bad_one_the_start_screen(bot: RunningBot, payload: str, passage_id: str | None) -> None:
    """t.me/<bot>?start=<passage-id> arrives as /start <id>: that passage; anything else: the start screen."""
    reply = await bot.ask(f"/start {payload}")
    if passage_id is None:
        assert plain(reply["text"]).startswith(texts("en").help_title)
        return
    _, passage = bot.services.knowledge.passage(passage_id)  # type: ignore[misc]
    assert passage.text_en in reply["text"] and passage.text_ar in reply["text"]


async def test_proposal_buttons_open_each_quote(bot: RunningBot) -> None:
    """/proposals has one button per proposal and call; pressing one sends that passage's quote."""
    listing = await bot.ask("/proposals")
    shown = [p for p in _presses(listing) if p.action is Action.SHOW_PASSAGE]
    assert [p.passage_id for p in shown] == [p.id for _, p in bot.services.knowledge.summarized()]
    bot.api.push_callback(listing, _button(listing, Action.SHOW_PASSAGE)["callback_data"], user=1001)
    [_, quote] = await bot.api.wait_for_messages(2, chat_id=1001)
    _, first = bot.services.knowledge.proposals()[0]
    assert first.text_en in quote["text"]


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_refusal_is_one_line_then_every_proposal_and_call(bot: RunningBot, lang: str) -> None:
    """'Not in the statement' in one line, the question echoed; buttons: every proposal and call, then all proposals."""
    question = "ما هو الطقس في باريس غداً؟" if lang == "ar" else "What is the weather in Paris tomorrow?"
    reply = await bot.ask(question, language_code=lang)
    lines = plain(reply["text"]).splitlines()
    assert lines[0] == texts(lang).not_found and question in lines[1]  # type: ignore[arg-type]
    assert lines[-1] == texts(lang).closest_title  # type: ignore[arg-type]  # and the buttons follow it
    assert "blockquote" not in {e["type"] for e in reply["entities"]}
    presses = _presses(reply)
    assert [p.passage_id for p in presses if p.action is Action.SHOW_PASSAGE] == [p.id for _, p in bot.services.knowledge.summarized()]
    assert presses[-1].action is Action.SHOW_PROPOSALS


async def test_closest_passage_is_quoted_under_its_heading_with_the_source(bot: RunningBot) -> None:
    """Plausible but unsure: one line saying so, the 'closest passage' heading, the quote and its source."""
    question = "what was signed in 1985"
    answer = bot.services.index.search(question)
    assert answer.match == "closest" and answer.best is not None
    reply = await bot.ask(question)
    lines = plain(reply["text"]).splitlines()
    ui = texts("en")
    assert lines[0] == ui.not_sure and lines[2] == ui.closest_heading
    assert answer.best.passage.text_en in reply["text"] and source_name(answer.best.document, "en") in plain(reply["text"])
    assert {"bold", "blockquote"} <= {e["type"] for e in reply["entities"]}


@pytest.mark.parametrize(("text", "lang"), [("hi", "en"), ("thanks!", "en"), ("مرحبا", "ar"), ("شكرا", "ar"), ("who are you?", "en")])
async def test_small_talk_gets_a_friendly_reply_with_examples(bot: RunningBot, text: str, lang: str) -> None:
    """Greetings, thanks, 'who are you': who the bot is and example questions to tap, never 'not in the statement'."""
    reply = await bot.ask(text, language_code=lang)
    assert plain(reply["text"]) == texts(lang).smalltalk  # type: ignore[arg-type]
    assert texts(lang).not_found not in reply["text"]  # type: ignore[arg-type]
    assert Action.ASK_EXAMPLE in {p.action for p in _presses(reply)}


async def test_small_talk_in_a_group_only_when_addressed(bot: RunningBot) -> None:
    """In a group 'hi' to nobody gets nothing; '@bot hi' gets the friendly reply."""
    chat = bot.api.group(GROUP)
    bot.api.push_message("hi everyone", user=1001, chat=chat)
    await bot.api.wait_idle()
    assert not bot.api.sent.get(GROUP)
    bot.api.push_message("@bayan_test_bot hi", user=1001, chat=chat)
    [reply] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    assert plain(reply["text"]) == texts("en").smalltalk


async def test_descriptions_are_set_for_both_languages_only_when_they_differ(start_bot: Any) -> None:
    """setMyDescription/setMyShortDescription for ar, en and the default; a second start finds them set and sends none."""
    first: RunningBot = await start_bot()
    api = first.api
    for code, lang in (("ar", "ar"), ("en", "en"), ("", "en")):
        assert api._descriptions[("description", code)] == texts(lang).description  # type: ignore[arg-type]
        assert api._descriptions[("short_description", code)] == texts(lang).short_description  # type: ignore[arg-type]
    sets = len(api.calls_to("setMyDescription")) + len(api.calls_to("setMyShortDescription"))
    assert sets == 6
    await first.stop()
    await start_bot()
    assert len(api.calls_to("setMyDescription")) + len(api.calls_to("setMyShortDescription")) == sets


@pytest.mark.parametrize("method", ["setMyCommands", "setMyDescription", "getMyShortDescription"])
async def test_a_refused_profile_call_is_a_warning_and_the_bot_runs_on(
    start_bot: Any, fake_api: Any, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram refusing a menu or a description at start-up logs a warning; questions are still answered."""
    fake_api.fail_next(method, 400, times=3)
    with caplog.at_level(logging.WARNING, logger="bayan.telegram"):
        bot: RunningBot = await start_bot()
    assert any(r.getMessage() == "profile_not_set" and r.levelno == logging.WARNING for r in caplog.records)
    reply = await bot.ask("first strike")
    assert "first" in reply["text"]


async def test_language_command_sets_the_interface_language_and_it_is_stored(start_bot: Any) -> None:
    """/language ar makes an English-speaking user's hints Arabic, across a restart; answers still follow the question."""
    bot: RunningBot = await start_bot()
    assert plain((await bot.ask("/language"))["text"]) == texts("en").language_usage
    assert plain((await bot.ask("/language ar"))["text"]) == texts("ar").language_changed
    assert plain((await bot.ask("/nonsense"))["text"]) == texts("ar").unknown_command
    answer = await bot.ask("What did Putin propose about elections?")
    _, passage = bot.services.knowledge.passage("proposal-4-non-interference")  # type: ignore[misc]
    assert passage.text_en in answer["text"]  # an English question gets an English answer
    await bot.stop()
    again: RunningBot = await start_bot()
    assert plain((await again.ask("/nonsense"))["text"]) == texts("ar").unknown_command
    assert plain((await again.ask("/language en"))["text"]) == texts("en").language_changed
    assert plain((await again.ask("/nonsense"))["text"]) == texts("en").unknown_command
