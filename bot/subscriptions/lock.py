"""One deliverer at a time across processes: ``python -m bot broadcast`` and the running bot.

Two processes resuming the same broadcast would both send to the chats the journal does not yet
show as sent. An advisory ``flock`` on a file in the data directory decides who delivers; the
kernel drops it when the holder dies, even on SIGKILL, so a crash never leaves it stuck.
Inside one process each acquisition opens the file anew, so two tasks also exclude each other.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DeliveryLock:
    """A non-blocking exclusive lock; :meth:`try_acquire` says whether we got it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "delivery.lock"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
