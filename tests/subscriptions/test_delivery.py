"""Broadcast delivery through a real telegram.Bot against the fake Bot API server."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot

from bot.subscriptions.delivery import Broadcaster, RateLimiter, RetryPolicy
from bot.subscriptions.store import Broadcast, SubscriptionStore
from tests.fakes import FakeBotApi, FloodControl
from tests.subscriptions.conftest import FAST_RETRIES, copies

PAYLOAD = {"ar": ["<b>ملخص</b> المقترحات"], "en": ["<b>Summary</b> of the proposals"]}


async def queue(store: SubscriptionStore, chats: dict[int, str], payload: dict = PAYLOAD) -> Broadcast:  # type: ignore[type-arg]
    for chat_id, lang in chats.items():
        await store.subscribe(chat_id, "private" if chat_id > 0 else "group", lang)  # type: ignore[arg-type]
    broadcast_id = await store.create_broadcast("manual", payload)
    broadcast = await store.get_broadcast(broadcast_id or 0)
    assert broadcast is not None
    return broadcast


async def test_delivers_once_to_everyone_in_their_language(
    fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster
) -> None:
    """Every subscriber gets one copy in their language; the journal says sent and the broadcast is done."""
    chats = {1: "ar", 2: "en", -3: "ar", -1001000000004: "en"}
    broadcast = await queue(store, chats)
    report = await broadcaster.deliver(broadcast)
    assert report.sent == 4 and not report.interrupted
    assert copies(fake_api, list(chats)) == dict.fromkeys(chats, 1)
    assert fake_api.sent_texts(1) == ["ملخص المقترحات"] and fake_api.sent_texts(2) == ["Summary of the proposals"]
    assert {d.state for d in await store.deliveries(broadcast.id)} == {"sent"}
    assert await store.unfinished_broadcasts() == []


@pytest.mark.parametrize(
    "fault, reason",
    [("block", "blocked"), ("forget_chat", "chat_not_found"), ("kick", "kicked")],
)
async def test_unreachable_chats_are_removed_counted_and_not_retried(
    fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster, fault: str, reason: str
) -> None:
    """Blocked, unknown and kicked-from chats lose their subscription after one try; the rest get the message."""
    dead = -77 if fault == "kick" else 77
    getattr(fake_api, fault)(dead)
    broadcast = await queue(store, {1: "en", dead: "en", 2: "ar"})
    report = await broadcaster.deliver(broadcast)
    assert report.removed == {reason: 1} and report.sent == 2
    assert await store.get(dead) is None
    assert (await store.stats()).removed == {reason: 1}
    assert len([c for c in fake_api.calls_to("sendMessage") if c.params["chat_id"] == dead]) == 1
    assert copies(fake_api, [1, 2]) == {1: 1, 2: 1}


async def test_deactivated_user_is_removed(
    fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster
) -> None:
    """"Forbidden: user is deactivated" removes the subscriber under its own reason."""
    fake_api.fail_next("sendMessage", 403, "Forbidden: user is deactivated", chat_id=5)
    report = await broadcaster.deliver(await queue(store, {5: "en"}))
    assert report.removed == {"deactivated": 1}


async def test_429_is_waited_out_then_sent_once(fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster) -> None:
    """A 429 pauses sending for retry_after seconds, then the same message goes out exactly once."""
    fake_api.fail_next("sendMessage", 429, retry_after=1, chat_id=2)
    broadcast = await queue(store, {1: "en", 2: "en", 3: "en"})
    started = time.monotonic()
    report = await broadcaster.deliver(broadcast)
    assert time.monotonic() - started >= 1.0
    assert report.flood_waits == 1 and report.sent == 3
    assert copies(fake_api, [1, 2, 3]) == {1: 1, 2: 1, 3: 1}


@pytest.mark.parametrize("inject", ["drop", "502", "500"])
async def test_network_errors_are_retried_with_backoff(
    fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster, inject: str
) -> None:
    """A dropped connection or a 5xx before delivery is retried; the chat ends up with one copy.

    A drop may have come after delivery (the client cannot tell), so it is retried once only.
    """
    times = 1 if inject == "drop" else 2
    if inject == "drop":
        fake_api.drop_next("sendMessage", times=times, chat_id=1)
    else:
        fake_api.fail_next("sendMessage", int(inject), times=times, chat_id=1)
    report = await broadcaster.deliver(await queue(store, {1: "en", 2: "ar"}))
    assert report.network_retries == times and report.sent == 2
    assert copies(fake_api, [1, 2]) == {1: 1, 2: 1}


async def test_connection_lost_after_delivery_gives_a_duplicate_not_a_miss(
    fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster
) -> None:
    """The documented window: Telegram delivered but the answer was lost, so the retry sends a second copy."""
    fake_api.drop_next("sendMessage", chat_id=1, after=True)
    await broadcaster.deliver(await queue(store, {1: "en"}))
    assert copies(fake_api, [1]) == {1: 2}


async def test_persistent_network_failure_interrupts_and_resume_completes(
    fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster
) -> None:
    """When retries run out the run stops, the broadcast stays unfinished, and a later run finishes it."""
    chats = list(range(1, 11))
    fake_api.fail_next("sendMessage", 502, times=FAST_RETRIES.max_network_attempts, chat_id=5)
    broadcast = await queue(store, dict.fromkeys(chats, "en"))
    first = await broadcaster.deliver(broadcast)
    assert first.interrupted and [b.id for b in await store.unfinished_broadcasts()] == [broadcast.id]
    second = await broadcaster.deliver(broadcast)
    assert not second.interrupted and first.sent + second.sent == 10
    assert copies(fake_api, chats) == dict.fromkeys(chats, 1)


async def test_other_bad_requests_fail_that_chat_only(
    fake_api: FakeBotApi, store: SubscriptionStore, broadcaster: Broadcaster
) -> None:
    """A 400 that is not "chat not found" closes that chat's entry as failed; the subscriber stays."""
    fake_api.fail_next("sendMessage", 400, "Bad Request: message is too long", chat_id=1)
    report = await broadcaster.deliver(await queue(store, {1: "en", 2: "en"}))
    assert (report.failed, report.sent) == (1, 1)
    assert await store.get(1) is not None


