"""When scheduled digests go out: a pure next-run function and the loop that waits for it.

Times are UTC (``bot.config.DigestSchedule``). The loop sleeps in chunks of at most an hour
and re-reads the clock, so a suspended machine or a clock change does not push a digest days
late. Each run is identified by its slot (``digest:2026-11-30T09:00+00:00``) and the store
creates at most one broadcast per slot, so a restart inside the same minute does not send a
second digest. A slot missed while the bot was down is sent at start-up if it is less than
:data:`CATCH_UP` old (a restart across 09:00 must not skip a whole week); older ones are
skipped, since a digest days late is noise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.config import DigestSchedule

MAX_SLEEP_SECONDS = 3600.0
CATCH_UP = timedelta(hours=6)


def next_run(schedule: DigestSchedule, after: datetime) -> datetime | None:
    """The first scheduled time strictly after ``after`` (aware, UTC), or None when off."""
    if schedule.kind == "off":
        return None
    after = after.astimezone(UTC)
    candidate = datetime.combine(after.date(), schedule.at, tzinfo=UTC)
    if schedule.kind == "weekly":
        candidate += timedelta(days=(schedule.weekday - after.weekday()) % 7)
    return candidate if candidate > after else candidate + _period(schedule)


def previous_run(schedule: DigestSchedule, at: datetime) -> datetime | None:
    """The latest scheduled time at or before ``at`` (aware, UTC), or None when off: the slot before the next one."""
    following = next_run(schedule, at)
    return None if following is None else following - _period(schedule)


def _period(schedule: DigestSchedule) -> timedelta:
    return timedelta(days=1 if schedule.kind == "daily" else 7)


def slot_key(due: datetime) -> str:
    return f"digest:{due.astimezone(UTC).isoformat(timespec='minutes')}"


async def run_schedule(
    schedule: DigestSchedule,
    on_due: Callable[[datetime], Awaitable[None]],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Call ``on_due(slot time)`` at every scheduled time, forever; returns at once when off.

    First, a slot missed less than :data:`CATCH_UP` ago (``on_due`` must be idempotent per slot).
    """
    started = now()
    missed = previous_run(schedule, started)
    if missed is not None and started - missed < CATCH_UP:
        await on_due(missed)
    due = next_run(schedule, started)
    while due is not None:
        remaining = (due - now()).total_seconds()
        if remaining > 0:
            await sleep(min(remaining, MAX_SLEEP_SECONDS))
            continue
        await on_due(due)
        due = next_run(schedule, due)
