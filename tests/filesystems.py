"""Disks that misbehave, for start-up checks: read-only files and directories, a full filesystem.

As root (the CI container) file modes do not stop writes, so "read-only" is a read-only bind
mount and "full" a tiny tmpfs filled to the last byte; as another user, modes do the same job
and a full disk cannot be made, so that test is skipped.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({result.stderr.strip()})")


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` (a file or a directory) cannot be written by this process until the block ends."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield path
        finally:
            path.chmod(mode)
        return
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,ro,bind", str(path))
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


@contextlib.contextmanager
def full_filesystem(mount_point: Path, size_kb: int = 256) -> Iterator[Path]:
    """A tmpfs at ``mount_point`` with no byte left; yields a directory on it."""
    if os.geteuid() != 0:
        pytest.skip("making a full filesystem needs root (a tmpfs mount)")
    mount_point.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount_point))
    try:
        data = mount_point / "data"
        data.mkdir()
        with contextlib.suppress(OSError), (mount_point / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        yield data
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)
