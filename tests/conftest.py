"""Fixtures shared by every test area; area-specific wiring lives in that area's conftest."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge_base import KnowledgeBase, load_knowledge
from tests.fakes import FakeBotApi
from tests.postgres import PostgresServer

# As bot.cli.main does for the real process: PTB's timedelta durations, not the deprecated ints.
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started fake Telegram Bot API server on 127.0.0.1 (see tests/fakes/bot_api.py)."""
    async with FakeBotApi() as api:
        yield api


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The real knowledge base, loaded once per test session."""
    return load_knowledge(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session (about a second to start); see tests/postgres.py."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
async def pg_url(pg_server: PostgresServer) -> str:
    """The URL of a new, empty database on the session's server."""
    return await pg_server.new_database()
