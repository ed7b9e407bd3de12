"""Builds the python-telegram-bot ``Application``: transport, rate limiting, handlers, hooks.

Features plug in through the tuples below, so adding one (subscriptions, say) is a few lines:

* :data:`HANDLERS` — functions ``register(application)`` that add a feature's handlers, called
  in order (within a handler group the first match wins, so specific handlers come first);
* :data:`FALLBACKS` — registered after all features: the unknown-command hint and the note
  for buttons nobody recognised;
* :data:`ON_START` / :data:`ON_STOP` — ``async hook(application)`` run by ``post_init`` (after
  ``getMe``, before updates flow) and ``post_shutdown``;
* :data:`ON_QUESTION` — ``async hook(context, answered)`` after every searched question (see
  :func:`bot.telegram.services.on_question`), so the question handler imports no feature.

Incoming updates go through :mod:`bot.telegram.inbox`: journaled before Telegram is told they
arrived, at most ``MAX_UNHANDLED`` unhandled at a time, handed over to the next start when a
stop cannot finish them in time, replayed at start-up.

Outgoing requests go through PTB's ``AIORateLimiter``: on a 429 it pauses *all* requests for
``retry_after`` (+0.1 s) and retries the same call, up to :data:`MAX_RETRIES` times, so a
flood-control answer delays replies instead of losing them. On top of it
:class:`~bot.telegram.transient.RetryingRateLimiter` retries network errors and 5xx answers with
a bounded backoff (a send that may have arrived at most once); after that the error handler
apologises.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, Defaults

from bot.subscriptions import handlers as subscriptions
from bot.telegram import (
    buttons,
    cards,
    commands,
    errors,
    flood_guard,
    greeting,
    inbox,
    inline,
    language,
    questions,
    storage,
)
from bot.telegram.render import NO_PREVIEW
from bot.telegram.services import AnyApplication, BotServices, MissHook, QuestionHook, install, on_miss, on_question
from bot.telegram.transient import RetryingRateLimiter

Registrar = Callable[[AnyApplication], None]
Hook = Callable[[AnyApplication], Awaitable[None]]

HANDLERS: tuple[Registrar, ...] = (
    language.register,  # group -2: the user's chosen language, before the flood guard's note
    flood_guard.register,
    commands.register,
    subscriptions.register,
    cards.register,  # before buttons: it claims the card buttons
    buttons.register,
    inline.register,
    questions.register,
    greeting.register,
)
FALLBACKS: tuple[Registrar, ...] = (commands.register_fallbacks, buttons.register_fallbacks)
# The store opens before, and closes after, every feature that keeps something in it.
ON_START: tuple[Hook, ...] = (inbox.start, storage.start, language.start, commands.publish_profile, subscriptions.start)
ON_STOP: tuple[Hook, ...] = (subscriptions.stop, storage.stop, inbox.stop)
ON_QUESTION: tuple[QuestionHook, ...] = (subscriptions.record_question,)
ON_MISS: tuple[MissHook, ...] = (subscriptions.record_miss,)
# MY_CHAT_MEMBER: the bot's own membership changes, so it can greet a group that adds it.
ALLOWED_UPDATES: tuple[str, ...] = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.MY_CHAT_MEMBER)

MAX_RETRIES = 5  # 429s on one call before giving up (each waits Telegram's retry_after)
CONCURRENT_UPDATES = 64  # updates handled at once; replies are I/O-bound, the search takes microseconds


def _run_all(hooks: tuple[Hook, ...]) -> Callable[[AnyApplication], Coroutine[Any, Any, None]]:
    async def run(application: AnyApplication) -> None:
        for hook in hooks:
            await hook(application)

    return run


def build_application(services: BotServices, *, on_unauthorized: Callable[[], None] = lambda: None) -> AnyApplication:
    """The bot, ready for :mod:`bot.telegram.runner` (or ``async with`` + ``start`` in tests).

    ``on_unauthorized`` is called when ``getUpdates`` answers 401 (the token was revoked).
    """
    settings = services.settings
    if settings.token is None:
        raise ValueError("BOT_TOKEN is required to build the Telegram application")
    queue = inbox.InboxQueue(wait_for_journal=settings.mode == "webhook")
    processor = inbox.InboxProcessor(CONCURRENT_UPDATES, queue)
    application = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .read_timeout(settings.request_timeout_seconds)
        .write_timeout(settings.request_timeout_seconds)
        .rate_limiter(
            RetryingRateLimiter(
                overall_max_rate=settings.rate_per_replica,
                group_max_rate=settings.rate_group_per_minute,
                group_time_period=60,
                max_retries=MAX_RETRIES,
            )
        )
        .update_queue(queue)
        # Two connections: the final confirming getUpdates at stop must not wait for the cancelled long poll's.
        .get_updates_request(inbox.JournalFirstRequest(queue, on_unauthorized=on_unauthorized, connection_pool_size=2))
        .concurrent_updates(processor)
        .post_init(_run_all(ON_START))
        .post_shutdown(_run_all(ON_STOP))
        .build()
    )
    processor.serve(application)
    install(application, services)
    for register in (*HANDLERS, *FALLBACKS):
        register(application)
    for hook in ON_QUESTION:
        on_question(application, hook)
    for miss_hook in ON_MISS:
        on_miss(application, miss_hook)
    errors.register(application)
    return application
