"""A clock for code that takes one (``clock: Callable[[], float]``): it moves only when the test moves it."""

from __future__ import annotations


class ManualClock:
    """Reads ``now``; a test advances time with ``clock.now += seconds`` instead of sleeping."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
