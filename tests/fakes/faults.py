"""Failures the fake Bot API produces on purpose: injected errors and Telegram's flood limits.

Retry, backoff and exactly-once logic can only be tested if the server misbehaves on demand, in
the ways Telegram does: an error answer, a dropped connection (before or after the message was
really delivered), a slow answer (before acting, or after: delivered but answered late), a request
held until the test releases it (to make "while requests are in flight" certain, not a matter of
timing), or a 429 for sending faster than Telegram allows.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fakes.validation import ApiError

FaultKind = Literal["error", "drop", "drop_after", "delay", "delay_after", "hold", "garble"]


@dataclass
class Fault:
    """Misbehave on the next ``times`` calls of ``method`` (lower case), optionally only for one chat."""

    method: str
    times: int
    chat_id: int | str | None
    kind: FaultKind
    error: ApiError | None = None
    delay: float = 0.0
    release: asyncio.Event | None = None  # "hold": wait for it before acting


@dataclass
class FaultPlan:
    """The faults still to happen, consumed in the order they were added."""

    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The fault that applies to this call, counting it down; None when the call should succeed."""
        for fault in self.faults:
            if fault.method != method or (fault.chat_id is not None and params.get("chat_id") != fault.chat_id):
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            return fault
        return None


@dataclass
class FloodControl:
    """Telegram's sending limits; a request over any of them gets 429 with ``retry_after``."""

    per_chat_per_second: int | None = 1
    per_group_per_minute: int | None = 20
    global_per_second: int | None = 30
    retry_after: float = 1


@dataclass
class FloodMeter:
    """Sliding windows of recent sends, checked against ``limits`` (off while ``limits`` is None)."""

    limits: FloodControl | None = None
    rejections: int = 0
    _per_chat: dict[int, deque[float]] = field(default_factory=dict)
    _overall: deque[float] = field(default_factory=deque)

    def check(self, chat_id: int, *, group: bool) -> None:
        """Record a send to ``chat_id`` or raise Telegram's 429 if it would exceed a limit."""
        limits = self.limits
        if limits is None:
            return
        now = time.monotonic()
        chat = self._per_chat.setdefault(chat_id, deque())
        for times, horizon in ((chat, 60.0), (self._overall, 1.0)):
            while times and now - times[0] >= horizon:
                times.popleft()
        for window, limit, times in (
            (1.0, limits.per_chat_per_second, chat),
            (60.0, limits.per_group_per_minute if group else None, chat),
            (1.0, limits.global_per_second, self._overall),
        ):
            if limit is not None and _count_since(times, now - window) >= limit:
                self.rejections += 1
                raise ApiError(
                    429, f"Too Many Requests: retry after {limits.retry_after}", retry_after=limits.retry_after
                )
        chat.append(now)
        self._overall.append(now)


def _count_since(times: deque[float], since: float) -> int:
    """How many of the ascending ``times`` are later than ``since`` (walks only the recent tail)."""
    count = 0
    for t in reversed(times):
        if t <= since:
            break
        count += 1
    return count
