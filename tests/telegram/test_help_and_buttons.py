"""/start, /help, command menus and inline buttons, end to end through the fake Bot API."""

from __future__ import annotations

import pytest

from bot.answer import source_name
from bot.telegram.callback_data import Action, ButtonPress, decode
from bot.telegram.texts import texts
from tests.plain import plain
from tests.telegram.conftest import RunningBot


def _buttons(message: dict) -> list[dict]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def _press_of(message: dict, action: Action) -> dict:
    return next(b for b in _buttons(message) if "callback_data" in b and decode(b["callback_data"]).action is action)


@pytest.mark.parametrize(("command", "language_code", "lang"), [("/help", "ar", "ar"), ("/help", "en", "en"), ("/help", None, "en"), ("/help", "ru", "en")])
async def test_help_explains_the_bot_in_the_user_language(bot: RunningBot, command: str, language_code: str | None, lang: str) -> None:
    """Help names the statement, TASS and the date, links the Kremlin page and offers examples to tap, in the user's language."""
    bot.api.user(1001, language_code=language_code)
    bot.api.push_message(command, user=1001)
    [reply] = await bot.api.wait_for_messages(1, chat_id=1001)
    reply["text"] = plain(reply["text"])
    doc = bot.services.knowledge.documents[0]
    assert texts(lang).help_title in reply["text"]  # type: ignore[arg-type]
    assert source_name(doc, lang) in reply["text"]  # type: ignore[arg-type]
    assert texts(lang).help_examples_title in reply["text"]  # type: ignore[arg-type]
    asks = [plain(b["text"]) for b in _buttons(reply) if "callback_data" in b and decode(b["callback_data"]).action is Action.ASK_EXAMPLE]
    assert asks == list(texts(lang).examples)  # type: ignore[arg-type]
    assert any(e.get("url") == doc.url for e in reply["entities"])
    assert "@bayan_test_bot" in reply["text"]


async def test_help_language_button_rewrites_the_help_in_the_other_language(bot: RunningBot) -> None:
    """Pressing the language button edits the same message into the other language and back."""
    help_ar = await bot.ask("/help", language_code="ar")
    button = _press_of(help_ar, Action.TRANSLATE_HELP)
    assert button["text"] == texts("en").language_name
    bot.api.push_callback(help_ar, button["callback_data"], user=1001)
    await bot.api.wait_for(lambda: texts("en").help_title in bot.api.sent[1001][0]["text"])
    edited = bot.api.sent[1001][0]
    assert len(bot.api.sent[1001]) == 1
    assert _press_of(edited, Action.TRANSLATE_HELP)["text"] == texts("ar").language_name
    await bot.api.wait_idle()
    assert all(answer.get("text") is None for answer in bot.api.callback_answers.values())


async def test_help_example_button_asks_the_question(bot: RunningBot) -> None:
    """Tapping an example on /help asks it: the answer comes as a new message, the help stays as it was."""
    help_en = await bot.ask("/help")
    example = _press_of(help_en, Action.ASK_EXAMPLE)
    bot.api.push_callback(help_en, example["callback_data"], user=1001)
    [answer] = (await bot.api.wait_for_messages(2, chat_id=1001))[1:]
    found = bot.services.index.search(texts("en").examples[0])
    assert found.answered and found.best is not None and found.best.passage.text_en in answer["text"]
    assert bot.api.sent[1001][0]["text"] == help_en["text"]


async def test_command_menus_are_registered_for_both_languages(bot: RunningBot) -> None:
    """setMyCommands is called for Arabic, English and the default, each in its language."""
    for language_code, lang in (("ar", "ar"), ("en", "en"), ("", "en")):
        menu = bot.api.commands(language_code=language_code)
        assert menu is not None
        assert [(c["command"], c["description"]) for c in menu] == list(texts(lang).commands)  # type: ignore[arg-type]


async def test_other_language_button_translates_the_answer_and_keeps_suggestions(bot: RunningBot) -> None:
    """On an English answer, the Arabic button edits the message to the Arabic quote; next-best buttons survive, relabelled."""
    answer = await bot.ask("What did Putin propose about elections?")
    suggestions_before = [decode(b["callback_data"]).passage_id for b in _buttons(answer) if "callback_data" in b and decode(b["callback_data"]).action is Action.SHOW_PASSAGE]
    assert suggestions_before
    bot.api.push_callback(answer, _press_of(answer, Action.TRANSLATE_ANSWER)["callback_data"], user=1001)
    _, passage = bot.services.knowledge.passage("proposal-4-non-interference")  # type: ignore[misc]
    await bot.api.wait_for(lambda: passage.text_en not in bot.api.sent[1001][0]["text"])
    edited = bot.api.sent[1001][0]
    assert passage.text_ar in edited["text"] and texts("ar").source_label in edited["text"]
    presses = [decode(b["callback_data"]) for b in _buttons(edited) if "callback_data" in b]
    assert [p.passage_id for p in presses if p.action is Action.SHOW_PASSAGE] == suggestions_before
    assert all(p.lang == "ar" for p in presses if p.action is Action.SHOW_PASSAGE)


async def test_suggestion_button_sends_that_passage(bot: RunningBot) -> None:
    """A suggestion under a not-found reply sends the suggested passage as a new message."""
    declined = await bot.ask("What is the weather in Paris tomorrow?")
    button = _press_of(declined, Action.SHOW_PASSAGE)
    passage_id = decode(button["callback_data"]).passage_id
    bot.api.push_callback(declined, button["callback_data"], user=1001)
    [_, shown] = await bot.api.wait_for_messages(2, chat_id=1001)
    _, passage = bot.services.knowledge.passage(passage_id)  # type: ignore[misc]
    assert passage.text_en in shown["text"] and passage.text_ar in shown["text"]


async def test_proposals_button_sends_the_list(bot: RunningBot) -> None:
    """The proposals button under a not-found reply sends the proposals summary."""
    declined = await bot.ask("What is the weather in Paris tomorrow?")
    bot.api.push_callback(declined, _press_of(declined, Action.SHOW_PROPOSALS)["callback_data"], user=1001)
    [_, listing] = await bot.api.wait_for_messages(2, chat_id=1001)
    assert all(p.summary_en in listing["text"] for _, p in bot.services.knowledge.proposals())


@pytest.mark.parametrize(
    "data",
    ["garbage", "v0|show|en|aims", "v1|show|en|no-such-passage", ButtonPress(Action.SHOW_PASSAGE, "en", "gone").encode()],
)
async def test_unknown_or_stale_buttons_get_a_short_note(bot: RunningBot, data: str) -> None:
    """Malformed, foreign or outdated callback data is answered with a note and changes nothing."""
    answer = await bot.ask("first strike", language_code="ar")
    query_uid = bot.api.push_callback(answer, data, user=1001)
    query_id = bot.api.update(query_uid)["callback_query"]["id"]
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers)
    assert bot.api.callback_answers[query_id]["text"] == texts("ar").stale_button
    await bot.api.wait_idle()
    assert len(bot.api.sent[1001]) == 1
