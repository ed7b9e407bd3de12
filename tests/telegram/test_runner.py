"""Running the bot: ``python -m bot run`` explains a missing token and polls with one (webhook mode: test_webhook.py)."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

from tests.bot_env import bot_env
from tests.fakes import FakeBotApi



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_run_without_token_explains_how_to_get_one(tmp_path: Path) -> None:
    """`python -m bot run` with no token exits 2, pointing to @BotFather, BOT_TOKEN in .env and `python -m bot chat`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=bot_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    text = stderr.decode()
    assert "@BotFather" in text and "BOT_TOKEN" in text and ".env" in text and "python -m bot chat" in text


async def test_run_polls_answers_and_stops_cleanly_on_sigterm(fake_api: FakeBotApi, tmp_path: Path) -> None:
    """The real entry point with a token: publishes menus, answers a question, exits 0 on SIGTERM without the token in its output."""
    env = bot_env(BOT_TOKEN=fake_api.token, BOT_API_BASE_URL=fake_api.base_url, BOT_DATA_DIR=str(tmp_path / "data"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_api.wait_for(lambda: fake_api.calls_to("getUpdates"), timeout=20, what="the bot to start polling")
        assert fake_api.commands(language_code="ar") is not None
        fake_api.push_message("first strike", user=1001)
        [reply] = await fake_api.wait_for_messages(1, chat_id=1001, timeout=10)
        assert "first to strike" in reply["text"]
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    assert fake_api.token.split(":")[1] not in stderr.decode()


async def test_run_with_a_revoked_token_says_so_without_printing_it(fake_api: FakeBotApi, tmp_path: Path) -> None:
    """A token Telegram refuses (401) ends with exit 1 and a pointer to @BotFather; the token itself never appears."""
    wrong = "987654:" + "Z" * 35
    env = bot_env(BOT_TOKEN=wrong, BOT_API_BASE_URL=fake_api.base_url, BOT_DATA_DIR=str(tmp_path / "data"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 1
    assert "Unauthorized" in stderr.decode() and "@BotFather" in stderr.decode()
    assert "Z" * 35 not in (stdout + stderr).decode()


async def test_run_with_an_unreachable_api_says_where_it_tried(tmp_path: Path) -> None:
    """No server at BOT_API_BASE_URL: exit 1 naming the URL; tracebacks only inside one-line log records."""
    url = f"http://127.0.0.1:{_free_port()}/bot"
    env = bot_env(BOT_TOKEN="987654:" + "Z" * 35, BOT_API_BASE_URL=url, BOT_DATA_DIR=str(tmp_path / "data"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 1
    assert f"Cannot reach the Telegram Bot API at {url}" in stderr.decode()
    assert not any(line.startswith("Traceback") for line in stderr.decode().splitlines())
    assert "Z" * 35 not in stderr.decode()
