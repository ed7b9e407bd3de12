"""Deliver a broadcast to every subscriber exactly once, within Telegram's limits.

The delivery journal (:class:`~bot.subscriptions.store.SubscriptionStore`) is the source of
truth. For each chat and each part of the message the :class:`Broadcaster` calls
``sendMessage`` and, once Telegram has accepted it, commits the part as sent (``sent`` after the
last part). The two run as one unit that cancellation cannot split (:func:`run_to_completion`):
cancelling a broadcast (a restart, ``Application.stop``) lets the in-flight requests finish and
their journal entries commit before the task ends. Resuming sends only what the journal does
not show as sent, so after a cancel or a clean restart each subscriber has exactly one copy.

The window that remains: a hard kill (SIGKILL, power loss) after Telegram accepted a message but
before its journal entry committed, and resuming sends that part again: at most one duplicate
per request in flight (``concurrency``), never a miss. The same holds for a read time-out or a
dropped connection after the request reached Telegram: the Bot API has no idempotency key, so
the choice is between a rare duplicate and a silent miss, and we choose never to skip anyone.

Errors: 429 ``RetryAfter`` pauses every worker for ``retry_after`` and retries; network errors
back off exponentially (capped) and, when they persist, stop the run with the broadcast left
unfinished to be resumed later; "blocked", "kicked", "deactivated" and "chat not found" remove
the subscriber (counted by reason) and are never retried; other errors close that chat's entry
as failed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.config import Settings
from bot.subscriptions.store import Broadcast, Subscriber, SubscriptionStore
from bot.subscriptions.uncancellable import run_to_completion
from bot.telegram.render import NO_PREVIEW

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """``rate`` actions per second with bursts up to ``capacity``; reservations keep callers in line.

    :meth:`reserve` takes a token now (the balance may go negative) and returns how long the caller
    must wait before acting, so concurrent callers are spaced out without a lock or a loop.
    """

    def __init__(self, rate: float, capacity: float, clock: Clock) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._updated = clock()

    def reserve(self) -> float:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


class RateLimiter:
    """Telegram's limits: overall per second, per chat per second, per group per minute.

    The overall rate is a token bucket reserved when a send is about to start. The per-chat and
    per-group intervals are counted from the moment the previous send to that chat *finished*
    (:meth:`sent`): Telegram measures arrivals, and counting from the start would let network
    jitter squeeze two messages to one chat into less than the interval. Also a shared pause:
    a 429 means the whole bot is over the limit, so every sender waits.
    """

    _PRUNE_ABOVE = 4096

    def __init__(self, global_per_second: float, chat_per_second: float, group_per_minute: float, clock: Clock):
        self._clock = clock
        # Evenly spaced, no burst: Telegram counts messages over sliding windows.
        self._global = TokenBucket(global_per_second, 1.0, clock)
        self._chat_interval = 1.0 / chat_per_second
        self._group_interval = 60.0 / group_per_minute
        self._not_before: dict[int, float] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def delay(self, chat_id: int) -> float:
        """Reserve a slot for one message to ``chat_id``; returns the seconds to wait first."""
        now = self._clock()
        return max(0.0, self._paused_until - now, self._not_before.get(chat_id, now) - now, self._global.reserve())

    def sent(self, chat_id: int, is_group: bool) -> None:
        """A request to ``chat_id`` has been answered: start its interval now."""
        now = self._clock()
        if len(self._not_before) > self._PRUNE_ABOVE:
            self._not_before = {k: t for k, t in self._not_before.items() if t > now}
        self._not_before[chat_id] = now + max(self._chat_interval, self._group_interval if is_group else 0.0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: network errors back off ``base * 2**n`` up to ``cap``, ``max_attempts`` in all."""

    network_base: float = 0.5
    network_cap: float = 30.0
    max_network_attempts: int = 6
    max_flood_waits: int = 10

    def backoff(self, attempt: int) -> float:
        return float(min(self.network_cap, self.network_base * 2.0 ** (attempt - 1)))


