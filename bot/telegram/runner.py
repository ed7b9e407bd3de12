"""``python -m bot run``: load everything once, then long polling or a webhook until SIGTERM or a fatal error.

The bot runs its own start/stop sequence (the one ``Application.run_polling`` runs) so that it
can also stop for reasons of its own, fast and with a non-zero exit code, which is what makes
``Restart=on-failure`` and container restart policies work:

* SIGTERM or SIGINT: stop fetching, let in-flight handlers finish their replies, run the
  shutdown hooks, exit 0 — all within :data:`SHUTDOWN_SECONDS`, or exit 1 if that overran;
* the token refused (401) at start-up or while running (revoked in @BotFather): exit 1 with
  :data:`BAD_TOKEN_HINT`, within seconds;
* the Bot API unreachable at start-up: exit 1 with :data:`UNREACHABLE_HINT`. Network errors
  while running are transient and retried (PTB's polling backs off up to 30 s).

Pending updates are kept (``drop_pending_updates=False``): questions asked while the bot was
down still get answers.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import dataclass
from typing import Any

from telegram.error import InvalidToken, NetworkError
from telegram.ext import ContextTypes

from bot.check import check_startup, public_url
from bot.config import ENV_PREFIX, Settings
from bot.instance_lock import AlreadyRunning, InstanceLock
from bot.logs import configure_logging, log_event, redact, secrets_of
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.services import AnyApplication, BotServices
from bot.telegram.webhook import WebhookServer

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

#: From the stop signal to the process exit: inside the 15 s grace systemd and Compose give.
SHUTDOWN_SECONDS = 10.0
POLL_TIMEOUT_SECONDS = 10  # getUpdates long-poll

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
    configure_logging(settings)
    services = BotServices.load(settings)
    return asyncio.run(_serve(services))


class _CannotListen(Exception):
    """The webhook port is taken or not ours to bind; the message names the setting."""


@dataclass
class _Stop:
    """Why the bot is stopping: set once, by the first signal or fatal error."""

    event: asyncio.Event
    fatal: str | None = None

    def request(self, fatal: str | None = None) -> None:
        if not self.event.is_set():
            self.fatal = fatal
            self.event.set()


async def _serve(services: BotServices) -> int:
    settings = services.settings
    stop = _Stop(asyncio.Event())
    bad_token = BAD_TOKEN_HINT.format(url=public_url(settings.api_base_url))
    application = build_application(services, on_unauthorized=lambda: stop.request(bad_token))
    application.add_error_handler(_stop_on_invalid_token(stop, bad_token))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.request)
    try:
        await application.initialize()  # getMe: the first word with Telegram
    except InvalidToken:
        print(bad_token, file=sys.stderr)
        return EXIT_FAILURE
    except NetworkError as exc:
        error = redact(str(exc), secrets_of(settings))
        print(UNREACHABLE_HINT.format(url=public_url(settings.api_base_url), error=error), file=sys.stderr)
        return EXIT_FAILURE
    log_event(
        log,
        "starting",
        mode=settings.mode,
        passages=len(services.knowledge.entries()),
        documents=len(services.knowledge.documents),
    )
    started = False
    server: WebhookServer | None = None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        server = await _start_updates(application, settings)
        await application.start()
        started = True
        await stop.event.wait()
    except InvalidToken:
        stop.request(bad_token)
    except _CannotListen as exc:
        stop.request(str(exc))
    except NetworkError as exc:  # setWebhook could not reach Telegram
        error = redact(str(exc), secrets_of(settings))
        stop.request(UNREACHABLE_HINT.format(url=public_url(settings.api_base_url), error=error))
    finally:
        clean = await _shut_down(application, started=started, server=server)
    if stop.fatal is not None:
        log_event(log, "stopped", level=logging.ERROR, outcome="fatal")
        print(stop.fatal, file=sys.stderr)
        return EXIT_FAILURE
    log_event(log, "stopped", outcome="clean" if clean else "shutdown_overran")
    return EXIT_OK if clean else EXIT_FAILURE


async def _start_updates(application: AnyApplication, settings: Settings) -> WebhookServer | None:
    """Start receiving updates: our own webhook server (see :mod:`bot.telegram.webhook`), or PTB's long polling."""
    if settings.mode == "webhook":
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        server = WebhookServer(application, settings)
        try:
            await server.start()
        except OSError as exc:
            where = f"{settings.webhook_listen}:{settings.webhook_port}"
            raise _CannotListen(f"{ENV_PREFIX}WEBHOOK_PORT: cannot listen on {where}: {exc.strerror or exc}") from None
        try:
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
            )
        except BaseException:
            await server.stop()
            raise
        return server
    updater = application.updater
    assert updater is not None
    await updater.start_polling(
        timeout=POLL_TIMEOUT_SECONDS, allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False
    )
    return None


async def _shut_down(application: AnyApplication, *, started: bool, server: WebhookServer | None) -> bool:
    """Run PTB's stop sequence within :data:`SHUTDOWN_SECONDS`; False if a step failed or it overran."""

    async def sequence() -> bool:
        clean = True
        updater = application.updater
        steps: list[tuple[str, Any]] = []
        if server is not None:
            steps.append(("webhook server", server.stop))
        if updater is not None and updater.running:
            steps.append(("updater", updater.stop))
        if started and application.running:
            steps.append(("application", application.stop))
        steps.append(("shutdown", application.shutdown))
        if application.post_shutdown is not None:
            hook = application.post_shutdown
            steps.append(("shutdown hooks", lambda: hook(application)))
        for name, step in steps:
            try:
                await step()
            except InvalidToken:
                pass  # already the reason for stopping; the 401 that follows says nothing new
            except Exception:
                log.exception("stop step failed: %s", name)
                clean = False
        return clean

    try:
        return await asyncio.wait_for(sequence(), SHUTDOWN_SECONDS)
    except TimeoutError:
        log_event(log, "shutdown_overran", level=logging.ERROR, seconds=SHUTDOWN_SECONDS)
        return False


def _stop_on_invalid_token(stop: _Stop, message: str) -> Any:
    """An error handler: a 401 on any request (a reply, say) means the token is gone, so stop."""

    async def handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(context.error, InvalidToken):
            stop.request(message)

    return handler
