"""``/start`` (and its deep links), ``/help``, ``/proposals``, the bot's profile texts and menus, and the
unknown-command hint.

The interface language is the user's Telegram language (Arabic for ``ar*``); a button on each
message switches it. ``t.me/<bot>?start=<passage-id>`` arrives as ``/start <passage-id>`` and opens
that passage; any other payload shows the start screen. At start-up :func:`publish_profile` sets
the command menus and the descriptions for Arabic and English users (English as the default for
everyone else); the descriptions only when they differ from what Telegram has, and a refusal is a
warning: a bot without its menu still answers questions.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.knowledge_base import Lang
from bot.logs import log_event
from bot.telegram.language import interface_lang
from bot.telegram.render import Rendered, esc, render_help, render_passage, render_proposals_message, render_start
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, services_of
from bot.telegram.texts import texts

log = logging.getLogger("bayan.telegram")

NEW_MESSAGES = filters.UpdateType.MESSAGE


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start``: the short start screen, or with a deep-link payload naming a passage, that passage."""
    assert update.message is not None
    knowledge = services_of(context).knowledge
    lang = interface_lang(update, context)
    payload = context.args[0] if context.args else ""
    found = knowledge.passage(payload) if payload else None
    if found is not None:
        doc, passage = found
        await reply(update.message, render_passage(doc, passage, lang))
        return
    await reply(update.message, render_start(knowledge, lang))


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    knowledge = services_of(context).knowledge
    await reply(update.message, render_help(knowledge, interface_lang(update, context), context.bot.username or ""))


async def on_proposals(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    knowledge = services_of(context).knowledge
    await reply(update.message, render_proposals_message(knowledge, interface_lang(update, context)))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await reply(update.message, Rendered(esc(texts(interface_lang(update, context)).unknown_command)))


async def publish_profile(application: AnyApplication) -> None:
    """Command menus and descriptions for Arabic, English and the default; each failure is one warning."""
    bot = application.bot
    menus: tuple[tuple[Lang, str | None], ...] = (("ar", "ar"), ("en", "en"), ("en", None))
    for lang, code in menus:
        ui = texts(lang)
        try:
            await bot.set_my_commands([BotCommand(n, d) for n, d in ui.commands], language_code=code)
            if (await bot.get_my_description(language_code=code)).description != ui.description:
                await bot.set_my_description(ui.description, language_code=code)
            if (await bot.get_my_short_description(language_code=code)).short_description != ui.short_description:
                await bot.set_my_short_description(ui.short_description, language_code=code)
        except TelegramError as exc:
            log_event(log, "profile_not_set", level=logging.WARNING, language=code or "default", error=str(exc))


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("start", on_start, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("help", on_help, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("proposals", on_proposals, filters=NEW_MESSAGES))


def register_fallbacks(application: AnyApplication) -> None:
    """Registered after every feature's handlers, so it only sees commands nobody claimed."""
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & NEW_MESSAGES & filters.COMMAND, on_unknown_command))
