"""``python -m bot run``: load everything once, then long polling or a webhook until SIGTERM.

PTB's ``run_polling``/``run_webhook`` stop on SIGINT, SIGTERM and SIGABRT: they stop fetching,
let in-flight handlers finish their replies, run the shutdown hooks and return. Pending updates
are kept (``drop_pending_updates=False``): questions asked while the bot was down still get
answers.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from telegram.error import InvalidToken, NetworkError

from bot.check import check_startup
from bot.config import ENV_PREFIX, Settings
from bot.instance_lock import AlreadyRunning, InstanceLock
from bot.logs import configure_logging, log_event, redact, secrets_of
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.services import BotServices

EXIT_FAILURE = 1
EXIT_USAGE = 2

NO_TOKEN_HINT = """\
No bot token: set BOT_TOKEN to run the Telegram bot.
  1. In Telegram, talk to @BotFather, send /newbot and follow the steps; it replies with a token.
  2. Put it in a file named .env in this directory:  BOT_TOKEN=123456789:AA...
  3. Run again:  python -m bot run
To try the answers without Telegram, use the local console:  python -m bot chat"""

BAD_TOKEN_HINT = """\
Telegram refused BOT_TOKEN ({url} answered "Unauthorized"): the token is wrong or was revoked.
Copy it again from @BotFather (/mybots → your bot → API Token) into .env as BOT_TOKEN=..."""

UNREACHABLE_HINT = """\
Cannot reach the Telegram Bot API at {url}: {error}
Check the network (or BOT_API_BASE_URL if you run a local Bot API server), then start again."""

log = logging.getLogger("bayan.telegram")


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for ``run_webhook``/``Updater.start_webhook``: where to listen, what Telegram calls, the secret.

    PTB's webhook server answers 403 to any request without the right
    ``X-Telegram-Bot-Api-Secret-Token`` header, so only Telegram can post updates.
    """
    if settings.webhook_url is None or settings.webhook_secret is None:
        raise ValueError("webhook mode needs BOT_WEBHOOK_URL and BOT_WEBHOOK_SECRET")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret.get_secret_value(),
        "allowed_updates": list(ALLOWED_UPDATES),
        "drop_pending_updates": False,
    }


def run_bot(settings: Settings) -> int:
    if settings.token is None:
        print(NO_TOKEN_HINT, file=sys.stderr)
        return EXIT_USAGE
    _, problems = check_startup(settings)  # the checks `python -m bot check` makes, each naming its setting
    if problems:
        for problem in problems:
            print(f"error: {problem.message}", file=sys.stderr)
        print("The bot did not start; `python -m bot check` repeats these checks.", file=sys.stderr)
        return EXIT_USAGE
    lock = InstanceLock(settings.data_dir)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(f"error: {ENV_PREFIX}DATA_DIR: {exc}. Stop it first, or give this one its own {ENV_PREFIX}DATA_DIR.",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run_locked(settings)
    finally:
        lock.release()


def _run_locked(settings: Settings) -> int:
    assert settings.token is not None
    configure_logging(settings)
    services = BotServices.load(settings)
    application = build_application(services)
    log_event(
        log,
        "starting",
        mode=settings.mode,
        passages=len(services.knowledge.entries()),
        documents=len(services.knowledge.documents),
    )
    try:
        if settings.mode == "webhook":
            application.run_webhook(**webhook_options(settings))
        else:
            application.run_polling(allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False)
    except InvalidToken:
        print(BAD_TOKEN_HINT.format(url=settings.api_base_url), file=sys.stderr)
        return EXIT_FAILURE
    except NetworkError as exc:
        print(UNREACHABLE_HINT.format(url=settings.api_base_url, error=redact(str(exc), secrets_of(settings))), file=sys.stderr)
        return EXIT_FAILURE
    log_event(log, "stopped")
    return 0
