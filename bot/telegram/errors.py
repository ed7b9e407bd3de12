"""The last line of defence: log any handler error with its update id, apologise to the user.

The apology is short, in the user's language, sent where the user is waiting (the spinner of a
pressed button, or a reply to the message in its chat and forum topic), and itself guarded: if
Telegram is what failed, trying to apologise may fail too, and that must not raise out of the
error handler, whatever the exception. After 403 Forbidden no apology is sent: the chat cannot
receive it. Updates nobody waits on (inline queries, the bot's membership changes, edits, a malformed
message without a chat) get no apology.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot.logs import EVENT_ATTR, FIELDS_ATTR
from bot.telegram.language import interface_lang
from bot.telegram.render import Rendered, esc
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication
from bot.telegram.texts import texts

log = logging.getLogger("bayan.telegram")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    fields: dict[str, Any] = {"outcome": "error", "error": f"{type(error).__name__}: {error}"}
    if isinstance(update, Update):
        fields["update_id"] = update.update_id
        if update.effective_chat is not None:
            fields["chat_type"] = update.effective_chat.type
    log.error(
        "error",
        exc_info=(type(error), error, error.__traceback__) if error else None,
        extra={EVENT_ATTR: "error", FIELDS_ATTR: fields},
    )
    if not isinstance(update, Update):
        return
    query, message = update.callback_query, update.message
    if query is None and (message is None or message.chat is None):
        return  # nobody is waiting for an answer (inline queries, membership changes, edits, no chat to answer in)
    if isinstance(error, Forbidden) and query is None:
        return  # blocked, kicked, deactivated: the chat cannot receive an apology either
    try:
        apology = texts(interface_lang(update, context)).apology
        if query is not None:
            await query.answer(apology)
        elif message is not None:
            await reply(message, Rendered(esc(apology)))
    except Exception:  # noqa: BLE001  # whatever failed (Telegram, the disk, our code) must not raise out of here
        log.warning("apology not delivered", extra={EVENT_ATTR: "apology_failed", FIELDS_ATTR: {"update_id": update.update_id}})


def register(application: AnyApplication) -> None:
    application.add_error_handler(on_error)
