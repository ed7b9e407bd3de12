"""Fixtures shared by every test area; area-specific wiring lives in that area's conftest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes import FakeBotApi


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started fake Telegram Bot API server on 127.0.0.1 (see tests/fakes/bot_api.py)."""
    async with FakeBotApi() as api:
        yield api
