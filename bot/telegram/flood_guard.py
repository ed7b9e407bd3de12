"""Applies the per-user flood limit before any handler runs (handler group -1).

Only updates the bot would act on count: private messages, button presses and group messages
addressed to the bot or starting with ``/``. Group chatter never counts, so a talkative member
is not told off by a bot they never spoke to; inline queries never count, since Telegram sends
one per keystroke. The one polite note goes out in the user's language; after it, the user's
updates are dropped (``ApplicationHandlerStop``) until the cooldown ends; a dropped button press
is still answered (silently), so the client's spinner stops.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from bot import i18n
from bot.logs import log_event
from bot.telegram.flood import Verdict
from bot.telegram.language import interface_lang
from bot.telegram.questions import addressed_question
from bot.telegram.render import Rendered, esc
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, flood_limiter_of, services_of
from bot.telegram.texts import texts

log = logging.getLogger("bayan.telegram")


def counts_toward_flood(update: Update, bot_id: int, bot_username: str) -> bool:
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.chat is None:  # malformed: nothing the bot could answer
        return False
    if message.chat.type == Chat.PRIVATE or (message.text or "").startswith("/"):
        return True
    return message.text is not None and addressed_question(message, bot_id, bot_username) is not None


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None or not counts_toward_flood(update, context.bot.id, context.bot.username or ""):
        return
    verdict = flood_limiter_of(context).check(user.id)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        seconds = round(services_of(context).settings.flood_cooldown_seconds)
        lang = interface_lang(update, context)
        note = texts(lang).flood.format(seconds=i18n.seconds(lang, seconds))
        if update.callback_query is not None:
            await update.callback_query.answer(note, show_alert=True)
        elif update.message is not None:
            await reply(update.message, Rendered(esc(note)))
        log_event(
            log,
            "flood",
            update_id=update.update_id,
            chat_type=update.effective_chat.type if update.effective_chat else None,
            outcome="flood",
        )
    elif update.callback_query is not None:
        # Dropped, but the press is still answered: otherwise the client's spinner never stops.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    raise ApplicationHandlerStop


def register(application: AnyApplication) -> None:
    application.add_handler(TypeHandler(Update, guard), group=-1)
