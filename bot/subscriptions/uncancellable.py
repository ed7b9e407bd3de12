"""Run a coroutine to its end even when the task awaiting it is cancelled.

Used where stopping half-way would lose or corrupt state: a sent message and its journal
entry, and every database write (a cancelled ``await`` on aiosqlite does not stop the statement
in its thread, so a cancelled ``BEGIN`` would otherwise leave a transaction open).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


async def run_to_completion(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro``; if the caller is cancelled meanwhile, let ``coro`` finish, then re-raise the cancel."""
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        while not task.done():
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                continue
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation wins, the outcome is already recorded
        raise


def uncancellable(method: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Decorator form of :func:`run_to_completion` for async methods."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return await run_to_completion(method(*args, **kwargs))

    return wrapper
