"""Per-user flood limit: answer a spammer politely once, then ignore them for a while.

A sliding window of each user's recent updates; the update that goes over the limit gets
:attr:`Verdict.WARN` (the handler sends one polite note), every later one gets
:attr:`Verdict.DROP` until the cooldown has passed. The clock is injected so tests need not
sleep, and one limiter lives per ``Application`` (no globals), so two bots in one process — or
two tests — never share counts.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum

Clock = Callable[[], float]


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


class FloodLimiter:
    """At most ``max_messages`` per ``window`` seconds per user, then ``cooldown`` seconds of silence."""

    # Forgetting idle users keeps memory bounded by the number of recently active ones.
    _SWEEP_EVERY = 1024

    def __init__(self, max_messages: int, window: float, cooldown: float, clock: Clock = time.monotonic) -> None:
        if max_messages < 1 or window <= 0 or cooldown <= 0:
            raise ValueError("max_messages must be ≥ 1, window and cooldown > 0")
        self._max = max_messages
        self._window = window
        self._cooldown = cooldown
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._blocked_until: dict[int, float] = {}
        self._calls = 0

    def check(self, user_id: int) -> Verdict:
        """Record one update from ``user_id`` and say what to do with it."""
        now = self._clock()
        self._calls += 1
        if self._calls % self._SWEEP_EVERY == 0:
            self._sweep(now)
        until = self._blocked_until.get(user_id)
        if until is not None:
            if now < until:
                return Verdict.DROP
            del self._blocked_until[user_id]
        stamps = self._recent.setdefault(user_id, deque())
        while stamps and stamps[0] <= now - self._window:
            stamps.popleft()
        if len(stamps) >= self._max:
            self._blocked_until[user_id] = now + self._cooldown
            del self._recent[user_id]
            return Verdict.WARN
        stamps.append(now)
        return Verdict.ALLOW

    @property
    def tracked_users(self) -> int:
        return len(self._recent) + len(self._blocked_until)

    def _sweep(self, now: float) -> None:
        for uid in [u for u, s in self._recent.items() if not s or s[-1] <= now - self._window]:
            del self._recent[uid]
        for uid in [u for u, t in self._blocked_until.items() if t <= now]:
            del self._blocked_until[uid]
