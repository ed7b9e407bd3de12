"""The 🖼 Card button and /card, end to end: a PNG through sendPhoto, then Telegram's file_id on every later send."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from telegram.error import BadRequest

from bot.answer import source_name
from bot.telegram import card
from bot.telegram.callback_data import Action, ButtonPress, decode
from bot.telegram.cards import CARDS_KEY, CardShelf
from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot

GROUP = -100777
QUESTION = "What did Putin propose about elections?"
PASSAGE = "proposal-4-non-interference"


def card_button(message: dict) -> dict:
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row if "callback_data" in b]
    return next(b for b in buttons if decode(b["callback_data"]).action is Action.SEND_CARD)  # type: ignore[union-attr]


def photos(bot: RunningBot, chat_id: int) -> list[dict]:
    return [m for m in bot.api.sent.get(chat_id, []) if "photo" in m]


async def press_card(bot: RunningBot, message: dict, chat_id: int, *, data: str | None = None) -> dict:
    before = len(photos(bot, chat_id))
    bot.api.push_callback(message, data or card_button(message)["callback_data"], user=1001)
    await bot.api.wait_for(lambda: len(photos(bot, chat_id)) > before, what="a card")
    return photos(bot, chat_id)[-1]


@pytest.mark.parametrize(("question", "lang"), [(QUESTION, "en"), ("ماذا اقترح بوتين بشأن الانتخابات؟", "ar")])
async def test_card_button_sends_the_card_then_reuses_its_file_id(bot: RunningBot, question: str, lang: str) -> None:
    """First tap: one PNG upload of the answer's passage in its language; second tap: the same photo by file_id."""
    answer = await bot.ask(question, language_code=lang)
    button = card_button(answer)
    assert button["text"] == texts(lang).card_button  # type: ignore[arg-type]
    assert decode(button["callback_data"]) == ButtonPress(Action.SEND_CARD, lang, PASSAGE)  # type: ignore[arg-type]

    first = await press_card(bot, answer, 1001)
    [upload] = bot.api.uploads
    image = Image.open(io.BytesIO(upload))
    assert image.format == "PNG" and image.size == (card.SIZE, card.SIZE)
    doc, _ = bot.services.knowledge.passage(PASSAGE)  # type: ignore[misc]
    assert source_name(doc, lang) in first["caption"]  # type: ignore[arg-type]
    link = f"t.me/bayan_test_bot?start={PASSAGE}"
    assert link in first["caption"]
    assert any(e.get("url") == f"https://{link}" for e in first["caption_entities"])
    assert "reply_to_message" not in first  # a private chat: no quote

    second = await press_card(bot, answer, 1001)
    assert len(bot.api.uploads) == 1
    resend = bot.api.calls_to("sendPhoto")[-1].params["photo"]
    assert resend == first["photo"][-1]["file_id"]
    assert second["photo"] == first["photo"]
    await bot.api.wait_idle()
    assert all(a.get("text") is None for a in bot.api.callback_answers.values())  # spinners stopped, no note


async def test_english_and_arabic_cards_are_different_uploads(bot: RunningBot) -> None:
    """The cache is per language: the Arabic card of the same passage is rendered and uploaded on its own."""
    english = await bot.ask(QUESTION)
    await press_card(bot, english, 1001)
    arabic = await bot.ask("ماذا اقترح بوتين بشأن الانتخابات؟", language_code="ar")
    await press_card(bot, arabic, 1001)
    assert len(bot.api.uploads) == 2 and bot.api.uploads[0] != bot.api.uploads[1]


async def test_card_in_a_group_replies_to_the_answer(bot: RunningBot) -> None:
    chat = bot.api.group(GROUP, chat_type="supergroup")
    bot.api.push_message(f"@bayan_test_bot {QUESTION}", user=1001, chat=chat)
    [answer] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    sent = await press_card(bot, answer, GROUP)
    assert sent["reply_to_message"]["message_id"] == answer["message_id"]
    assert len(bot.api.uploads) == 1


