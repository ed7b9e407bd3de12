"""Start-up errors: `run` and `check` refuse a bad data dir, knowledge dir or setting with exit 2 naming it.

`run` makes the checks `check` makes, before it talks to Telegram: the tests point it at a port
where nothing listens, so a check that wrongly passes shows up as exit 1 ("cannot reach").
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ENV_PREFIX
from tests.bot_env import bot_env
from tests.deploy.bot_process import BotProcess
from tests.fakes import FakeBotApi
from tests.filesystems import full_filesystem, read_only

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
DATA_DIR = f"{ENV_PREFIX}DATA_DIR"


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/bot"


def bot(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    variables = {"BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": _dead_url(), DATA_DIR: str(tmp_path / "data")} | env
    return subprocess.run(
        [sys.executable, "-m", "bot", command], cwd=tmp_path, env=bot_env(**variables),
        capture_output=True, text=True, timeout=60, check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], setting: str) -> None:
    assert result.returncode == 2, result.stderr
    assert setting in result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr


COMMANDS = pytest.mark.parametrize("command", ["run", "check"])


@COMMANDS
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_RATE_GLOBAL_PER_SECOND", "inf"),
        ("BOT_RATE_GLOBAL_PER_SECOND", "1e-300"),
        ("BOT_RATE_CHAT_PER_SECOND", "nan"),
        ("BOT_RATE_GROUP_PER_MINUTE", "1e-300"),
        ("BOT_FLOOD_WINDOW_SECONDS", "inf"),
    ],
)
def test_rates_that_would_hang_the_bot_are_refused(tmp_path, command, variable, value) -> None:
    """`inf` once hung `run` at start-up, `1e-300` stalls every send: both refused, naming the variable."""
    assert_refused(bot(command, tmp_path, **{variable: value}), variable)


@COMMANDS
def test_data_dir_that_is_a_file(tmp_path, command) -> None:
    (tmp_path / "data").write_text("not a directory")
    assert_refused(bot(command, tmp_path), DATA_DIR)


@COMMANDS
def test_corrupt_database(tmp_path, command) -> None:
    """Garbage where the SQLite file should be: refused naming BOT_DATA_DIR and the file."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bayan.sqlite3").write_bytes(b"this is not a database" * 400)
    result = bot(command, tmp_path)
    assert_refused(result, DATA_DIR)
    assert "bayan.sqlite3" in result.stderr


@COMMANDS
def test_read_only_data_dir(tmp_path, command) -> None:
    (tmp_path / "data").mkdir()
    with read_only(tmp_path / "data"):
        result = bot(command, tmp_path)
    assert_refused(result, DATA_DIR)


@COMMANDS
def test_read_only_database(tmp_path, command) -> None:
    """A database the bot can read but not write would lose every /subscribe: it does not pass `check`."""
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "bayan.sqlite3") as conn:
        conn.execute("CREATE TABLE subscribers (chat_id INTEGER PRIMARY KEY, lang TEXT)")
    conn.close()
    with read_only(data / "bayan.sqlite3"):
        result = bot(command, tmp_path)
    assert_refused(result, DATA_DIR)
    assert "read-only" in result.stderr


@COMMANDS
def test_full_data_dir(tmp_path, command) -> None:
    with full_filesystem(tmp_path / "disk") as data:
        result = bot(command, tmp_path, **{DATA_DIR: str(data)})
    assert_refused(result, DATA_DIR)
    assert "No space left" in result.stderr


@COMMANDS
def test_missing_knowledge_dir(tmp_path, command) -> None:
    result = bot(command, tmp_path, BOT_KNOWLEDGE_DIR=str(tmp_path / "nowhere"))
    assert_refused(result, f"{ENV_PREFIX}KNOWLEDGE_DIR")


@COMMANDS
def test_broken_knowledge_file_names_the_setting(tmp_path, command) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "broken.toml").write_text("this is = = not toml\n")
    result = bot(command, tmp_path, BOT_KNOWLEDGE_DIR=str(knowledge))
    assert_refused(result, f"{ENV_PREFIX}KNOWLEDGE_DIR")
    assert "broken.toml" in result.stderr


async def test_second_bot_on_the_same_data_dir_refuses_naming_the_first(fake_api: FakeBotApi, tmp_path) -> None:
    """Two bots on one BOT_DATA_DIR would fight over getUpdates: the second exits 2 with the first one's pid."""
    first = BotProcess(fake_api, tmp_path)
    await first.start()
    try:
        env = bot_env(BOT_TOKEN=fake_api.token, BOT_API_BASE_URL=fake_api.base_url, BOT_DATA_DIR=str(tmp_path / "data"))
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=30)
        assert second.returncode == 2
        assert DATA_DIR in stderr.decode() and f"pid {first.proc.pid}" in stderr.decode()  # type: ignore[union-attr]
        fake_api.push_message("first strike", user=1001)
        [reply] = await fake_api.wait_for_messages(1, chat_id=1001, timeout=10)  # the first one still answers
        assert "first to strike" in reply["text"]
    finally:
        code, _ = await first.terminate()
    assert code == 0
    again = BotProcess(fake_api, tmp_path)  # the lock went with the first process
    await again.start()
    code, _ = await again.terminate()
    assert code == 0


async def test_broadcast_with_a_refused_token_never_prints_it(fake_api: FakeBotApi, tmp_path) -> None:
    """`python -m bot broadcast` on a 401 once printed PTB's InvalidToken message, token included."""
    wrong = "987654:" + "Q" * 35
    env = bot_env(BOT_TOKEN=wrong, BOT_API_BASE_URL=fake_api.base_url, BOT_DATA_DIR=str(tmp_path / "data"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "broadcast", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 1
    assert "@BotFather" in stderr.decode()
    assert "Q" * 35 not in (stdout + stderr).decode()