async def test_unsubscribe_during_a_broadcast_stops_further_messages(
    fake_api: FakeBotApi, bot: Bot, store: SubscriptionStore
) -> None:
    """A chat that unsubscribes while a broadcast is going out gets nothing after that."""
    slow = Broadcaster(bot, store, RateLimiter(20, 100, 6000, time.monotonic), concurrency=1)
    chats = list(range(1, 11))
    broadcast = await queue(store, dict.fromkeys(chats, "en"))
    task = asyncio.create_task(slow.deliver(broadcast))
    await fake_api.wait_for_messages(2)
    await store.unsubscribe(10)
    report = await task
    assert copies(fake_api, [10]) == {10: 0}
    assert report.skipped == 1 and report.sent == 9


async def test_cancel_mid_request_keeps_the_record_and_resume_sends_each_once(
    fake_api: FakeBotApi, bot: Bot, store: SubscriptionStore
) -> None:
    """Cancelling while Telegram is answering waits for the journal; resuming sends only the rest."""
    chats = list(range(1, 31))
    broadcast = await queue(store, dict.fromkeys(chats, "ar"))
    fake_api.delay_next("sendMessage", 0.3, chat_id=12)
    first = Broadcaster(bot, store, RateLimiter(200, 100, 6000, time.monotonic), concurrency=3)
    task = asyncio.create_task(first.deliver(broadcast))
    await fake_api.wait_for(lambda: any(c.params["chat_id"] == 12 for c in fake_api.calls_to("sendMessage")))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert copies(fake_api, [12]) == {12: 1}
    journal = {d.chat_id: d.state for d in await store.deliveries(broadcast.id)}
    assert journal[12] == "sent"
    assert 0 < len(fake_api.all_sent) < len(chats)

    resumed = Broadcaster(bot, store, RateLimiter(200, 100, 6000, time.monotonic), concurrency=3)
    report = await resumed.deliver(broadcast)
    assert report.sent == len(chats) - sum(1 for s in journal.values() if s == "sent")
    assert copies(fake_api, chats) == dict.fromkeys(chats, 1)


async def test_multi_part_broadcast_resumes_at_the_missing_part(
    fake_api: FakeBotApi, bot: Bot, store: SubscriptionStore, broadcaster: Broadcaster
) -> None:
    """A chat that had part 1 of 2 when a run stopped gets only part 2 on resume."""
    broadcast = await queue(store, {1: "en"}, {"en": ["part one", "part two"]})
    fake_api.fail_next("sendMessage", 502, times=FAST_RETRIES.max_network_attempts, chat_id=1)
    await store.mark_part_sent(broadcast.id, 1, 1, done=False)
    first = await broadcaster.deliver(broadcast)
    assert first.interrupted
    await broadcaster.deliver(broadcast)
    assert fake_api.sent_texts(1) == ["part two"]


async def test_limits_keep_under_telegrams_flood_control(
    fake_api: FakeBotApi, bot: Bot, store: SubscriptionStore
) -> None:
    """With our limits below Telegram's, many chats and two parts each never trigger a 429."""
    fake_api.enable_flood_control(FloodControl(per_chat_per_second=1, per_group_per_minute=20, global_per_second=25))
    chats = list(range(1, 16))
    paced = Broadcaster(bot, store, RateLimiter(20, 1, 20, time.monotonic), concurrency=8, policy=RetryPolicy(max_flood_waits=0))
    report = await paced.deliver(await queue(store, dict.fromkeys(chats, "en"), {"en": ["part one", "part two"]}))
    assert fake_api.flood_rejections == 0 and report.sent == len(chats)
    assert copies(fake_api, chats) == dict.fromkeys(chats, 2)
