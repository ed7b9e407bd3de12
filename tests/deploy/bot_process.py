"""`python -m bot run` as a real subprocess against the fake Bot API, as systemd and Docker run it."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tests.bot_env import bot_env
from tests.fakes import FakeBotApi

STOP_DEADLINE = 10.0  # seconds from SIGTERM to exit, the requirement
START_TIMEOUT = 20.0


class BotProcess:
    """`python -m bot run` in a clean environment (no inherited BOT_*, no .env) with JSON logs."""

    def __init__(self, api: FakeBotApi, workdir: Path, launcher: Sequence[str] = (), **env: str) -> None:
        """``launcher``: a command that execs the rest of the argv (e.g. to sandbox the bot first); ``env``: more variables."""
        self.api = api
        self.env = env
        self.workdir = workdir
        self.launcher = tuple(launcher)
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr = b""

    async def start(self) -> None:
        env = bot_env(
            BOT_TOKEN=self.api.token,
            BOT_API_BASE_URL=self.api.base_url,
            BOT_DATA_DIR=str(self.workdir / "data"),
            BOT_LOG_FORMAT="json",
            BOT_DIGEST_SCHEDULE="off",
        ) | self.env
        # Started once it asks Telegram for updates: a long poll, or (webhook mode) setWebhook.
        ready_call = "setWebhook" if env.get("BOT_WEBHOOK_URL") else "getUpdates"
        calls_before = len(self.api.calls_to(ready_call))
        self.proc = await asyncio.create_subprocess_exec(
            *self.launcher,
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.workdir,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._stderr_task = asyncio.create_task(self.proc.stderr.read())  # type: ignore[union-attr]
        await self.api.wait_for(
            lambda: len(self.api.calls_to(ready_call)) > calls_before or self.proc.returncode is not None,  # type: ignore[union-attr]
            timeout=START_TIMEOUT,
            what=f"the bot to start ({ready_call})",
        )
        assert self.proc.returncode is None, "the bot exited at start-up"

    async def terminate(self) -> tuple[int, float]:
        """Send SIGTERM; return the exit code and the seconds it took to exit."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), STOP_DEADLINE + 5)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        self.stderr = await self._stderr_task
        return code, time.monotonic() - started

    async def exited(self, timeout: float) -> tuple[int, float]:
        """Wait for the bot to exit on its own; return the exit code and the seconds it took."""
        assert self.proc is not None
        started = time.monotonic()
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        self.stderr = await self._stderr_task
        return code, time.monotonic() - started

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as the OOM killer or the end of a stop grace does it."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
        self.stderr = await self._stderr_task

    def log_records(self) -> list[dict]:
        """Every stderr line, parsed: with BOT_LOG_FORMAT=json each one must be a JSON object."""
        return [json.loads(line) for line in self.stderr.decode().splitlines()]
