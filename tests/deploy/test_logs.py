"""Log lines: one per event, JSON or text, no token, no user text unless debug."""

from __future__ import annotations

import io
import json
import logging
import warnings
from collections.abc import Callable, Iterator

import httpx
import pytest

from bot.config import load_settings
from bot.logs import HANDLER_NAME, REDACTED, configure_logging, log_event

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET_PART = TOKEN.partition(":")[2]
WEBHOOK_SECRET = "s3cret-webhook-token_0123456789"


@pytest.fixture
def capture(tmp_path) -> Iterator[Callable[..., io.StringIO]]:
    """Configure logging into a buffer; yields a function that applies settings and returns the buffer."""
    root = logging.getLogger()
    saved_level = root.level

    def setup(**overrides) -> io.StringIO:
        buf = io.StringIO()
        settings = load_settings(token=TOKEN, data_dir=tmp_path, _env_file=None, **overrides)
        configure_logging(settings, stream=buf)
        return buf

    yield setup
    logging.captureWarnings(False)
    for h in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(h)
    root.setLevel(saved_level)


def lines(buf: io.StringIO) -> list[str]:
    return buf.getvalue().splitlines()


def test_json_line_has_the_event_fields(capture) -> None:
    """A question event in JSON mode is one object with ts, level, logger, event and the given fields."""
    buf = capture(log_format="json")
    log_event(
        logging.getLogger("bot.telegram"),
        "question",
        update_id=42,
        chat_type="private",
        lang="ar",
        latency_ms=12.5,
        outcome="answered",
    )
    [line] = lines(buf)
    record = json.loads(line)
    assert record["ts"].endswith("Z") and "T" in record["ts"]
    assert {k: record[k] for k in ("level", "logger", "event", "update_id", "chat_type", "lang", "outcome")} == {
        "level": "INFO",
        "logger": "bot.telegram",
        "event": "question",
        "update_id": 42,
        "chat_type": "private",
        "lang": "ar",
        "outcome": "answered",
    }
    assert record["latency_ms"] == 12.5


def test_plain_log_calls_carry_their_message(capture) -> None:
    """Ordinary logger calls (from libraries too) come out as JSON with a formatted message."""
    buf = capture(log_format="json")
    logging.getLogger("telegram.ext").warning("retrying in %s s", 3)
    [line] = lines(buf)
    assert json.loads(line)["message"] == "retrying in 3 s"


def test_none_fields_are_left_out(capture) -> None:
    """Fields passed as None (e.g. no language known) do not appear at all."""
    buf = capture(log_format="json")
    log_event(logging.getLogger("bot"), "callback", update_id=1, lang=None)
    assert "lang" not in json.loads(lines(buf)[0])


def test_text_line_is_logfmt(capture) -> None:
    """Text mode gives one readable line: time, level, logger, event, then key=value pairs."""
    buf = capture(log_format="text")
    log_event(logging.getLogger("bot.telegram"), "question", update_id=7, chat_type="group", outcome="abstained")
    [line] = lines(buf)
    ts, level, logger, rest = line.split(" ", 3)
    assert (level, logger) == ("INFO", "bot.telegram")
    assert rest == "question update_id=7 chat_type=group outcome=abstained"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_exceptions_stay_on_one_line(capture, log_format) -> None:
    """A traceback is folded into the same line, with the error named, so log shippers keep it whole."""
    buf = capture(log_format=log_format)
    try:
        raise ValueError("bad thing")
    except ValueError:
        logging.getLogger("bot").exception("handler failed")
    out = lines(buf)
    assert len(out) == 1
    assert "ValueError: bad thing" in out[0]
    assert "Traceback" in out[0]


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize(
    "emit",
    [
        pytest.param(lambda log: log.info("GET https://api.telegram.org/bot%s/getMe", TOKEN), id="args"),
        pytest.param(lambda log: log.warning(f"token is {TOKEN}"), id="message"),
        pytest.param(lambda log: log_event(log, "oops", error=f"url /bot{TOKEN}/x"), id="field"),
        pytest.param(lambda log: log.error("encoded %s", TOKEN.replace(":", "%3A")), id="url-encoded"),
        pytest.param(lambda log: log.error("header %s", WEBHOOK_SECRET), id="webhook-secret"),
    ],
)
def test_secrets_never_reach_the_output(capture, log_format, emit) -> None:
    """Whatever logs the token or webhook secret, the written line has them redacted."""
    buf = capture(log_format=log_format, webhook_url="https://bot.example.org/hook", webhook_secret=WEBHOOK_SECRET)
    emit(logging.getLogger("bot.any"))
    out = buf.getvalue()
    assert out, "nothing was logged"
    assert SECRET_PART not in out and WEBHOOK_SECRET not in out
    assert REDACTED in out


