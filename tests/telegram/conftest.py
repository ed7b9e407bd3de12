"""The real bot, built by ``build_application`` from the real knowledge base and index, polling the fake Bot API.

``start_bot(**settings)`` starts one (settings overrides as keyword arguments, e.g. a tight flood
limit; ``api=`` and ``data_dir=`` for a second replica; ``bot_data={...}`` is put into the
application before start-up, e.g. a manual clock); ``bot`` is one with default settings.
Tests drive it by pushing updates into ``fake_api`` and reading what it sent back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.services import AnyApplication, BotServices
from tests.fakes import FakeBotApi


@dataclass
class RunningBot:
    app: AnyApplication
    api: FakeBotApi
    settings: Settings
    services: BotServices
    stopped: bool = False

    async def stop(self) -> None:
        """Shut down as run_polling does on SIGTERM; idempotent, so the fixture's teardown is then a no-op."""
        if self.stopped:
            return
        self.stopped = True
        app = self.app
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)

    async def ask(self, text: str, *, user: int = 1001, language_code: str = "en", **push: Any) -> dict[str, Any]:
        """Push a message from ``user`` in their private chat and return the bot's next message there."""
        return (await self.replies(text, user=user, language_code=language_code, **push))[0]

    async def replies(
        self, text: str, *, user: int = 1001, language_code: str = "en", n: int = 1, **push: Any
    ) -> list[dict[str, Any]]:
        """Push a message from ``user`` in ``chat`` (default: their private chat); return the bot's next ``n`` there."""
        chat_id = push.get("chat", user)
        before = len(self.api.sent.get(chat_id, []))
        self.api.user(user, f"User{user}", language_code=language_code)
        self.api.push_message(text, user=user, **push)
        return (await self.api.wait_for_messages(before + n, chat_id=chat_id))[before:]


def bot_settings(api: FakeBotApi, data_dir: Path, **overrides: Any) -> Settings:
    return load_settings(token=api.token, api_base_url=api.base_url, data_dir=data_dir, **overrides)


@pytest.fixture
async def start_bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[RunningBot]]]:
    started: list[RunningBot] = []

    async def start(
        *, api: FakeBotApi | None = None, data_dir: Path | None = None, bot_data: dict[str, Any] | None = None, **overrides: Any
    ) -> RunningBot:
        """``api`` and ``data_dir`` default to ``fake_api`` and ``tmp_path``; a replica gets its own of both."""
        api = fake_api if api is None else api
        settings = bot_settings(api, tmp_path if data_dir is None else data_dir, **overrides)
        services = BotServices.load(settings)
        app = build_application(services)
        app.bot_data.update(bot_data or {})
        running = RunningBot(app, api, settings, services)
        # The same sequence as Application.run_polling, minus the signal handling.
        await app.initialize()
        started.append(running)
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=list(ALLOWED_UPDATES))
        await app.start()
        return running

    yield start
    for running in reversed(started):
        await running.stop()


@pytest.fixture
async def bot(start_bot: Callable[..., Awaitable[RunningBot]]) -> RunningBot:
    return await start_bot()