class Outcome(Enum):
    """What an error means for a delivery."""

    FLOOD = "flood"  # 429: wait retry_after, try again
    MIGRATED = "migrated"  # group became a supergroup: follow it
    REMOVE = "remove"  # the chat is gone for us: drop the subscriber
    RETRY = "retry"  # transient network trouble: back off and retry
    ABORT = "abort"  # nothing will work (bad token): stop the run
    FAIL = "fail"  # this message cannot go to this chat: close the entry as failed


_REMOVAL_REASONS = (
    ("blocked", "blocked"),
    ("kicked", "kicked"),
    ("not a member", "kicked"),
    ("deactivated", "deactivated"),
    ("chat not found", "chat_not_found"),
    ("user not found", "chat_not_found"),
)


def classify(error: TelegramError) -> tuple[Outcome, str]:
    """Map a Bot API error to an :class:`Outcome` and a short reason (the removal reason for REMOVE)."""
    text = error.message.lower()
    if isinstance(error, RetryAfter):
        return Outcome.FLOOD, "flood"
    if isinstance(error, ChatMigrated):
        return Outcome.MIGRATED, "migrated"
    if isinstance(error, InvalidToken):
        return Outcome.ABORT, "invalid token"
    if isinstance(error, Forbidden):
        reason = next((r for key, r in _REMOVAL_REASONS if key in text), "forbidden")
        return Outcome.REMOVE, reason
    if isinstance(error, BadRequest):
        if "chat not found" in text or "user not found" in text:
            return Outcome.REMOVE, "chat_not_found"
        return Outcome.FAIL, error.message
    if isinstance(error, NetworkError):
        return Outcome.RETRY, error.message
    return Outcome.FAIL, error.message


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whether PTB hands out an int or a timedelta (``PTB_TIMEDELTA``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return float(value.total_seconds() if isinstance(value, timedelta) else value)


@dataclass(slots=True)
class DeliveryReport:
    """What one run of a broadcast did; ``interrupted`` means it stopped early and is resumable."""

    broadcast_id: int
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    flood_waits: int = 0
    network_retries: int = 0
    interrupted: bool = False
    error: str | None = None

    def summary(self) -> str:
        removed = ", ".join(f"{k} {v}" for k, v in sorted(self.removed.items())) or "none"
        state = f"interrupted ({self.error}); will resume" if self.interrupted else "complete"
        return (
            f"broadcast {self.broadcast_id}: sent {self.sent}, removed {sum(self.removed.values())} ({removed}), "
            f"failed {self.failed}, skipped {self.skipped}, 429 waits {self.flood_waits}, "
            f"network retries {self.network_retries}: {state}"
        )


class _Interrupted(Exception):
    """A run must stop (network down, bad token); the broadcast stays unfinished."""


class Broadcaster:
    """Sends broadcasts through a PTB ``Bot``, journaling each part."""

    def __init__(
        self,
        bot: Bot,
        store: SubscriptionStore,
        limiter: RateLimiter,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 8,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._store = store
        self._limiter = limiter
        self._policy = policy or RetryPolicy()
        self._concurrency = max(1, concurrency)
        self._sleep = sleep

    @classmethod
    def from_settings(
        cls, bot: Bot, store: SubscriptionStore, settings: Settings, **kwargs: Any
    ) -> Broadcaster:
        """A broadcaster with the limits from settings; enough workers to fill the global rate."""
        limiter = RateLimiter(
            settings.rate_global_per_second,
            settings.rate_chat_per_second,
            settings.rate_group_per_minute,
            time.monotonic,
        )
        kwargs.setdefault("concurrency", min(32, max(2, math.ceil(settings.rate_global_per_second / 5))))
        return cls(bot, store, limiter, **kwargs)

    async def deliver(self, broadcast: Broadcast) -> DeliveryReport:
        """Send ``broadcast`` to every subscriber who has not got it; mark it done when nobody is left."""
        report = DeliveryReport(broadcast.id)
        queue: asyncio.Queue[tuple[Subscriber, int]] = asyncio.Queue()
        for item in await self._store.pending_recipients(broadcast):
            queue.put_nowait(item)
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self._concurrency, queue.qsize())):
                    group.create_task(self._worker(broadcast, queue, report))
        except* _Interrupted as errors:
            report.interrupted = True
            report.error = str(errors.exceptions[0])
        if report.interrupted:
            log.warning("%s", report.summary())
        else:
            await self._store.finish_broadcast(broadcast.id)
            log.info("%s", report.summary())
        return report

    async def _worker(self, broadcast: Broadcast, queue: asyncio.Queue[tuple[Subscriber, int]], report: DeliveryReport) -> None:
        while not queue.empty():
            subscriber, parts_done = queue.get_nowait()
            await self._deliver_to(broadcast, subscriber, parts_done, report)

    async def _deliver_to(self, broadcast: Broadcast, sub: Subscriber, parts_done: int, report: DeliveryReport) -> None:
        parts = broadcast.parts(sub.lang)
        is_group = sub.chat_type != "private"
        index = parts_done
        network_attempts = flood_waits = 0
        while index < len(parts):
            await self._sleep(self._limiter.delay(sub.chat_id))
            if not await self._store.is_subscribed(sub.chat_id):  # checked last: unsubscribe is immediate
                await self._store.mark_failed(broadcast.id, sub.chat_id, "unsubscribed", state="skipped")
                report.skipped += 1
                return
            try:
                await run_to_completion(
                    self._send_part(broadcast, sub.chat_id, parts, index, 1 + network_attempts + flood_waits)
                )
            except TelegramError as error:
                self._limiter.sent(sub.chat_id, is_group)
                outcome, reason = classify(error)
                if outcome is Outcome.FLOOD and flood_waits < self._policy.max_flood_waits:
                    flood_waits += 1
                    report.flood_waits += 1
                    self._limiter.pause(retry_after_seconds(error))  # type: ignore[arg-type]
                    continue
                if outcome is Outcome.RETRY and network_attempts + 1 < self._policy.max_network_attempts:
                    network_attempts += 1
                    report.network_retries += 1
                    await self._sleep(self._policy.backoff(network_attempts))
                    continue
                if outcome is Outcome.MIGRATED:
                    new_id = int(error.new_chat_id)  # type: ignore[attr-defined]
                    await self._store.mark_failed(broadcast.id, sub.chat_id, f"migrated to {new_id}", state="skipped")
                    await self._store.migrate_chat(sub.chat_id, new_id)
                    moved = dataclasses.replace(sub, chat_id=new_id, chat_type="supergroup")
                    await self._deliver_to(broadcast, moved, index, report)
                    return
                if outcome is Outcome.REMOVE:
                    await self._store.remove_subscriber(sub.chat_id, reason)
                    await self._store.mark_failed(broadcast.id, sub.chat_id, reason, state="removed")
                    report.removed[reason] += 1
                    return
                if outcome in (Outcome.ABORT, Outcome.RETRY, Outcome.FLOOD):
                    raise _Interrupted(f"{reason} (chat {sub.chat_id})") from error
                await self._store.mark_failed(broadcast.id, sub.chat_id, reason)
                report.failed += 1
                return
            self._limiter.sent(sub.chat_id, is_group)
            index += 1
            network_attempts = 0
        report.sent += 1

    async def _send_part(
        self, broadcast: Broadcast, chat_id: int, parts: tuple[str, ...], index: int, attempts: int
    ) -> None:
        """Send one part, then journal it: run whole by :func:`run_to_completion`."""
        await self._bot.send_message(
            chat_id,
            parts[index],
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        )
        await self._store.mark_part_sent(broadcast.id, chat_id, index + 1, done=index + 1 == len(parts), attempts=attempts)

