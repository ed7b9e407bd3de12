"""Replicas of `python -m bot run` in webhook mode on one PostgreSQL, for tests/deploy/test_replicas.py and
benchmarks/replicas_benchmark.py: start them, post updates to them as Caddy would, seed and read the store.
"""

from __future__ import annotations

import socket
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg  # type: ignore[import-untyped]

from bot.subscriptions.postgres_store import PostgresStore
from bot.telegram.webhook import SECRET_HEADER
from tests.deploy.bot_process import BotProcess
from tests.fakes import FakeBotApi

SECRET = "replicas-webhook-secret_0123456789"
HOOK_PATH = "/telegram/hook"
ADMIN = 42
LEASE_SECONDS = 2
LIMIT = 100_000  # the global rate, raised: copies per chat are what is measured, not Telegram's 30/s


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replica(BotProcess):
    """One of ``replicas``: its own data dir and webhook port, the shared database, its share of the global rate."""

    def __init__(self, api: FakeBotApi, workdir: Path, database_url: str, replicas: int = 2, **env: str) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        settings = {
            "BOT_DATABASE_URL": database_url,
            "BOT_REPLICAS": str(replicas),
            "BOT_RATE_GLOBAL_PER_SECOND": str(LIMIT),
            "BOT_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
            "BOT_ADMIN_IDS": str(ADMIN),
            "BOT_WEBHOOK_URL": f"https://bot.example.org{HOOK_PATH}",
            "BOT_WEBHOOK_SECRET": SECRET,
            "BOT_WEBHOOK_LISTEN": "127.0.0.1",
            "BOT_WEBHOOK_PORT": str(self.port),
        }
        super().__init__(api, workdir, **(settings | env))

    async def post(self, update: dict[str, Any]) -> int:
        """What Caddy does: hand one of Telegram's posts to this replica."""
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{self.port}{HOOK_PATH}"
            async with session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
                return response.status


def command(update_id: int, text: str, user: int = ADMIN) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        "chat": {"id": user, "type": "private", "first_name": "Admin"},
        "from": {"id": user, "is_bot": False, "first_name": "Admin", "language_code": "en"}}}


async def seed(database_url: str, chats: range) -> None:
    """Subscribers straight into the store (half Arabic, half English), created by the store's own migrations."""
    store = await PostgresStore.open(database_url)
    await store.close()
    conn = await asyncpg.connect(database_url)
    try:
        records = [(chat, "private", "ar" if chat % 2 else "en", time.time() - 60) for chat in chats]
        await conn.copy_records_to_table(
            "subscribers", records=records, columns=["chat_id", "chat_type", "lang", "subscribed_at"]
        )
    finally:
        await conn.close()


async def journal(database_url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return list(await conn.fetch("SELECT chat_id, state, attempts FROM deliveries"))
    finally:
        await conn.close()


def served(api: FakeBotApi, chats: range, messages: int) -> bool:
    return all(len(api.sent.get(chat, ())) >= messages for chat in chats)


def copies(api: FakeBotApi, chats: range) -> Counter[int]:
    """How many copies of the broadcast each subscriber has (every message to a subscriber is one)."""
    return Counter({chat: len(api.sent.get(chat, ())) for chat in chats})


async def queue_broadcast(database_url: str) -> int:
    """A broadcast queued straight into the store, as ``python -m bot broadcast`` would: the replicas hear of it by NOTIFY.

    Short texts: what is measured is copies per chat, and a long summary would only make the
    fake server parse more HTML.
    """
    store = await PostgresStore.open(database_url)
    try:
        broadcast_id = await store.create_broadcast("manual", {"ar": ["<b>ملخص</b> المقترحات"], "en": ["<b>Summary</b>"]})
    finally:
        await store.close()
    assert broadcast_id is not None
    return broadcast_id
