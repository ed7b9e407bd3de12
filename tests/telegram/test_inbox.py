"""The update journal: a stop hands over what it cannot finish, a restart answers it, repeats are handled once,
and an update that cannot be journaled is not confirmed to Telegram."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Update

from bot.telegram.inbox import InboxProcessor, InboxQueue, UpdateInbox, inbox_path
from tests.fakes import FakeBotApi
from tests.telegram.conftest import RunningBot

StartBot = Callable[..., Awaitable[RunningBot]]


def push_questions(api: FakeBotApi, first_user: int, count: int) -> dict[int, int]:
    """One question per user (no flood limit applies); update_id -> chat id."""
    pushed = {}
    for n in range(count):
        user = api.user(first_user + n, f"User{n}", language_code="en")
        pushed[api.push_message("first strike", user=user)] = user["id"]
    return pushed


def answered(api: FakeBotApi, chats: set[int]) -> set[int]:
    return {m["chat"]["id"] for m in api.all_sent} & chats


def pending_in_journal(bot: RunningBot) -> set[int]:
    with sqlite3.connect(inbox_path(bot.settings.data_dir)) as db:
        return {int(row[0]) for row in db.execute("SELECT update_id FROM inbox WHERE handled_at IS NULL")}


async def test_a_stop_hands_over_the_backlog_and_the_next_start_answers_it(start_bot: StartBot) -> None:
    """SIGTERM with a backlog that would take too long: the stop returns after the hand-over time plus the
    replies in flight, what was not handled stays journaled, and the next process answers each exactly once."""
    bot = await start_bot()
    processor = bot.app.update_processor
    assert isinstance(processor, InboxProcessor)
    processor.handover_after = 0.3
    bot.api.delay_next("sendMessage", 0.4, times=100_000)  # slow replies: the backlog grows
    pushed = push_questions(bot.api, 5000, 300)
    chats = set(pushed.values())
    await bot.api.wait_for(lambda: len(answered(bot.api, chats)) >= 10)
    started = time.monotonic()
    await bot.stop()
    # Draining the backlog at the default 30 replies/s would take about 10 s; the hand-over (0.3 s) plus the
    # replies in flight (0.4 s) take under 1 s, and 6 s leaves room for a loaded machine (3.6 s was seen).
    assert time.monotonic() - started < 6.0
    first = answered(bot.api, chats)
    assert len(first) < len(chats)
    # Each unanswered update is journaled, or was never confirmed (bounded prefetch): Telegram still has it.
    confirmed_up_to = int(bot.api.calls_to("getUpdates")[-1].params.get("offset") or 0)
    unanswered = {uid for uid, chat in pushed.items() if chat not in first}
    assert unanswered <= pending_in_journal(bot) | {uid for uid in pushed if uid >= confirmed_up_to}
    assert pending_in_journal(bot)  # the hand-over really left something to the next start

    bot.api.faults.faults.clear()
    await start_bot()  # same data dir: replays the journal
    await bot.api.wait_for(lambda: answered(bot.api, chats) == chats, timeout=30, what="every question answered")
    await bot.api.wait_idle()
    assert {len(bot.api.sent_texts(c)) for c in chats} == {1}


async def test_an_update_delivered_twice_is_handled_once(bot: RunningBot) -> None:
    """A webhook retry or an update fetched again after a crash has an id the journal knows: it is dropped."""
    user = bot.api.user(1001, "A", language_code="en")
    update_id = bot.api.push_message("first strike", user=user)
    await bot.api.wait_for_messages(1, chat_id=1001)
    bot.api.push_raw(bot.api.update(update_id) | {"update_id": update_id})  # the same update again
    await bot.api.wait_idle()
    assert len(bot.api.sent_texts(1001)) == 1


async def test_an_update_that_cannot_be_journaled_is_not_confirmed_and_is_answered_later(bot: RunningBot) -> None:
    """The journal cannot be written (read-only, full): polling stalls without confirming, then catches up."""
    queue = bot.app.update_queue
    assert isinstance(queue, InboxQueue) and queue.inbox is not None
    db = queue.inbox._db  # the journal's own connection
    await db.execute("PRAGMA query_only = ON")  # every write now fails, as on a read-only disk
    pushed = push_questions(bot.api, 7000, 10)
    await bot.api.wait_for(lambda: len(bot.api.calls_to("getUpdates")) > 0)
    await asyncio.sleep(1.0)
    chats = set(pushed.values())
    assert answered(bot.api, chats) == set()
    confirmed_up_to = max(int(c.params.get("offset") or 0) for c in bot.api.calls_to("getUpdates"))
    assert confirmed_up_to <= min(pushed)  # nothing that is not journaled was confirmed
    await db.execute("PRAGMA query_only = OFF")
    await bot.api.wait_for(lambda: answered(bot.api, chats) == chats, timeout=30, what="every question answered")



async def test_the_journal_keeps_a_bounded_number_of_handled_ids_and_every_pending_update(tmp_path: Path) -> None:
    """Handled ids are what makes a re-post a repeat; they are pruned to the newest ``keep_done`` as updates are
    handled (and at start-up), so the journal stays small, while an update not yet handled is never pruned."""
    path = tmp_path / "updates.sqlite3"
    inbox = await UpdateInbox.open(path, keep_done=50)
    try:
        for update_id in range(1, 6):
            assert await inbox.record(Update(update_id))  # pending: confirmed to Telegram, not handled yet
        for update_id in range(6, 1006):
            assert await inbox.record(Update(update_id))
            await inbox.done(update_id)
        assert not await inbox.record(Update(1005))  # a recent one is still a repeat
    finally:
        await inbox.close()
    with sqlite3.connect(path) as db:
        handled = [int(r[0]) for r in db.execute("SELECT update_id FROM inbox WHERE handled_at IS NOT NULL")]
    assert 50 <= len(handled) <= 55 and max(handled) == 1005
    reopened = await UpdateInbox.open(path, keep_done=50)
    try:
        assert [u["update_id"] for u in await reopened.pending()] == [1, 2, 3, 4, 5]
    finally:
        await reopened.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM inbox WHERE handled_at IS NOT NULL").fetchone()[0] == 50
