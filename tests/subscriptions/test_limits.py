"""Rate limiting, error classification and back-off: pure parts of delivery, with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.subscriptions.delivery import Outcome, RateLimiter, RetryPolicy, TokenBucket, classify, retry_after_seconds
from tests.clock import ManualClock


def test_token_bucket_spaces_reservations_and_refills() -> None:
    """Past the burst, each reservation waits one more interval; waiting refills the bucket."""
    clock = ManualClock()
    bucket = TokenBucket(rate=10, capacity=2, clock=clock)
    assert [round(bucket.reserve(), 3) for _ in range(4)] == [0.0, 0.0, 0.1, 0.2]
    clock.now += 10
    assert [bucket.reserve(), bucket.reserve()] == [0.0, 0.0]


def test_limiter_spaces_all_messages_by_the_global_rate() -> None:
    """Messages to different chats are spaced evenly at the global rate, without a burst."""
    clock = ManualClock()
    limiter = RateLimiter(global_per_second=30, chat_per_second=1, group_per_minute=20, clock=clock)
    assert [round(limiter.delay(c) * 30, 6) for c in (1, 2, 3)] == [0, 1, 2]


@pytest.mark.parametrize("is_group, interval", [(False, 1.0), (True, 3.0)])
def test_limiter_counts_chat_and_group_intervals_from_the_answer(is_group: bool, interval: float) -> None:
    """The next message to a chat waits 1 s (a group 3 s: 20/min) from when the previous one was answered."""
    clock = ManualClock()
    limiter = RateLimiter(global_per_second=1000, chat_per_second=1, group_per_minute=20, clock=clock)
    assert limiter.delay(-5) == 0.0
    clock.now += 0.4  # the request took 0.4 s
    limiter.sent(-5, is_group)
    clock.now += 0.5
    assert limiter.delay(-5) == pytest.approx(interval - 0.5)
    assert limiter.delay(6) == pytest.approx(0.0, abs=0.01)


def test_pause_holds_every_chat() -> None:
    """After a 429 every message waits until the pause is over, not only the one that was refused."""
    clock = ManualClock()
    limiter = RateLimiter(1000, 1000, 60000, clock)
    limiter.pause(2.5)
    assert limiter.delay(9) == pytest.approx(2.5)


@pytest.mark.parametrize(
    "error, outcome, reason",
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Outcome.REMOVE, "blocked"),
        (Forbidden("Forbidden: bot was kicked from the supergroup chat"), Outcome.REMOVE, "kicked"),
        (Forbidden("Forbidden: bot is not a member of the channel chat"), Outcome.REMOVE, "kicked"),
        (Forbidden("Forbidden: user is deactivated"), Outcome.REMOVE, "deactivated"),
        (Forbidden("Forbidden: bot can't initiate conversation with a user"), Outcome.REMOVE, "forbidden"),
        (BadRequest("Bad Request: chat not found"), Outcome.REMOVE, "chat_not_found"),
        (BadRequest("Bad Request: message is too long"), Outcome.FAIL, "Message is too long"),
        (RetryAfter(3), Outcome.FLOOD, "flood"),
        (ChatMigrated(-100777), Outcome.MIGRATED, "migrated"),
        (TimedOut(), Outcome.UNCERTAIN, "Timed out"),  # a read time-out: the message may have arrived
        (NetworkError("Bad Gateway"), Outcome.RETRY, "Bad Gateway"),
        (InvalidToken(), Outcome.ABORT, "invalid token"),
    ],
)
def test_classify_bot_api_errors(error: Exception, outcome: Outcome, reason: str) -> None:
    """Each Bot API error maps to what delivery does with it and why."""
    assert classify(error) == (outcome, reason)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [3, timedelta(seconds=3)])
def test_retry_after_seconds_accepts_int_and_timedelta(value: int | timedelta) -> None:
    """retry_after is read the same whether PTB exposes an int or a timedelta."""
    assert retry_after_seconds(RetryAfter(value)) == 3.0


def test_backoff_doubles_up_to_the_cap() -> None:
    """Network back-off grows exponentially and stops at the cap."""
    policy = RetryPolicy(network_base=0.5, network_cap=3.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
