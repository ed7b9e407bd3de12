"""Webhook mode: the HTTP endpoint Telegram posts updates to, strict with anyone else.

PTB's own webhook server reads the whole body (up to tornado's 100 MB default) before it looks
at the secret header, so a stranger can make the bot buffer hundreds of megabytes; it also
refuses ``application/json; charset=utf-8`` and answers malformed JSON with 500. This server:

* checks ``X-Telegram-Bot-Api-Secret-Token`` (constant-time) as soon as the headers are in,
  before one byte of the body is read: 403, and the connection is closed;
* caps the body at :data:`MAX_BODY_BYTES` (Telegram's updates are a few KB): 413;
* takes any ``application/json`` content type, parameters included; others get 415;
* answers malformed JSON, or JSON that is not an update, with 400;
* answers 200 only once the update is in the update journal (:mod:`bot.telegram.inbox`; the
  application's queue waits for the write in webhook mode): while the journal cannot be written
  Telegram gets no answer and re-posts, so nothing it was told it delivered can be lost;
* hands each update id to the application once: Telegram re-posts an update whose answer it
  did not get, and the journal, which keeps the ids it handled (bounded: see
  :data:`bot.telegram.inbox.KEEP_DONE_SECONDS`), drops a replay, across restarts too. (No
  in-memory set of ids in front of it: that would answer 200 to the re-post of an update whose
  first post is still waiting for its journal write.)
* answers 200 to an update PTB cannot parse, logged once by id without its text, as polling
  skips one (a 4xx would make Telegram re-post it forever, holding up every later update).

Updates go to ``application.update_queue``, like PTB's server, so handlers run the same way.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from bot.config import Settings
from bot.logs import log_event
from bot.telegram.services import AnyApplication

log = logging.getLogger("bayan.telegram")

MAX_BODY_BYTES = 1024 * 1024
BODY_TIMEOUT_SECONDS = 10.0  # a client that trickles its body is cut off
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateInbox:
    """Where posted updates go: parsed and put into the application's queue, which journals them (and drops repeats)."""

    def __init__(self, application: AnyApplication) -> None:
        self._application = application

    async def receive(self, data: dict[str, Any]) -> None:
        """Returns once the update is journaled (or known already): then, and only then, it may be answered 200."""
        update_id: int = data["update_id"]
        try:
            update = Update.de_json(data, self._application.bot)
        except Exception as exc:  # noqa: BLE001 -- whatever PTB raises, answer 200 so Telegram moves on
            kinds = ",".join(sorted(k for k in data if k != "update_id"))
            log_event(
                log, "update_skipped", level=logging.WARNING, update_id=update_id, kinds=kinds,
                reason=f"cannot be parsed ({type(exc).__name__})",
            )
            return
        await self._application.update_queue.put(update)


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, inbox: UpdateInbox, secret: str) -> None:
        self._inbox = inbox
        self._secret = secret.encode()
        self._body = bytearray()

    def prepare(self) -> None:
        """Runs once the headers are in and before the body is read: refuse strangers here."""
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        content_type = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        length = self.request.headers.get("Content-Length")
        if length is not None and (not length.strip().isdigit() or int(length) > MAX_BODY_BYTES):
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        connection = self.request.connection
        if connection is not None:
            connection.set_max_body_size(MAX_BODY_BYTES)  # type: ignore[attr-defined]

    def data_received(self, chunk: bytes) -> None:
        self._body += chunk
        if len(self._body) > MAX_BODY_BYTES:  # chunked bodies have no Content-Length to check first
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    async def post(self) -> None:
        try:
            data = json.loads(self._body)
        except ValueError:  # UnicodeDecodeError included
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        await self._inbox.receive(data)
        self.set_status(HTTPStatus.OK)
        self.finish()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"ok": False, "error_code": status_code})  # no traceback, no echo of the request

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError):
            log_event(log, "webhook_refused", level=logging.DEBUG, status=value.status_code)
        else:
            log.error("webhook handler failed", exc_info=(typ, value, tb))


class WebhookServer:
    """The listener on ``BOT_WEBHOOK_LISTEN:BOT_WEBHOOK_PORT`` at the path of ``BOT_WEBHOOK_URL``."""

    def __init__(self, application: AnyApplication, settings: Settings) -> None:
        if settings.webhook_secret is None:
            raise ValueError("webhook mode needs BOT_WEBHOOK_SECRET")
        self.settings = settings
        self.inbox = UpdateInbox(application)
        routes = [(rf"/{settings.webhook_path}/?", _UpdateHandler,
                   {"inbox": self.inbox, "secret": settings.webhook_secret.get_secret_value()})]
        self._server = HTTPServer(
            tornado.web.Application(routes, log_function=lambda handler: None),
            max_body_size=MAX_BODY_BYTES,
            body_timeout=BODY_TIMEOUT_SECONDS,
            idle_connection_timeout=60,
        )

    async def start(self) -> None:
        self._server.listen(self.settings.webhook_port, address=self.settings.webhook_listen)

    async def stop(self) -> None:
        """Stop accepting, then close open connections (in-flight posts get no answer; Telegram re-posts them)."""
        self._server.stop()
        await asyncio.wait_for(self._server.close_all_connections(), 5)
