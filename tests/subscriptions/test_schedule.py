"""When scheduled digests are due, and the loop that waits for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.config import DigestSchedule
from bot.subscriptions.schedule import CATCH_UP, MAX_SLEEP_SECONDS, next_run, previous_run, run_schedule, slot_key

SAT_2300 = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # a Saturday


@pytest.mark.parametrize(
    "schedule, after, expected",
    [
        ("off", SAT_2300, None),
        ("daily 09:00", SAT_2300, datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),
        ("daily 23:30", SAT_2300, datetime(2026, 11, 28, 23, 30, tzinfo=UTC)),
        ("daily 23:00", SAT_2300, datetime(2026, 11, 29, 23, 0, tzinfo=UTC)),
        ("weekly mon 09:00", SAT_2300, datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
        ("weekly sat 23:00", SAT_2300, datetime(2026, 12, 5, 23, 0, tzinfo=UTC)),
        ("weekly sat 23:59", SAT_2300, datetime(2026, 11, 28, 23, 59, tzinfo=UTC)),
        ("weekly sun", SAT_2300, datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),
        ("daily 09:00", datetime(2026, 11, 29, 12, 0, tzinfo=timezone(timedelta(hours=5))), datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),
    ],
)
def test_next_run_is_the_first_slot_strictly_after(schedule: str, after: datetime, expected: datetime | None) -> None:
    """next_run gives the next UTC slot after the given moment (never the same instant), or None when off."""
    assert next_run(DigestSchedule.parse(schedule), after) == expected


@pytest.mark.parametrize(
    "schedule, at, expected",
    [
        ("off", SAT_2300, None),
        ("daily 09:00", SAT_2300, datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("daily 23:00", SAT_2300, SAT_2300),
        ("daily 23:30", SAT_2300, datetime(2026, 11, 27, 23, 30, tzinfo=UTC)),
        ("weekly sat 23:00", SAT_2300, SAT_2300),
        ("weekly mon 09:00", SAT_2300, datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        ("weekly sat 23:30", SAT_2300, datetime(2026, 11, 21, 23, 30, tzinfo=UTC)),
    ],
)
def test_previous_run_is_the_latest_slot_at_or_before(schedule: str, at: datetime, expected: datetime | None) -> None:
    """previous_run gives the most recent UTC slot not after the given moment, or None when off."""
    assert previous_run(DigestSchedule.parse(schedule), at) == expected


@pytest.mark.parametrize("late, caught_up", [(timedelta(hours=2), True), (CATCH_UP + timedelta(minutes=1), False)])
async def test_a_recently_missed_slot_is_sent_at_start_up(late: timedelta, caught_up: bool) -> None:
    """Starting shortly after a slot sends that slot's digest first; a slot missed long ago is skipped."""
    slot = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    fired: list[datetime] = []

    async def on_due(due: datetime) -> None:
        fired.append(due)
        raise StopAsyncIteration

    async def sleep(seconds: float) -> None:
        raise StopAsyncIteration

    with pytest.raises(StopAsyncIteration):
        await run_schedule(DigestSchedule.parse("weekly mon 09:00"), on_due, now=lambda: slot + late, sleep=sleep)
    assert fired == ([slot] if caught_up else [])


async def test_run_schedule_fires_each_slot_once_and_sleeps_in_chunks() -> None:
    """The loop sleeps (at most an hour at a time) until each slot, then calls on_due with the slot time."""
    clock = {"now": SAT_2300}
    fired: list[datetime] = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock["now"] += timedelta(seconds=seconds)

    async def on_due(due: datetime) -> None:
        fired.append(due)
        if len(fired) == 2:
            raise StopAsyncIteration

    with pytest.raises(StopAsyncIteration):
        await run_schedule(DigestSchedule.parse("daily 01:30"), on_due, now=lambda: clock["now"], sleep=sleep)
    assert fired == [datetime(2026, 11, 29, 1, 30, tzinfo=UTC), datetime(2026, 11, 30, 1, 30, tzinfo=UTC)]
    assert max(sleeps) <= MAX_SLEEP_SECONDS


async def test_run_schedule_returns_when_off() -> None:
    """With the schedule off the loop ends at once."""
    async def on_due(due: datetime) -> None:
        raise AssertionError("no digest when off")

    await run_schedule(DigestSchedule.parse("off"), on_due)


def test_slot_key_names_the_utc_minute() -> None:
    """The slot key is stable for a slot, so one digest per slot."""
    assert slot_key(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) == "digest:2026-11-30T09:00+00:00"
