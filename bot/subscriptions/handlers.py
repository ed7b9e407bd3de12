"""Telegram side of subscriptions: /subscribe, /unsubscribe, the buttons, /broadcast, /stats.

The buttons (:mod:`~bot.subscriptions.buttons`): the language switch under /subscribe's
confirmation, and under every digest the language switch (the digest is shown again in the
other language and the subscription follows) and unsubscribe. Both work wherever the digest
arrived, with the same rules as the commands.

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

import time
from collections.abc import Callable

from telegram import Bot, ChatMember, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import i18n
from bot.knowledge_base import Lang
from bot.subscriptions import buttons
from bot.subscriptions.buttons import SubscriptionPress, confirmation_keyboard, digest_keyboard
from bot.subscriptions.delivery import Broadcaster, sender_request
from bot.subscriptions.digest import plan_text
from bot.subscriptions.service import SubscriptionService
from bot.subscriptions.store import ChatType, Stats
from bot.subscriptions.texts import sub_texts
from bot.telegram.language import interface_lang
from bot.telegram.render import NO_PREVIEW, Rendered, esc, render_proposals_message
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, services_of, stored
from bot.telegram.storage import store_of
from bot.telegram.texts import texts

SERVICE_KEY = "bayan.subscriptions"
SENDER_KEY = "bayan.subscriptions.bot"
#: The clock (seconds since the epoch) the feature reads, if start-up finds one here; else ``time.time``.
#: Tests put a manual clock here to check "next digest" texts.
CLOCK_KEY = "bayan.subscriptions.clock"
NEW_MESSAGES = filters.UpdateType.MESSAGE
MANAGERS = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})
_NOT_STARTED = "add bot.subscriptions.handlers.start to the start hooks"


def service_of(context: ContextTypes.DEFAULT_TYPE | AnyApplication) -> SubscriptionService:
    return stored(context.bot_data, SERVICE_KEY, SubscriptionService, _NOT_STARTED)


async def record_question(context: ContextTypes.DEFAULT_TYPE, answered: bool) -> None:
    """Count a question for /stats (the verdict only, never the text)."""
    service = context.bot_data.get(SERVICE_KEY)
    if isinstance(service, SubscriptionService):
        await service.store.record_question(answered)


async def record_miss(context: ContextTypes.DEFAULT_TYPE, passage_id: str) -> None:
    """Count a "not what I asked" for /stats, by the passage that missed (never the question)."""
    service = context.bot_data.get(SERVICE_KEY)
    if isinstance(service, SubscriptionService):
        await service.store.record_miss(passage_id)


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
    service = service_of(context)
    store = service.store
    current = await store.get(chat.id)
    lang: Lang = args[0] if args else (current.lang if current else ui)  # type: ignore[assignment]
    await store.subscribe(chat.id, _chat_type(chat.type), lang)
    ui_texts = sub_texts(lang)
    plan = plan_text(service.settings.schedule, service.next_digest(), lang)
    if current is not None and current.lang == lang:
        await reply(message, Rendered(esc(ui_texts.already_subscribed.format(plan=plan)), confirmation_keyboard(lang)))
        return
    note = ui_texts.subscribed.format(plan=plan) if current is None else ui_texts.language_set
    await reply(message, Rendered(esc(note), confirmation_keyboard(lang)))
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


async def on_subscription_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A ``sub|…`` button: switch the language (under a confirmation or a digest) or unsubscribe (under a digest)."""
    query = update.callback_query
    assert query is not None
    press = buttons.parse(query.data)
    if press is None or update.effective_chat is None:  # empty data (PTB lets it past every pattern) or an inline message
        await query.answer(texts(interface_lang(update, context)).stale_button)
        return
    if press.action == "unsubscribe":
        await _unsubscribe_button(update, context)
    else:
        await _language_button(update, context, press)


async def _language_button(update: Update, context: ContextTypes.DEFAULT_TYPE, press: SubscriptionPress) -> None:
    """Switch the subscription; a confirmation is edited and the summary resent, a digest is shown in that language."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None and press.lang is not None
    lang = press.lang
    ui = sub_texts(lang)
    if not await may_manage(update, context):
        await query.answer(ui.admins_only, show_alert=True)
        return
    store = service_of(context).store
    if await store.get(chat.id) is None:
        await query.answer(ui.not_subscribed, show_alert=True)
        return
    await store.subscribe(chat.id, _chat_type(chat.type), lang)
    message = query.message if isinstance(query.message, Message) else None
    if press.broadcast_id is None:  # under /subscribe's confirmation
        await query.answer()
        if message is not None:
            await message.edit_text(esc(ui.language_set), reply_markup=confirmation_keyboard(lang))
            await _send_summary(context, message, lang)
        return
    await query.answer(ui.language_set)
    broadcast = await store.get_broadcast(press.broadcast_id)
    if message is not None and broadcast is not None:
        await _edit(message, broadcast.parts(lang)[-1], digest_keyboard(broadcast.id, lang))


async def _unsubscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unsubscribe from a digest: the note the command gives, and the digest keeps only "all proposals"."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    lang = interface_lang(update, context)  # the presser's language, as for /unsubscribe
    ui = sub_texts(lang)
    if not await may_manage(update, context):
        await query.answer(ui.admins_only, show_alert=True)
        return
    removed = await service_of(context).store.unsubscribe(chat.id)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    if removed:
        await _edit_markup(message, InlineKeyboardMarkup([buttons.all_proposals_row(lang)]))
    await reply(message, Rendered(esc(ui.unsubscribed if removed else ui.not_subscribed)))


async def _edit(message: Message, html: str, markup: InlineKeyboardMarkup) -> None:
    try:
        await message.edit_text(html, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        if "message is not modified" not in exc.message.lower():  # a double tap: already shows this
            raise


async def _edit_markup(message: Message, markup: InlineKeyboardMarkup) -> None:
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "message is not modified" not in exc.message.lower():
            raise


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
    await service.queue_summary()
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
        f"{esc(ui.stats_missed.format(count=sum(stats.missed.values())))} ({breakdown(stats.missed)})",
    ]
    return "\n".join(lines)


def _is_bot_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services_of(context).settings.admin_ids


def _chat_type(kind: str) -> ChatType:
    return kind if kind in ("private", "group", "supergroup", "channel") else "private"  # type: ignore[return-value]


async def _send_summary(context: ContextTypes.DEFAULT_TYPE, message: Message, lang: Lang) -> None:
    """The full list, as /proposals shows it: a button per proposal opens its quote."""
    await reply(message, render_proposals_message(services_of(context).knowledge, lang))


async def start(application: AnyApplication) -> None:
    """Start-up hook, after the store's: start the background work (see the module docstring)."""
    services = services_of(application)
    settings = services.settings
    assert settings.token is not None
    store = store_of(application)
    sender = Bot(settings.token.get_secret_value(), base_url=settings.api_base_url, request=sender_request(settings))
    await sender.initialize()
    clock: Callable[[], float] = application.bot_data.get(CLOCK_KEY, time.time)
    broadcaster = Broadcaster.from_settings(sender, store, settings)
    service = SubscriptionService(settings, services.knowledge, store, broadcaster, clock=clock)
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
    application.add_handler(CallbackQueryHandler(on_subscription_button, pattern=lambda data: buttons.parse(data) is not None))
