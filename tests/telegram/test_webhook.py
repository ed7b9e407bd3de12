"""Webhook mode: strangers are refused before their body is read, bodies are capped, each update is handled once.

The application is the real one, with our webhook server in front (as `python -m bot run`
starts it); requests come from aiohttp, or from a raw socket where the test must show that the
server answered before the body was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.logs import HANDLER_NAME, configure_logging
from bot.telegram.app import build_application
from bot.telegram.inbox import InboxQueue
from bot.telegram.services import AnyApplication, BotServices
from bot.telegram.webhook import MAX_BODY_BYTES, SECRET_HEADER, WebhookServer
from tests.bot_env import bot_env
from tests.fakes import FakeBotApi
from tests.telegram.conftest import bot_settings

SECRET = "s3cret-Token_for-webhook-tests"
HOOK_PATH = "/telegram/hook"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _update(update_id: int, text: str = "first strike", user: int = 1001) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": user, "type": "private", "first_name": "A"},
        "from": {"id": user, "is_bot": False, "first_name": "A", "language_code": "en"}}}


@dataclass
class Hook:
    app: AnyApplication
    server: WebhookServer
    port: int
    logs: io.StringIO

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{HOOK_PATH}"

    async def post(self, body: bytes | Any, *, secret: str | None = SECRET, content_type: str = "application/json") -> int:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": content_type} | ({SECRET_HEADER: secret} if secret is not None else {})
        async with aiohttp.ClientSession() as http, http.post(self.url, data=data, headers=headers) as response:
            return response.status


@contextlib.asynccontextmanager
async def serving(fake_api: FakeBotApi, data_dir: Path, port: int) -> AsyncIterator[Hook]:
    """The bot in webhook mode, started and stopped in the order `python -m bot run` uses (hooks included)."""
    settings = bot_settings(
        fake_api, data_dir, webhook_url=f"https://bot.example.org{HOOK_PATH}", webhook_secret=SECRET,
        webhook_listen="127.0.0.1", webhook_port=port,
    )
    logs = io.StringIO()
    configure_logging(settings, stream=logs)
    app = build_application(BotServices.load(settings))
    server = WebhookServer(app, settings)
    try:
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)  # opens the update journal and replays what it holds
        await server.start()
        await app.start()
        try:
            yield Hook(app, server, port, logs)
        finally:
            await server.stop()
            await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.name == HANDLER_NAME]:
            root.removeHandler(handler)


@pytest.fixture
async def hook(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Hook]:
    async with serving(fake_api, tmp_path, _free_port()) as running:
        yield running


async def _raw_exchange(port: int, head: str, body_bytes_to_offer: int) -> tuple[bytes, int]:
    """Send ``head``, then offer up to ``body_bytes_to_offer`` bytes; return the answer and how many were sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode())
    await writer.drain()
    sent = 0
    answer = b""
    try:
        read = asyncio.create_task(reader.read(4096))
        while sent < body_bytes_to_offer and not read.done():
            chunk = b"x" * 65536
            writer.write(chunk)
            await asyncio.wait_for(writer.drain(), 2)
            sent += len(chunk)
            await asyncio.sleep(0)
        answer = await asyncio.wait_for(read, 5)
    except (ConnectionError, TimeoutError):
        pass
    finally:
        writer.close()
    return answer, sent


def _head(port: int, length: int, secret: str | None) -> str:
    lines = [f"POST {HOOK_PATH} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
             f"Content-Length: {length}"]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    return "\r\n".join(lines) + "\r\n\r\n"


async def test_updates_with_the_secret_are_answered_others_refused(hook: Hook, fake_api: FakeBotApi) -> None:
    assert await hook.post(_update(1), secret=None) == 403
    assert await hook.post(_update(2), secret="wrong-secret-0000000") == 403
    await fake_api.wait_idle()
    assert fake_api.all_sent == []
    assert await hook.post(_update(3)) == 200
    [reply] = await fake_api.wait_for_messages(1, chat_id=1001)
    assert "first to strike" in reply["text"]


@pytest.mark.parametrize("secret", [None, "wrong-secret-0000000"])
async def test_a_stranger_is_refused_before_the_body_is_read(hook: Hook, secret: str | None) -> None:
    """A 95 MB post without the secret is answered 403 from the headers alone; the body is never buffered."""
    answer, sent = await _raw_exchange(hook.port, _head(hook.port, 95 * 1024 * 1024, secret), 95 * 1024 * 1024)
    assert answer.startswith(b"HTTP/1.1 403")
    assert sent < 16 * 1024 * 1024  # the server stopped reading long before the 95 MB


async def test_an_oversized_body_is_refused_from_its_length(hook: Hook) -> None:
    answer, _ = await _raw_exchange(hook.port, _head(hook.port, MAX_BODY_BYTES + 1, SECRET), MAX_BODY_BYTES + 1)
    assert answer.startswith(b"HTTP/1.1 413")


async def test_an_oversized_chunked_body_is_refused(hook: Hook) -> None:
    """Without a Content-Length the cap is counted as the body arrives (tornado's own limit answers 400)."""

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 65536 + 4):
            yield b" " * 65536

    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    async with aiohttp.ClientSession() as http:
        try:
            async with http.post(hook.url, data=chunks(), headers=headers) as response:
                assert response.status in (400, 413)
        except aiohttp.ClientError:
            pass  # the server may close the connection while the client is still sending: refused too


