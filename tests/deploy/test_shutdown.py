"""SIGTERM while answering: `python -m bot run` finishes its replies, keeps subscriptions, exits fast.

The bot runs as a real subprocess (as systemd and Docker run it) against the fake Bot API;
all but a few replies are held by the fake until the signal is sent, so that it certainly lands
while many are in flight, however loaded the machine (a fixed delay let a slow test process see
them all arrive at once).
"""

from __future__ import annotations

import asyncio

from bot.subscriptions.sqlite_store import SqliteStore
from tests.deploy.bot_process import STOP_DEADLINE, BotProcess
from tests.fakes import FakeBotApi

QUESTIONS = ("What does Putin propose about elections?", "ما هي المقترحات الأربعة؟", "information security")
SUBSCRIBER = 900


def push_questions(api: FakeBotApi, first_user: int, count: int) -> dict[int, int]:
    """One question per user (so no flood limit applies); returns update_id -> chat id."""
    pushed = {}
    for n in range(count):
        user = api.user(first_user + n, f"User{n}", language_code="ar" if n % 2 else "en")
        pushed[api.push_message(QUESTIONS[n % len(QUESTIONS)], user=user)] = user["id"]
    return pushed


async def test_sigterm_under_load_loses_no_reply_and_no_subscription(tmp_path) -> None:
    """Acknowledged questions are answered before exit (<10 s, code 0), the rest after a restart; subscribers stay."""
    async with FakeBotApi() as api:
        bot = BotProcess(api, tmp_path)
        await bot.start()

        subscriber = api.user(SUBSCRIBER, "Subscriber", language_code="en")
        api.push_message("/subscribe", user=subscriber)
        await api.wait_for_messages(1, chat_id=SUBSCRIBER, timeout=10)

        release = asyncio.Event()
        held = set(range(2003, 2040))  # every reply but the first three waits in the fake until the signal
        for chat in held:
            api.hold_next("sendMessage", chat_id=chat, times=10_000, release=release)
        first = push_questions(api, 2000, 40)
        await api.wait_for(lambda: {2000, 2001, 2002} <= {m["chat"]["id"] for m in api.all_sent}, timeout=10)
        await api.wait_for(
            lambda: len({c.params.get("chat_id") for c in api.calls_to("sendMessage")} & held) >= 10,
            timeout=10, what="replies in flight",
        )
        answered_at_signal = {m["chat"]["id"] for m in api.all_sent} - {SUBSCRIBER}
        second = push_questions(api, 3000, 10)  # arrive while the bot shuts down
        terminated = asyncio.create_task(bot.terminate())
        await asyncio.sleep(0)  # terminate() has sent SIGTERM: now Telegram answers the replies in flight
        release.set()
        code, took = await terminated

        assert code == 0, bot.stderr.decode()[-3000:]
        assert took < STOP_DEADLINE
        errors = [r for r in bot.log_records() if r["level"] in ("ERROR", "CRITICAL")]
        assert errors == []
        answered = {m["chat"]["id"] for m in api.all_sent}
        assert len(answered_at_signal) < len(first), "SIGTERM should land while replies are in flight"
        offset = int(api.calls_to("getUpdates")[-1].params.get("offset") or 0)
        acknowledged = [uid for uid in (first | second) if uid < offset]
        assert acknowledged, "the bot acknowledged nothing"
        unanswered = [uid for uid in acknowledged if (first | second)[uid] not in answered]
        assert unanswered == [], "acknowledged to Telegram but never answered: lost for good"

        events = {r["update_id"]: r for r in bot.log_records() if r.get("event") == "question"}
        for uid in acknowledged:
            assert events[uid]["chat_type"] == "private"
            assert events[uid]["outcome"] in ("answered", "abstained")
            assert events[uid]["lang"] in ("ar", "en") and events[uid]["latency_ms"] >= 0
        log_text = bot.stderr.decode()
        assert not any(q in log_text for q in QUESTIONS), "question text logged without BOT_DEBUG"
        assert api.token.partition(":")[2] not in log_text

        while_down = push_questions(api, 4000, 5)
        restarted = BotProcess(api, tmp_path)
        await restarted.start()
        everyone = set((first | second | while_down).values())
        await api.wait_for(lambda: everyone <= {m["chat"]["id"] for m in api.all_sent}, timeout=15, what="all replies")
        await api.wait_idle(timeout=10)
        code, took = await restarted.terminate()
        assert code == 0 and took < STOP_DEADLINE

        replies_per_chat = {chat: len(api.sent_texts(chat)) for chat in everyone}
        assert set(replies_per_chat.values()) == {1}, "each question is answered exactly once"

    store = await SqliteStore.open(tmp_path / "data" / "bayan.sqlite3")
    try:
        assert await store.is_subscribed(SUBSCRIBER)
    finally:
        await store.close()
