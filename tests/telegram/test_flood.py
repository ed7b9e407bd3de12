"""The flood limiter allows a burst, warns once, stays silent through the cooldown, then forgives."""

from __future__ import annotations

import pytest

from bot.telegram.flood import FloodLimiter, Verdict
from tests.clock import ManualClock


def test_burst_over_limit_warns_once_then_drops() -> None:
    """The message after the limit gets one WARN; the rest of the flood is dropped."""
    clock = ManualClock()
    limiter = FloodLimiter(3, window=10, cooldown=60, clock=clock)
    verdicts = [limiter.check(7) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2


def test_cooldown_ends_and_the_user_is_answered_again() -> None:
    """After the cooldown the user starts with a clean slate."""
    clock = ManualClock()
    limiter = FloodLimiter(2, window=10, cooldown=30, clock=clock)
    assert [limiter.check(1) for _ in range(3)][-1] is Verdict.WARN
    clock.now += 29.9
    assert limiter.check(1) is Verdict.DROP
    clock.now += 0.2
    assert [limiter.check(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN]


def test_window_slides() -> None:
    """Messages spread wider than the window never trip the limit."""
    clock = ManualClock()
    limiter = FloodLimiter(2, window=10, cooldown=30, clock=clock)
    for _ in range(20):
        assert limiter.check(1) is Verdict.ALLOW
        clock.now += 5.1


def test_users_are_counted_separately() -> None:
    """One user's flood does not silence another."""
    limiter = FloodLimiter(1, window=10, cooldown=30, clock=ManualClock())
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(1) is Verdict.WARN
    assert limiter.check(2) is Verdict.ALLOW


def test_idle_users_are_forgotten() -> None:
    """Memory stays bounded: users idle for longer than the window are swept away."""
    clock = ManualClock()
    limiter = FloodLimiter(5, window=1, cooldown=1, clock=clock)
    for uid in range(3000):
        limiter.check(uid)
        clock.now += 0.01
    assert limiter.tracked_users < 1200


@pytest.mark.parametrize("args", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_nonsense_limits_are_refused(args: tuple[int, float, float]) -> None:
    """A zero limit would silence everyone; refuse it at construction."""
    with pytest.raises(ValueError):
        FloodLimiter(*args)