def test_secret_in_a_traceback_is_redacted(capture) -> None:
    """An exception whose message contains the token (as httpx errors do) is redacted too."""
    buf = capture(log_format="json")
    try:
        raise RuntimeError(f"connect failed for https://api.telegram.org/bot{TOKEN}/getUpdates")
    except RuntimeError:
        logging.getLogger("telegram.ext.Updater").exception("network error")
    assert SECRET_PART not in buf.getvalue()


async def test_httpx_request_urls_are_not_logged(capture) -> None:
    """httpx's INFO line per request (which contains the token in Telegram URLs) is silenced."""
    buf = capture(log_format="text")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        await client.get(f"https://api.telegram.org/bot{TOKEN}/getMe")
    assert buf.getvalue() == ""


@pytest.mark.parametrize(("debug", "shown"), [(False, False), (True, True)])
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_user_text_only_in_debug(capture, debug, shown, log_format) -> None:
    """The user's words appear in the log only when BOT_DEBUG is on; the other fields always do."""
    buf = capture(log_format=log_format, debug=debug)
    words = "ما هي المقترحات"
    log_event(logging.getLogger("bot"), "question", update_id=3, text=words, question=words, query=words)
    out = buf.getvalue()
    assert (words in out) is shown
    assert "update_id" in out


def test_level_setting_filters(capture) -> None:
    """BOT_LOG_LEVEL=WARNING drops INFO events."""
    buf = capture(log_level="WARNING")
    log_event(logging.getLogger("bot"), "question", update_id=1)
    log_event(logging.getLogger("bot"), "send_failed", level=logging.WARNING, update_id=2)
    out = lines(buf)
    assert len(out) == 1 and "send_failed" in out[0]


def test_python_warnings_become_log_lines(capture) -> None:
    """A library's warnings.warn comes out as one JSON line, not as raw text on stderr."""
    buf = capture(log_format="json")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
    [line] = lines(buf)
    record = json.loads(line)
    assert record["logger"] == "py.warnings" and "old API" in record["message"]


def test_ptb_shutdown_race_is_not_critical(capture) -> None:
    """PTB's 'Updater stopped unexpectedly' at shutdown (updates come again) is logged as INFO, not CRITICAL."""
    buf = capture(log_format="json")
    message = "Updater stopped unexpectedly. Pulled updates will be ignored and pulled again on restart."
    logging.getLogger("telegram.ext.Updater").critical(message)
    logging.getLogger("telegram.ext.Updater").critical("Something else went wrong")
    levels = [(json.loads(line)["level"], json.loads(line)["message"]) for line in lines(buf)]
    assert levels == [("INFO", message), ("CRITICAL", "Something else went wrong")]


def test_configuring_twice_does_not_duplicate_lines(capture) -> None:
    """Re-running configure_logging replaces its handler instead of adding a second one."""
    capture()
    buf = capture()
    logging.getLogger("bot").info("once")
    assert len(lines(buf)) == 1
    assert sum(h.name == HANDLER_NAME for h in logging.getLogger().handlers) == 1
