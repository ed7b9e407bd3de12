"""Telegram side of subscriptions: /subscribe, /unsubscribe, the language button, /broadcast, /stats.

Who may do what:

- In a private chat anyone manages their own subscription. In a group only its administrators
  (``getChatMember``: creator or administrator) may; an anonymous administrator writes as the
  group itself (``sender_chat`` is the chat), which only administrators can do, so that counts.
- ``/broadcast`` and ``/stats`` are for the user ids in ``BOT_ADMIN_IDS``; anyone else gets a
  refusal and nothing is queued. ``/stats`` shows counts only.

:func:`start` and :func:`stop` are the application's start-up and shutdown hooks: they start the
:class:`~bot.subscriptions.service.SubscriptionService` on the application's store
(:mod:`bot.telegram.storage`; change digest, resuming unfinished broadcasts, the schedule) and
stop it again. Broadcasts go out through a
``Bot`` of their own, so shutting down the application's bot never cuts a broadcast's request
in half, and the broadcaster's own limiter and retries are not stacked on PTB's.
"""

from __future__ import annotations

import re

from telegram import Bot, ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import i18n
from bot.knowledge_base import Lang
from bot.subscriptions.delivery import Broadcaster, sender_request
from bot.subscriptions.service import SubscriptionService
from bot.subscriptions.store import ChatType, Stats
from bot.subscriptions.texts import sub_texts
from bot.telegram.language import interface_lang
from bot.telegram.render import Rendered, esc, render_proposals
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, services_of, stored
from bot.telegram.storage import store_of
from bot.telegram.texts import other_lang, texts

SERVICE_KEY = "bayan.subscriptions"
SENDER_KEY = "bayan.subscriptions.bot"
NEW_MESSAGES = filters.UpdateType.MESSAGE
LANGUAGE_BUTTON = re.compile(r"sub\|(ar|en)")
MANAGERS = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})
_NOT_STARTED = "add bot.subscriptions.handlers.start to the start hooks"


def service_of(context: ContextTypes.DEFAULT_TYPE | AnyApplication) -> SubscriptionService:
    return stored(context.bot_data, SERVICE_KEY, SubscriptionService, _NOT_STARTED)


async def record_question(context: ContextTypes.DEFAULT_TYPE, answered: bool) -> None:
    """Count a question for /stats (the verdict only, never the text)."""
    service = context.bot_data.get(SERVICE_KEY)
    if isinstance(service, SubscriptionService):
        await service.store.record_question(answered)


def language_keyboard(lang: Lang) -> InlineKeyboardMarkup:
    """One button switching the subscription to the other language."""
    other = other_lang(lang)
    return InlineKeyboardMarkup([[InlineKeyboardButton(sub_texts(other).language_button, callback_data=f"sub|{other}")]])


async def may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Private chats: yes. Groups: the group's administrators (anonymous ones write as the group)."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == chat.PRIVATE:
        return True
    message = update.effective_message if update.callback_query is None else None
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in MANAGERS


async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/subscribe [ar|en]``: subscribe (or change language), then send the summary at once."""
    message, chat = update.message, update.effective_chat
    assert message is not None and chat is not None
    args = [a.lower() for a in context.args or []]
    ui = interface_lang(update, context)
    if len(args) > 1 or (args and args[0] not in ("ar", "en")):
        await reply(message, Rendered(esc(sub_texts(ui).usage)))
        return
    if not await may_manage(update, context):
        await reply(message, Rendered(esc(sub_texts(ui).admins_only)))
        return
    store = service_of(context).store
    current = await store.get(chat.id)
    lang: Lang = args[0] if args else (current.lang if current else ui)  # type: ignore[assignment]
    await store.subscribe(chat.id, _chat_type(chat.type), lang)
    ui_texts = sub_texts(lang)
    if current is not None and current.lang == lang:
        await reply(message, Rendered(esc(ui_texts.already_subscribed), language_keyboard(lang)))
        return
    note = ui_texts.subscribed if current is None else ui_texts.language_set
    await reply(message, Rendered(esc(note), language_keyboard(lang)))
    await _send_summary(context, message, lang)


async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/unsubscribe``: immediate; a broadcast in progress sends nothing more to this chat."""
    message, chat = update.message, update.effective_chat
    assert message is not None and chat is not None
    store = service_of(context).store
    ui = sub_texts(interface_lang(update, context))  # the user's language, not the digest's
    if not await may_manage(update, context):
        await reply(message, Rendered(esc(ui.admins_only)))
        return
    removed = await store.unsubscribe(chat.id)
    await reply(message, Rendered(esc(ui.unsubscribed if removed else ui.not_subscribed)))


