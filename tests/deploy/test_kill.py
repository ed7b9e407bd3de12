"""SIGKILL with a backlog: what the killed process confirmed to Telegram is answered (and stored) after a restart."""

from __future__ import annotations

from bot.subscriptions.sqlite_store import SqliteStore
from tests.deploy.bot_process import STOP_DEADLINE, BotProcess
from tests.fakes import FakeBotApi

SUBSCRIBERS = range(6000, 6080)
ASKERS = range(7000, 7080)


async def test_sigkill_mid_burst_loses_no_update(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Killed while far more updates are confirmed than answered: after the restart every /subscribe is stored
    and answered and every question answered; the journal replays at least once (a few duplicates at most)."""
    async with FakeBotApi() as api:
        bot = BotProcess(api, tmp_path)
        await bot.start()
        api.delay_next("sendMessage", 0.3, times=100_000)  # slow replies: fetched runs far ahead of answered
        for chat in (*SUBSCRIBERS, *ASKERS):
            user = api.user(chat, f"User{chat}", language_code="en")
            api.push_message("/subscribe" if chat in SUBSCRIBERS else "first strike", user=user)
        everyone = {*SUBSCRIBERS, *ASKERS}
        await api.wait_for(lambda: len(api.all_sent) >= 20, timeout=15, what="the first replies")
        await bot.kill()
        confirmed_up_to = max(int(c.params.get("offset") or 0) for c in api.calls_to("getUpdates"))
        answered_before = {m["chat"]["id"] for m in api.all_sent}
        assert confirmed_up_to - 1 > len(answered_before), "the kill should land with confirmed updates unanswered"

        api.faults.faults.clear()
        restarted = BotProcess(api, tmp_path)
        await restarted.start()
        await api.wait_for(
            lambda: everyone <= {m["chat"]["id"] for m in api.all_sent}, timeout=30, what="every chat answered"
        )
        await api.wait_idle(timeout=10)
        code, took = await restarted.terminate()
        assert code == 0 and took < STOP_DEADLINE
        question_replies = [len(api.sent_texts(chat)) for chat in ASKERS]
        assert max(question_replies) <= 2
        assert sum(n - 1 for n in question_replies) <= 64  # at most the replies in flight when killed

    store = await SqliteStore.open(tmp_path / "data" / "bayan.sqlite3")
    try:
        assert all([await store.is_subscribed(chat) for chat in SUBSCRIBERS])
    finally:
        await store.close()
