"""``/start``, ``/help``, ``/proposals``, the bilingual command menus, and the unknown-command hint.

The interface language is the user's Telegram language (Arabic for ``ar*``); a button on each
message switches it. :func:`publish_command_menus` registers the menu for Arabic and English
users and a default (English) for everyone else.
"""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.telegram.render import Rendered, esc, render_help, render_proposals_message
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, services_of
from bot.telegram.texts import texts, user_lang

NEW_MESSAGES = filters.UpdateType.MESSAGE


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start`` (with or without a deep-link payload) and ``/help``."""
    assert update.message is not None
    knowledge = services_of(context).knowledge
    await reply(update.message, render_help(knowledge, user_lang(update.effective_user), context.bot.username or ""))


async def on_proposals(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    knowledge = services_of(context).knowledge
    await reply(update.message, render_proposals_message(knowledge, user_lang(update.effective_user)))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await reply(update.message, Rendered(esc(texts(user_lang(update.effective_user)).unknown_command)))


async def publish_command_menus(application: AnyApplication) -> None:
    """setMyCommands for Arabic and English users, and English as the default for other languages."""
    bot = application.bot
    for lang in ("ar", "en"):
        menu = [BotCommand(name, description) for name, description in texts(lang).commands]
        await bot.set_my_commands(menu, language_code=lang)
    await bot.set_my_commands([BotCommand(n, d) for n, d in texts("en").commands])


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler(["start", "help"], on_help, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("proposals", on_proposals, filters=NEW_MESSAGES))


def register_fallbacks(application: AnyApplication) -> None:
    """Registered after every feature's handlers, so it only sees commands nobody claimed."""
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & NEW_MESSAGES & filters.COMMAND, on_unknown_command))
