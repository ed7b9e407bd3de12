"""Logging: one line per event, as text or JSON, never the token, message text only in debug.

Operators read these lines in ``journalctl`` or ``docker logs`` and feed them to log shippers, so
every event is exactly one line (tracebacks included, escaped) and ``BOT_LOG_FORMAT=json`` gives
one JSON object per line. Code reports what happened with :func:`log_event` and passes everything
it knows, including the user's text as ``text=``; the policy of what may be written lives here,
in one place, instead of at every call site:

* the user's words (``text``, ``question``, ``query``) are dropped unless ``BOT_DEBUG`` is on,
  and so are the arguments of the libraries' own messages that could hold them (PTB logs whole
  updates and request parameters at DEBUG);
* the bot token and the webhook secret are redacted from the finished line, whatever put them
  there (httpx logs request URLs, and Telegram's URLs contain the token);
* chatty HTTP client loggers are held at WARNING;
* Python warnings (deprecations from libraries) are logged like everything else.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from bot.config import Settings

HANDLER_NAME = "bayan"
REDACTED = "<redacted>"
FIELDS_ATTR = "bayan_fields"
EVENT_ATTR = "bayan_event"
TEXT_FIELDS = frozenset({"text", "question", "query"})
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "tornado.access")
#: Libraries that put whole updates, request parameters and answers (users' words) into their
#: messages' arguments; without BOT_DEBUG only arguments that cannot hold words are kept.
LIBRARY_LOGGERS = ("telegram", "tornado")
HIDDEN = "<hidden: BOT_DEBUG is off>"
_PLAIN_ARG = re.compile(r"[\w.:/`-]{0,64}")
#: PTB logs this at CRITICAL when SIGTERM lands while a getUpdates answer is on its way. It is
#: harmless: those updates were never acknowledged, so Telegram delivers them again after the
#: restart (tests/deploy/test_shutdown.py checks they are answered exactly once). Logged at
#: CRITICAL it would page an operator on every deploy under load.
BENIGN_SHUTDOWN_RACE = ("telegram.ext.Updater", "Updater stopped unexpectedly. Pulled updates will be ignored")


def log_event(logger: logging.Logger, event: str, /, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log one named event with structured fields, e.g. ``log_event(log, "question", update_id=1, outcome="answered")``.

    Usual fields: ``update_id``, ``chat_type``, ``lang``, ``latency_ms``, ``outcome``
    (``"answered"``, ``"abstained"``, ...), ``error``; pass the user's words as ``text`` and let
    the logging setup decide whether they are written. ``None`` values are left out.
    """
    kept = {k: v for k, v in fields.items() if v is not None}
    logger.log(level, event, extra={EVENT_ATTR: event, FIELDS_ATTR: kept})


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets`` replaced by :data:`REDACTED`."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """The strings that must never reach a log line.

    For the token only the part after the colon is secret (the bot id before it is public), and
    redacting that part also catches the token when a URL encodes its colon as ``%3A``.
    """
    out: list[str] = []
    if settings.token is not None:
        token = settings.token.get_secret_value()
        out.append(token.partition(":")[2] or token)
    if settings.webhook_secret is not None:
        out.append(settings.webhook_secret.get_secret_value())
    return tuple(s for s in out if s)


class _BenignShutdownRace(logging.Filter):
    """Re-levels PTB's shutdown-race message (see :data:`BENIGN_SHUTDOWN_RACE`) to INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO and record.getMessage().startswith(BENIGN_SHUTDOWN_RACE[1]):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


class _LineFormatter(logging.Formatter):
    """Turns a record into one line (text or JSON) and then removes every secret from it."""

    def __init__(self, *, as_json: bool, show_text: bool, secrets: Iterable[str]) -> None:
        super().__init__()
        self._as_json = as_json
        self._show_text = show_text
        self._secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(self._render(record), self._secrets)

    def _render(self, record: logging.LogRecord) -> str:
        ts = dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")
        head: dict[str, Any] = {"ts": ts.replace("+00:00", "Z"), "level": record.levelname, "logger": record.name}
        event = getattr(record, EVENT_ATTR, None)
        if event is not None:
            head["event"] = event
        elif self._show_text or not record.name.startswith(LIBRARY_LOGGERS):
            head["message"] = record.getMessage()
        else:
            head["message"] = _without_payloads(record)
        fields = self._fields(record)
        if self._as_json:
            return json.dumps({**head, **fields}, ensure_ascii=False, default=str)
        parts = [head["ts"], record.levelname, record.name, _quote(head.get("event", head.get("message", "")))]
        parts += [f"{k}={_quote(v)}" for k, v in fields.items()]
        return " ".join(parts)

    def _fields(self, record: logging.LogRecord) -> dict[str, Any]:
        raw: Mapping[str, Any] = getattr(record, FIELDS_ATTR, {})
        fields = {k: v for k, v in raw.items() if self._show_text or k not in TEXT_FIELDS}
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, exc, tb = record.exc_info
            fields.setdefault("error", f"{exc_type.__name__}: {exc}")
            fields["traceback"] = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()
        return fields


def _without_payloads(record: logging.LogRecord) -> str:
    """A library record's message with every argument that might carry a user's words hidden.

    Kept: numbers, booleans, ``None``, single words such as an API method name, and lists of
    numbers (update ids). Dicts, objects and free text (updates, parameters, answers) are hidden.
    """
    args = record.args
    if not args:
        return str(record.msg)
    if not isinstance(args, tuple):
        return f"{record.msg} [{HIDDEN}]"
    try:
        return str(record.msg) % tuple(arg if _plain(arg) else HIDDEN for arg in args)
    except (TypeError, ValueError):  # a %d given HIDDEN, say
        return f"{record.msg} [{HIDDEN}]"


def _plain(arg: Any) -> bool:
    if arg is None or isinstance(arg, (bool, int, float)):
        return True
    if isinstance(arg, str):
        return _PLAIN_ARG.fullmatch(arg) is not None
    if isinstance(arg, (list, tuple)):
        return all(isinstance(x, int) for x in arg)
    return False


def _quote(value: Any) -> str:
    """logfmt-style value: bare when it is one simple word, JSON-quoted (so one line) otherwise."""
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    if text and all(c.isalnum() or c in "._:/-+@" for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Install the one handler on the root logger (replacing a previous one) and return it.

    Called once at start-up by each command that runs for a while; calling it again (tests do)
    replaces the handler instead of doubling every line.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.name = HANDLER_NAME
    handler.setFormatter(
        _LineFormatter(as_json=settings.log_format == "json", show_text=settings.debug, secrets=secrets_of(settings))
    )
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    logging.captureWarnings(True)  # library warnings become log lines too, not raw stderr text
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    updater = logging.getLogger(BENIGN_SHUTDOWN_RACE[0])
    if not any(isinstance(f, _BenignShutdownRace) for f in updater.filters):
        updater.addFilter(_BenignShutdownRace())
    return handler
