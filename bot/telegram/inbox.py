"""Nothing Telegram handed over is lost: updates are journaled before they are confirmed, replayed at start-up.

Telegram forgets an update once the bot confirms it (the next ``getUpdates`` offset, or a 200 to
the webhook), but answering can take much longer than fetching: a burst of 1,000 updates was
confirmed in 0.12 s and needed a minute to answer, so a SIGKILL, or systemd's 15 s stop grace,
lost what was confirmed but not yet handled. Three pieces close that gap:

- :class:`InboxQueue` is the application's ``update_queue``. Both the polling updater and the
  webhook server ``put`` every update into it before confirming it, and nothing is confirmed
  before its journal write (:class:`UpdateInbox`) committed: the webhook answers 200 when ``put``
  returns, which waits for the write; the updater confirms with its *next* ``getUpdates``, which
  :class:`JournalFirstRequest` holds until the batch is journaled. ``put`` also waits while
  :data:`MAX_UNHANDLED` updates are journaled but unhandled (bounded prefetch: the bot never
  confirms far more than it can handle), and drops an update id the journal already has (a
  webhook retry, or one fetched again after a crash), so each update is handled once.
- :class:`InboxProcessor` marks an update done once its handlers (and the error handler) ran.
  After ``Application.stop`` (SIGTERM) it keeps handling for :data:`HANDOVER_AFTER` seconds and
  then hands over: queued updates are left in the journal instead of being handled, so the
  process exits within the stop grace.
- :func:`start` (a start-up hook) opens the journal and replays what is still pending: updates
  a killed or stopped process confirmed but did not handle.

The journal is SQLite in WAL mode with ``synchronous=NORMAL``: a commit survives the process
being killed at any point (what this is for) but not an OS crash or power loss, which may drop the
last few updates; ``FULL`` would cost an fsync per update in the polling loop. An update handled
but not yet marked done when the process dies is handled again after the restart: at least once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import Update
from telegram.ext import SimpleUpdateProcessor

from bot.logs import log_event
from bot.subscriptions.uncancellable import run_to_completion
from bot.telegram.services import AnyApplication, services_of
from bot.telegram.updates_request import UpdatesRequest

log = logging.getLogger("bayan.telegram")

INBOX_FILE = "updates.sqlite3"
MAX_UNHANDLED = 256  # updates confirmed to Telegram but not yet handled, at most
HANDOVER_AFTER = 5.0  # seconds after SIGTERM during which queued updates are still handled
KEEP_DONE_SECONDS = 86_400.0  # Telegram keeps an unconfirmed update for 24 h: remember ids that long
KEEP_DONE_IDS = 100_000  # and at most this many (the newest): the journal stays small under any load
BUSY_TIMEOUT_MS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY,
    body TEXT,
    received_at REAL NOT NULL,
    handled_at REAL
)
"""


