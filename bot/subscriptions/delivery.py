"""Deliver a broadcast to every subscriber exactly once, within Telegram's limits.

The delivery journal (:class:`~bot.subscriptions.store.SubscriptionStore`) is the source of
truth. For each chat and each part of the message the :class:`Broadcaster` calls
``sendMessage`` and, once Telegram has accepted it, commits the part as sent (``sent`` after the
last part; the last part carries the digest's buttons, :func:`~bot.subscriptions.buttons.digest_keyboard`
in the subscriber's language). The two run as one unit that cancellation cannot split (:func:`run_to_completion`):
cancelling a broadcast (a restart, ``Application.stop``) lets the in-flight requests finish and
their journal entries commit before the task ends. Resuming sends only what the journal does
not show as sent, so after a cancel or a clean restart each subscriber has exactly one copy.

The window that remains: a hard kill (SIGKILL, power loss) after Telegram accepted a message but
before its journal entry committed, and resuming sends that part again: at most one duplicate
per request in flight (``concurrency``), never a miss. Replicas sharing PostgreSQL have the
same window and no other: a killed replica's chats go to another once its lease runs out, and
the one that takes over resends only what the journal does not show as sent (the chats of the
sends in flight at the kill show ``attempts`` 2 afterwards); a replica that stalled past its
lease sends nothing the other took over, because each try is journaled only while its sender
still holds the chat (:meth:`~bot.subscriptions.store.SubscriptionStore.begin_part`). The same holds for a read time-out or a
dropped connection after the request reached Telegram: the Bot API has no idempotency key, so
such a send *may* have arrived. It is retried once, with a longer read time-out that later sends
keep (a slow Telegram gets the time it needs instead of a duplicate per chat); if that fails too
the chat's entry is closed as ``unconfirmed`` and the run moves on, so no chat ever gets more than
two copies and the run never loops on the same chats. A chat whose retry also went unanswered
may have none: that is the price of never sending a third.

Each attempt is journaled *before* the request goes out, so nothing is sent that cannot be
recorded: when the journal cannot be written (a full disk) the run stops with
:data:`JOURNAL_STOP` and an error naming the database, and resumes once writes work again.

Errors: 429 ``RetryAfter`` pauses every worker for ``retry_after`` and retries; network errors
that delivered nothing (refused connections, 5xx) back off exponentially (capped) and, when they
persist, stop the run with the broadcast left unfinished to be resumed later; time-outs and
drops after sending are handled as above; "blocked", "kicked", "deactivated" and "chat not found" remove
the subscriber (counted by reason) and are never retried; other errors close that chat's entry
as failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import os
import socket
import time
import uuid
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
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.config import Settings
from bot.knowledge_base import Lang
from bot.subscriptions.buttons import digest_keyboard
from bot.subscriptions.store import Attempt, Broadcast, JournalWriteError, Subscriber, SubscriptionStore
from bot.subscriptions.uncancellable import run_to_completion
from bot.telegram.render import NO_PREVIEW
from bot.telegram.transient import may_have_arrived

log = logging.getLogger(__name__)

JOURNAL_STOP = "stopped: the delivery journal cannot be written"
DEFAULT_READ_TIMEOUT = 5.0  # PTB's; from_settings uses BOT_REQUEST_TIMEOUT_SECONDS
DEFAULT_LEASE_SECONDS = 60.0  # from_settings uses BOT_DELIVERY_LEASE_SECONDS

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
    """How hard to try.

    Network errors that cannot have delivered anything (refused connections, 5xx) back off
    ``base * 2**n`` up to ``cap``, ``max_network_attempts`` in all. A send that may have arrived
    (read time-out, connection dropped after sending) is retried ``uncertain_retries`` times
    with a read time-out ``timeout_growth`` times longer (up to ``max_read_timeout``), then the
    chat's entry is closed as unconfirmed; ``max_unconfirmed_in_a_row`` such chats with no
    success between them stop the run (Telegram is not answering at all).
    """

    network_base: float = 0.5
    network_cap: float = 30.0
    max_network_attempts: int = 6
    max_flood_waits: int = 10
    uncertain_retries: int = 1
    timeout_growth: float = 3.0
    max_read_timeout: float = 60.0
    max_unconfirmed_in_a_row: int = 5

    def backoff(self, attempt: int) -> float:
        return float(min(self.network_cap, self.network_base * 2.0 ** (attempt - 1)))


class Outcome(Enum):
    """What an error means for a delivery."""

    FLOOD = "flood"  # 429: wait retry_after, try again
    MIGRATED = "migrated"  # group became a supergroup: follow it
    REMOVE = "remove"  # the chat is gone for us: drop the subscriber
    RETRY = "retry"  # transient network trouble, nothing delivered: back off and retry
    UNCERTAIN = "uncertain"  # no answer after sending (time-out, drop): may have arrived, retry once
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
        return (Outcome.UNCERTAIN if may_have_arrived(error) else Outcome.RETRY), error.message
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
    unconfirmed: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    flood_waits: int = 0
    network_retries: int = 0
    lost: int = 0  # chats another deliverer took over (this one stalled past its lease): left to it
    interrupted: bool = False
    waiting: bool = False
    error: str | None = None

    def summary(self) -> str:
        removed = ", ".join(f"{k} {v}" for k, v in sorted(self.removed.items())) or "none"
        state = (
            f"interrupted ({self.error}); will resume"
            if self.interrupted
            else "others still delivering" if self.waiting else "complete"
        )
        return (
            f"broadcast {self.broadcast_id}: sent {self.sent}, removed {sum(self.removed.values())} ({removed}), "
            f"failed {self.failed}, unconfirmed {self.unconfirmed}, skipped {self.skipped}, "
            f"429 waits {self.flood_waits}, network retries {self.network_retries}, "
            f"taken over by another replica {self.lost}: {state}"
        )


class _Interrupted(Exception):
    """A run must stop (network down, bad token, journal not writable); the broadcast stays unfinished."""


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
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self._bot = bot
        # Who holds a claim: unique per broadcaster, so two in one process are told apart too.
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lease = lease_seconds
        self._store = store
        self._limiter = limiter
        self._policy = policy or RetryPolicy()
        self._concurrency = max(1, concurrency)
        # A few batches' worth of work per claim: enough to keep the workers busy between claims,
        # small enough that a killed replica leaves little for the lease to hold up.
        self._batch = 4 * self._concurrency
        self._sleep = sleep
        # Raised when sends time out: a slow Telegram then gets the time it needs, for the rest of
        # this broadcaster's life, instead of a duplicate per chat.
        self._read_timeout = read_timeout
        self._unconfirmed_in_a_row = 0
        # (broadcast, chat, part) -> tries that may have arrived; kept across runs, so that the
        # service's next run after an interruption does not start counting again.
        self._maybe_sent: dict[tuple[int, int, int], int] = {}

    @classmethod
    def from_settings(
        cls, bot: Bot, store: SubscriptionStore, settings: Settings, **kwargs: Any
    ) -> Broadcaster:
        """A broadcaster with the limits from settings; enough workers to fill the global rate."""
        limiter = RateLimiter(
            settings.rate_per_replica,
            settings.rate_chat_per_second,
            settings.rate_group_per_minute,
            time.monotonic,
        )
        kwargs.setdefault("concurrency", concurrency_for(settings))
        kwargs.setdefault("read_timeout", settings.request_timeout_seconds)
        kwargs.setdefault("lease_seconds", settings.delivery_lease_seconds)
        return cls(bot, store, limiter, **kwargs)

    async def deliver(self, broadcast: Broadcast) -> DeliveryReport:
        """Send ``broadcast`` to every subscriber who has not got it; mark it done when nobody is left.

        Chats are claimed from the journal a batch at a time (:meth:`SubscriptionStore.claim_recipients`),
        so replicas sharing one PostgreSQL split a broadcast between them and never both send to a
        chat; the claims' lease is renewed while the batch is worked on. ``waiting`` in the report:
        this run ran out of chats to claim but another deliverer still holds some (its lease will
        tell whether it is alive).
        """
        report = DeliveryReport(broadcast.id)
        try:
            await self._store.open_deliveries(broadcast)
            while batch := await self._store.claim_recipients(broadcast, self._owner, self._batch, self._lease):
                try:
                    await self._deliver_batch(broadcast, batch, report)
                except asyncio.CancelledError:  # a clean stop: hand the chats over now, not after the lease
                    with contextlib.suppress(JournalWriteError):
                        await self._store.release_claims(broadcast.id, self._owner)
                    raise
                if report.interrupted:
                    break
            if not report.interrupted:
                report.skipped += await self._store.skip_unsubscribed(broadcast.id)
                report.waiting = not await self._store.finish_broadcast(broadcast.id)
        except JournalWriteError as error:
            report.interrupted, report.error = True, f"{JOURNAL_STOP}: {error}"
        if report.interrupted:
            with contextlib.suppress(JournalWriteError):  # the lease runs out on its own otherwise
                await self._store.release_claims(broadcast.id, self._owner)
            journal = report.error is not None and report.error.startswith(JOURNAL_STOP)
            log.log(logging.ERROR if journal else logging.WARNING, "%s", report.summary())
        else:
            log.info("%s", report.summary())
        return report

    async def _deliver_batch(self, broadcast: Broadcast, batch: list[tuple[Subscriber, int]], report: DeliveryReport) -> None:
        queue: asyncio.Queue[tuple[Subscriber, int]] = asyncio.Queue()
        for item in batch:
            queue.put_nowait(item)
        heartbeat = asyncio.create_task(self._renew(broadcast.id), name=f"broadcast {broadcast.id}: lease")
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self._concurrency, queue.qsize())):
                    group.create_task(self._worker(broadcast, queue, report))
        except* _Interrupted as errors:
            report.interrupted = True
            report.error = str(errors.exceptions[0])
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _renew(self, broadcast_id: int) -> None:
        """Keep this run's claims while it works: a 429 pause must not hand its chats to another replica."""
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                await self._store.renew_claims(broadcast_id, self._owner, self._lease)
            except JournalWriteError:
                log.warning("broadcast %s: cannot renew the lease on its chats", broadcast_id)

    async def _worker(self, broadcast: Broadcast, queue: asyncio.Queue[tuple[Subscriber, int]], report: DeliveryReport) -> None:
        while not queue.empty():
            subscriber, parts_done = queue.get_nowait()
            try:
                await self._deliver_to(broadcast, subscriber, parts_done, report)
            except JournalWriteError as error:
                raise _Interrupted(f"{JOURNAL_STOP}: {error}") from error

    async def _deliver_to(self, broadcast: Broadcast, sub: Subscriber, parts_done: int, report: DeliveryReport) -> None:
        parts = broadcast.parts(sub.lang)
        is_group = sub.chat_type != "private"
        index = parts_done
        network_attempts = flood_waits = 0
        timeout = self._read_timeout
        while index < len(parts):
            key = (broadcast.id, sub.chat_id, index)
            if self._maybe_sent.get(key, 0) > self._policy.uncertain_retries:  # an earlier run's tries
                await self._close_unconfirmed(broadcast, sub, key, "tries of earlier runs", report)
                return
            await self._sleep(self._limiter.delay(sub.chat_id))
            try:
                verdict = await run_to_completion(self._send_part(broadcast, sub.chat_id, sub.lang, parts, index, timeout))
            except TelegramError as error:
                self._limiter.sent(sub.chat_id, is_group)
                outcome, reason = classify(error)
                if outcome is not Outcome.UNCERTAIN:
                    self._maybe_sent[key] -= 1  # Telegram answered, or the request never left: not delivered
                if outcome is Outcome.FLOOD and flood_waits < self._policy.max_flood_waits:
                    flood_waits += 1
                    report.flood_waits += 1
                    self._limiter.pause(retry_after_seconds(error))  # type: ignore[arg-type]
                    continue
                if outcome is Outcome.UNCERTAIN:
                    if self._maybe_sent[key] <= self._policy.uncertain_retries:
                        report.network_retries += 1
                        timeout = self._longer_timeout(timeout)
                        continue
                    await self._close_unconfirmed(broadcast, sub, key, reason, report)
                    if self._unconfirmed_in_a_row >= self._policy.max_unconfirmed_in_a_row:
                        raise _Interrupted(
                            f"no answer from Telegram for {self._unconfirmed_in_a_row} chats in a row: {reason}"
                        ) from error
                    return
                if self._maybe_sent[key] <= 0:
                    del self._maybe_sent[key]
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
            if verdict == "unsubscribed":  # checked at the last moment: unsubscribing is immediate
                await self._store.mark_failed(broadcast.id, sub.chat_id, "unsubscribed", state="skipped")
                report.skipped += 1
                return
            if verdict == "lost":  # another deliverer has the chat: this one stalled past its lease
                report.lost += 1
                return
            self._maybe_sent.pop(key, None)
            self._limiter.sent(sub.chat_id, is_group)
            self._unconfirmed_in_a_row = 0
            index += 1
            network_attempts = 0
        report.sent += 1

    async def _close_unconfirmed(
        self, broadcast: Broadcast, sub: Subscriber, key: tuple[int, int, int], reason: str, report: DeliveryReport
    ) -> None:
        """No answer to the last allowed try: close the entry (it may have arrived) and move on, never retry."""
        tries = self._maybe_sent.get(key, 0)
        report.unconfirmed += 1  # counted first: a cancel may land right after the journal write
        self._unconfirmed_in_a_row += 1
        await self._store.mark_failed(broadcast.id, sub.chat_id, f"unconfirmed: no answer to {tries} tries ({reason})")
        self._maybe_sent.pop(key, None)  # only once closed: if the journal write failed, the next run must not resend

    def _longer_timeout(self, current: float) -> float:
        """The read time-out for a retry after a time-out, kept for later sends too (see RetryPolicy)."""
        longer = max(current, min(self._policy.max_read_timeout, current * self._policy.timeout_growth))
        self._read_timeout = max(self._read_timeout, longer)
        return longer

    async def _send_part(
        self, broadcast: Broadcast, chat_id: int, lang: Lang, parts: tuple[str, ...], index: int, read_timeout: float
    ) -> Attempt:
        """Journal the try, send one part, journal it as sent: run whole by :func:`run_to_completion`.

        The try is written first (:meth:`SubscriptionStore.begin_part`) so that nothing is sent
        that cannot be recorded: on a full disk that write fails and the run stops before the
        message goes out. The same write is the fence between replicas: it refuses (``"lost"``)
        when the chat is no longer this broadcaster's, and nothing is sent then; likewise for a
        chat that unsubscribed.
        """
        verdict = await self._store.begin_part(broadcast.id, chat_id, index, self._owner, self._lease)
        if verdict != "send":
            return verdict
        # From here the try counts as "may have arrived" until an answer says otherwise, so that one
        # whose outcome is never learnt (the run stopped meanwhile) still counts against the limit.
        key = (broadcast.id, chat_id, index)
        self._maybe_sent[key] = self._maybe_sent.get(key, 0) + 1
        await self._bot.send_message(
            chat_id,
            parts[index],
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            read_timeout=read_timeout,
            # the language switch and unsubscribe, under the digest's last part
            reply_markup=digest_keyboard(broadcast.id, lang) if index + 1 == len(parts) else None,
        )
        await self._store.mark_part_sent(broadcast.id, chat_id, index + 1, done=index + 1 == len(parts), attempts=0)
        return verdict


def concurrency_for(settings: Settings) -> int:
    """Enough requests in flight to fill the global rate at ~200 ms a request."""
    return min(32, max(2, math.ceil(settings.rate_per_replica / 5)))


def sender_request(settings: Settings) -> HTTPXRequest:
    """The HTTP client of the broadcast ``Bot``: one connection per request in flight (PTB's default is one
    in all, which turns concurrency into pool time-outs), the configured read time-out."""
    return HTTPXRequest(
        connection_pool_size=concurrency_for(settings),
        read_timeout=settings.request_timeout_seconds,
        write_timeout=settings.request_timeout_seconds,
    )