async def test_content_type_with_charset_is_accepted(hook: Hook, fake_api: FakeBotApi) -> None:
    assert await hook.post(_update(4), content_type="application/json; charset=utf-8") == 200
    await fake_api.wait_for_messages(1, chat_id=1001)
    assert await hook.post(_update(5), content_type="text/plain") == 415


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}'])
async def test_malformed_bodies_get_400(hook: Hook, fake_api: FakeBotApi, body: bytes) -> None:
    assert await hook.post(body) == 400
    assert await hook.post(_update(8)) == 200  # and the server goes on
    await fake_api.wait_for_messages(1, chat_id=1001)


async def test_a_replayed_update_is_handled_once(hook: Hook, fake_api: FakeBotApi) -> None:
    """Telegram re-posts an update whose answer it missed: the same id is answered 200 and not handled again."""
    assert await hook.post(_update(10)) == 200
    await fake_api.wait_for_messages(1, chat_id=1001)
    assert await hook.post(_update(10)) == 200
    assert await hook.post(_update(11, user=1002)) == 200
    await fake_api.wait_for_messages(1, chat_id=1002)
    await fake_api.wait_idle()
    assert len(fake_api.sent_texts(1001)) == 1


async def test_a_replay_after_a_restart_is_handled_once(fake_api: FakeBotApi, tmp_path: Path) -> None:
    """The ids handled are in the update journal (``updates.sqlite3``), not in memory: a new process
    answers a re-posted update 200 and does not handle it again, while a new update is answered."""
    port = _free_port()
    async with serving(fake_api, tmp_path, port) as first:
        assert await first.post(_update(40)) == 200
        await fake_api.wait_for_messages(1, chat_id=1001)
    async with serving(fake_api, tmp_path, port) as second:
        assert await second.post(_update(40)) == 200
        assert await second.post(_update(41, user=1002)) == 200
        await fake_api.wait_for_messages(1, chat_id=1002)
        await fake_api.wait_idle()
    assert len(fake_api.sent_texts(1001)) == 1


async def test_a_post_is_answered_200_only_once_journaled_and_the_redelivery_is_handled(
    hook: Hook, fake_api: FakeBotApi
) -> None:
    """The journal cannot be written (a read-only or full disk): Telegram's posts get no 200, however often
    it re-posts, and nothing is handled; once writes work again the update is answered exactly once."""
    queue = hook.app.update_queue
    assert isinstance(queue, InboxQueue) and queue.inbox is not None
    db = queue.inbox._db  # the journal's own connection
    await db.execute("PRAGMA query_only = ON")  # every write now fails, as on a read-only disk
    fake_api.webhook_timeout = 0.5  # Telegram gives up on an answer and re-posts
    await hook.app.bot.set_webhook(hook.url, secret_token=SECRET)
    update_id = fake_api.push_message("first strike", user=fake_api.user(1001, "A", language_code="en"))
    await fake_api.wait_for(lambda: len(fake_api.webhook_responses) >= 3, timeout=10, what="three posts of the update")
    assert {status for _, status in fake_api.webhook_responses} == {None}  # no answer at all, so no 200
    assert fake_api.sent_texts(1001) == []
    await db.execute("PRAGMA query_only = OFF")
    await fake_api.wait_for_messages(1, chat_id=1001, timeout=15)
    await fake_api.wait_for(lambda: (update_id, 200) in fake_api.webhook_responses, timeout=15, what="a 200")
    await fake_api.wait_idle()
    assert len(fake_api.sent_texts(1001)) == 1


async def test_an_unparseable_update_is_acknowledged_and_logged_without_text(hook: Hook, fake_api: FakeBotApi) -> None:
    """200, so Telegram does not re-post it forever; one warning by id, no CRITICAL, none of its words."""
    bad = {"update_id": 12, "message": {"message_id": 1, "date": 0, "chat": "oops", "text": "my-private-words-7431"}}
    assert await hook.post(bad) == 200
    assert await hook.post(_update(13)) == 200
    await fake_api.wait_for_messages(1, chat_id=1001)
    text = hook.logs.getvalue()
    assert "my-private-words-7431" not in text and "CRITICAL" not in text
    assert sum("update_skipped" in line and "update_id=12" in line for line in text.splitlines()) == 1


async def test_run_in_webhook_mode_sets_the_webhook_and_stops_cleanly(fake_api: FakeBotApi, tmp_path: Path) -> None:
    """`python -m bot run` with BOT_WEBHOOK_URL: setWebhook with the secret, answers posts, exits 0 on SIGTERM."""
    port = _free_port()
    env = bot_env(
        BOT_TOKEN=fake_api.token, BOT_API_BASE_URL=fake_api.base_url, BOT_DATA_DIR=str(tmp_path / "data"),
        BOT_WEBHOOK_URL=f"https://bot.example.org{HOOK_PATH}", BOT_WEBHOOK_SECRET=SECRET,
        BOT_WEBHOOK_LISTEN="127.0.0.1", BOT_WEBHOOK_PORT=str(port), BOT_DIGEST_SCHEDULE="off",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_api.wait_for(lambda: fake_api.calls_to("setWebhook"), timeout=20, what="setWebhook")
        assert fake_api.webhook["secret_token"] == SECRET
        hook = Hook(None, None, port, io.StringIO())  # type: ignore[arg-type]
        assert await hook.post(_update(20)) == 200
        await fake_api.wait_for_messages(1, chat_id=1001, timeout=10)
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert SECRET not in stderr.decode() and fake_api.token.split(":")[1] not in stderr.decode()