class UpdateInbox:
    """The journal of fetched updates: ``body`` while pending, only the id (for de-duplication) once handled.

    Handled ids are kept :data:`KEEP_DONE_SECONDS` and at most ``keep_done`` of them (the newest; pruned
    at start-up and every ``keep_done // 10`` updates handled); pending updates are never pruned.
    Writes from concurrent callers share one transaction (group commit), like the delivery journal.
    """

    def __init__(self, db: aiosqlite.Connection, keep_done: int = KEEP_DONE_IDS) -> None:
        self._db = db
        self._keep_done = keep_done
        self._done_since_prune = 0
        self._writes: list[tuple[str, tuple[Any, ...], asyncio.Future[int]]] = []
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path, keep_done: int = KEEP_DONE_IDS) -> UpdateInbox:
        # aiosqlite logs every statement with its parameters at DEBUG: here those are users' messages.
        logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger("aiosqlite").level))
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            await db.execute(_SCHEMA)
            await db.execute(_PRUNE, _prune_params(keep_done))
        except BaseException:
            await db.close()
            raise
        return cls(db, keep_done)

    async def close(self) -> None:
        if self._flusher is not None:
            await asyncio.wait({self._flusher})
        await self._db.close()

    async def record(self, update: Update) -> bool:
        """Journal ``update`` (committed on return); False if its id is already journaled (a repeat)."""
        body = json.dumps(update.to_dict(), ensure_ascii=False)
        added = await self._write(
            "INSERT INTO inbox (update_id, body, received_at) VALUES (?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
            (update.update_id, body, time.time()),
        )
        return added > 0

    async def done(self, update_id: int) -> None:
        """The update was handled: keep only its id."""
        await self._write(
            "UPDATE inbox SET body = NULL, handled_at = ? WHERE update_id = ?", (time.time(), update_id)
        )
        self._done_since_prune += 1
        if self._done_since_prune >= max(1, self._keep_done // 10):
            self._done_since_prune = 0
            await self._write(_PRUNE, _prune_params(self._keep_done))

    async def pending(self) -> list[dict[str, Any]]:
        """Updates journaled but not handled, oldest first, as Telegram sent them."""
        rows = await self._db.execute_fetchall("SELECT body FROM inbox WHERE handled_at IS NULL ORDER BY update_id")
        return [json.loads(row[0]) for row in rows]

    async def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._writes.append((sql, params, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._writes:
            batch, self._writes = self._writes, []
            counts: list[int] = []
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params, _ in batch:
                        counts.append((await self._db.execute(sql, params)).rowcount)
                    await self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        await self._db.execute("ROLLBACK")
                    raise
            except BaseException as exc:
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("inbox write cancelled"))
                if not isinstance(exc, Exception):
                    raise
            else:
                for (_, _, future), count in zip(batch, counts, strict=True):
                    if not future.done():
                        future.set_result(count)


_PRUNE = """
DELETE FROM inbox WHERE handled_at IS NOT NULL AND (
    handled_at < ?
    OR update_id < (SELECT update_id FROM inbox WHERE handled_at IS NOT NULL ORDER BY update_id DESC LIMIT 1 OFFSET ?)
)
"""


def _prune_params(keep_done: int) -> tuple[float, int]:
    return time.time() - KEEP_DONE_SECONDS, keep_done - 1


class InboxQueue(asyncio.Queue[object]):
    """The application's update queue: journal before confirming, at most :data:`MAX_UNHANDLED` unhandled.

    ``put`` starts the journal write; with ``wait_for_journal`` (webhook mode: the 200 goes out
    when ``put`` returns) it also waits for it. In polling mode the confirmation is the next
    ``getUpdates``, which :class:`JournalFirstRequest` holds until :meth:`all_recorded`, so the
    updates of one batch are journaled together instead of one commit after another. Either way
    an update is handled only once its write committed (:meth:`recorded`), and a repeat is
    dropped then. Until :meth:`attach` (the start-up hook) it is a plain queue.
    """

    def __init__(self, max_unhandled: int = MAX_UNHANDLED, *, wait_for_journal: bool = False) -> None:
        super().__init__()
        self.inbox: UpdateInbox | None = None
        self._room = asyncio.Semaphore(max_unhandled)
        self._wait = wait_for_journal
        # Keyed by the Update object, not its id: two posts of one update (a webhook re-post while the first
        # still waits for the journal) are two writes, the first adding the row, the second finding it.
        self._writes: dict[int, asyncio.Task[bool]] = {}

    def attach(self, inbox: UpdateInbox) -> None:
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if self.inbox is None or not isinstance(item, Update):
            await super().put(item)  # PTB's stop signal, or before start-up
            return
        await self._room.acquire()
        write = asyncio.create_task(self._record(self.inbox, item), name=f"inbox: record {item.update_id}")
        self._writes[id(item)] = write
        if self._wait:
            try:
                await asyncio.shield(write)
            except BaseException:
                self._writes.pop(id(item), None)
                self._room.release()
                raise
        await super().put(item)

    async def recorded(self, update: Update) -> bool:
        """Wait until the update's journal write committed; False if the journal already had it (a repeat)."""
        write = self._writes.get(id(update))
        if write is None:
            return True  # replayed from the journal
        try:
            return await asyncio.shield(write)
        finally:
            self._writes.pop(id(update), None)

    async def all_recorded(self) -> None:
        """Wait until every update put so far is journaled: what may now be confirmed to Telegram."""
        if self._writes:
            await asyncio.wait([asyncio.shield(w) for w in list(self._writes.values())])

    @staticmethod
    async def _record(inbox: UpdateInbox, update: Update) -> bool:
        """Journal ``update``, retrying while the journal cannot be written (a full or read-only disk).

        Meanwhile the update is not handled and, in polling mode, nothing more is confirmed to
        Telegram, which keeps the updates until there is room again: stalled, but nothing lost.
        """
        pause = 0.1
        while True:
            try:
                return await run_to_completion(inbox.record(update))
            except sqlite3.Error as exc:
                log_event(log, "inbox_write_failed", level=logging.ERROR, update_id=update.update_id, error=str(exc))
                await asyncio.sleep(pause)
                pause = min(5.0, pause * 2)

    async def put_replayed(self, update: Update) -> None:
        """Queue an update already in the journal (start-up replay)."""
        await self._room.acquire()
        await super().put(update)

    def handled(self) -> None:
        """One journaled update is finished with (handled, dropped or handed over): room for another."""
        self._room.release()


class JournalFirstRequest(UpdatesRequest):
    """The HTTP client of ``getUpdates``: a call (which confirms the previous batch) waits for the journal first."""

    def __init__(self, queue: InboxQueue, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._queue = queue

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await self._queue.all_recorded()
        return await super().do_request(*args, **kwargs)


class InboxProcessor(SimpleUpdateProcessor):
    """Runs updates concurrently like PTB's default, marks each done, hands over the rest after SIGTERM."""

    def __init__(self, max_concurrent_updates: int, queue: InboxQueue, handover_after: float = HANDOVER_AFTER) -> None:
        super().__init__(max_concurrent_updates)
        self._queue = queue
        self.handover_after = handover_after
        self._application: AnyApplication | None = None
        self._stopping_since: float | None = None

    def serve(self, application: AnyApplication) -> None:
        self._application = application

    def _handing_over(self) -> bool:
        if self._application is None or self._application.running:
            return False
        now = time.monotonic()
        if self._stopping_since is None:
            self._stopping_since = now
        return now - self._stopping_since > self.handover_after

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        inbox = self._queue.inbox
        if inbox is None or not isinstance(update, Update):
            await coroutine
            return
        try:
            if not await self._queue.recorded(update):
                if asyncio.iscoroutine(coroutine):
                    coroutine.close()
                log_event(log, "repeated_update", update_id=update.update_id, outcome="ignored")
                return
            if self._handing_over():
                if asyncio.iscoroutine(coroutine):
                    coroutine.close()
                log_event(log, "handed_over", update_id=update.update_id, outcome="left for the next start")
                return
            try:
                await coroutine
            finally:
                try:
                    await run_to_completion(inbox.done(update.update_id))
                except sqlite3.Error as exc:  # handled all the same; after a restart it is handled again
                    log_event(log, "inbox_write_failed", level=logging.ERROR, update_id=update.update_id, error=str(exc))
        finally:
            self._queue.handled()


def inbox_path(data_dir: Path) -> Path:
    return data_dir / INBOX_FILE


async def start(application: AnyApplication) -> None:
    """Start-up hook: open the journal, let the queue use it, replay what a previous process left unhandled."""
    queue = application.update_queue
    if not isinstance(queue, InboxQueue):
        return
    inbox = await UpdateInbox.open(inbox_path(services_of(application).settings.data_dir))
    queue.attach(inbox)
    left = await inbox.pending()
    if not left:
        return
    log_event(log, "replaying", updates=len(left))
    updates = [Update.de_json(data, application.bot) for data in left]

    async def replay() -> None:
        for update in updates:
            await queue.put_replayed(update)

    application.bot_data[_REPLAY_KEY] = asyncio.create_task(replay(), name="inbox: replay")


async def stop(application: AnyApplication) -> None:
    """Shutdown hook (after the application stopped handling): close the journal."""
    replay = application.bot_data.pop(_REPLAY_KEY, None)
    if isinstance(replay, asyncio.Task):
        replay.cancel()
    queue = application.update_queue
    if isinstance(queue, InboxQueue) and queue.inbox is not None:
        inbox, queue.inbox = queue.inbox, None
        await inbox.close()


_REPLAY_KEY = "bayan.inbox.replay"
