"""``python -m bot broadcast``: send the current summary to every subscriber from the shell.

The broadcast is queued in the store like one from ``/broadcast``. If the running bot holds
the delivery lock, it delivers the new broadcast itself (its loop polls the store) and this
command says so; otherwise this command delivers it, and anything else left unfinished, and
prints what happened.
"""

from __future__ import annotations

import asyncio
import sys

from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from bot.check import public_url
from bot.config import Settings
from bot.knowledge_base import KnowledgeBase, load_knowledge
from bot.logs import configure_logging, redact, secrets_of
from bot.subscriptions.delivery import Broadcaster, sender_request
from bot.subscriptions.service import POLL_SECONDS, SubscriptionService
from bot.subscriptions.store import open_store
from bot.telegram.runner import BAD_TOKEN_HINT, UNREACHABLE_HINT

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run_broadcast_command(settings: Settings) -> int:
    if settings.token is None:
        print(
            "bot broadcast: BOT_TOKEN is not set. Put the token from @BotFather in .env "
            "(BOT_TOKEN=123456:ABC...) or the environment, then try again.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    configure_logging(settings)  # the same one-line, token-redacting logs as `run`
    knowledge = load_knowledge(settings.knowledge_dir)
    try:
        return asyncio.run(_broadcast(settings, knowledge))
    except InvalidToken:  # its message quotes the token: print our own words instead
        print(BAD_TOKEN_HINT.format(url=public_url(settings.api_base_url)), file=sys.stderr)
        return EXIT_FAILED
    except NetworkError as exc:
        error = redact(str(exc), secrets_of(settings))
        print(UNREACHABLE_HINT.format(url=public_url(settings.api_base_url), error=error), file=sys.stderr)
        return EXIT_FAILED


async def _broadcast(settings: Settings, knowledge: KnowledgeBase) -> int:
    assert settings.token is not None
    store = await open_store(settings)
    try:
        async with Bot(settings.token.get_secret_value(), base_url=settings.api_base_url, request=sender_request(settings)) as bot:
            service = SubscriptionService(settings, knowledge, store, Broadcaster.from_settings(bot, store, settings))
            broadcast_id = await service.queue_summary()
            subscribers = await store.count()
            print(f"Broadcast {broadcast_id} queued for {subscribers} subscribers.")
            reports = await service.deliver_unfinished()
    finally:
        await store.close()
    if reports is None:
        print(f"The running bot is delivering broadcasts; it will send this one within {POLL_SECONDS:.0f} seconds.")
        return EXIT_OK
    for report in reports:
        print(report.summary())
    return EXIT_FAILED if any(r.interrupted for r in reports) else EXIT_OK
