"""Transient Bot API failures: which are worth another try, and which may already have reached the chat.

Telegram has no idempotency key, so a retried ``sendMessage`` whose first attempt did arrive
is a duplicate. What PTB raises tells the two cases apart well enough:

- the request never left (connection refused, connect time-out, no free connection in the
  pool) or Telegram answered with an error (HTTP 5xx): nothing was delivered, retrying is safe;
- the request was sent and then the answer did not come (read time-out, connection dropped
  mid-answer): it *may* have been delivered. Retry such a send at most once, never in a loop.

:class:`RetryingRateLimiter` applies this to every request the application makes (replies,
edits, button answers), on top of PTB's 429 handling; the broadcaster applies the same rules
itself (:mod:`bot.subscriptions.delivery`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.logs import log_event

log = logging.getLogger("bayan.telegram")

_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_transient(error: BaseException) -> bool:
    """A network failure or a 5xx from Telegram: the same request may well work a moment later."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def may_have_arrived(error: TelegramError) -> bool:
    """True when the request reached Telegram but its answer did not reach us (so it may have acted)."""
    if not is_transient(error):
        return False
    cause = error.__cause__
    if isinstance(cause, _NEVER_SENT):
        return False
    if cause is not None:  # read/write time-out, connection dropped mid-answer, anything else mid-request
        return True
    return isinstance(error, TimedOut)  # no cause: Telegram answered with an HTTP error, it did not act


@dataclass(frozen=True, slots=True)
class RetryPlan:
    """Bounded retries: up to ``attempts`` in all, ``base * 2**n`` apart (capped), none started after ``budget`` s.

    A failure that may have reached the chat is retried at most ``uncertain_retries`` times.
    """

    attempts: int = 4
    base: float = 0.5
    cap: float = 4.0
    budget: float = 12.0
    uncertain_retries: int = 1

    def backoff(self, retry: int) -> float:
        return min(self.cap, self.base * 2.0 ** (retry - 1))


#: Not retried here: PTB's updater runs its own retry loop around long polling.
NOT_RETRIED = frozenset({"getUpdates"})

Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class RetryingRateLimiter(AIORateLimiter):
    """PTB's rate limiter (429s are waited out) plus bounded retries of transient failures (see the module docstring)."""

    def __init__(self, *args: Any, plan: RetryPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plan = plan or RetryPlan()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        plan = self._plan
        started = time.monotonic()
        retries = uncertain = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except TelegramError as error:
                if endpoint in NOT_RETRIED or not is_transient(error):
                    raise
                maybe_sent = may_have_arrived(error)
                retries += 1
                pause = plan.backoff(retries)
                if (
                    retries >= plan.attempts
                    or (maybe_sent and uncertain >= plan.uncertain_retries)
                    or time.monotonic() - started + pause > plan.budget
                ):
                    raise
                uncertain += maybe_sent
                log_event(
                    log,
                    "retry",
                    level=logging.WARNING,
                    method=endpoint,
                    attempt=retries + 1,
                    error=type(error).__name__,
                    may_have_arrived=maybe_sent or None,
                )
                await asyncio.sleep(pause)