async def test_card_command_in_reply_to_an_answer(bot: RunningBot) -> None:
    """/card replying to one of the bot's answers sends that answer's card; the cache is shared with the button."""
    chat = bot.api.group(GROUP)
    bot.api.push_message(f"/ask {QUESTION}", user=1001, chat=chat)
    [answer] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    uid = bot.api.push_message("/card", user=1002, chat=chat, reply_to=answer)
    await bot.api.wait_for(lambda: photos(bot, GROUP), what="a card")
    [sent] = photos(bot, GROUP)
    assert sent["reply_to_message"]["message_id"] == bot.api.update(uid)["message"]["message_id"]
    assert f"start={PASSAGE}" in sent["caption"]
    await press_card(bot, answer, GROUP)
    assert len(bot.api.uploads) == 1


@pytest.mark.parametrize("reply_to_bot", [False, True])
async def test_card_command_without_an_answer_explains_itself(bot: RunningBot, reply_to_bot: bool) -> None:
    """Alone, or replying to a bot message that is not an answer (the help): the usage line, no photo."""
    target = None
    if reply_to_bot:
        target = await bot.ask("/help")
    reply = await bot.ask("/card", reply_to=target)
    assert reply["text"] == texts("en").card_usage
    assert bot.api.calls_to("sendPhoto") == []


async def test_card_for_a_passage_that_does_not_exist_gets_a_clear_note(bot: RunningBot) -> None:
    answer = await bot.ask(QUESTION)
    uid = bot.api.push_callback(answer, ButtonPress(Action.SEND_CARD, "en", "no-such-passage").encode(), user=1001)
    query_id = bot.api.update(uid)["callback_query"]["id"]
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers, what="the button's answer")
    assert bot.api.callback_answers[query_id]["text"] == texts("en").card_missing
    assert bot.api.calls_to("sendPhoto") == []


async def test_a_refused_file_id_is_replaced_by_a_fresh_upload(bot: RunningBot) -> None:
    answer = await bot.ask(QUESTION)
    await press_card(bot, answer, 1001)
    bot.api.forget_files()
    await press_card(bot, answer, 1001)
    assert len(bot.api.uploads) == 2
    assert isinstance(bot.api.calls_to("sendPhoto")[1].params["photo"], str)  # the cached id was tried first
    assert isinstance(bot.api.calls_to("sendPhoto")[2].params["photo"], dict)  # then uploaded afresh


@pytest.mark.parametrize(
    ("photo", "caption", "error"),
    [
        (b"", None, "file must be non-empty"),
        (b"not an image at all", None, "IMAGE_PROCESS_FAILED"),
        ("AgACAgIAAxk-never-issued", None, "wrong file identifier"),
        (None, "x" * 1025, "message caption is too long"),
        (None, "<b>unclosed", "can't parse entities"),
    ],
)
async def test_the_fake_refuses_what_telegram_refuses(
    bot: RunningBot, photo: bytes | str | None, caption: str | None, error: str
) -> None:
    """The fake's sendPhoto is as strict as Telegram, so a bot bug there fails here too."""
    if photo is None:
        photo = card.CardRenderer().render(*bot.services.knowledge.entries()[0], "ar", "bayan_test_bot")
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await bot.app.bot.send_photo(1001, photo=photo, caption=caption, parse_mode="HTML")
    assert bot.api.uploads == []


async def test_without_raqm_the_button_says_cards_are_off_and_answers_still_work(bot: RunningBot) -> None:
    """The state start-up leaves when Pillow cannot shape Arabic: no renderer; the button explains, nothing is sent."""
    bot.app.bot_data[CARDS_KEY] = CardShelf(renderer=None)
    answer = await bot.ask(QUESTION)
    uid = bot.api.push_callback(answer, card_button(answer)["callback_data"], user=1001)
    query_id = bot.api.update(uid)["callback_query"]["id"]
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers, what="the button's answer")
    assert bot.api.callback_answers[query_id]["text"] == texts("en").cards_off
    assert bot.api.calls_to("sendPhoto") == []
    assert PASSAGE in str(card_button(await bot.ask(QUESTION))["callback_data"])  # questions are answered as before


async def test_the_cards_deep_link_leads_back_to_its_passage(bot: RunningBot) -> None:
    """Following t.me/<bot>?start=<id> sends /start <id>: the bot answers with that very passage."""
    answer = await bot.ask(QUESTION)
    sent = await press_card(bot, answer, 1001)
    payload = sent["caption"].split("?start=", 1)[1].split()[0]
    reply = await bot.ask(f"/start {payload}")
    _, passage = bot.services.knowledge.passage(PASSAGE)  # type: ignore[misc]
    assert payload == PASSAGE and passage.text_en in reply["text"]
