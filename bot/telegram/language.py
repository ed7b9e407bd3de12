"""The interface language: the user's Telegram language, or the one they chose with ``/language ar|en``.

The choice is stored (``BOT_DATA_DIR/preferences.sqlite3``, one row per user) so it survives a
restart. It is the user's, not the chat's: a subscription's digest language is a separate setting
of the chat, and never changes the buttons and hints a user sees. A pre-handler loads the user's
choice once per process into ``context.user_data``; :func:`interface_lang` reads it from there,
so handlers stay synchronous about it. Answers still follow the language of the question.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiosqlite
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, TypeHandler, filters

from bot.knowledge_base import Lang
from bot.logs import log_event
from bot.telegram.render import Rendered, esc
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, services_of, stored
from bot.telegram.texts import texts, user_lang

log = logging.getLogger("bayan.telegram")

PREFS_KEY = "bayan.language.prefs"
_CHOSEN = "bayan.lang"  # context.user_data: the stored choice, or None when the user never chose
_SCHEMA = "CREATE TABLE IF NOT EXISTS interface_language (user_id INTEGER PRIMARY KEY, lang TEXT NOT NULL)"


class LanguagePrefs:
    """Each user's chosen interface language, in SQLite."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: Path) -> LanguagePrefs:
        db = await aiosqlite.connect(path)
        await db.execute(_SCHEMA)
        await db.commit()
        return cls(db)

    async def get(self, user_id: int) -> Lang | None:
        async with self._db.execute("SELECT lang FROM interface_language WHERE user_id = ?", (user_id,)) as cursor:
            row = await cursor.fetchone()
        return "ar" if row and row[0] == "ar" else "en" if row else None

    async def set(self, user_id: int, lang: Lang) -> None:
        await self._db.execute(
            "INSERT INTO interface_language (user_id, lang) VALUES (?, ?) ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang",
            (user_id, lang),
        )
        await self._db.commit()

    async def close(self) -> None:
        await self._db.close()


def interface_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Lang:
    """The language of the buttons and hints this user sees: their choice, else their Telegram language."""
    data = context.user_data if update.effective_user is not None else None
    chosen = data.get(_CHOSEN) if data is not None else None
    return chosen if chosen in ("ar", "en") else user_lang(update.effective_user)


async def _load_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: the user's stored choice into ``user_data``, read from disk once per user and process."""
    user = update.effective_user
    if user is None or context.user_data is None or _CHOSEN in context.user_data:
        return
    prefs = context.bot_data.get(PREFS_KEY)
    if isinstance(prefs, LanguagePrefs):
        context.user_data[_CHOSEN] = await prefs.get(user.id)


async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/language ar|en``: store the choice and confirm in the new language; anything else: how to use it."""
    message, user = update.message, update.effective_user
    assert message is not None
    choice = (context.args or [""])[0].lower()
    if user is None or choice not in ("ar", "en"):
        await reply(message, Rendered(esc(texts(interface_lang(update, context)).language_usage)))
        return
    lang: Lang = "ar" if choice == "ar" else "en"
    await stored(context.bot_data, PREFS_KEY, LanguagePrefs, "add bot.telegram.language.start to the start hooks").set(user.id, lang)
    if context.user_data is not None:
        context.user_data[_CHOSEN] = lang
    log_event(log, "language_set", lang=lang)
    await reply(message, Rendered(esc(texts(lang).language_changed)))


async def start(application: AnyApplication) -> None:
    """Open the preferences store (a start-up hook)."""
    data_dir = services_of(application).settings.data_dir
    application.bot_data[PREFS_KEY] = await LanguagePrefs.open(data_dir / "preferences.sqlite3")


async def stop(application: AnyApplication) -> None:
    prefs = application.bot_data.pop(PREFS_KEY, None)
    if isinstance(prefs, LanguagePrefs):
        await prefs.close()


def register(application: AnyApplication) -> None:
    application.add_handler(TypeHandler(Update, _load_choice), group=-2)
    application.add_handler(CommandHandler("language", on_language, filters=filters.UpdateType.MESSAGE))
