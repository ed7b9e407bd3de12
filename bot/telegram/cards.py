"""The "🖼 Card" button and ``/card``: a passage sent as a quote card (a PNG), cached as Telegram's ``file_id``.

Under every answer a button sends that passage's card in the answer's language; ``/card`` in
reply to one of the bot's answers does the same (the passage and language are read from the
answer's own buttons). A card is rendered once per (passage, language, layout version): the
first send uploads the PNG, later ones resend the ``file_id`` Telegram gave it, which costs
Telegram nothing to deliver. Should Telegram ever refuse a cached ``file_id``, the card is
uploaded again. Rendering runs in a worker thread so it never stalls other replies.

Cards need Pillow's raqm layout engine; without it the button answers that cards are off and
everything else works as before (``python -m bot check`` says so).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.knowledge_base import Document, Lang, Passage
from bot.logs import EVENT_ATTR, FIELDS_ATTR
from bot.telegram.callback_data import Action, decode
from bot.telegram.card import LAYOUT_VERSION, CardRenderer, CardsUnavailable, deep_link
from bot.telegram.language import interface_lang
from bot.telegram.render import Rendered, esc, link, passage_label, source_line
from bot.telegram.replies import reply, reply_photo
from bot.telegram.services import AnyApplication, services_of, stored
from bot.telegram.texts import other_lang, texts, user_lang

log = logging.getLogger("bayan.telegram")

CARDS_KEY = "bayan.cards"
NEW_MESSAGES = filters.UpdateType.MESSAGE

CardKey = tuple[str, Lang, int]  # (passage id, language, layout version)


@dataclass
class CardShelf:
    """Per-bot card state in ``bot_data``: the renderer (``None`` when cards are off) and the uploaded cards."""

    renderer: CardRenderer | None
    file_ids: dict[CardKey, str] = field(default_factory=dict)
    _locks: dict[CardKey, asyncio.Lock] = field(default_factory=dict)

    def lock(self, key: CardKey) -> asyncio.Lock:
        """One lock per card, so two taps at once render and upload it once."""
        return self._locks.setdefault(key, asyncio.Lock())


def shelf_of(context: ContextTypes.DEFAULT_TYPE) -> CardShelf:
    return stored(context.bot_data, CARDS_KEY, CardShelf, "register bot.telegram.cards in build_application")


def card_request(markup: InlineKeyboardMarkup | None) -> tuple[str, Lang] | None:
    """Which card an answer message offers: its card button, else (older answers) its language switch."""
    presses = [decode(b.callback_data) for row in (markup.inline_keyboard if markup else ()) for b in row]
    for press in presses:
        if press is not None and press.action is Action.SEND_CARD and press.passage_id:
            return press.passage_id, press.lang
    for press in presses:  # the switch names the *other* language: the answer is in the opposite one
        if press is not None and press.action is Action.TRANSLATE_ANSWER and press.passage_id:
            return press.passage_id, other_lang(press.lang)
    return None


def card_caption(doc: Document, passage: Passage, lang: Lang, bot_username: str) -> str:
    """The caption (HTML): what the passage is about, its source line and deep link, as text for screen readers and search."""
    url = deep_link(bot_username, passage.id)
    return "\n".join(
        [esc(passage_label(passage, lang)), source_line(doc, lang), link(url, url.removeprefix("https://"))]
    )


async def send_card(message: Message, passage_id: str, lang: Lang, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Send the card where :func:`reply` would answer ``message``; ``None`` when sent, else the note to show instead."""
    ui = texts(lang)
    shelf = shelf_of(context)
    found = services_of(context).knowledge.passage(passage_id)
    if found is None:
        return ui.card_missing
    if shelf.renderer is None:
        return ui.cards_off
    username = context.bot.username or ""
    caption = card_caption(*found, lang, username)
    key: CardKey = (passage_id, lang, LAYOUT_VERSION)
    async with shelf.lock(key):
        cached = shelf.file_ids.get(key)
        if cached is not None:
            try:
                await reply_photo(message, cached, caption)
                return None
            except BadRequest as exc:  # e.g. "wrong file identifier": forget it and upload afresh
                log.warning(
                    "cached card refused, uploading again",
                    extra={
                        EVENT_ATTR: "card_file_id_refused",
                        FIELDS_ATTR: {"passage": passage_id, "error": exc.message},
                    },
                )
                del shelf.file_ids[key]
        png = await asyncio.to_thread(shelf.renderer.render, *found, lang, username)
        sent = await reply_photo(message, png, caption, filename=f"{passage_id}.{lang}.png")
        if sent.photo:
            shelf.file_ids[key] = sent.photo[-1].file_id  # the largest size: the card as uploaded
    return None


async def on_card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    press = decode(query.data)
    message = query.message
    if press is None or press.passage_id is None or not isinstance(message, Message):
        await query.answer(texts(user_lang(query.from_user)).stale_button)
        return
    note = await send_card(message, press.passage_id, press.lang, context)
    await query.answer(note)


async def on_card_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/card`` in reply to one of the bot's answers; anything else gets the usage line."""
    message = update.message
    assert message is not None
    replied = message.reply_to_message
    request = None
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
        request = card_request(replied.reply_markup)
    if request is None:
        await reply(message, Rendered(esc(texts(interface_lang(update, context)).card_usage)))
        return
    note = await send_card(message, *request, context)
    if note is not None:
        await reply(message, Rendered(esc(note)))


def _is_card_button(data: object) -> bool:
    press = decode(data)
    return press is not None and press.action is Action.SEND_CARD


def register(application: AnyApplication) -> None:
    try:
        renderer: CardRenderer | None = CardRenderer()
    except CardsUnavailable as exc:
        log.warning("quote cards are off: %s", exc, extra={EVENT_ATTR: "cards_off"})
        renderer = None
    application.bot_data[CARDS_KEY] = CardShelf(renderer)
    application.add_handler(CallbackQueryHandler(on_card_button, pattern=_is_card_button))
    application.add_handler(CommandHandler("card", on_card_command, filters=NEW_MESSAGES))
