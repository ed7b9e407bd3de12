"""Broadcasts under the faults that used to hurt: a slow Telegram, one that never answers, a full disk.

Slow cases run with read time-outs of a few tenths of a second instead of Telegram's seconds; the
full disk is SQLite's own "database or disk is full", produced by capping the database's size
(``PRAGMA max_page_count``) on the store's connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.subscriptions.delivery import JOURNAL_STOP, Broadcaster
from bot.subscriptions.store import SubscriptionStore
from tests.fakes import FakeBotApi
from tests.subscriptions.conftest import FAST_RETRIES, copies
from tests.subscriptions.test_delivery import queue

CONCURRENCY = 4
FOREVER = 10_000


@pytest.fixture
async def pooled_bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    """A Bot with a connection per request in flight, as the service's sender has."""
    request = HTTPXRequest(connection_pool_size=CONCURRENCY, read_timeout=0.25)
    async with Bot(fake_api.token, base_url=fake_api.base_url, request=request) as bot:
        yield bot


def broadcaster_for(bot: Bot, store: SubscriptionStore, settings: Settings, **policy: float) -> Broadcaster:
    return Broadcaster.from_settings(
        bot, store, settings, policy=replace(FAST_RETRIES, **policy), concurrency=CONCURRENCY, read_timeout=0.25
    )


async def test_a_slow_telegram_gives_everyone_one_copy_and_a_few_two(
    fake_api: FakeBotApi, store: SubscriptionStore, pooled_bot: Bot, settings: Settings
) -> None:
    """Every answer comes after the read time-out (the messages are delivered): the first sends are retried
    once with a longer time-out, which later sends keep, so nobody is missed and nobody gets three."""
    fake_api.delay_next("sendMessage", 0.4, after=True, times=FOREVER)
    chats = list(range(1, 21))
    broadcast = await queue(store, dict.fromkeys(chats, "en"))
    report = await broadcaster_for(pooled_bot, store, settings).deliver(broadcast)
    got = copies(fake_api, chats)
    assert not report.interrupted and report.sent == len(chats) and report.unconfirmed == 0
    assert set(got.values()) <= {1, 2}
    assert sum(n == 2 for n in got.values()) <= CONCURRENCY  # only the sends in flight when the first time-outs hit
    assert await store.unfinished_broadcasts() == []


async def test_a_telegram_that_never_answers_stops_the_run_and_never_loops_on_the_same_chats(
    fake_api: FakeBotApi, store: SubscriptionStore, pooled_bot: Bot, settings: Settings
) -> None:
    """Each chat is tried twice at most, closed as unconfirmed, and a few in a row stop the run; runs that
    follow move on to other chats, and once Telegram answers again the rest get exactly one copy."""
    fake_api.delay_next("sendMessage", 1.0, after=True, times=FOREVER)
    chats = list(range(1, 31))
    broadcast = await queue(store, dict.fromkeys(chats, "en"))
    broadcaster = broadcaster_for(
        pooled_bot, store, settings, timeout_growth=1.5, max_read_timeout=0.4, max_unconfirmed_in_a_row=3
    )
    first = await broadcaster.deliver(broadcast)
    assert first.interrupted and "no answer from Telegram" in (first.error or "")
    second = await broadcaster.deliver(broadcast)
    assert second.interrupted
    tried = {c.params["chat_id"] for c in fake_api.calls_to("sendMessage")}
    assert max(copies(fake_api, chats).values()) <= 2
    fake_api.faults.faults.clear()  # Telegram answers again
    last = await broadcaster.deliver(broadcast)
    got = copies(fake_api, chats)
    assert not last.interrupted
    assert all(got[c] == 1 for c in chats if c not in tried)
    assert max(got.values()) <= 2
    unconfirmed = [d for d in await store.deliveries(broadcast.id) if (d.state, d.chat_id in tried) == ("failed", True)]
    assert len(unconfirmed) == first.unconfirmed + second.unconfirmed + last.unconfirmed


async def _cap_database_size(store: SubscriptionStore, extra_pages: int = 0) -> None:
    db = store._db  # the store's own connection: the cap is per connection
    [pages] = await (await db.execute("PRAGMA page_count")).fetchone()  # type: ignore[misc]
    await db.execute(f"PRAGMA max_page_count = {pages + extra_pages}")


async def test_a_full_disk_stops_the_broadcast_and_nothing_is_sent_that_is_not_recorded(
    fake_api: FakeBotApi, store: SubscriptionStore, pooled_bot: Bot, settings: Settings
) -> None:
    """The run stops with an error naming the database; every message sent has its journal entry (the attempt
    is written first), later tries on the still-full disk add at most one copy for a few chats, and once there
    is space again the broadcast completes: everyone has it, nobody more than twice."""
    broadcaster = broadcaster_for(pooled_bot, store, settings)
    chats = list(range(1, 401))
    broadcast = await queue(store, dict.fromkeys(chats, "en"))
    await _cap_database_size(store)
    report = await broadcaster.deliver(broadcast)
    assert report.interrupted and (report.error or "").startswith(JOURNAL_STOP)
    assert "database or disk is full" in (report.error or "") and "bayan.sqlite3" in (report.error or "")
    for _ in range(3):  # the service's next tries, disk still full
        assert (await broadcaster.deliver(broadcast)).interrupted
    got = copies(fake_api, chats)
    assert sum(n > 0 for n in got.values()) < len(chats)
    journal = {d.chat_id: d for d in await store.deliveries(broadcast.id)}
    assert all(c in journal and journal[c].attempts >= 1 for c, n in got.items() if n)  # each send was recorded
    assert max(got.values()) <= 2

    await _cap_database_size(store, extra_pages=1_000_000)  # space freed
    done = await broadcaster.deliver(broadcast)
    got = copies(fake_api, chats)
    assert not done.interrupted and set(got.values()) <= {1, 2}
    assert sum(n == 2 for n in got.values()) <= 4 * CONCURRENCY  # only sends whose "sent" record failed
    assert await store.unfinished_broadcasts() == []
