"""One running bot per data directory: a second ``python -m bot run`` refuses to start.

Two bots on one ``BOT_DATA_DIR`` would poll the same token (Telegram answers one of them with
409 Conflict on every ``getUpdates``) and write the same SQLite file. An advisory ``flock`` on
``bot.lock`` decides; the kernel drops it when the holder exits, even on SIGKILL, so a crash
never leaves a stale lock behind, and the holder writes its pid into the file so the refusal
can name it. With PostgreSQL several replicas share one database, but each has its own data
dir, so the lock stays per data dir.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

LOCK_NAME = "bot.lock"


class AlreadyRunning(Exception):
    """Another process holds the lock; ``holder`` is what it wrote there (pid and host), if anything."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"another bot is already running on {path.parent} ({holder or 'pid unknown'})")


class InstanceLock:
    """Held from :meth:`acquire` until :meth:`release` (or process exit)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock and record our pid in it; raise :class:`AlreadyRunning` if another process has it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            raise AlreadyRunning(self.path, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
