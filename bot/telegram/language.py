"""The interface language: the user's Telegram language, or the one they chose with ``/language ar|en``.

The choice is kept in the store (one row per user; with ``BOT_DATABASE_URL`` the PostgreSQL
every replica shares), so it survives a restart and every replica shows the same language. It
is the user's, not the chat's: a subscription's digest language is a separate setting of the
chat, and never changes the buttons and hints a user sees. A pre-handler reads the user's choice
from the store for each update into ``context.user_data`` (a choice made through another replica
counts at once); :func:`interface_lang` reads it from there, so handlers stay synchronous about
it. Answers still follow the language of the question.

Releases before the shared store kept the choices in ``BOT_DATA_DIR/preferences.sqlite3``:
:func:`start` imports that file once (choices already in the store win) and renames it
``preferences.sqlite3.imported``, so no one's choice is lost in the upgrade.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import aiosqlite
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, TypeHandler, filters

from bot.knowledge_base import Lang
from bot.logs import EVENT_ATTR, FIELDS_ATTR, log_event
from bot.subscriptions.store import SubscriptionStore
from bot.telegram.render import Rendered, esc
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, services_of
from bot.telegram.storage import store_of
from bot.telegram.texts import texts, user_lang

log = logging.getLogger("bayan.telegram")

LEGACY_FILE = "preferences.sqlite3"
_CHOSEN = "bayan.lang"  # context.user_data: the stored choice, or None when the user never chose


def interface_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Lang:
    """The language of the buttons and hints this user sees: their choice, else their Telegram language."""
    data = context.user_data if update.effective_user is not None else None
    chosen = data.get(_CHOSEN) if data is not None else None
    return chosen if chosen in ("ar", "en") else user_lang(update.effective_user)


async def _load_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: the user's stored choice into ``user_data``, read for every update.

    Not cached across updates: with replicas, the user may have changed it through another one.
    An unreadable store leaves the last choice read (or Telegram's language) rather than failing the update.
    """
    user = update.effective_user
    if user is None or context.user_data is None:
        return
    try:
        context.user_data[_CHOSEN] = await store_of(context).interface_language(user.id)
    except Exception:
        log.exception("language choice unreadable", extra={EVENT_ATTR: "language_unreadable", FIELDS_ATTR: {}})


async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/language ar|en``: store the choice and confirm in the new language; anything else: how to use it."""
    message, user = update.message, update.effective_user
    assert message is not None
    choice = (context.args or [""])[0].lower()
    if user is None or choice not in ("ar", "en"):
        await reply(message, Rendered(esc(texts(interface_lang(update, context)).language_usage)))
        return
    lang: Lang = "ar" if choice == "ar" else "en"
    await store_of(context).set_interface_language(user.id, lang)
    if context.user_data is not None:
        context.user_data[_CHOSEN] = lang
    log_event(log, "language_set", lang=lang)
    await reply(message, Rendered(esc(texts(lang).language_changed)))


async def start(application: AnyApplication) -> None:
    """Start-up hook, after the store's: import an older release's ``preferences.sqlite3`` once."""
    path = services_of(application).settings.data_dir / LEGACY_FILE
    if path.exists():
        await import_legacy_choices(path, store_of(application))


async def import_legacy_choices(path: Path, store: SubscriptionStore) -> int:
    """Copy the choices in ``path`` into ``store`` (its own win), then rename the file; how many were added.

    A file that cannot be read is left where it is, logged, and the bot starts anyway: the
    users concerned see their Telegram language until someone looks at it.
    """
    try:
        async with aiosqlite.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
            rows = await db.execute_fetchall("SELECT user_id, lang FROM interface_language")
    except sqlite3.Error as exc:
        log.error("cannot import %s: %s", path, exc, extra={EVENT_ATTR: "language_import_failed", FIELDS_ATTR: {}})
        return 0
    choices: dict[int, Lang] = {int(r[0]): ("ar" if r[1] == "ar" else "en") for r in rows if r[1] in ("ar", "en")}
    added = await store.import_interface_languages(choices)
    path.rename(path.with_name(path.name + ".imported"))
    log_event(log, "language_imported", found=len(choices), added=added)
    return added


def register(application: AnyApplication) -> None:
    application.add_handler(TypeHandler(Update, _load_choice), group=-2)
    application.add_handler(CommandHandler("language", on_language, filters=filters.UpdateType.MESSAGE))
