"""The subscription feature at run time: queue broadcasts, deliver them, run the schedule.

A :class:`SubscriptionService` lives as long as the bot (opened in ``post_init``, stopped in
``post_shutdown``) or as long as ``python -m bot broadcast``. Broadcasts are always queued in the
store first and then delivered by one loop holding the cross-process :class:`DeliveryLock`,
so a broadcast requested while another is going out waits its turn instead of racing it, and
anything unfinished (a crash, a restart, the network down) is picked up again by the loop.

The service owns the clock the subscription feature reads (``clock``, seconds since the epoch):
the schedule loop, "when is the next digest" in replies and digests. Tests pass a manual one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Settings
from bot.knowledge_base import KnowledgeBase
from bot.subscriptions.delivery import Broadcaster, DeliveryReport
from bot.subscriptions.digest import featured_payload, next_featured, queue_change_digest, summary_payload
from bot.subscriptions.lock import DeliveryLock
from bot.subscriptions.schedule import next_run, run_schedule, slot_key
from bot.subscriptions.store import SubscriptionStore

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0


class SubscriptionService:
    def __init__(
        self,
        settings: Settings,
        knowledge: KnowledgeBase,
        store: SubscriptionStore,
        broadcaster: Broadcaster,
        poll_seconds: float = POLL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.store = store
        self.broadcaster = broadcaster
        self._clock = clock
        self._lock = DeliveryLock(settings.data_dir) if settings.database_url is None else None
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def next_digest(self) -> datetime | None:
        """When the next scheduled digest goes out (UTC), or None when the schedule is off."""
        return next_run(self.settings.schedule, self.now())

    async def queue_summary(self) -> int | None:
        """Queue the full summary for every subscriber (an administrator's broadcast) and wake the delivery loop."""
        broadcast_id = await self.store.create_broadcast("manual", summary_payload(self.knowledge, self.next_digest()))
        self._wake.set()
        return broadcast_id

    async def queue_scheduled(self, due: datetime) -> int | None:
        """Queue the digest of the slot ``due``: the item after the last one featured, or None if the slot exists.

        The broadcast and the advanced cursor are written in one transaction, which only the first
        to queue the slot gets to commit: replicas (or a restart inside the slot) advance the series once.
        """
        schedule = self.settings.schedule
        following = next_run(schedule, due)
        featured = next_featured(self.knowledge, await self.store.digest_cursor())
        slot = slot_key(due)
        if featured is None:  # nothing summarized to feature: the full summary
            broadcast_id = await self.store.create_broadcast("digest", summary_payload(self.knowledge, following), slot=slot)
        else:
            broadcast_id = await self.store.create_broadcast(
                "digest",
                featured_payload(self.knowledge, featured, schedule, following),
                passage_ids=(featured.key,),
                slot=slot,
                cursor=featured.cursor,
            )
        self._wake.set()
        return broadcast_id

    async def deliver_unfinished(self) -> list[DeliveryReport] | None:
        """Deliver every unfinished broadcast, oldest first; None if another process is delivering.

        Stops at the first interrupted broadcast (network down): later ones wait for it. With
        SQLite one process delivers at a time (the :class:`DeliveryLock`); with PostgreSQL every
        replica delivers, splitting each broadcast by claims in the journal.
        """
        if self._lock is not None and not self._lock.try_acquire():
            return None
        reports: list[DeliveryReport] = []
        try:
            for broadcast in await self.store.unfinished_broadcasts():
                if self._lock is not None:  # alone: whoever claimed chats before us is gone
                    await self.store.release_claims(broadcast.id, None)
                report = await self.broadcaster.deliver(broadcast)
                reports.append(report)
                if report.interrupted:
                    break
        finally:
            if self._lock is not None:
                self._lock.release()
        return reports

    def start(self) -> None:
        """Start the background work: change digest, delivery loop (resumes what is unfinished), schedule."""
        self._tasks = [
            asyncio.create_task(self._detect_changes(), name="subscriptions: change digest"),
            asyncio.create_task(self._delivery_loop(), name="subscriptions: delivery"),
            asyncio.create_task(
                run_schedule(self.settings.schedule, self._scheduled_digest, now=self.now), name="subscriptions: schedule"
            ),
        ]

    async def stop(self) -> None:
        """Cancel the background work; in-flight sends finish and are journaled before this returns."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _detect_changes(self) -> None:
        if await queue_change_digest(self.store, self.knowledge, self.next_digest()) is not None:
            log.info("knowledge base changed: change digest queued")
            self._wake.set()

    async def _scheduled_digest(self, due: datetime) -> None:
        await self.queue_scheduled(due)

    async def _delivery_loop(self) -> None:
        try:  # other replicas' broadcasts wake this loop too (PostgreSQL); without it, the poll finds them
            await self.store.watch_broadcasts(self._wake.set)
        except Exception:
            log.exception("cannot watch for new broadcasts; polling every %s s", self._poll_seconds)
        while True:
            self._wake.clear()
            wait = self._poll_seconds
            try:
                reports = await self.deliver_unfinished()
                if reports and any(r.waiting for r in reports):
                    # Another replica holds chats of a broadcast: look again when its lease would have run out.
                    wait = min(wait, self.settings.delivery_lease_seconds)
            except Exception:
                log.exception("delivery run failed; retrying in %s s", self._poll_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
