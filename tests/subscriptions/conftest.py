"""Wiring for subscription tests: settings in a temp dir, an open store, a real Bot on the fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot

from bot.config import Settings
from bot.subscriptions.delivery import Broadcaster, RetryPolicy
from bot.subscriptions.store import SubscriptionStore, open_store
from tests.fakes import FakeBotApi
from tests.telegram.conftest import RunningBot, bot_settings, start_bot  # noqa: F401  (the real Application on the fake API)

FAST_RETRIES = RetryPolicy(network_base=0.01, network_cap=0.05, max_network_attempts=4)
ADMIN_ID = 42
# Telegram's limits scaled up so tests run fast; no scheduled digests.
BOT_OVERRIDES = {
    "admin_ids": str(ADMIN_ID),
    "rate_global_per_second": 500,
    "rate_chat_per_second": 100,
    "rate_group_per_minute": 6000,
    "digest_schedule": "off",
}


def copies(api: FakeBotApi, chat_ids: list[int]) -> dict[int, int]:
    """How many messages the bot sent to each chat: exactly-once delivery means 1 each."""
    return {c: len(api.sent.get(c, [])) for c in chat_ids}


@pytest.fixture
def settings(tmp_path: Path, fake_api: FakeBotApi) -> Settings:
    """Settings pointing at the fake server, with Telegram's limits scaled up so tests run fast."""
    return bot_settings(fake_api, tmp_path / "data", **BOT_OVERRIDES)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[SubscriptionStore]:
    store = await open_store(settings)
    yield store
    await store.close()


@pytest.fixture
async def bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
        yield bot


@pytest.fixture
def broadcaster(bot: Bot, store: SubscriptionStore, settings: Settings) -> Broadcaster:
    return Broadcaster.from_settings(bot, store, settings, policy=FAST_RETRIES)
