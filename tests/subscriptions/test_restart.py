"""Restarts: a broadcast interrupted by stopping the bot (or killing the process) resumes with one copy each."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Bot

from bot.config import Settings
from bot.knowledge_base import KnowledgeBase
from bot.subscriptions.delivery import Broadcaster
from bot.subscriptions.handlers import service_of
from bot.subscriptions.service import SubscriptionService
from bot.subscriptions.sqlite_store import SqliteStore
from bot.subscriptions.store import SubscriptionStore
from tests.bot_env import bot_env
from tests.fakes import FakeBotApi
from tests.subscriptions.conftest import ADMIN_ID, BOT_OVERRIDES, RunningBot, copies
from tests.subscriptions.test_digest import edited
from tests.subscriptions.test_handlers import eventually

StartBot = Callable[..., Awaitable[RunningBot]]
async def test_stopping_the_bot_mid_broadcast_then_restarting_sends_each_copy_once(
    fake_api: FakeBotApi, start_bot: StartBot
) -> None:
    """Stop the bot half-way through a broadcast, start it again: it resumes and nobody gets two copies or none.

    Past the first ten chats Telegram answers 429 (flood control) until the restart, so the stop lands
    mid-broadcast however long it takes on a loaded machine (a race against the send rate before)."""
    slow = {**BOT_OVERRIDES, "rate_global_per_second": 40}
    first = await start_bot(**slow)
    chats = list(range(7001, 7041))
    store = service_of(first.app).store
    for chat_id in chats:
        await store.subscribe(chat_id, "private", "en")
    for chat_id in chats[10:]:
        fake_api.fail_next("sendMessage", 429, retry_after=0.5, chat_id=chat_id, times=10_000)
    fake_api.push_message("/broadcast", user=ADMIN_ID)
    await fake_api.wait_for(lambda: sum(len(fake_api.sent.get(c, [])) for c in chats) >= 10)
    await fake_api.wait_for(lambda: {c.params.get("chat_id") for c in fake_api.calls_to("sendMessage")} & set(chats[10:]))
    await first.stop()
    sent_before_restart = sum(copies(fake_api, chats).values())
    assert sent_before_restart == 10

    fake_api.faults.faults.clear()
    second = await start_bot(**slow)
    await fake_api.wait_for(lambda: all(fake_api.sent.get(c) for c in chats), timeout=10)
    await fake_api.wait_idle()
    assert copies(fake_api, chats) == dict.fromkeys(chats, 1)
    # the broadcast is marked done after the last send's journal entry: poll rather than race it
    await eventually(lambda: service_of(second.app).store.unfinished_broadcasts(), expect=[])


async def test_changed_knowledge_is_announced_at_start_up_with_only_the_change(
    fake_api: FakeBotApi, start_bot: StartBot, knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    """When the stored hashes differ at start-up, subscribers get a change digest with only the changed proposal."""
    changed = edited(knowledge, knowledge.proposals()[0][1].id, "Talk again, at the highest level.", "الحوار مجدداً على أعلى مستوى.")
    store = await SqliteStore.open(tmp_path / "bayan.sqlite3")
    try:
        await store.set_knowledge_hashes(changed.content_hashes())
        await store.subscribe(8001, "private", "en")
        await store.subscribe(8002, "private", "ar")
    finally:
        await store.close()
    await start_bot(**BOT_OVERRIDES)
    [en] = await fake_api.wait_for_messages(1, chat_id=8001)
    [ar] = await fake_api.wait_for_messages(1, chat_id=8002)
    first, second = knowledge.proposals()[0][1], knowledge.proposals()[1][1]
    assert en["text"].startswith("Update:") and (first.summary_en or "") in en["text"]
    assert (second.summary_en or "") not in en["text"]
    assert (first.summary_ar or "") in ar["text"]


async def test_killing_the_broadcast_process_then_resuming_misses_nobody(
    fake_api: FakeBotApi, settings: Settings, store: SubscriptionStore, knowledge: KnowledgeBase
) -> None:
    """SIGKILL `python -m bot broadcast` half-way, resume: everyone has it once, plus at most one copy per in-flight send."""
    chats = list(range(9001, 9061))
    for chat_id in chats:
        await store.subscribe(chat_id, "private", "ar")
    env = bot_env(
        BOT_TOKEN=fake_api.token,
        BOT_API_BASE_URL=fake_api.base_url,
        BOT_DATA_DIR=str(settings.data_dir),
        BOT_RATE_GLOBAL_PER_SECOND="40",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "broadcast", cwd=settings.data_dir.parent, env=env, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        await fake_api.wait_for(lambda: len(fake_api.calls_to("sendMessage")) >= 15, timeout=20)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert len(fake_api.all_sent) < len(chats)

    async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
        service = SubscriptionService(settings, knowledge, store, Broadcaster.from_settings(bot, store, settings))
        [report] = await service.deliver_unfinished() or []
    assert not report.interrupted
    counts = copies(fake_api, chats)
    assert min(counts.values()) == 1, "a subscriber was missed"
    duplicates = sum(counts.values()) - len(chats)
    assert duplicates <= 8, "more duplicates than requests in flight (ceil(40 / 5) workers)"


async def test_unsubscribing_during_a_broadcast_gets_nothing_further(fake_api: FakeBotApi, start_bot: StartBot) -> None:
    """A subscriber who sends /unsubscribe while a broadcast is going out gets the confirmation and no summary.

    The sends to the chats before the leaver's are held by the fake until the confirmation is out, so the
    broadcast certainly reaches the leaver after the /unsubscribe (a race against the send rate before)."""
    running = await start_bot(**{**BOT_OVERRIDES, "rate_global_per_second": 40})
    store = service_of(running.app).store
    chats = list(range(7101, 7131))
    for chat_id in chats:
        await store.subscribe(chat_id, "private", "en")
    leaver = chats[-1]  # delivered last: recipients go out in chat id order
    release = asyncio.Event()
    for chat_id in chats[5:-1]:
        fake_api.hold_next("sendMessage", chat_id=chat_id, times=10_000, release=release)
    fake_api.push_message("/broadcast", user=ADMIN_ID)
    await fake_api.wait_for(lambda: sum(len(fake_api.sent.get(c, [])) for c in chats) >= 5)
    fake_api.push_message("/unsubscribe", user=leaver)
    await fake_api.wait_for_messages(1, chat_id=leaver, timeout=10)
    release.set()
    await fake_api.wait_for(lambda: all(fake_api.sent.get(c) for c in chats[:-1]), timeout=10)
    await fake_api.wait_idle()
    assert fake_api.sent_texts(leaver) == ["Unsubscribed. No more summaries will be sent here; you can still ask questions."]
    assert copies(fake_api, chats[:-1]) == dict.fromkeys(chats[:-1], 1)