async def on_language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The language button under a confirmation: switch the subscription, then resend the summary."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None
    lang = language_of_button(query.data)
    if lang is None or chat is None:  # empty data (PTB lets it past every pattern) or an inline message
        await query.answer(texts(interface_lang(update, context)).stale_button)
        return
    ui = sub_texts(lang)
    if not await may_manage(update, context):
        await query.answer(ui.admins_only, show_alert=True)
        return
    store = service_of(context).store
    if await store.get(chat.id) is None:
        await query.answer(ui.not_subscribed, show_alert=True)
        return
    await store.subscribe(chat.id, _chat_type(chat.type), lang)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(esc(ui.language_set), reply_markup=language_keyboard(lang))
        await _send_summary(context, query.message, lang)


def language_of_button(data: object) -> Lang | None:
    """The language a ``sub|ar`` / ``sub|en`` button asks for; None for anything else (empty data included)."""
    match = LANGUAGE_BUTTON.fullmatch(data) if isinstance(data, str) else None
    return match[1] if match else None  # type: ignore[return-value]


async def on_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/broadcast`` (bot admins only): queue the current summary for every subscriber."""
    message = update.message
    assert message is not None
    ui = sub_texts(interface_lang(update, context))
    if not _is_bot_admin(update, context):
        await reply(message, Rendered(esc(ui.bot_admins_only)))
        return
    service = service_of(context)
    count = await service.store.count()
    await service.queue_summary("manual")
    await reply(message, Rendered(esc(ui.broadcast_queued.format(subscribers=i18n.subscribers(ui.lang, count)))))


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/stats`` (bot admins only): counts, nothing that identifies anyone."""
    message = update.message
    assert message is not None
    lang = interface_lang(update, context)
    if not _is_bot_admin(update, context):
        await reply(message, Rendered(esc(sub_texts(lang).bot_admins_only)))
        return
    await reply(message, Rendered(render_stats(await service_of(context).store.stats(), lang)))


def render_stats(stats: Stats, lang: Lang) -> str:
    """The /stats message (HTML): subscribers by language and chat type, questions, removals."""
    ui = sub_texts(lang)

    def breakdown(counts: dict[str, int]) -> str:
        return ", ".join(f"{esc(k)} {v}" for k, v in sorted(counts.items())) or "0"

    lines = [
        f"<b>{esc(ui.stats_title)}</b>",
        esc(ui.stats_subscribers.format(count=stats.subscribers)),
        f"{esc(ui.stats_by_lang)}: {breakdown(stats.by_lang)}",
        f"{esc(ui.stats_by_type)}: {breakdown(stats.by_chat_type)}",
        esc(ui.stats_questions.format(answered=stats.answered, unanswered=stats.unanswered)),
        f"{esc(ui.stats_removed.format(count=sum(stats.removed.values())))} ({breakdown(stats.removed)})",
    ]
    return "\n".join(lines)


def _is_bot_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services_of(context).settings.admin_ids


def _chat_type(kind: str) -> ChatType:
    return kind if kind in ("private", "group", "supergroup", "channel") else "private"  # type: ignore[return-value]


async def _send_summary(context: ContextTypes.DEFAULT_TYPE, message: Message, lang: Lang) -> None:
    await reply(message, Rendered(render_proposals(services_of(context).knowledge, lang)))


async def start(application: AnyApplication) -> None:
    """Start-up hook, after the store's: start the background work (see the module docstring)."""
    services = services_of(application)
    settings = services.settings
    assert settings.token is not None
    store = store_of(application)
    sender = Bot(settings.token.get_secret_value(), base_url=settings.api_base_url, request=sender_request(settings))
    await sender.initialize()
    service = SubscriptionService(settings, services.knowledge, store, Broadcaster.from_settings(sender, store, settings))
    application.bot_data[SERVICE_KEY] = service
    application.bot_data[SENDER_KEY] = sender
    service.start()


async def stop(application: AnyApplication) -> None:
    """Shutdown hook: let in-flight broadcast sends finish and journal, then close the bot (the store closes after)."""
    service = application.bot_data.pop(SERVICE_KEY, None)
    sender = application.bot_data.pop(SENDER_KEY, None)
    if isinstance(service, SubscriptionService):
        await service.stop()
    if isinstance(sender, Bot):
        await sender.shutdown()


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("subscribe", on_subscribe, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("unsubscribe", on_unsubscribe, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("broadcast", on_broadcast, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("stats", on_stats, filters=NEW_MESSAGES))
    application.add_handler(CallbackQueryHandler(on_language_button, pattern=lambda data: language_of_button(data) is not None))
